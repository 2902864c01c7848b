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
import { monthsBetween } from './portal.js';
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
      for (const period of periods) {
        const [year, month] = period.split('-').map(Number) as [number, number];
        let fetched: Fetched<LegacyReportResponse> | Fetched<ServiceResultsResponse>;
        let rows: number;
        let originalName: string;
        if (opts.api === 'legacy') {
          const f = await connector.fetchLegacy766({ year, month }, request.signal);
          fetched = f;
          rows = f.data.data.length;
          originalName = `${opts.legacyPath}?service=report_tinh_766_service&year=${year}&month=${month}&tinhId=${opts.tinhId}`;
        } else {
          const body = { timeType: 'month' as const, year, month, departmentType: opts.departmentType, ...(opts.departmentId ? { departmentId: opts.departmentId } : {}) };
          const f = await connector.fetchServiceResults(body, request.signal);
          fetched = f;
          rows = f.data.data.evaluation.length;
          originalName = `${opts.serviceResultsPath}?timeType=month&year=${year}&month=${month}${opts.departmentId ? `&departmentId=${opts.departmentId}` : ''}`;
        }
        await sink({ kind: opts.api === 'legacy' ? 'score766-legacy' : 'score766-results', source: 'dvcqg', dataset: 'score766', period, originalName, ext: 'json', bytes: fetched.bytes, sha256: fetched.sha256, rows });
        if (request.state) request.state[period] = { etags: [`"${fetched.sha256}"`], totalPages: 1, complete: true };
        summary.payloads++;
        summary.rows += rows;
      }
      return summary;
    },
  };
  return connector;
}
