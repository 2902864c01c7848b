import { appendFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HttpError, RetriesExhaustedError } from '../../../functions/core/connectors/_errors.js';
import type { RetryEvent } from '../../../functions/core/connectors/_http.js';
import type { PullState } from '../../../functions/core/connectors/_types.js';
import { CONNECTOR_NAME, createPortalConnector, monthsBetween, type DossierPage, type PortalOptions } from '../../../functions/core/connectors/portal.js';
import { startPortal, type FaultPlan, type RunningPortal } from '../../../functions/portal/server.js';
import { monthRows, removeTempDirs, tempDataDir, writeMonthCsv } from '../portal/helpers.js';

afterAll(removeTempDirs);
import { testConnector } from './conformance.js';

const TOKEN = 'sekret-token-7f3a9c';
const FAST = { pageSize: 500, timeoutMs: 2_000, retries: 3, minBackoffMs: 1, maxBackoffMs: 5 } as const;
const MAY = monthRows('2024-05', 2_345, 7);
const JUNE = monthRows('2024-06', 10, 8);
/** Four months of three pages each, and five months of one page each (the prefetch across months). */
const WINTER = ['2025-01', '2025-02', '2025-03', '2025-04'].map((m, i) => ({ month: m, ...monthRows(m, 1_200, 30 + i) }));
const SPRING = ['2025-05', '2025-06'].map((m, i) => ({ month: m, ...monthRows(m, 10, 40 + i) }));
const AUTUMN = ['2024-08', '2024-09', '2024-10', '2024-11', '2024-12'].map((m, i) => ({ month: m, ...monthRows(m, 10, 20 + i) }));

let dataDir: string;
beforeAll(async () => {
  dataDir = await tempDataDir();
  await writeMonthCsv(dataDir, '2024-05', MAY.lines);
  await writeMonthCsv(dataDir, '2024-06', JUNE.lines);
  for (const m of [...AUTUMN, ...WINTER, ...SPRING]) await writeMonthCsv(dataDir, m.month, m.lines);
  // 2024-07 has no file: an empty month.
});

async function withPortal<T>(faults: FaultPlan, fn: (portal: RunningPortal) => Promise<T>): Promise<T> {
  const portal = await startPortal({ dataDir, token: TOKEN, faults });
  try {
    return await fn(portal);
  } finally {
    await portal.close();
  }
}

function connectorFor(portal: RunningPortal, extra: Partial<PortalOptions> = {}) {
  return createPortalConnector({ baseUrl: portal.url, token: TOKEN, ...FAST, ...extra });
}

async function pullPages(portal: RunningPortal, from: string, to: string, extra: Partial<PortalOptions> = {}, state?: PullState) {
  const pages: DossierPage[] = [];
  const summary = await connectorFor(portal, extra).pullDossiers({ from, to, state, onPage: async (p) => void pages.push(p) });
  return { pages, summary };
}

function idsOf(pages: DossierPage[]): string[] {
  return pages.flatMap((p) => (JSON.parse(p.bytes.toString('utf8')) as { data: { maHoSo: string }[] }).data.map((d) => d.maHoSo));
}

describe('Portal connector against the loopback portal', () => {
  let portal: RunningPortal;
  beforeAll(async () => {
    portal = await startPortal({ dataDir, token: TOKEN });
  });
  afterAll(async () => {
    await portal.close();
  });

  testConnector({
    name: CONNECTOR_NAME,
    connector: () => connectorFor(portal),
    fixtures: { request: { from: '2024-05', to: '2024-07' }, expected: { payloads: 5 + 1 + 1, rows: 2_345 + 10, source: 'portal', dataset: 'dossiers', kinds: ['portal-api'] } },
    additionalTests: () => {
      test('should return every dossier of a month exactly once, in maHoSo order, across pages', async () => {
        const { pages, summary } = await pullPages(portal, '2024-05', '2024-05');
        expect(pages.map((p) => p.rows)).toEqual([500, 500, 500, 500, 345]);
        expect(summary.rows).toBe(MAY.ids.length);
        const ids = idsOf(pages);
        expect(ids).toEqual([...MAY.ids].sort());
        expect(new Set(ids).size).toBe(ids.length);
      });

      test('should hand an empty month as one empty page', async () => {
        const { pages } = await pullPages(portal, '2024-07', '2024-07');
        expect(pages.map((p) => [p.period, p.page, p.rows, p.totalPages])).toEqual([['2024-07', 1, 0, 0]]);
      });

      test('should fail on a wrong token without retrying and name the URL but not the token', async () => {
        const before = portal.stats.requests;
        const err = await pullPages(portal, '2024-05', '2024-05', { token: 'wrong-token' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).status).toBe(401);
        expect((err as Error).message).toContain(`${portal.url}/api/v1/dossiers?from=2024-05-01&to=2024-05-31&page=1&pageSize=500`);
        expect(portal.stats.requests - before).toBe(1);
      });

      test('should skip unchanged pages (304) when re-pulled with its state', async () => {
        const state: PullState = {};
        const first = await pullPages(portal, '2024-05', '2024-07', {}, state);
        expect(first.summary.payloads).toBe(7);
        expect(state['2024-05']).toMatchObject({ complete: true, totalPages: 5 });
        expect(state['2024-05']!.etags).toHaveLength(5);
        const notModified = portal.stats.notModified;
        const second = await pullPages(portal, '2024-05', '2024-07', {}, state);
        expect(second.pages).toHaveLength(0);
        expect(second.summary.unchanged).toBe(7);
        expect(portal.stats.notModified - notModified).toBe(7);
      });
    },
  });
});

