/**
 * The loopback portal: an HTTP server on 127.0.0.1 that stands in for the provincial portal's
 * dossier API and for dichvucong.gov.vn's 766 report services, serving the generator's files
 * (data/demo) and the real 766 captures. Endpoints, shapes and assumptions: functions/portal/README.md.
 */
import { existsSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LegacyReportRequest, ServiceResultsRequest } from '../core/connectors/score766-schemas.js';
import { DossierStore } from './dossier-store.js';
import { EvaluationData, type Answer } from './evaluation.js';
import { FaultInjector, parseFaultHeader, type ChosenFault, type FaultPlan } from './faults.js';

export type { FaultPlan, FaultRule } from './faults.js';

export const HOST = '127.0.0.1';
export const MAX_PAGE_SIZE = 5000;
export const DEFAULT_PAGE_SIZE = 1000;

export interface PortalServerOptions {
  /** Generator output, e.g. data/demo (portal/dossiers/, score766/, meta.json). */
  dataDir: string;
  /** Bearer token the dossier API requires. */
  token: string;
  /** The real 766 captures (functions/portal/fixtures/dvcqg-766 or a newer capture in its shape); without it only the demo province's 766 is served. */
  realDir?: string;
  /** 0 (default) = an ephemeral port. */
  port?: number;
  faults?: FaultPlan;
  /** Honour a per-request `X-Fault` header (tests and manual runs only). */
  allowFaultHeader?: boolean;
  /** Demo province code when data/demo/meta.json does not say (default H99). */
  provinceCode?: string;
  /** One line per request, for manual runs. Never receives the token. */
  log?: (line: string) => void;
}

export interface PortalStats {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  faultsInjected: number;
  pagesServed: number;
  rowsServed: number;
  notModified: number;
  /** Requests being answered now, and the most at once so far (how many a client keeps in flight). */
  inFlight: number;
  maxInFlight: number;
}

