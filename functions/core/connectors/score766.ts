/**
 * Connector for the 766 service-quality scores of dichvucong.gov.vn (docs/domain.md §3), in both
 * shapes the portal has had: the legacy `POST /jsp/rest.jsp` report service
 * (`report_tinh_766_service`) and the current `POST /api/v1/reporting/evaluation/service-results`.
 * The per-unit detail call (sub-indicators) is an assumption of the loopback portal: see
 * functions/portal/README.md. Paths are options because the real endpoints are not reachable from here.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import { TransferError } from './_errors.js';
import { BACKOFF_ORDER, fetchJsonWithRetry, RETRY_OPTIONS, retryPolicy } from './_http.js';
import type { Connector, PayloadSink, PullRequest, PullSummary } from './_types.js';
import { DEFAULT_PAGES_AHEAD, MAX_PAGES_AHEAD, monthsBetween } from './portal.js';
import {
  DepartmentDetailResponse,
  LegacyReportRequest,
  LegacyReportResponse,
  ServiceResultsRequest,
  ServiceResultsResponse,
} from './score766-schemas.js';

export const CONNECTOR_NAME = 'score766';
export const LEGACY_PATH = '/jsp/rest.jsp';
export const SERVICE_RESULTS_PATH = '/api/v1/reporting/evaluation/service-results';
export const DEPARTMENT_DETAIL_PATH = '/api/v1/reporting/evaluation/department-detail';

const Score766OptionsSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    token: z.string().min(1).optional(),
    api: z.enum(['legacy', 'service-results']).default('legacy'),
    tinhId: z.string().min(1).optional(),
    departmentId: z.string().min(1).optional(),
    departmentType: z.string().min(1).default('ADMINISTRATIVE_UNIT'),
    legacyPath: z.string().startsWith('/').default(LEGACY_PATH),
    serviceResultsPath: z.string().startsWith('/').default(SERVICE_RESULTS_PATH),
    detailPath: z.string().startsWith('/').default(DEPARTMENT_DETAIL_PATH),
    // Within the portal connector's pagesAhead bounds (the pipeline passes the same setting to both).
    monthsAhead: z.number().int().min(0).max(MAX_PAGES_AHEAD).default(DEFAULT_PAGES_AHEAD),
    ...RETRY_OPTIONS,
  })
  .refine(...BACKOFF_ORDER)
  .refine((o) => o.api !== 'legacy' || o.tinhId !== undefined, { message: 'tinhId is required for the legacy API', path: ['tinhId'] });

/**
 * Options of the 766 connector.
 * @property baseUrl  Portal root, e.g. `http://127.0.0.1:8787`.
 * @property token    Optional bearer token (the public portal needs none); never logged.
 * @property api      Which API `pull` uses: 'legacy' (rest.jsp, needs tinhId) or 'service-results' (needs departmentId for a province's units).
 * @property tinhId   Province code for the legacy API, e.g. 'H99'.
 * @property departmentId Province root departmentId (UUID) for service-results; omitted = national answer.
 * @property legacyPath / serviceResultsPath / detailPath  Endpoint paths (defaults: the real ones; detail is an assumption).
 * @property monthsAhead Months `pull` asks for while the one before them is handed over, 0–8 (default 3;
 *           0: one request at a time). Months are still handed over, and recorded in the state, in order.
 * @property timeoutMs, retries, minBackoffMs, maxBackoffMs, maxRetryAfterMs, onRetry  As for the portal connector.
 */
export type Score766Options = z.input<typeof Score766OptionsSchema>;

/** A parsed answer with its exact bytes (for raw/). */
export interface Fetched<T> {
  data: T;
  bytes: Buffer;
  sha256: string;
}

export interface Score766Connector extends Connector {
  fetchServiceResults(body: ServiceResultsRequest, signal?: AbortSignal): Promise<Fetched<ServiceResultsResponse>>;
  fetchLegacy766(query: { year: number; month: number; tinhId?: string }, signal?: AbortSignal): Promise<Fetched<LegacyReportResponse>>;
  /** Body as service-results with the unit's departmentId (and asOf on the loopback portal). */
  fetchDepartmentDetail(body: ServiceResultsRequest & { departmentId: string }, signal?: AbortSignal): Promise<Fetched<DepartmentDetailResponse>>;
}

