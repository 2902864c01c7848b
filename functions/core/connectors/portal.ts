/**
 * Connector for the provincial portal's dossier API (docs/data-contracts.md §2.4; served locally by
 * functions/portal/server.ts): `GET /api/v1/dossiers?from&to&page&pageSize` with a bearer token,
 * pulled month by month, page by page, each page's exact bytes handed to a sink.
 *
 * Resume: pass a `state` object ({ [YYYY-MM]: { etags, totalPages, complete } }) and persist it after
 * the pull (also after a failed one). A rerun sends each page's last ETag as If-None-Match and skips
 * the pages the server answers 304 (unchanged, already handed over); a month that failed midway
 * restarts from page 1 but only re-receives what changed. A month that had ended when the pull began is
 * asked for without the ETags of pages last answered before its end (`afterEnd`): those pages are
 * handed over again, so the lake learns the month as it stood after its end even where nothing changed
 * (a snapshot counts a month only with a file pulled after it ended). The token is never logged and never
 * part of an error message.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import { monthEndInstant } from '../lake/periods.js';
import { YearMonth } from '../schemas/index.js';
import { TransferError } from './_errors.js';
import { BACKOFF_ORDER, fetchJsonWithRetry, RETRY_OPTIONS, retryPolicy } from './_http.js';
import type { Connector, PayloadSink, PeriodState, PullRequest, PullState, PullSummary } from './_types.js';

export const CONNECTOR_NAME = 'portal';
export const DOSSIERS_PATH = '/api/v1/dossiers';
export const MAX_PAGE_SIZE = 5000;
/** Requests asked for while a page is handed over (the month's next pages, then the next months' first pages). */
export const DEFAULT_PAGES_AHEAD = 3;
export const MAX_PAGES_AHEAD = 8;

const PortalOptionsSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    token: z.string().min(1, 'token must not be empty'),
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(1000),
    pagesAhead: z.number().int().min(0).max(MAX_PAGES_AHEAD).default(DEFAULT_PAGES_AHEAD),
    ...RETRY_OPTIONS,
  })
  .refine(...BACKOFF_ORDER);

/**
 * Options of the portal dossier connector.
 * @property baseUrl  Portal root, e.g. `http://127.0.0.1:8787` (path prefix allowed, no trailing `/api`).
 * @property token    Bearer token (never logged, never in errors).
 * @property pageSize Rows per page, 1–5000 (default 1000).
 * @property pagesAhead Requests asked for while a page is handed over, 0–8 (default 3; 0: one request at a
 *           time): the month's next pages, then the next months' first pages while those months are
 *           expected to have one page each. Pages are still handed over and recorded in order.
 * @property timeoutMs Per attempt, headers and body (default 30 000).
 * @property retries  Retries per page after the first attempt (default 5).
 * @property minBackoffMs / maxBackoffMs Exponential backoff bounds with jitter (default 500 / 30 000).
 * @property maxRetryAfterMs Cap on a server's Retry-After (default 60 000).
 * @property onRetry  Called before each retry with the redacted URL and reason.
 */
export type PortalOptions = z.input<typeof PortalOptionsSchema>;

/** One page as received. `bytes` is the exact body; `sha256` its hex digest (equals the ETag's value). */
export interface DossierPage {
  period: string;
  page: number;
  totalPages: number;
  /** Dossiers on this page. */
  rows: number;
  /** Dossiers in the whole month, as the page's envelope says. */
  total: number;
  bytes: Buffer;
  sha256: string;
  etag: string;
  /** Path and query of the request (no token). */
  requestPath: string;
}

export interface PullDossiersRequest {
  /** First month `YYYY-MM`. */
  from: string;
  /** Last month `YYYY-MM`, inclusive. */
  to: string;
  onPage: (page: DossierPage) => Promise<void>;
  /** Resume state, mutated in place (see the module comment). */
  state?: PullState;
  signal?: AbortSignal;
}

/** The page envelope; dossiers themselves are validated in DuckDB at landing. */
export const DossierPageEnvelope = z.object({
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE),
  total: z.number().int().min(0),
  totalPages: z.number().int().min(0),
  period: z.object({ from: z.string(), to: z.string() }),
  data: z.array(z.unknown()),
});
export type DossierPageEnvelope = z.infer<typeof DossierPageEnvelope>;

