/**
 * Deterministic fault injection for the loopback portal: the connector's retry paths are tested
 * against real failures on a real socket, not mocks.
 *
 * A plan is a list of rules. Each rule counts the requests it matches (path prefix and, optionally,
 * exact query values) and fires on the first `first` of them and/or on every `every`-th (k, 2k, …);
 * with neither, it fires on every match. The first rule that fires decides the request's fault.
 * A request can also carry `X-Fault: <fault>[;retry-after=<s>][;ms=<n>]` when the server was started
 * with `allowFaultHeader: true` (never on by default).
 */

export type FaultName =
  | 429
  | 500
  | 502
  | 503
  /** Wait `delayMs`, then answer normally. */
  | 'slow'
  /** Accept the request and never answer (until the server closes). */
  | 'hang'
  /** Send the headers (correct Content-Length) and half the body, then drop the connection. */
  | 'truncate'
  /** Content-Length smaller than the body: the client reads a short body (caught by the checksum). */
  | 'bad-length'
  /** Content-Length larger than the body, then close: the body ends early. */
  | 'long-length'
  /** Same length, bytes changed; X-Content-SHA256 still describes the original body. */
  | 'corrupt';

export interface FaultRule {
  fault: FaultName;
  /** Only requests whose path starts with this (default: all). */
  path?: string;
  /** Only requests whose query has these exact values, e.g. { page: '2' }. */
  query?: Record<string, string>;
  /** Fire on the first N matching requests. */
  first?: number;
  /** Fire on every k-th matching request. */
  every?: number;
  /** Retry-After seconds sent with 429/503 (default 0 → header "0"). */
  retryAfterSec?: number;
  /** For 'slow' (default 1000). */
  delayMs?: number;
}

export type FaultPlan = FaultRule[];

export interface ChosenFault {
  fault: FaultName;
  retryAfterSec?: number;
  delayMs?: number;
}

export const FAULT_NAMES: readonly FaultName[] = [429, 500, 502, 503, 'slow', 'hang', 'truncate', 'bad-length', 'long-length', 'corrupt'];

export class FaultInjector {
  private readonly counts: number[];
  constructor(private readonly plan: FaultPlan = []) {
    this.counts = plan.map(() => 0);
  }

  /** Count this request against every matching rule; return the first rule that fires. */
  choose(pathname: string, query: URLSearchParams): ChosenFault | undefined {
    let chosen: ChosenFault | undefined;
    this.plan.forEach((rule, i) => {
      if (rule.path !== undefined && !pathname.startsWith(rule.path)) return;
      if (rule.query && Object.entries(rule.query).some(([k, v]) => query.get(k) !== v)) return;
      const n = ++this.counts[i]!;
      const fires =
        rule.first === undefined && rule.every === undefined ? true : (rule.first !== undefined && n <= rule.first) || (rule.every !== undefined && rule.every > 0 && n % rule.every === 0);
      if (fires && !chosen) chosen = { fault: rule.fault, retryAfterSec: rule.retryAfterSec, delayMs: rule.delayMs };
    });
    return chosen;
  }
}

/** Parse an `X-Fault` header value; undefined when it names no known fault. */
export function parseFaultHeader(value: string): ChosenFault | undefined {
  const [head, ...params] = value.split(';').map((s) => s.trim());
  const name = /^\d+$/.test(head ?? '') ? Number(head) : head;
  if (!FAULT_NAMES.includes(name as FaultName)) return undefined;
  const chosen: ChosenFault = { fault: name as FaultName };
  for (const p of params) {
    const [k, v] = p.split('=').map((s) => s.trim());
    if (k === 'retry-after' && v && /^\d+$/.test(v)) chosen.retryAfterSec = Number(v);
    if (k === 'ms' && v && /^\d+$/.test(v)) chosen.delayMs = Number(v);
  }
  return chosen;
}
