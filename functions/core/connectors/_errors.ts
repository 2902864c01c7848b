/**
 * Errors callers branch on. Everything else goes through createError (functions/core/errors.ts).
 *
 * Messages name the URL without credentials or query secrets: the bearer token travels in a header
 * and is never part of a message (see redactUrl).
 */

/** An HTTP answer with a status the caller did not accept (4xx/5xx, or a 304 nobody asked for). */
export class HttpError extends Error {
  readonly status: number;
  readonly url: string;
  /** Milliseconds the server asked us to wait (Retry-After), if it said so. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, url: string, reason: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(`[pipeline] [connectors] Failed to fetch ${redactUrl(url)}: HTTP ${status}${reason ? ` ${reason}` : ''}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.url = redactUrl(url);
    this.retryAfterMs = options.retryAfterMs;
  }

  /** 408, 425, 429 and 5xx are worth another try; other 4xx are the caller's mistake. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 425 || this.status === 429 || this.status >= 500;
  }
}

/** The transfer failed or the bytes are not what the server announced: timeout, reset, short body, bad checksum, bad JSON. */
export class TransferError extends Error {
  readonly url: string;
  readonly kind: 'timeout' | 'network' | 'truncated' | 'checksum' | 'parse' | 'envelope';
  constructor(kind: TransferError['kind'], url: string, reason: string, options: { cause?: unknown } = {}) {
    super(`[pipeline] [connectors] Failed to fetch ${redactUrl(url)}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransferError';
    this.kind = kind;
    this.url = redactUrl(url);
  }

  /** A malformed envelope is the server's contract broken, not a flaky line: do not retry it. */
  get retryable(): boolean {
    return this.kind !== 'envelope';
  }
}

/** The same request kept failing; `cause` is the last failure. */
export class RetriesExhaustedError extends Error {
  readonly url: string;
  readonly attempts: number;
  constructor(url: string, attempts: number, cause: Error) {
    super(`[pipeline] [connectors] Failed to fetch ${redactUrl(url)} after ${attempts} attempts: ${stripPrefix(cause.message)}`, { cause });
    this.name = 'RetriesExhaustedError';
    this.url = redactUrl(url);
    this.attempts = attempts;
  }
}

/** Drop user:password and query values that look like secrets (token, key, sig…), keep the rest readable. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/token|key|secret|sig|auth|password/i.test(key)) u.searchParams.set(key, 'REDACTED');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

function stripPrefix(message: string): string {
  return message.replace(/^\[pipeline\] \[connectors\] Failed to fetch \S+( after \d+ attempts)?: /, '');
}