/** Whether month `period` (YYYY-MM) had ended in Vietnam at `at` (ms). */
const monthEnded = (period: string, at: number): boolean => at >= Date.parse(monthEndInstant(period));

/** Zod schema of a persisted resume state (load it with PullStateSchema.parse). */
export const PullStateSchema = z.record(
  YearMonth,
  z.object({ etags: z.array(z.string()), totalPages: z.number().int().min(0).optional(), complete: z.boolean(), afterEnd: z.array(z.boolean().nullable()).optional() }),
);

export interface PortalConnector extends Connector {
  pullDossiers(request: PullDossiersRequest): Promise<PullSummary>;
}

export function createPortalConnector(options: PortalOptions): PortalConnector {
  const parsed = PortalOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw createError(CONNECTOR_NAME, `Failed to create the portal connector: invalid options: ${z.prettifyError(parsed.error)}`);
  }
  const { token, ...opts } = parsed.data;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const policy = retryPolicy(opts);

  /** A page asked for: its answer is awaited in its turn. */
  interface Asked {
    page: number;
    url: string;
    requestPath: string;
    answer: ReturnType<typeof fetchJsonWithRetry>;
  }

  /**
   * The pull's requests in flight beyond the page being handed over, in the order of the pull's (month,
   * page) sequence: the current month's own pages, then the first pages of the next months.
   */
  interface Window {
    signal: AbortSignal;
    /** When the pull began (ms): a month ended by then is pulled after its end. */
    startedAt: number;
    /** First pages of later months asked for while an earlier one ended, by month, in month order. */
    ahead: Map<string, Ahead>;
    /** The current month's pages asked for and not handed over yet (set by pullMonth). */
    own: () => number;
    /** The current month (of `pages` pages) has asked for all of them: ask for the next months' first pages as the window allows. */
    pump(pages: number): void;
  }

  /** A later month's first page asked for ahead, and its month's page count once its answer is in. */
  interface Ahead extends Asked {
    totalPages?: number;
  }

  /** Ask for `page` of `period`, conditional on the ETag its last pull recorded (`known`). */
  function ask(period: string, page: number, known: string | undefined, signal: AbortSignal): Asked {
    const { from, to } = monthBounds(period);
    const requestPath = `${DOSSIERS_PATH}?${new URLSearchParams({ from, to, page: String(page), pageSize: String(opts.pageSize) })}`;
    const url = `${base}${requestPath}`;
    const answer = fetchJsonWithRetry(
      {
        url,
        headers: { authorization: `Bearer ${token}`, ...(known ? { 'if-none-match': known } : {}) },
        allowNotModified: known !== undefined,
        requireChecksum: true,
        signal,
      },
      policy,
    );
    // Awaited in its turn; a prefetch left behind by a failure must not surface as an unhandled rejection.
    answer.catch(() => {});
    return { page, url, requestPath, answer };
  }

  /**
   * The ETags of the last pull of a month, as they stood when this pull reached it. Once the month has ended
   * (when this pull began), only the pages last answered after its end (PeriodState.afterEnd) are asked for
   * with theirs: a 304 stages nothing, and a snapshot counts a month only with a file pulled after it ended.
   */
  const knownEtags = (period: string, st: PeriodState, startedAt: number): (string | undefined)[] => {
    if (st.totalPages === undefined) return [];
    if (!monthEnded(period, startedAt)) return [...st.etags];
    return st.etags.map((e, i) => (st.afterEnd?.[i] ? e : undefined));
  };

  async function pullMonth(period: string, st: PeriodState, request: PullDossiersRequest, summary: PullSummary, window: Window): Promise<void> {
    const { from, to } = monthBounds(period);
    let totalPages: number | undefined;
    let total: number | undefined;
    // Read before `complete` is cleared: a first page asked for ahead read the same state.
    const known = knownEtags(period, st, window.startedAt);
    st.complete = false;
    // Up to `pagesAhead` requests are in flight while a page is handed over: against a distant portal a
    // page's round trip, not its bytes, bounds the pull (bench/history.md, changes 97 and 99). The window
    // runs over the pull's (month, page) sequence: once every page of this month is asked for, its room
    // goes to the next month's first page, and to the months after it while they are expected to have
    // one page each (pullDossiers), so a province whose months are one page each is not pulled one round
    // trip at a time, and a month of many pages is not kept waiting behind later months. The pages are
    // still handed over, and recorded in the state, one after the other: a page is marked pulled only
    // once onPage has returned for it, and a failure aborts every request left in flight (pullDossiers).
    const first = window.ahead.get(period);
    window.ahead.delete(period);
    const inFlight: Asked[] = [first ?? ask(period, 1, known[0], window.signal)];
    let asked = 1;
    // Asks for the pages up to `upTo` not asked yet. Pages 2… only once the month's page count is known
    // (page 1's envelope, or the state's on a 304).
    const fill = (upTo: number): void => {
      while (totalPages !== undefined && asked < Math.min(totalPages, upTo)) {
        asked++;
        inFlight.push(ask(period, asked, known[asked - 1], window.signal));
      }
    };
    // The room this month's pages leave in the window: first pages of the next months asked while the
    // month before ended take theirs (the next page is always asked: fill(page + 1) below).
    const room = (): number => Math.max(0, opts.pagesAhead - window.ahead.size);
    window.own = () => inFlight.length;
    const next = (): void => {
      if (totalPages !== undefined && asked >= totalPages) window.pump(totalPages);
    };
    while (inFlight.length > 0) {
      const { page, url, requestPath, answer: pending } = inFlight.shift()!;
      // Asked for before a later envelope shrank the month (after a 304 page, from the state's count): not a page of it.
      if (totalPages !== undefined && page > Math.max(1, totalPages)) continue;
      const answer = await pending;
      if (answer.status === 304) {
        summary.unchanged++;
        (st.afterEnd ??= [])[page - 1] = monthEnded(period, window.startedAt);
        totalPages ??= st.totalPages;
        fill(page + Math.max(1, room()));
        next();
        continue;
      }
      const envelope = checkEnvelope(answer.json, url, { page, pageSize: opts.pageSize, from, to });
      if (total !== undefined && envelope.total !== total) {
        throw new TransferError('envelope', url, `month ${period} changed during the pull (total ${total} → ${envelope.total}); pull it again`);
      }
      total = envelope.total;
      totalPages = envelope.totalPages;
      fill(page + room());
      next();
      const etag = answer.headers.get('etag') ?? `"${answer.sha256}"`;
      await request.onPage({ period, page, totalPages, rows: envelope.data.length, total, bytes: answer.bytes, sha256: answer.sha256, etag, requestPath });
      st.etags[page - 1] = etag;
      (st.afterEnd ??= [])[page - 1] = monthEnded(period, window.startedAt);
      st.totalPages = totalPages;
      summary.payloads++;
      summary.rows += envelope.data.length;
      fill(page + 1);
    }
    st.etags.length = Math.max(1, totalPages ?? 1);
    st.complete = true;
    st.afterEnd = st.etags.map((_, i) => st.afterEnd?.[i] === true);
  }

  async function pullDossiers(request: PullDossiersRequest): Promise<PullSummary> {
    const periods = monthsBetween(request.from, request.to);
    const state = request.state ?? {};
    const summary: PullSummary = { payloads: 0, rows: 0, unchanged: 0, periods };
    const stop = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
    const ahead = new Map<string, Ahead>();
    /** Index of the first month whose first page is not asked for yet. */
    let unasked = 1;
    /** The current month's page count once it has asked for all of them (pump), else undefined. */
    let ended: number | undefined;
    /**
     * Whether the months asked ahead are expected to end with their first page: each one's count as its
     * answer gave it, or, still unanswered, the count of the month before it. A province whose months are
     * one page each keeps the window full of next months; one whose months have several pages asks for
     * the next month's first page only, as their other pages come first in the pull's sequence.
     */
    const aheadEndsAtFirstPage = (pages: number): boolean => {
      let before = pages;
      for (const a of ahead.values()) {
        before = a.totalPages ?? before;
        if (before > 1) return false;
      }
      return true;
    };
    const window: Window = {
      signal,
      startedAt: Date.now(),
      ahead,
      own: () => 0,
      pump(pages) {
        ended = pages;
        while (unasked < periods.length && window.own() + ahead.size < opts.pagesAhead && aheadEndsAtFirstPage(pages)) {
          const period = periods[unasked++]!;
          const st = (state[period] ??= { etags: [], complete: false });
          const first: Ahead = ask(period, 1, knownEtags(period, st, window.startedAt)[0], signal);
          ahead.set(period, first);
          first.answer.then(
            (a) => {
              const count = a.status === 304 ? st.totalPages : (a.json as { totalPages?: unknown } | undefined)?.totalPages;
              // A count the envelope check will refuse stops the look-ahead (the month's own pull names the fault).
              first.totalPages = typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : Number.POSITIVE_INFINITY;
              if (ended !== undefined && ahead.get(period) === first) window.pump(ended);
            },
            () => {},
          );
        }
      },
    };
    let done = false;
    try {
      for (const [i, period] of periods.entries()) {
        unasked = Math.max(unasked, i + 1);
        ended = undefined;
        const st = (state[period] ??= { etags: [], complete: false });
        await pullMonth(period, st, request, summary, window);
      }
      done = true;
    } finally {
      // A failure (the sink's, a page's, or the caller's abort) drops every request in flight: this
      // month's pages and the next months' first pages. None of them is handed over or recorded.
      if (!done) stop.abort();
    }
    return summary;
  }

  return {
    name: CONNECTOR_NAME,
    source: 'portal',
    pullDossiers,
    pull(request: PullRequest, sink: PayloadSink): Promise<PullSummary> {
      return pullDossiers({
        ...request,
        onPage: (p) =>
          sink({ kind: 'portal-api', source: 'portal', dataset: 'dossiers', period: p.period, originalName: p.requestPath, ext: 'json', bytes: p.bytes, sha256: p.sha256, rows: p.rows, page: p.page, pages: Math.max(1, p.totalPages), etag: p.etag }),
      });
    },
  };
}

