/**
 * The shared shape of every connector (one file per source: portal.ts, score766.ts, nsw-drop.ts),
 * like unstorage's drivers: a name, options validated at construction, and one `pull` that hands
 * whole payloads (exact bytes as received) to a sink. Connectors never write the lake: the caller's
 * sink does (raw/<source>/<sha256>.<ext> + manifest), so every connector is checked by the same
 * conformance suite (test/unit/connectors/conformance.ts).
 */

/** `YYYY-MM`. */
export type Period = string;

/** One payload exactly as received, plus what the raw manifest needs. */
export interface RawPayload {
  /** Lake source, e.g. 'portal', 'nsw', 'dvcqg'. */
  source: string;
  /** Lake dataset it feeds, e.g. 'dossiers', 'score766', 'score766_metrics'. */
  dataset: string;
  /** Month the payload belongs to (`YYYY-MM`). */
  period: Period;
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
  /** HTTP ETag of the payload, when served over HTTP. */
  etag?: string;
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
}
export type PullState = Record<Period, PeriodState>;

export interface PullRequest {
  /** First month, `YYYY-MM`. */
  from: Period;
  /** Last month, `YYYY-MM` (inclusive). */
  to: Period;
  /** Mutated in place as pages land; pass the same object (or its persisted copy) to resume. */
  state?: PullState;
  signal?: AbortSignal;
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

export interface Connector {
  /** CONNECTOR_NAME of the module. */
  readonly name: string;
  /** Lake source the payloads are stored under. */
  readonly source: string;
  pull(request: PullRequest, sink: PayloadSink): Promise<PullSummary>;
}