export function createScore766Connector(options: Score766Options): Score766Connector {
  const parsed = Score766OptionsSchema.safeParse(options);
  if (!parsed.success) throw createError(CONNECTOR_NAME, `Failed to create the 766 connector: invalid options: ${z.prettifyError(parsed.error)}`);
  const { token, ...opts } = parsed.data;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const policy = retryPolicy(opts);

  async function post<T>(path: string, body: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<Fetched<T>> {
    const url = `${base}${path}`;
    const answer = await fetchJsonWithRetry({ url, method: 'POST', body, headers: token ? { authorization: `Bearer ${token}` } : {}, signal }, policy);
    const result = schema.safeParse(answer.json);
    if (!result.success) throw new TransferError('envelope', url, `unexpected answer shape: ${z.prettifyError(result.error)}`);
    return { data: result.data, bytes: answer.bytes, sha256: answer.sha256 };
  }

  function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const r = schema.safeParse(value);
    if (!r.success) throw createError(CONNECTOR_NAME, `Failed to build the ${what} request: ${z.prettifyError(r.error)}`);
    return r.data;
  }

  const connector: Score766Connector = {
    name: CONNECTOR_NAME,
    source: 'dvcqg',
    fetchServiceResults(body, signal) {
      return post(opts.serviceResultsPath, checked(ServiceResultsRequest, body, 'service-results'), ServiceResultsResponse, signal);
    },
    fetchLegacy766(query, signal) {
      const body = checked(LegacyReportRequest, { service: 'report_tinh_766_service', type: 'ref', year: query.year, month: query.month, tinhId: query.tinhId ?? opts.tinhId }, 'legacy 766');
      return post(opts.legacyPath, body, LegacyReportResponse, signal);
    },
    fetchDepartmentDetail(body, signal) {
      return post(opts.detailPath, checked(ServiceResultsRequest, body, 'department detail'), DepartmentDetailResponse, signal);
    },
    async pull(request: PullRequest, sink: PayloadSink): Promise<PullSummary> {
      const periods = monthsBetween(request.from, request.to);
      const summary: PullSummary = { payloads: 0, rows: 0, unchanged: 0, periods };
      // One answer per month: up to `monthsAhead` of the next months are asked for while one is handed
      // over (41 months one round trip after another took 0.24 s on the loopback, and ≈ 4 s at 100 ms a
      // round trip; bench/history.md, change 99). They are handed over and recorded in month order, and
      // a failure aborts the ones in flight, none of which is handed over.
      const stop = new AbortController();
      const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
      const ask = (period: string) => {
        const [year, month] = period.split('-').map(Number) as [number, number];
        const answer: Promise<{ fetched: Fetched<unknown>; rows: number; originalName: string }> =
          opts.api === 'legacy'
            ? connector.fetchLegacy766({ year, month }, signal).then((f) => ({
                fetched: f,
                rows: f.data.data.length,
                originalName: `${opts.legacyPath}?service=report_tinh_766_service&year=${year}&month=${month}&tinhId=${opts.tinhId}`,
              }))
            : connector
                .fetchServiceResults({ timeType: 'month' as const, year, month, departmentType: opts.departmentType, ...(opts.departmentId ? { departmentId: opts.departmentId } : {}) }, signal)
                .then((f) => ({
                  fetched: f,
                  rows: f.data.data.evaluation.length,
                  originalName: `${opts.serviceResultsPath}?timeType=month&year=${year}&month=${month}${opts.departmentId ? `&departmentId=${opts.departmentId}` : ''}`,
                }));
        // Awaited in its turn; one left behind by a failure must not surface as an unhandled rejection.
        answer.catch(() => {});
        return answer;
      };
      const inFlight: ReturnType<typeof ask>[] = [];
      let asked = 0;
      let done = false;
      try {
        for (const [i, period] of periods.entries()) {
          while (asked < Math.min(periods.length, i + 1 + opts.monthsAhead)) inFlight.push(ask(periods[asked++]!));
          const { fetched, rows, originalName } = await inFlight.shift()!;
          await sink({ kind: opts.api === 'legacy' ? 'score766-legacy' : 'score766-results', source: 'dvcqg', dataset: 'score766', period, originalName, ext: 'json', bytes: fetched.bytes, sha256: fetched.sha256, rows });
          if (request.state) request.state[period] = { etags: [`"${fetched.sha256}"`], totalPages: 1, complete: true };
          summary.payloads++;
          summary.rows += rows;
        }
        done = true;
      } finally {
        if (!done) stop.abort();
      }
      return summary;
    },
  };
  return connector;
}
