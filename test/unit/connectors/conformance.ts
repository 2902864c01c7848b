/**
 * One conformance suite for every connector (docs/architecture.md, "Code layout"; like unstorage's driver tests): each
 * connector's test file calls `testConnector` with a factory (called after the caller's beforeAll
 * has started its server or written its drop) and what a pull of the fixture range must yield.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Connector, PullRequest, PullState, RawPayload } from '../../../functions/core/connectors/_types.js';

export interface ConnectorFixtures {
  /** The range to pull (from/to `YYYY-MM`). */
  request: Pick<PullRequest, 'from' | 'to'>;
  expected: {
    /** Payloads one pull hands to the sink. */
    payloads: number;
    /** Sum of the payloads' rows, or null when the connector does not count rows. */
    rows: number | null;
    source: string;
    dataset: string;
  };
}

export interface TestConnectorOptions {
  name: string;
  connector: () => Connector;
  fixtures: ConnectorFixtures | (() => ConnectorFixtures);
  additionalTests?: () => void;
}

export async function collect(connector: Connector, request: PullRequest): Promise<RawPayload[]> {
  const got: RawPayload[] = [];
  await connector.pull(request, async (p) => {
    got.push(p);
  });
  return got;
}

export function testConnector({ name, connector, fixtures, additionalTests }: TestConnectorOptions): void {
  const fx = () => (typeof fixtures === 'function' ? fixtures() : fixtures);

  describe(`Connector ${name} conformance`, () => {
    test('should expose its name and lake source', () => {
      const c = connector();
      expect(c.name).toBe(name);
      expect(c.source).toBe(fx().expected.source);
    });

    test('should hand every payload with a sha256 of its exact bytes, in the range, with the expected counts', async () => {
      const { request, expected } = fx();
      const payloads = await collect(connector(), { ...request });
      expect(payloads).toHaveLength(expected.payloads);
      for (const p of payloads) {
        expect(p.sha256).toBe(createHash('sha256').update(p.bytes).digest('hex'));
        expect(p.period >= request.from && p.period <= request.to).toBe(true);
        expect(p.source).toBe(expected.source);
        expect(p.dataset).toBe(expected.dataset);
        expect(p.originalName.length).toBeGreaterThan(0);
        expect(p.ext).toMatch(/^[a-z]+$/);
      }
      const rows = payloads.some((p) => p.rows === null) ? null : payloads.reduce((s, p) => s + (p.rows ?? 0), 0);
      expect(rows).toBe(expected.rows);
    });

    test('should hand the same bytes on a second pull of an unchanged source', async () => {
      const { request } = fx();
      const first = await collect(connector(), { ...request });
      const second = await collect(connector(), { ...request });
      expect(second.map((p) => p.sha256)).toEqual(first.map((p) => p.sha256));
    });

    test('should mark every period complete in the state it is given', async () => {
      const { request } = fx();
      const state: PullState = {};
      const summary = await connector().pull({ ...request, state }, async () => {});
      expect(Object.keys(state).sort()).toEqual(summary.periods);
      expect(Object.values(state).every((s) => s.complete)).toBe(true);
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

    test('should reject a range whose start is after its end', async () => {
      await expect(connector().pull({ from: '2024-06', to: '2024-05' }, async () => {})).rejects.toThrow(/from is after to/);
    });

    additionalTests?.();
  });
}
