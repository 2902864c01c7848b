/**
 * The shared shape of every connector (one file per source: portal.ts, score766.ts (legacy 766),
 * real766.ts (the current 766 API, planned by config real766), nsw-drop.ts, drop.ts (a drop directory)),
 * like unstorage's drivers: a name, options validated at construction, and one `pull` that plans what
 * to fetch (a month range, a configured plan, a directory listing) and hands whole payloads (exact
 * bytes as received, with the raw kind and meta they are staged under) to a sink. Connectors never
 * write the lake: the pipeline's sink does (`stageFrom` in pipeline.ts: raw/<kind>/<sha256>.<ext> +
 * meta), so every connector is checked by the same conformance suite (test/unit/connectors/conformance.ts).
 */
import type { RawKind } from '../lake/sources.js';
import type { YearMonth } from '../schemas/index.js';

/** `YYYY-MM`. */
export type Period = YearMonth;

/** One payload exactly as received, plus what the raw manifest needs. */
export interface RawPayload {
  /** Raw kind it is staged as (raw/<kind>/…), which decides how it lands. */
  kind: RawKind;
  /** Lake source, e.g. 'portal', 'nsw', 'dvcqg'. */
  source: string;
  /** Lake dataset it feeds, e.g. 'dossiers', 'score766', 'score766_metrics'. */
  dataset: string;
  /** Month the payload belongs to (`YYYY-MM`); a year (`YYYY`) for yearly files; null for undated ones (registry). */
  period: string | null;
  /** Human-readable origin: a file name, or a URL path with its query (never credentials). */
  originalName: string;
  /** File extension for the raw key: 'json', 'csv'. */
  ext: string;
  bytes: Buffer;
  /** sha256 hex of `bytes`. */
  sha256: string;
  /** Records inside, when the connector knows it cheaply (page envelope); null otherwise (counted at landing). */
  rows: number | null;
  /** 1-based page number for paged sources. */
  page?: number;
  /**
   * Paged sources: the period's page count as this page's answer gave it (a month without dossiers is one
   * page). With `page`, it tells a snapshot whether a month's pull reached its last page (transform/snapshot.ts, sourceGaps).
   */
  pages?: number;
  /** HTTP ETag of the payload, when served over HTTP. */
  etag?: string;
  /** Capture date (`YYYY-MM-DD`) of a payload fetched as of a date (real 766). */
  asOf?: string;
  /** dossier-export: the mapping profile it is read with. */
  profile?: string;
  /** When the bytes were last written where the connector found them (a drop file's modification time), ISO 8601. */
  madeAt?: string;
}

/** Receives payloads one at a time, in order; a throw stops the pull (the payload is not marked done). */
export type PayloadSink = (payload: RawPayload) => Promise<void>;

/** Resume state per period, persisted by the caller between runs (see each connector for details). */
export interface PeriodState {
  /** ETag of page i+1 as last handed to the sink; sent as If-None-Match on the next run. */
  etags: string[];
  /** Pages in the period when last seen. */
  totalPages?: number;
  /** All pages of the period were handed to the sink. */
  complete: boolean;
  /**
   * Page i+1's ETag was last answered (200 or 304) to a pull that began once the month had ended in Vietnam
   * (portal.ts). An ended month's page without it is asked for without If-None-Match, so its bytes are staged
   * again (the same bytes confirm the month: lake/raw.ts, recordDelivery) rather than answered 304 with
   * nothing staged: a snapshot counts a month only with a file pulled after it ended.
   */
  afterEnd?: (boolean | null)[];
}
export type PullState = Record<Period, PeriodState>;

/** What every pull takes; connectors planned by config or a listing (real766, drop) take no more. */
export interface PlanRequest {
  signal?: AbortSignal;
}

/** A pull of a month range (portal, 766 legacy, NSW drop). */
export interface PullRequest extends PlanRequest {
  /** First month, `YYYY-MM`. */
  from: Period;
  /** Last month, `YYYY-MM` (inclusive). */
  to: Period;
  /** Mutated in place as pages land; pass the same object (or its persisted copy) to resume. */
  state?: PullState;
}

export interface PullSummary {
  /** Payloads handed to the sink. */
  payloads: number;
  /** Sum of `rows` of the payloads handed over (those with a known count). */
  rows: number;
  /** Payloads the source said were unchanged since the last run (HTTP 304) and were not handed over. */
  unchanged: number;
  periods: Period[];
}

export interface Connector<R extends PlanRequest = PullRequest> {
  /** CONNECTOR_NAME of the module. */
  readonly name: string;
  /** Lake source the payloads are stored under ('drop' for a drop directory, whose files name their own). */
  readonly source: string;
  pull(request: R, sink: PayloadSink): Promise<PullSummary>;
}
