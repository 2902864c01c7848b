import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HttpError } from '../../../functions/core/connectors/_errors.js';
import { DEFAULT_REAL_766_PLAN } from '../../../functions/core/config.js';
import { CONNECTOR_NAME as REAL766, createReal766Connector } from '../../../functions/core/connectors/real766.js';
import { CONNECTOR_NAME, createScore766Connector } from '../../../functions/core/connectors/score766.js';
import {
  CrawlerAgenciesDetailFile,
  CrawlerAgenciesFile,
  LegacyReportResponse,
  ServiceResultsRequest,
  ServiceResultsResponse,
} from '../../../functions/core/connectors/score766-schemas.js';
import type { PullState } from '../../../functions/core/connectors/_types.js';
import { demoDepartmentId } from '../../../functions/portal/evaluation.js';
import { startPortal, type FaultPlan, type RunningPortal } from '../../../functions/portal/server.js';
import { FIXTURE_DATA_DIR, REAL_DIR, removeTempDirs, tempDataDir } from '../portal/helpers.js';
import { collect, testConnector } from './conformance.js';

const readJson = async (p: string): Promise<unknown> => JSON.parse(await readFile(path.join(REAL_DIR, p), 'utf8'));
const GIA_LAI_ROOT = '019d2be3-6a85-74ec-a346-6489e82ae4c7';
const FAST = { timeoutMs: 2_000, retries: 2, minBackoffMs: 1, maxBackoffMs: 5 } as const;

describe('766 schemas on the real captures', () => {
  test('should parse the national service-results request and answer without losing a field', async () => {
    const answer = await readJson('service-results.response.json');
    expect(ServiceResultsResponse.parse(answer)).toEqual(answer);
    expect(ServiceResultsRequest.parse(await readJson('service-results.request.json'))).toMatchObject({ timeType: 'year', year: 2026 });
  });

  test.each(['gia-lai/agencies_2026-09-24.json', 'gia-lai/agencies_2026-10-10.json'])('should parse %s', async (file) => {
    const json = await readJson(file);
    const parsed = CrawlerAgenciesFile.parse(json);
    expect(parsed).toEqual(json);
    expect(parsed.agencies).toHaveLength(14);
  });

  test('should parse every sub-indicator of the detail capture', async () => {
    const json = await readJson('gia-lai/agencies_detail_2026-10-10.json');
    const parsed = CrawlerAgenciesDetailFile.parse(json);
    expect(parsed).toEqual(json);
    expect(parsed.agenciesDetail.flatMap((a) => a.componentIndicators.MDSH_SoHoaHoSo.metrics)).toHaveLength(14 * 7);
  });

  test('should reject an answer whose evaluation row lacks its group scores', async () => {
    const answer = (await readJson('service-results.response.json')) as { data: { evaluation: Record<string, unknown>[] } };
    delete answer.data.evaluation[3]!.groupScores;
    expect(ServiceResultsResponse.safeParse(answer).success).toBe(false);
  });
});

