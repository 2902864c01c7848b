/**
 * The real 766 connector walks config real766's plan against the loopback portal serving the shared
 * real captures (the national answer, Gia Lai's units at two dates, every unit's detail at one).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_REAL_766_PLAN } from '../../../functions/core/config.js';
import { CONNECTOR_NAME, createReal766Connector } from '../../../functions/core/connectors/real766.js';
import { startPortal, type RunningPortal } from '../../../functions/portal/server.js';
import { FIXTURE_DATA_DIR, REAL_DIR } from '../portal/helpers.js';
import { collect, testConnector } from './conformance.js';

const FAST = { timeoutMs: 2_000, retries: 2, minBackoffMs: 1, maxBackoffMs: 5 } as const;
const GIA_LAI = DEFAULT_REAL_766_PLAN.provinces[0]!.departmentId;

describe('real 766 connector against the loopback portal', () => {
  let portal: RunningPortal;
  beforeAll(async () => {
    portal = await startPortal({ dataDir: FIXTURE_DATA_DIR, token: 'unused-here', realDir: REAL_DIR });
  });
  afterAll(async () => {
    await portal.close();
  });
  const connector = (plan = DEFAULT_REAL_766_PLAN) => createReal766Connector({ baseUrl: portal.url, plan, ...FAST });

  testConnector({
    name: CONNECTOR_NAME,
    connector: () => connector(),
    ranged: false,
    // The national answer, Gia Lai's 14 units at each of 2 captures, and the 14 units' detail at the second.
    fixtures: { request: {}, expected: { payloads: 1 + 2 + 14, rows: null, source: 'dvcqg', kinds: ['score766-results', 'score766-detail'] } },
    additionalTests: () => {
      test('should pull in the plan order, naming each call and its capture date', async () => {
        const payloads = await collect(connector(), {});
        expect(payloads.slice(0, 4).map((p) => [p.kind, p.originalName, p.asOf, p.period, p.rows])).toEqual([
          ['score766-results', 'service-results?year=2026', '2026-09-17', '2026', 34],
          ['score766-results', `service-results?year=2026&departmentId=${GIA_LAI}&asOf=2026-09-24`, '2026-09-24', '2026', 14],
          ['score766-results', `service-results?year=2026&departmentId=${GIA_LAI}&asOf=2026-10-10`, '2026-10-10', '2026', 14],
          ['score766-detail', expect.stringMatching(/^department-detail\?year=2026&departmentId=.+&asOf=2026-10-10$/), '2026-10-10', '2026', null],
        ]);
      });

      test('should pull no detail for a province planned without detail captures', async () => {
        const plan = { ...DEFAULT_REAL_766_PLAN, provinces: [{ ...DEFAULT_REAL_766_PLAN.provinces[0]!, detailCaptures: [] }] };
        expect((await collect(connector(plan), {})).map((p) => p.kind)).toEqual(['score766-results', 'score766-results', 'score766-results']);
      });

      test('should refuse a malformed plan, naming the field', () => {
        expect(() => connector({ ...DEFAULT_REAL_766_PLAN, nationalAsOf: '17/09/2026' })).toThrow(/\[real766\] Failed to create the real 766 connector: invalid plan: .*nationalAsOf/s);
      });
    },
  });
});
