/**
 * One conformance suite for every connector (docs/architecture.md, "Code layout"; like unstorage's driver tests): each
 * connector's test file calls `testConnector` with a factory (called after the caller's beforeAll
 * has started its server or written its drop) and what a pull of the fixture range must yield.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Connector, PlanRequest, PullRequest, PullState, RawPayload } from '../../../functions/core/connectors/_types.js';
import { RAW_KINDS, type RawKind } from '../../../functions/core/lake/sources.js';
import { YEAR_MONTH } from '../../../functions/core/schemas/index.js';

export interface ConnectorFixtures<R extends PlanRequest = PullRequest> {
  /** What to pull: a month range (from/to `YYYY-MM`), or what a planned connector takes. */
  request: R;
  expected: {
    /** Payloads one pull hands to the sink. */
    payloads: number;
    /** Sum of the payloads' rows, or null when the connector does not count rows. */
    rows: number | null;
    /** The connector's lake source; every payload's too unless `payloadSource` says otherwise. */
    source: string;
    /** Every payload's dataset; omitted for a connector whose payloads feed several (their kind's). */
    dataset?: string;
    /** The raw kinds the payloads are staged as. */
    kinds: RawKind[];
    /** 'kind': each payload's source is its raw kind's (a drop directory); default: the connector's. */
    payloadSource?: 'kind';
  };
}

export interface TestConnectorOptions<R extends PlanRequest = PullRequest> {
  name: string;
  connector: () => Connector<R>;
  fixtures: ConnectorFixtures<R> | (() => ConnectorFixtures<R>);
  /** The connector pulls a month range (default); false: it is planned by config or a listing (real766, drop). */
  ranged?: boolean;
  additionalTests?: () => void;
}

export async function collect<R extends PlanRequest>(connector: Connector<R>, request: R): Promise<RawPayload[]> {
  const got: RawPayload[] = [];
  await connector.pull(request, async (p) => {
    got.push(p);
  });
  return got;
}

const isRange = (r: PlanRequest): r is PullRequest => 'from' in r && 'to' in r;

export function testConnector<R extends PlanRequest = PullRequest>({ name, connector, fixtures, ranged = true, additionalTests }: TestConnectorOptions<R>): void {
  const fx = () => (typeof fixtures === 'function' ? fixtures() : fixtures);

  describe(`Connector ${name} conformance`, () => {
    test('should expose its name and lake source', () => {
      const c = connector();
      expect(c.name).toBe(name);
      expect(c.source).toBe(fx().expected.source);
    });

    test('should hand every payload with a sha256 of its exact bytes, its raw kind and period, with the expected counts', async () => {
      const { request, expected } = fx();
      const payloads = await collect(connector(), { ...request });
      expect(payloads).toHaveLength(expected.payloads);
      for (const p of payloads) {
        expect(p.sha256).toBe(createHash('sha256').update(p.bytes).digest('hex'));
        if (ranged) {
          if (!isRange(request)) throw new Error('a ranged connector needs from/to in its fixtures');
          expect(p.period).toMatch(YEAR_MONTH);
          expect(p.period! >= request.from && p.period! <= request.to).toBe(true);
        } else if (p.period !== null) {
          expect(p.period).toMatch(/^\d{4}(-(0[1-9]|1[0-2]))?$/);
        }
        expect(expected.kinds).toContain(p.kind);
        expect(p.ext).toBe(RAW_KINDS[p.kind].ext);
        expect(p.source).toBe(expected.payloadSource === 'kind' ? RAW_KINDS[p.kind].source : expected.source);
        expect(p.dataset).toBe(expected.dataset ?? RAW_KINDS[p.kind].dataset);
        expect(p.originalName.length).toBeGreaterThan(0);
      }
      expect(new Set(payloads.map((p) => p.kind))).toEqual(new Set(expected.kinds));
      const rows = payloads.some((p) => p.rows === null) ? null : payloads.reduce((s, p) => s + (p.rows ?? 0), 0);
      expect(rows).toBe(expected.rows);
    });

    test('should hand the same bytes on a second pull of an unchanged source', async () => {
      const { request } = fx();
      const first = await collect(connector(), { ...request });
      const second = await collect(connector(), { ...request });
      expect(second.map((p) => p.sha256)).toEqual(first.map((p) => p.sha256));
    });

    test('should stop at the first payload the sink rejects', async () => {
      const { request, expected } = fx();
      if (expected.payloads === 0) return;
      let calls = 0;
      const pulled = connector().pull({ ...request }, async () => {
        calls++;
        throw new Error('sink is full');
      });
      await expect(pulled).rejects.toThrow('sink is full');
      expect(calls).toBe(1);
    });

    if (ranged) {
      test('should mark every period complete in the state it is given', async () => {
        const { request } = fx();
        const state: PullState = {};
        const summary = await connector().pull({ ...request, state } as R, async () => {});
        expect(Object.keys(state).sort()).toEqual(summary.periods);
        expect(Object.values(state).every((s) => s.complete)).toBe(true);
      });

      test('should reject a range whose start is after its end', async () => {
        await expect(connector().pull({ ...fx().request, from: '2024-06', to: '2024-05' } as R, async () => {})).rejects.toThrow(/from is after to/);
      });
    }

    additionalTests?.();
  });
}