describe('Portal connector when a month changes between pulls', () => {
  test('should re-deliver only the changed month', async () => {
    const dir = await tempDataDir();
    await writeMonthCsv(dir, '2024-05', MAY.lines.slice(0, 30));
    const june = await writeMonthCsv(dir, '2024-06', JUNE.lines);
    const portal = await startPortal({ dataDir: dir, token: TOKEN });
    try {
      const state: PullState = {};
      const c = createPortalConnector({ baseUrl: portal.url, token: TOKEN, ...FAST, pageSize: 20 });
      await c.pullDossiers({ from: '2024-05', to: '2024-06', state, onPage: async () => {} });
      await appendFile(june, `${monthRows('2024-06', 11, 9).lines.find((l) => l.includes('-000011'))}\r\n`);
      const pages: DossierPage[] = [];
      const summary = await c.pullDossiers({ from: '2024-05', to: '2024-06', state, onPage: async (p) => void pages.push(p) });
      expect(pages.map((p) => [p.period, p.page, p.rows])).toEqual([['2024-06', 1, 11]]);
      expect(summary.unchanged).toBe(2);
    } finally {
      await portal.close();
    }
  });
});

describe('Portal connector under injected faults', () => {
  const cases: { name: string; faults: FaultPlan; expectReason: RegExp; extra?: Partial<PortalOptions>; timeouts?: boolean }[] = [
    { name: '429 with Retry-After', faults: [{ fault: 429, first: 2, retryAfterSec: 0 }], expectReason: /HTTP 429/ },
    { name: '500, 503 and 502', faults: [{ fault: 500, first: 1 }, { fault: 503, first: 2 }, { fault: 502, first: 3 }], expectReason: /HTTP 50[023]/ },
    // Timeout cases: under load a healthy answer can also miss the timeout, so these allow extra retries.
    { name: 'a hang', faults: [{ fault: 'hang', first: 1 }], expectReason: /no complete answer within 1000 ms/, extra: { timeoutMs: 1_000 }, timeouts: true },
    { name: 'a slow answer past the timeout', faults: [{ fault: 'slow', first: 1, delayMs: 3_000 }], expectReason: /no complete answer within 1000 ms/, extra: { timeoutMs: 1_000 }, timeouts: true },
    { name: 'a truncated body', faults: [{ fault: 'truncate', first: 1 }], expectReason: /connection ended before the whole body arrived/ },
    { name: 'a Content-Length shorter than the body', faults: [{ fault: 'bad-length', first: 1 }], expectReason: /differs from X-Content-SHA256/ },
    { name: 'a Content-Length longer than the body', faults: [{ fault: 'long-length', first: 1 }], expectReason: /connection ended before the whole body arrived/ },
    { name: 'a corrupted body', faults: [{ fault: 'corrupt', first: 1 }], expectReason: /differs from X-Content-SHA256/ },
  ];

  for (const c of cases) {
    test(`should recover from ${c.name} and deliver every page once`, async () => {
      await withPortal(
        c.faults.map((f) => ({ ...f, path: '/api/v1/dossiers' })),
        async (portal) => {
          const events: RetryEvent[] = [];
          const { pages } = await pullPages(portal, '2024-05', '2024-06', { ...c.extra, retries: c.timeouts ? 6 : FAST.retries, onRetry: (e) => events.push(e) });
          expect(pages.map((p) => `${p.period}#${p.page}`)).toEqual(['2024-05#1', '2024-05#2', '2024-05#3', '2024-05#4', '2024-05#5', '2024-06#1']);
          expect(idsOf(pages).sort()).toEqual([...MAY.ids, ...JUNE.ids].sort());
          if (c.timeouts) expect(events.length).toBeGreaterThanOrEqual(portal.stats.faultsInjected);
          else expect(events.length).toBe(portal.stats.faultsInjected);
          expect(portal.stats.faultsInjected).toBeGreaterThan(0);
          for (const e of events) expect(e.reason).toMatch(c.expectReason);
        },
      );
    });
  }

  test('should wait at least the Retry-After the server asked for', async () => {
    await withPortal([{ fault: 429, first: 1, retryAfterSec: 1, path: '/api/v1/dossiers' }], async (portal) => {
      const events: RetryEvent[] = [];
      await pullPages(portal, '2024-06', '2024-06', { onRetry: (e) => events.push(e) });
      expect(events.map((e) => e.retryAfterMs)).toEqual([1_000]);
    });
  });

  test('should give up after the configured retries, hand nothing for the failed page and leave the month resumable', async () => {
    await withPortal([{ fault: 503, path: '/api/v1/dossiers', query: { page: '3' } }], async (portal) => {
      const state: PullState = {};
      const pages: DossierPage[] = [];
      const err = await createPortalConnector({ baseUrl: portal.url, token: TOKEN, ...FAST, retries: 2 })
        .pullDossiers({ from: '2024-05', to: '2024-05', state, onPage: async (p) => void pages.push(p) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetriesExhaustedError);
      expect((err as RetriesExhaustedError).attempts).toBe(3);
      expect((err as Error).message).toMatch(/Failed to fetch http:\/\/127\.0\.0\.1:\d+\/api\/v1\/dossiers\?from=2024-05-01&to=2024-05-31&page=3&pageSize=500 after 3 attempts: HTTP 503/);
      expect(pages.map((p) => p.page)).toEqual([1, 2]);
      expect(state['2024-05']).toMatchObject({ complete: false });
      expect(state['2024-05']!.etags).toHaveLength(2);
    });
    // The same month resumes against a healthy portal: pages 1–2 come back 304, 3–5 are delivered.
  });

  test('should resume a failed month: unchanged pages skipped, the rest delivered', async () => {
    const state: PullState = {};
    await withPortal([{ fault: 503, path: '/api/v1/dossiers', query: { page: '3' } }], async (portal) => {
      await pullPages(portal, '2024-05', '2024-05', { retries: 1 }, state).catch(() => undefined);
    });
    await withPortal([], async (portal) => {
      const { pages, summary } = await pullPages(portal, '2024-05', '2024-05', {}, state);
      expect(pages.map((p) => p.page)).toEqual([3, 4, 5]);
      expect(summary.unchanged).toBe(2);
      expect(state['2024-05']).toMatchObject({ complete: true, totalPages: 5 });
    });
  });

  test('should keep the token out of every error, cause and retry event', async () => {
    const texts: string[] = [];
    const collectErr = (e: unknown) => texts.push(String(e), (e as Error).message, inspect(e, { depth: 10 }), JSON.stringify(e));
    await withPortal([{ fault: 'hang', path: '/api/v1/dossiers' }], async (portal) => {
      const events: RetryEvent[] = [];
      await pullPages(portal, '2024-06', '2024-06', { timeoutMs: 100, retries: 1, onRetry: (e) => events.push(e) }).catch(collectErr);
      texts.push(JSON.stringify(events));
    });
    await withPortal([], async (portal) => {
      await pullPages(portal, '2024-06', '2024-06', { token: `${TOKEN}-wrong` }).catch(collectErr);
    });
    try {
      createPortalConnector({ baseUrl: 'not a url', token: TOKEN, pageSize: 9_999 });
    } catch (e) {
      collectErr(e);
    }
    expect(texts.length).toBeGreaterThanOrEqual(9);
    for (const t of texts) expect(t).not.toContain(TOKEN);
  });
});

describe('Portal connector prefetch', () => {
  /** Waits until the portal has answered `n` dossier requests (at most 5 s: then the prefetch did not happen). */
  async function requestsReach(portal: RunningPortal, n: number): Promise<boolean> {
    for (let waited = 0; waited < 5_000; waited += 5) {
      if ((portal.stats.byRoute['GET /api/v1/dossiers'] ?? 0) >= n) return true;
      await new Promise((r) => setTimeout(r, 5));
    }
    return false;
  }

  /**
   * Pulls `from`…`to` with a sink that fails ('disk full') on the first page `failOn` picks, once the portal
   * has answered `waitFor` requests; returns the pages handed over (the failing one last).
   */
  async function pullFailingOn(portal: RunningPortal, from: string, to: string, failOn: (p: DossierPage) => boolean, waitFor: number, o: { extra?: Partial<PortalOptions>; state?: PullState } = {}) {
    const handed: DossierPage[] = [];
    const err = await connectorFor(portal, o.extra)
      .pullDossiers({
        from,
        to,
        state: o.state,
        onPage: async (p) => {
          handed.push(p);
          if (failOn(p)) {
            await requestsReach(portal, waitFor);
            throw new Error('disk full');
          }
        },
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('disk full');
    return handed;
  }

  /** Waits until `n` requests have reached the portal, answered or not (the slow ones too; at most 5 s). */
  async function arrivalsReach(portal: RunningPortal, n: number): Promise<boolean> {
    for (let waited = 0; waited < 5_000 && portal.stats.requests < n; waited += 5) await new Promise((r) => setTimeout(r, 5));
    return portal.stats.requests >= n;
  }

  test('should fetch up to pagesAhead pages while the sink still holds the current one, and hand pages over in order', async () => {
    await withPortal([], async (portal) => {
      const pages: DossierPage[] = [];
      const ahead: { asked: number; reached: boolean }[] = [];
      await connectorFor(portal, { pagesAhead: 3 }).pullDossiers({
        from: '2024-05',
        to: '2024-05',
        onPage: async (p) => {
          // Page p's sink has not returned, yet pages p + 1 … p + 3 (of 5) are asked for, and no more.
          const reached = await requestsReach(portal, Math.min(p.page + 3, p.totalPages));
          await new Promise((r) => setTimeout(r, 30)); // time for a page too many to arrive, were there one
          ahead.push({ asked: portal.stats.byRoute['GET /api/v1/dossiers'] ?? 0, reached });
          pages.push(p);
        },
      });
      expect(ahead).toEqual([4, 5, 5, 5, 5].map((asked) => ({ asked, reached: true })));
      expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5]);
      expect(idsOf(pages).sort()).toEqual([...MAY.ids].sort());
      // Nothing asked twice, nothing past the last page.
      expect(portal.stats.byRoute['GET /api/v1/dossiers']).toBe(5);
    });
  });

  test('should ask one page at a time with pagesAhead 0', async () => {
    await withPortal([], async (portal) => {
      const asked: number[] = [];
      await connectorFor(portal, { pagesAhead: 0 }).pullDossiers({
        from: '2024-05',
        to: '2024-05',
        onPage: async () => {
          await new Promise((r) => setTimeout(r, 30)); // time for a prefetch to arrive, were there one
          asked.push(portal.stats.byRoute['GET /api/v1/dossiers'] ?? 0);
        },
      });
      expect(asked).toEqual([1, 2, 3, 4, 5]);
    });
  });

  test('should ask for the next months\' first pages once every page before them is asked, within the same window', async () => {
    await withPortal([], async (portal) => {
      const handed: string[] = [];
      const asked: number[] = [];
      // 2024-04 has no page (one empty page), 2024-05 has 5 pages, 2024-06 one, 2024-07 none, 2024-08 and
      // 2024-09 one each: 10 requests.
      const expected = [4, 5, 6, 7, 8, 9, 10, 10, 10, 10];
      await connectorFor(portal, { pagesAhead: 3 }).pullDossiers({
        from: '2024-04',
        to: '2024-09',
        onPage: async (p) => {
          const reached = await requestsReach(portal, expected[handed.length]!);
          await new Promise((r) => setTimeout(r, 30)); // time for a request too many to arrive, were there one
          asked.push(reached ? (portal.stats.byRoute['GET /api/v1/dossiers'] ?? 0) : -1);
          handed.push(`${p.period}#${p.page}`);
        },
      });
      // April's empty page asks for the first pages of May, June and July (expected to be as short as
      // April). May's answer shows 5 pages: they get the window's one place left, one after the other; its
      // last page gives the room to August, June's to September: never more than 3 requests ahead of the
      // page handed over.
      expect(asked).toEqual(expected);
      expect(handed).toEqual(['2024-04#1', '2024-05#1', '2024-05#2', '2024-05#3', '2024-05#4', '2024-05#5', '2024-06#1', '2024-07#1', '2024-08#1', '2024-09#1']);
      expect(portal.stats.maxInFlight).toBeLessThanOrEqual(4);
    });
  });

  test('should keep a month of one page from waiting for its round trip: its first page is asked while the month before is handed over', async () => {
    await withPortal([], async (portal) => {
      const asked: number[] = [];
      const pages: DossierPage[] = [];
      await connectorFor(portal, { pagesAhead: 3 }).pullDossiers({
        from: '2024-08',
        to: '2024-12',
        onPage: async (p) => {
          const reached = await requestsReach(portal, Math.min(pages.length + 4, 5));
          await new Promise((r) => setTimeout(r, 30));
          asked.push(reached ? (portal.stats.byRoute['GET /api/v1/dossiers'] ?? 0) : -1);
          pages.push(p);
        },
      });
      expect(asked).toEqual([4, 5, 5, 5, 5]);
      expect(pages.map((p) => p.period)).toEqual(AUTUMN.map((m) => m.month));
      expect(idsOf(pages).sort()).toEqual(AUTUMN.flatMap((m) => m.ids).sort());
    });
  });

  test('should ask only for the next month\'s first page while months have several pages: their own pages come first', async () => {
    // February's first page is slow: while it is on its way, February is expected to have January's 3 pages.
    await withPortal([{ fault: 'slow', delayMs: 300, path: '/api/v1/dossiers', query: { from: '2025-02-01', page: '1' } }], async (portal) => {
      const asked: number[] = [];
      const handed: string[] = [];
      // Three pages a month: each month's pages 2 and 3, and the next month's first page, never two months ahead.
      const expected = [4, 4, 4, 7, 7, 7, 10, 10, 10, 12, 12, 12];
      await connectorFor(portal, { pagesAhead: 3 }).pullDossiers({
        from: '2025-01',
        to: '2025-04',
        onPage: async (p) => {
          const reached = await arrivalsReach(portal, expected[handed.length]!);
          await new Promise((r) => setTimeout(r, 30));
          asked.push(reached ? portal.stats.requests : -1);
          handed.push(`${p.period}#${p.page}`);
        },
      });
      expect(asked).toEqual(expected);
      expect(handed).toEqual(WINTER.flatMap((m) => [1, 2, 3].map((k) => `${m.month}#${k}`)));
    });
  });

  test('should ask further as soon as a first page asked ahead shows a month of one page', async () => {
    // May's first page is slow: when April's page 2 is handed over, May is still expected to have April's 3 pages.
    await withPortal([{ fault: 'slow', delayMs: 200, path: '/api/v1/dossiers', query: { from: '2025-05-01', page: '1' } }], async (portal) => {
      const asked: number[] = [];
      const handed: string[] = [];
      // June's first page is asked once May's answer shows one page, while April's page 2 is still with the sink.
      const expected = [4, 5, 5, 5, 5];
      await connectorFor(portal, { pagesAhead: 3 }).pullDossiers({
        from: '2025-04',
        to: '2025-06',
        onPage: async (p) => {
          const reached = await arrivalsReach(portal, expected[handed.length]!);
          asked.push(reached ? portal.stats.requests : -1);
          handed.push(`${p.period}#${p.page}`);
        },
      });
      expect(asked).toEqual(expected);
      expect(handed).toEqual(['2025-04#1', '2025-04#2', '2025-04#3', '2025-05#1', '2025-06#1']);
    });
  });

  test('should send the known ETag with a first page asked ahead: a rerun of unchanged months hands nothing over', async () => {
    const state: PullState = {};
    await withPortal([], async (portal) => {
      await pullPages(portal, '2024-08', '2024-12', { pagesAhead: 3 }, state);
    });
    await withPortal([], async (portal) => {
      const { pages, summary } = await pullPages(portal, '2024-08', '2024-12', { pagesAhead: 3 }, state);
      expect(pages).toEqual([]);
      expect(summary.unchanged).toBe(5);
      expect(portal.stats.notModified).toBe(5);
      expect(portal.stats.byRoute['GET /api/v1/dossiers']).toBe(5);
    });
  });

  test('should record no month after a failing one: the first pages asked ahead are dropped, and the rerun pulls them', async () => {
    const state: PullState = {};
    await withPortal([], async (portal) => {
      // The first pages of 2024-10 … 2024-12 are in flight or received when 2024-09's sink fails.
      const handed = (await pullFailingOn(portal, '2024-08', '2024-12', (p) => p.period === '2024-09', 5, { extra: { pagesAhead: 3 }, state })).map((p) => p.period);
      expect(handed).toEqual(['2024-08', '2024-09']);
      expect(state['2024-08']).toMatchObject({ complete: true, totalPages: 1 });
      expect(state['2024-09']).toMatchObject({ complete: false });
      expect(state['2024-09']!.etags).toHaveLength(0);
      for (const m of ['2024-10', '2024-11', '2024-12']) expect(state[m]?.complete ?? false).toBe(false);
      for (const m of ['2024-10', '2024-11', '2024-12']) expect(state[m]?.etags ?? []).toHaveLength(0);
    });
    await withPortal([], async (portal) => {
      const { pages, summary } = await pullPages(portal, '2024-08', '2024-12', { pagesAhead: 3 }, state);
      expect(pages.map((p) => p.period)).toEqual(['2024-09', '2024-10', '2024-11', '2024-12']);
      expect(summary.unchanged).toBe(1);
      for (const m of AUTUMN) expect(state[m.month]).toMatchObject({ complete: true, totalPages: 1 });
    });
  });

  test('should abort the first pages asked ahead when a month fails, not leave them to the timeout', async () => {
    // 2024-11's first page is asked for ahead and never answered.
    await withPortal([{ fault: 'hang', path: '/api/v1/dossiers', query: { from: '2024-11-01' } }], async (portal) => {
      // Aug … Nov: the first pages of September, October and November asked while August is handed over.
      await pullFailingOn(portal, '2024-08', '2024-12', (p) => p.period === '2024-09', 4, { extra: { pagesAhead: 3, timeoutMs: 5_000 } });
      expect(portal.stats.byRoute['GET /api/v1/dossiers']).toBe(4);
      // The hanging request's connection is closed by the abort, long before its 5 s timeout.
      let open = portal.stats.inFlight;
      for (let waited = 0; open > 0 && waited < 1_000; waited += 10) {
        await new Promise((r) => setTimeout(r, 10));
        open = portal.stats.inFlight;
      }
      expect(open).toBe(0);
    });
  });

  test('should not mark a page pulled when its sink fails, drop the prefetched pages, and resume from it', async () => {
    const state: PullState = {};
    await withPortal([], async (portal) => {
      // Pages 3–5 are in flight or received when page 2's sink fails.
      const handed = (await pullFailingOn(portal, '2024-05', '2024-05', (p) => p.page === 2, 5, { state })).map((p) => p.page);
      expect(handed).toEqual([1, 2]);
      expect(state['2024-05']).toMatchObject({ complete: false, totalPages: 5 });
      expect(state['2024-05']!.etags).toHaveLength(1);
    });
    await withPortal([], async (portal) => {
      const { pages, summary } = await pullPages(portal, '2024-05', '2024-05', {}, state);
      expect(pages.map((p) => p.page)).toEqual([2, 3, 4, 5]);
      expect(summary.unchanged).toBe(1);
      expect(state['2024-05']).toMatchObject({ complete: true, totalPages: 5 });
    });
  });
});

describe('Portal connector options', () => {
  test('should reject invalid options at construction, naming the field', () => {
    expect(() => createPortalConnector({ baseUrl: 'http://127.0.0.1:1', token: 't', pageSize: 5_001 })).toThrow(/pageSize/);
    expect(() => createPortalConnector({ baseUrl: 'ftp://127.0.0.1/', token: 't' })).toThrow(/baseUrl/);
    expect(() => createPortalConnector({ baseUrl: 'http://127.0.0.1:1', token: '' })).toThrow(/token/);
    expect(() => createPortalConnector({ baseUrl: 'http://127.0.0.1:1', token: 't', minBackoffMs: 10, maxBackoffMs: 1 })).toThrow(/minBackoffMs/);
  });

  test('should plan months across a year boundary', () => {
    expect(monthsBetween('2024-11', '2025-02')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
  });
});