export interface RunningPortal {
  url: string;
  port: number;
  stats: PortalStats;
  close(): Promise<void>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DossierQuery = z
  .object({
    from: z.string().regex(DATE, 'from must be YYYY-MM-DD').refine(isRealDate, 'from is not a calendar date'),
    to: z.string().regex(DATE, 'to must be YYYY-MM-DD').refine(isRealDate, 'to is not a calendar date'),
    page: z.string().regex(/^\d+$/, 'page must be a positive integer').transform(Number).pipe(z.number().int().min(1)).default(1),
    pageSize: z
      .string()
      .regex(/^\d+$/, 'pageSize must be a positive integer')
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE, `pageSize must be at most ${MAX_PAGE_SIZE}`))
      .default(DEFAULT_PAGE_SIZE),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function startPortal(opts: PortalServerOptions): Promise<RunningPortal> {
  if (!opts.token) throw new Error('[pipeline] [portal] Failed to start the portal: token must not be empty');
  // A wrong path would otherwise serve an empty province, and a pull from it would "succeed" with nothing.
  if (!existsSync(opts.dataDir)) throw new Error(`[pipeline] [portal] Failed to start the portal: data directory ${opts.dataDir} does not exist`);
  const store = await DossierStore.open(path.join(opts.dataDir, 'portal', 'dossiers'));
  let evaluation: EvaluationData;
  try {
    evaluation = await EvaluationData.load({ dataDir: opts.dataDir, realDir: opts.realDir, provinceCode: opts.provinceCode });
  } catch (error) {
    await store.close();
    throw error;
  }
  const injector = new FaultInjector(opts.faults);
  const tokenDigest = createHash('sha256').update(opts.token).digest();
  const stats: PortalStats = { requests: 0, byRoute: {}, byStatus: {}, faultsInjected: 0, pagesServed: 0, rowsServed: 0, notModified: 0, inFlight: 0, maxInFlight: 0 };
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.once('close', () => stats.inFlight--);
    handle(req, res).catch((error: unknown) => {
      opts.log?.(`portal error: ${(error as Error).message}`);
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { code: 'INTERNAL_ERROR', message: (error as Error).message });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function count(route: string, status: number | string): void {
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
  }

  function authorized(req: http.IncomingMessage): boolean {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    return timingSafeEqual(createHash('sha256').update(m[1]!.trim()).digest(), tokenDigest);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const route = `${req.method} ${url.pathname}`;
    let fault = injector.choose(url.pathname, url.searchParams);
    const header = req.headers['x-fault'];
    if (opts.allowFaultHeader && typeof header === 'string') fault = parseFaultHeader(header) ?? fault;
    if (fault) stats.faultsInjected++;
    opts.log?.(`${route}${url.search}${fault ? ` [fault ${fault.fault}]` : ''}`);

    if (fault?.fault === 'hang') {
      count(route, 'hang');
      return; // never answer; close() destroys the socket
    }
    if (fault?.fault === 'slow') await sleep(fault.delayMs ?? 1000);
    if (fault && typeof fault.fault === 'number') {
      count(route, fault.fault);
      const headers: Record<string, string> = {};
      if (fault.fault === 429 || fault.fault === 503) headers['retry-after'] = String(fault.retryAfterSec ?? 0);
      sendJson(res, fault.fault, { code: fault.fault === 429 ? 'TOO_MANY_REQUESTS' : 'UPSTREAM_ERROR', message: `injected fault ${fault.fault}` }, headers);
      return;
    }

    let answer: Answer & { headers?: Record<string, string> };
    if (req.method === 'GET' && url.pathname === '/api/v1/dossiers') answer = await dossiers(req, url);
    else if (req.method === 'POST' && url.pathname === '/jsp/rest.jsp') answer = await withBody(req, LegacyReportRequest, (b) => evaluation.legacy(b));
    else if (req.method === 'POST' && url.pathname === '/api/v1/reporting/evaluation/service-results') answer = await withBody(req, ServiceResultsRequest, (b) => evaluation.serviceResults(b));
    else if (req.method === 'POST' && url.pathname === '/api/v1/reporting/evaluation/department-detail') answer = await withBody(req, ServiceResultsRequest, async (b) => evaluation.detail(b));
    else if (req.method === 'GET' && url.pathname === '/healthz') answer = { status: 200, body: { code: 'OK', demoProvince: evaluation.demoProvince } };
    else answer = { status: 404, body: { code: 'NOT_FOUND', message: `no route ${route}` } };

    count(route, answer.status);
    if (answer.status === 304) {
      res.writeHead(304, answer.headers ?? {});
      res.end();
      return;
    }
    const bytes = answer.bytes ?? Buffer.from(JSON.stringify(answer.body ?? null), 'utf8');
    send(res, answer.status, bytes, answer.headers ?? {}, fault);
  }

  async function dossiers(req: http.IncomingMessage, url: URL): Promise<Answer & { headers?: Record<string, string> }> {
    if (!authorized(req)) {
      return { status: 401, body: { code: 'UNAUTHORIZED', message: 'missing or invalid bearer token' }, headers: { 'www-authenticate': 'Bearer realm="portal"' } };
    }
    const q = DossierQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!q.success) return { status: 400, body: { code: 'BAD_REQUEST', message: z.prettifyError(q.error) } };
    const { from, to, page, pageSize } = q.data;
    const p = await store.page(from, to, page, pageSize);
    const text = `{"page":${page},"pageSize":${pageSize},"total":${p.total},"totalPages":${p.totalPages},"period":${JSON.stringify({ from, to })},"data":${p.data}}`;
    const bytes = Buffer.from(text, 'utf8');
    const etag = `"${sha256(bytes)}"`;
    const inm = req.headers['if-none-match'];
    if (typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      stats.notModified++;
      return { status: 304, headers: { etag, 'cache-control': 'no-cache' } };
    }
    stats.pagesServed++;
    stats.rowsServed += p.rows;
    return { status: 200, bytes, headers: { etag, 'cache-control': 'no-cache' } };
  }

  async function withBody<S extends z.ZodType>(req: http.IncomingMessage, schema: S, fn: (body: z.infer<S>) => Promise<Answer>): Promise<Answer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 64 * 1024) return { status: 413, body: { code: 'PAYLOAD_TOO_LARGE', message: 'request body over 64 KiB' } };
      chunks.push(chunk as Buffer);
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return { status: 400, body: { code: 'BAD_REQUEST', message: 'request body is not JSON' } };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return { status: 400, body: { code: 'BAD_REQUEST', message: z.prettifyError(parsed.error) } };
    return fn(parsed.data);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}`,
    port,
    stats,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await closed;
      await store.close();
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, Buffer.from(JSON.stringify(body), 'utf8'), headers, undefined);
}

/** Write a JSON answer with Content-Length and X-Content-SHA256, applying a body fault if one was chosen. */
function send(res: http.ServerResponse, status: number, bytes: Buffer, headers: Record<string, string>, fault: ChosenFault | undefined): void {
  if (res.destroyed) return;
  const base = { 'content-type': 'application/json; charset=utf-8', 'x-content-sha256': sha256(bytes), ...headers };
  const kind = fault?.fault;
  if (kind === 'truncate' && bytes.length > 1) {
    res.writeHead(status, { ...base, 'content-length': String(bytes.length) });
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
    return;
  }
  if (kind === 'bad-length' && bytes.length > 1) {
    const cut = Math.max(1, Math.min(64, Math.floor(bytes.length / 4)));
    res.writeHead(status, { ...base, 'content-length': String(bytes.length - cut), connection: 'close' });
    res.end(bytes.subarray(0, bytes.length - cut));
    return;
  }
  if (kind === 'long-length') {
    res.writeHead(status, { ...base, 'content-length': String(bytes.length + 100), connection: 'close' });
    res.write(bytes, () => res.socket?.destroy());
    return;
  }
  if (kind === 'corrupt' && bytes.length > 0) {
    const copy = Buffer.from(bytes);
    const i = Math.floor(copy.length / 2);
    copy[i] = copy[i] === 0x30 ? 0x31 : 0x30;
    res.writeHead(status, { ...base, 'content-length': String(copy.length) });
    res.end(copy);
    return;
  }
  res.writeHead(status, { ...base, 'content-length': String(bytes.length) });
  res.end(bytes);
}