describe('766 connectors (legacy and real) against the loopback portal', () => {
  let portal: RunningPortal;
  beforeAll(async () => {
    portal = await startPortal({ dataDir: FIXTURE_DATA_DIR, token: 'unused-here', realDir: REAL_DIR });
  });
  afterAll(async () => {
    await portal.close();
  });
  const connector = (extra: Parameters<typeof createScore766Connector>[0] | object = {}) =>
    createScore766Connector({ baseUrl: portal.url, api: 'legacy', tinhId: 'H99', ...FAST, ...extra });

  testConnector({
    name: CONNECTOR_NAME,
    connector: () => connector(),
    fixtures: { request: { from: '2024-04', to: '2024-05' }, expected: { payloads: 2, rows: 2 + 4, source: 'dvcqg', dataset: 'score766', kinds: ['score766-legacy'] } },
    additionalTests: () => {
      test('should serve the national answer byte for byte and parse it back identical to the capture', async () => {
        const file = await readFile(path.join(REAL_DIR, 'service-results.response.json'));
        const got = await connector().fetchServiceResults({ timeType: 'year', year: 2026, departmentType: 'ADMINISTRATIVE_UNIT' });
        expect(got.bytes.equals(file)).toBe(true);
        expect(got.data).toEqual(JSON.parse(file.toString('utf8')));
      });

      test('should answer for Gia Lai in the national shape, one row per captured agency, on the chosen capture date', async () => {
        const national = ServiceResultsResponse.parse(await readJson('service-results.response.json'));
        for (const asOf of ['2026-09-24', '2026-10-10']) {
          const crawler = CrawlerAgenciesFile.parse(await readJson(`gia-lai/agencies_${asOf}.json`));
          const { data } = await connector().fetchServiceResults({ timeType: 'year', year: 2026, departmentId: GIA_LAI_ROOT, asOf });
          expect(Object.keys(data.data).sort()).toEqual(Object.keys(national.data).sort());
          // A province's overview also counts its units, as the crawler captured it (functions/portal/README.md).
          expect(Object.keys(data.data.overview).sort()).toEqual([...Object.keys(national.data.overview), 'agencyCount', 'communeCount', 'totalUnitsCount'].sort());
          expect(data.data.overview.totalScore).toBe(crawler.overview.totalScore);
          expect(data.data.overview).toMatchObject({ totalUnitsCount: 149, agencyCount: 14, communeCount: 135 });
          expect(data.data.radar.map((r) => r.code)).toEqual(national.data.radar.map((r) => r.code));
          expect(data.data.evaluation).toHaveLength(14);
          for (const [i, row] of data.data.evaluation.entries()) {
            const a = crawler.agencies[i]!;
            expect(Object.keys(row).sort()).toEqual([...Object.keys(national.data.evaluation[0]!), 'childGroup', 'rank', 'groupRank'].sort());
            expect(row).toMatchObject({ departmentId: a.departmentId, departmentCode: a.departmentCode, totalScore: a.totalScore, rank: a.rank, groupRank: a.groupRank });
            expect(row.groupScores).toEqual({ CKMB: a.groupScores.CKMB, TDGQ: a.groupScores.TDGQ, CLGQ: a.groupScores.ONLINE, TTTT: a.groupScores.TTTT, MDHL: a.groupScores.MDHL, MDSH: a.groupScores.MDSH });
          }
        }
      });

      test('should use the latest capture when asOf is omitted and refuse an unknown one', async () => {
        const { data } = await connector().fetchServiceResults({ timeType: 'year', year: 2026, departmentId: 'H21' });
        expect(data.data.evaluation[0]).toMatchObject({ departmentCode: 'H21.17', totalScore: 79.27 });
        const err = await connector()
          .fetchServiceResults({ timeType: 'year', year: 2026, departmentId: GIA_LAI_ROOT, asOf: '2026-01-01' })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).status).toBe(404);
      });

      test('should serve a unit’s sub-indicators identical to the detail capture', async () => {
        const detail = CrawlerAgenciesDetailFile.parse(await readJson('gia-lai/agencies_detail_2026-10-10.json'));
        const unit = detail.agenciesDetail.find((a) => a.departmentCode === 'H21.13')!;
        const got = await connector().fetchDepartmentDetail({ timeType: 'year', year: 2026, departmentId: unit.departmentId });
        expect(got.data.data).toEqual(unit);
      });

      test('should build the demo province answer from its monthly legacy file, ranked, with deltas from the month before', async () => {
        const legacy = LegacyReportResponse.parse(JSON.parse(await readFile(path.join(FIXTURE_DATA_DIR, 'score766/2024-05.json'), 'utf8')));
        for (const departmentId of ['H99', demoDepartmentId('H99')]) {
          const { data } = await connector().fetchServiceResults({ timeType: 'month', year: 2024, month: 5, departmentId });
          expect(data.data.evaluation.map((e) => [e.departmentCode, e.rank, e.groupRank, e.childGroup, e.scoreDelta])).toEqual([
            ['H99.05', 1, 1, 'AGENCY', 1.6],
            ['H99.09', 2, 2, 'AGENCY', 1.25],
            ['H99.101', 3, 1, 'COMMUNE', null],
            ['H99.12', 4, 3, 'AGENCY', null],
          ]);
          const mean = legacy.data.reduce((s, r) => s + r.TONG_SCORE, 0) / legacy.data.length;
          expect(data.data.overview.totalScore).toBeCloseTo(mean, 2);
        }
      });

      test('should serve the legacy rest.jsp file unchanged', async () => {
        const file = await readFile(path.join(FIXTURE_DATA_DIR, 'score766/2024-05.json'));
        const got = await connector().fetchLegacy766({ year: 2024, month: 5 });
        expect(got.bytes.equals(file)).toBe(true);
        expect(got.data.data.map((r) => r.MA_COQUAN)).toEqual(['H99.05', 'H99.09', 'H99.12', 'H99.101']);
      });

      test('should fail at once with 404 for a month the portal does not have', async () => {
        const before = portal.stats.requests;
        const err = await connector().fetchLegacy766({ year: 2023, month: 1 }).catch((e: unknown) => e);
        expect((err as HttpError).status).toBe(404);
        expect(portal.stats.requests - before).toBe(1);
      });

      test('should pull monthly service-results for the demo province as score766 payloads', async () => {
        const c = connector({ api: 'service-results', departmentId: 'H99' });
        const got: number[] = [];
        const summary = await c.pull({ from: '2024-05', to: '2024-05' }, async (p) => void got.push(p.rows ?? -1));
        expect(got).toEqual([4]);
        expect(summary.rows).toBe(4);
      });
    },
  });

  const real = (plan = DEFAULT_REAL_766_PLAN) => createReal766Connector({ baseUrl: portal.url, plan, ...FAST });

  // The real 766 connector walks config real766's plan over the shared real captures: the national answer,
  // Gia Lai's 14 units at each of 2 captures, and the 14 units' detail at the second.
  testConnector({
    name: REAL766,
    connector: () => real(),
    ranged: false,
    fixtures: { request: {}, expected: { payloads: 1 + 2 + 14, rows: null, source: 'dvcqg', kinds: ['score766-results', 'score766-detail'] } },
    additionalTests: () => {
      test('should pull in the plan order, naming each call and its capture date', async () => {
        const payloads = await collect(real(), {});
        expect(payloads.slice(0, 4).map((p) => [p.kind, p.originalName, p.asOf, p.period, p.rows])).toEqual([
          ['score766-results', 'service-results?year=2026', '2026-09-17', '2026', 34],
          ['score766-results', `service-results?year=2026&departmentId=${GIA_LAI_ROOT}&asOf=2026-09-24`, '2026-09-24', '2026', 14],
          ['score766-results', `service-results?year=2026&departmentId=${GIA_LAI_ROOT}&asOf=2026-10-10`, '2026-10-10', '2026', 14],
          ['score766-detail', expect.stringMatching(/^department-detail\?year=2026&departmentId=.+&asOf=2026-10-10$/), '2026-10-10', '2026', null],
        ]);
      });

      test('should pull no detail for a province planned without detail captures', async () => {
        const plan = { ...DEFAULT_REAL_766_PLAN, provinces: [{ ...DEFAULT_REAL_766_PLAN.provinces[0]!, detailCaptures: [] }] };
        expect((await collect(real(plan), {})).map((p) => p.kind)).toEqual(['score766-results', 'score766-results', 'score766-results']);
      });

      test('should refuse a malformed plan, naming the field', () => {
        expect(() => real({ ...DEFAULT_REAL_766_PLAN, nationalAsOf: '17/09/2026' })).toThrow(/\[real766\] Failed to create the real 766 connector: invalid plan: .*nationalAsOf/s);
      });
    },
  });

  test('should answer 400 to a service-results body without its month', async () => {
    const res = await fetch(`${portal.url}/api/v1/reporting/evaluation/service-results`, { method: 'POST', body: JSON.stringify({ timeType: 'month', year: 2024 }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('month is required');
  });
});

describe('766 monthly pull with months asked ahead', () => {
  const MONTHS = ['2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09'];
  let dataDir: string;
  beforeAll(async () => {
    // Six months of the demo province's legacy answer (the fixture's two, copied under four more names).
    dataDir = await tempDataDir();
    await mkdir(path.join(dataDir, 'score766'), { recursive: true });
    for (const [i, m] of MONTHS.entries()) await copyFile(path.join(FIXTURE_DATA_DIR, 'score766', `2024-0${4 + (i % 2)}.json`), path.join(dataDir, 'score766', `${m}.json`));
  });
  afterAll(removeTempDirs);

  async function withPortal<T>(fn: (portal: RunningPortal) => Promise<T>, faults: FaultPlan = []): Promise<T> {
    const portal = await startPortal({ dataDir, token: 'unused-here', faults });
    try {
      return await fn(portal);
    } finally {
      await portal.close();
    }
  }
  const legacy = (portal: RunningPortal, monthsAhead: number) =>
    createScore766Connector({ baseUrl: portal.url, api: 'legacy', tinhId: 'H99', ...FAST, timeoutMs: 5_000, monthsAhead });
  /** Waits until the portal has received `n` requests (at most 5 s). */
  async function requestsReach(portal: RunningPortal, n: number): Promise<boolean> {
    for (let waited = 0; waited < 5_000 && portal.stats.requests < n; waited += 5) await new Promise((r) => setTimeout(r, 5));
    return portal.stats.requests >= n;
  }

  for (const [monthsAhead, expected] of [
    [3, [4, 5, 6, 6, 6, 6]],
    [0, [1, 2, 3, 4, 5, 6]],
  ] as const) {
    test(`should ask for ${monthsAhead} month(s) ahead of the one handed over, and hand them over in order`, async () => {
      await withPortal(async (portal) => {
        const asked: number[] = [];
        const periods: string[] = [];
        const state: PullState = {};
        await legacy(portal, monthsAhead).pull({ from: MONTHS[0]!, to: MONTHS.at(-1)!, state }, async (p) => {
          const reached = await requestsReach(portal, expected[periods.length]!);
          await new Promise((r) => setTimeout(r, 30)); // time for a request too many to arrive, were there one
          asked.push(reached ? portal.stats.requests : -1);
          periods.push(p.period!);
        });
        expect(asked).toEqual(expected);
        expect(periods).toEqual(MONTHS);
        expect(Object.keys(state)).toEqual(MONTHS);
      });
    });
  }

  test('should record no month after a failing one, and abort the months asked ahead', async () => {
    // Every answer takes 1.5 s: 2024-08, asked for while 2024-04 is handed over, is still on its way when 2024-05 fails.
    await withPortal(
      async (portal) => {
        const state: PullState = {};
        const handed: string[] = [];
        const err = await legacy(portal, 3)
          .pull({ from: MONTHS[0]!, to: MONTHS.at(-1)!, state }, async (p) => {
            handed.push(p.period!);
            if (p.period === '2024-05') {
              await requestsReach(portal, 5); // 2024-08 has reached the portal
              throw new Error('disk full');
            }
          })
          .catch((e: unknown) => e);
        expect((err as Error).message).toBe('disk full');
        expect(handed).toEqual(['2024-04', '2024-05']);
        expect(Object.keys(state)).toEqual(['2024-04']);
        expect(portal.stats.requests).toBe(5);
        // The slow request's connection is closed by the abort, long before its answer would come.
        for (let waited = 0; portal.stats.inFlight > 0 && waited < 500; waited += 10) await new Promise((r) => setTimeout(r, 10));
        expect(portal.stats.inFlight).toBe(0);
      },
      [{ fault: 'slow', path: '/jsp/rest.jsp', delayMs: 1_500 }],
    );
  });
});
