/**
 * The portal misbehaving on a real socket (the loopback portal on 127.0.0.1 with fault injection):
 * the connector retries a bounded number of times with backoff, then fails clearly; what reached
 * raw/ is whole pages only, nothing is landed from a failed pull, and a rerun completes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VendorExports } from '../../functions/generator/exports.js';
import { RetriesExhaustedError } from '../../functions/core/connectors/_errors.js';
import type { RetryEvent } from '../../functions/core/connectors/_http.js';
import type { PullState } from '../../functions/core/connectors/_types.js';
import { createPortalConnector, DossierPageEnvelope } from '../../functions/core/connectors/portal.js';
import { landStaged } from '../../functions/core/lake/land.js';
import { listManifest, sha256, stageRaw } from '../../functions/core/lake/raw.js';
import { LocalStorage } from '../../functions/core/storage/local.js';
import { generateDemo } from '../../functions/generator/index.js';
import { startPortal, type FaultRule } from '../../functions/portal/server.js';
import { recorder } from './record.js';

const rec = recorder('portal-faults');
const TOKEN = 'reliability-token-3f9c1a';
const MONTH = '2025-03';
let root: string;
let dataDir: string;
let monthRows: number;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'portal-faults-'));
  dataDir = path.join(root, 'data');
  const g = await generateDemo({ outDir: dataDir, dossiers: 2400, fromYear: 2025, toYear: 2025 });
  // The portal serves its CSV drop; the agencies the demo exports through a vendor system are not in it.
  monthRows = g.perAgencyMonth.filter((r) => r.month === MONTH && r.source === 'portal' && !VendorExports.holds(r.agency_code)).reduce((s, r) => s + r.dossiers, 0);
}, 120_000);

afterAll(() => {
  rec.flush();
  rmSync(root, { recursive: true, force: true });
});

/** What pullPortal does (connector → stageRaw per page), with test-sized retry settings. */
async function pull(url: string, storage: LocalStorage, state: PullState, retries: RetryEvent[]) {
  const connector = createPortalConnector({ baseUrl: url, token: TOKEN, pageSize: 50, retries: 2, minBackoffMs: 5, maxBackoffMs: 40, timeoutMs: 400, maxRetryAfterMs: 50, onRetry: (e) => retries.push(e) });
  return connector.pullDossiers({ from: MONTH, to: MONTH, state, onPage: async (p) => void (await stageRaw(storage, { kind: 'portal-api', bytes: p.bytes, period: p.period, originalName: p.requestPath })) });
}

const FAULTS: { id: string; rule: FaultRule; tried: string }[] = [
  { id: 'portal-429', rule: { fault: 429, retryAfterSec: 0 }, tried: 'page 3 answered 429 Too Many Requests (Retry-After: 0) every time' },
  { id: 'portal-503', rule: { fault: 503 }, tried: 'page 3 answered 503 every time' },
  { id: 'portal-500', rule: { fault: 500 }, tried: 'page 3 answered 500 every time' },
  { id: 'portal-hang', rule: { fault: 'hang' }, tried: 'page 3 accepted and never answered' },
  { id: 'portal-closes-mid-body', rule: { fault: 'truncate' }, tried: 'page 3 sent headers and half the body, then closed the connection' },
  { id: 'portal-short-content-length', rule: { fault: 'bad-length' }, tried: 'page 3 sent a Content-Length smaller than the body' },
  { id: 'portal-long-content-length', rule: { fault: 'long-length' }, tried: 'page 3 sent a Content-Length larger than the body, then closed' },
  { id: 'portal-corrupt-body', rule: { fault: 'corrupt' }, tried: 'page 3 with one byte changed (X-Content-SHA256 of the original)' },
];

describe('Pulling the portal when one page keeps failing', () => {
  test.each(FAULTS.map((f) => [f.id, f] as const))('should retry %s a bounded number of times, fail clearly and land nothing partial; a rerun completes', async (_id, f) => {
    const lakeDir = path.join(root, `lake-${f.id}`);
    const storage = new LocalStorage(lakeDir);
    const state: PullState = {};
    const retries: RetryEvent[] = [];
    const portal = await startPortal({ dataDir, token: TOKEN, faults: [{ ...f.rule, path: '/api/v1/dossiers', query: { page: '3' } }] });
    let err: unknown;
    try {
      err = await pull(portal.url, storage, state, retries).catch((e: unknown) => e);
    } finally {
      await portal.close();
    }
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    const message = (err as Error).message;
    expect(message).toMatch(/^\[pipeline\] \[connectors\] Failed to fetch http:\/\/127\.0\.0\.1:\d+\/api\/v1\/dossiers\?from=2025-03-01&to=2025-03-31&page=3&pageSize=50 after 3 attempts: /);
    expect(message).not.toContain(TOKEN);
    // Bounded: two retries of page 3, each after a backoff, then the failure. (Pages 1 and 2 may
    // also be retried once when a loaded machine passes the test's 400 ms timeout; they then succeed.)
    expect(retries.filter((r) => r.url.includes('page=3')).map((r) => r.attempt)).toEqual([1, 2]);
    expect(state[MONTH]?.complete).toBe(false);
    // raw/ holds pages 1 and 2 only, each whole: its bytes hash to its key and parse as a full page.
    const raw = (await storage.list('raw/portal-api/')).filter((o) => o.key.endsWith('.json') && !o.key.endsWith('.meta.json'));
    expect(raw).toHaveLength(2);
    for (const o of raw) {
      const body = await storage.get(o.key);
      expect(o.key).toBe(`raw/portal-api/${sha256(body)}.json`);
      const page = DossierPageEnvelope.parse(JSON.parse(body.toString('utf8')));
      expect(page.data).toHaveLength(50);
    }
    expect(await storage.list('landed/')).toEqual([]);
    expect(await listManifest(storage)).toEqual([]);

    // The portal recovers: the rerun resumes (pages 1–2 unchanged → 304) and completes the month.
    const healthy = await startPortal({ dataDir, token: TOKEN });
    try {
      const again = await pull(healthy.url, storage, state, []);
      expect(again.unchanged).toBe(2);
      expect(state[MONTH]?.complete).toBe(true);
    } finally {
      await healthy.close();
    }
    // Dossiers are checked against the registry: it is staged (from the same demo drop) and landed first.
    for (const [kind, name] of [['registry-agencies', 'agencies.csv'], ['registry-procedures', 'procedures.csv']] as const) {
      await stageRaw(storage, { kind, bytes: readFileSync(path.join(dataDir, 'registry', name)), period: null, originalName: `registry/${name}` });
    }
    const landed = await landStaged({ storage, workDir: path.join(root, `work-${f.id}`), maxTimestamp: '2026-01-05 23:59:59' });
    expect(landed.files.filter((e) => e.dataset === 'dossiers').reduce((n, e) => n + e.rows_read, 0)).toBe(monthRows);
    rec.add({
      id: f.id,
      area: 'Faults',
      tried: f.tried,
      happened: `3 attempts (2 retries with exponential backoff), then: ${message.replace(/^\[pipeline\] \[connectors\] /, '').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:<port>')}`,
      kept: `pages 1–2 staged whole (hash-checked), nothing landed; the rerun skipped them (304) and landed all ${monthRows} dossiers of ${MONTH}`,
    });
  });
});
