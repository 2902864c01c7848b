/**
 * One HTTP exchange with retries, shared by the HTTP connectors.
 *
 * Every attempt has its own timeout (AbortSignal.timeout) covering headers and body. An answer is
 * accepted only when its bytes are whole: Content-Length matches, X-Content-SHA256 (when sent, or
 * when required) matches, and JSON parses. Retried with exponential backoff and jitter (p-retry):
 * 408/425/429/5xx, timeouts, network errors, truncated or corrupt bodies; a 429/503 Retry-After is
 * honoured (capped). Never retried: other 4xx (401, 400, 404…) and malformed envelopes.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import { z } from 'zod';
import { HttpError, RetriesExhaustedError, TransferError, redactUrl } from './_errors.js';

export interface RetryPolicy {
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Cap on a server's Retry-After (default 60 s). */
  maxRetryAfterMs?: number;
  /** Called before each retry (for logs/metrics); never receives credentials. */
  onRetry?: (event: RetryEvent) => void;
}

/** The retry options every HTTP connector takes (zod shape, defaults as documented on the portal connector). */
export const RETRY_OPTIONS = {
  timeoutMs: z.number().int().positive().default(30_000),
  retries: z.number().int().min(0).max(50).default(5),
  minBackoffMs: z.number().int().min(0).default(500),
  maxBackoffMs: z.number().int().min(0).default(30_000),
  maxRetryAfterMs: z.number().int().min(0).default(60_000),
  onRetry: z.custom<(event: RetryEvent) => void>((v) => typeof v === 'function', 'onRetry must be a function').optional(),
};

/** The refinement every HTTP connector's options carry: the backoff bounds in order. */
export const BACKOFF_ORDER: [(o: { minBackoffMs: number; maxBackoffMs: number }) => boolean, { message: string; path: string[] }] = [
  (o) => o.minBackoffMs <= o.maxBackoffMs,
  { message: 'minBackoffMs must not exceed maxBackoffMs', path: ['minBackoffMs'] },
];

/** The retry policy of parsed connector options. */
export function retryPolicy(o: RetryPolicy): RetryPolicy {
  return { timeoutMs: o.timeoutMs, retries: o.retries, minBackoffMs: o.minBackoffMs, maxBackoffMs: o.maxBackoffMs, maxRetryAfterMs: o.maxRetryAfterMs, onRetry: o.onRetry };
}

export interface RetryEvent {
  url: string;
  attempt: number;
  retriesLeft: number;
  reason: string;
  /** Extra wait the server asked for (Retry-After), already capped; 0 when none. */
  retryAfterMs: number;
}

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** JSON-serialised when an object. */
  body?: unknown;
  /** Accept 304 Not Modified as an answer (conditional GET). */
  allowNotModified?: boolean;
  /** Fail (and retry) when the answer has no X-Content-SHA256 header. */
  requireChecksum?: boolean;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  sha256: string;
  /** Parsed JSON body (undefined for 304). */
  json: unknown;
}

export async function fetchJsonWithRetry(request: HttpRequest, policy: RetryPolicy): Promise<HttpAnswer> {
  let attempts = 0;
  try {
    return await pRetry(
      async () => {
        attempts++;
        return await attemptOnce(request, policy.timeoutMs);
      },
      {
        retries: policy.retries,
        factor: 2,
        minTimeout: policy.minBackoffMs,
        maxTimeout: policy.maxBackoffMs,
        randomize: true,
        signal: request.signal,
        shouldRetry: async ({ error, attemptNumber, retriesLeft }) => {
          if (!isRetryable(error)) return false;
          const retryAfterMs = error instanceof HttpError && error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, policy.maxRetryAfterMs ?? 60_000) : 0;
          policy.onRetry?.({ url: redactUrl(request.url), attempt: attemptNumber, retriesLeft, reason: error.message, retryAfterMs });
          if (retryAfterMs > 0) await sleep(retryAfterMs, undefined, { signal: request.signal });
          return true;
        },
      },
    );
  } catch (error) {
    if (error instanceof Error && isRetryable(error) && attempts > 1) throw new RetriesExhaustedError(request.url, attempts, error);
    throw error;
  }
}

function isRetryable(error: unknown): error is HttpError | TransferError {
  return (error instanceof HttpError || error instanceof TransferError) && error.retryable;
}

async function attemptOnce(request: HttpRequest, timeoutMs: number): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  const fail = (cause: unknown, stage: string): never => {
    if (request.signal?.aborted) throw new AbortError(request.signal.reason instanceof Error ? request.signal.reason : new Error('aborted'));
    if (timeout.aborted) throw new TransferError('timeout', request.url, `no complete answer within ${timeoutMs} ms (${stage})`, { cause });
    if (stage === 'body') throw new TransferError('truncated', request.url, `connection ended before the whole body arrived (${(cause as Error).message})`, { cause });
    throw new TransferError('network', request.url, `${(cause as Error).message}${causeText(cause)}`, { cause });
  };
  let response: Response;
  try {
    response = await fetch(request.url, { method: request.method ?? 'GET', headers, body, signal, redirect: 'error' });
  } catch (cause) {
    return fail(cause, 'headers');
  }
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (cause) {
    return fail(cause, 'body');
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (response.status === 304 && request.allowNotModified) return { status: 304, headers: response.headers, bytes, sha256, json: undefined };
  if (response.status < 200 || response.status > 299) {
    throw new HttpError(response.status, request.url, response.statusText, { retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) });
  }
  const declaredLength = response.headers.get('content-length');
  if (declaredLength !== null && !response.headers.get('content-encoding') && Number(declaredLength) !== bytes.length) {
    throw new TransferError('truncated', request.url, `body has ${bytes.length} bytes but Content-Length says ${declaredLength}`);
  }
  const declaredSha = response.headers.get('x-content-sha256');
  if (declaredSha === null && request.requireChecksum) throw new TransferError('checksum', request.url, 'answer has no X-Content-SHA256 header');
  if (declaredSha !== null && declaredSha.toLowerCase() !== sha256) {
    throw new TransferError('checksum', request.url, `body sha256 ${sha256} differs from X-Content-SHA256 ${declaredSha}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new TransferError('parse', request.url, `body is not JSON (${(cause as Error).message})`, { cause });
  }
  return { status: response.status, headers: response.headers, bytes, sha256, json };
}

/** Retry-After as delay-seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message ?? ''})` : '';
}