function checkEnvelope(json: unknown, url: string, expected: { page: number; pageSize: number; from: string; to: string }): DossierPageEnvelope {
  const parsed = DossierPageEnvelope.safeParse(json);
  if (!parsed.success) throw new TransferError('envelope', url, `unexpected page envelope: ${z.prettifyError(parsed.error)}`);
  const env = parsed.data;
  const problems: string[] = [];
  if (env.page !== expected.page) problems.push(`page ${env.page}, asked for ${expected.page}`);
  if (env.pageSize !== expected.pageSize) problems.push(`pageSize ${env.pageSize}, asked for ${expected.pageSize}`);
  if (env.period.from !== expected.from || env.period.to !== expected.to) problems.push(`period ${env.period.from}..${env.period.to}, asked for ${expected.from}..${expected.to}`);
  if (env.totalPages !== Math.ceil(env.total / env.pageSize)) problems.push(`totalPages ${env.totalPages} disagrees with total ${env.total} / pageSize ${env.pageSize}`);
  const expectedRows = env.page <= env.totalPages ? Math.min(env.pageSize, env.total - (env.page - 1) * env.pageSize) : 0;
  if (env.data.length !== expectedRows) problems.push(`data has ${env.data.length} rows, expected ${expectedRows} for page ${env.page} of ${env.totalPages} (total ${env.total})`);
  if (problems.length > 0) throw new TransferError('envelope', url, `inconsistent page envelope: ${problems.join('; ')}`);
  return env;
}

/** `YYYY-MM` → first and last day. */
export function monthBounds(period: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) throw createError(CONNECTOR_NAME, `Failed to read period "${period}": expected YYYY-MM`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw createError(CONNECTOR_NAME, `Failed to read period "${period}": month must be 01–12`);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${m[1]}-${m[2]}-01`, to: `${m[1]}-${m[2]}-${String(last).padStart(2, '0')}` };
}

/** Months from..to inclusive, `YYYY-MM`. */
export function monthsBetween(from: string, to: string): string[] {
  monthBounds(from);
  monthBounds(to);
  if (from > to) throw createError(CONNECTOR_NAME, `Failed to plan months ${from}..${to}: from is after to`);
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const p = `${y}-${String(m).padStart(2, '0')}`;
    out.push(p);
    if (p === to) return out;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
}
