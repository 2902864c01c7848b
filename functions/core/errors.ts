/**
 * One way to build errors: `[pipeline] [<scope>] Failed to <verb> <object>: <reason>`, keeping `cause`.
 * Add a class only where callers branch on it (see PipelineInputError).
 */
export function createError(scope: string, message: string, options: { cause?: unknown } = {}): Error {
  const err = new Error(`[pipeline] [${scope}] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
  return err;
}

/**
 * A snapshot refused because a dossier source has not delivered months of its year to date
 * (transform/snapshot.ts, sourceGaps). Its name is what the state machine catches
 * (infra/lib/orchestration): no retry — nothing changes until the exports land — what landed is still
 * published, and the run ends in MonthNotDelivered.
 */
export class MonthNotDeliveredError extends Error {
  /** The refusal without the scope prefix (a run repeats it under its own). */
  readonly reason: string;
  constructor(reason: string) {
    super(`[pipeline] [snapshot] ${reason}`);
    this.name = 'MonthNotDelivered';
    this.reason = reason;
  }
}

/**
 * Why a land rejected a file whole, as a class readers of any language can be told (the data-quality
 * page names each in Vietnamese; mart rejected_files, column `reason`). The land records the class of the
 * error it rejected a file for (`PipelineInputError.code`, found by `rejectReasonOf`), so the class never
 * depends on how the error is worded. `unreadable`: a file that cannot be read for any other reason.
 * (Renaming or removing a class leaves old records unclassed, never unreadable: raw.ts reads them leniently.)
 */
export const REJECT_REASONS = [
  'xlsx_password',
  'xlsx_legacy',
  'xlsx_incomplete',
  'not_xlsx',
  'not_api_page',
  'encoding',
  'empty_file',
  'not_json',
  'columns',
  'no_profile',
  'layout',
  'unexpected_shape',
  'records_mismatch',
  'not_csv',
  'period_too_early',
  'period_not_ended',
  'period_in_future',
  'period_missing',
  'too_large',
  'unreadable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * An input a person must fix: names the file, and where known the row and field. `code` is required: the
 * class a land records when this error refuses a file whole (REJECT_REASONS); an error that never refuses
 * a file is made by `refusingNoFile` (code null; test/unit/reject-reasons.test.ts lists those).
 */
export class PipelineInputError extends Error {
  readonly file: string;
  readonly row: number | undefined;
  readonly field: string | undefined;
  /** The class of the problem, where the file is refused whole (see REJECT_REASONS); null only for `refusingNoFile`. */
  readonly code: RejectReason | null;
  /** Every error that refuses a file names its class: TypeScript holds each call to it (no null here). */
  constructor(scope: string, file: string, reason: string, where: { row?: number; field?: string; cause?: unknown; code: RejectReason }) {
    const at = [where.row !== undefined ? `row ${where.row}` : '', where.field ? `field "${where.field}"` : '']
      .filter(Boolean)
      .join(', ');
    super(`[pipeline] [${scope}] Failed to read ${file}${at ? ` (${at})` : ''}: ${reason}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'PipelineInputError';
    this.file = file;
    this.row = where.row;
    this.field = where.field;
    this.code = where.code;
  }

  /**
   * An input error that refuses no file, and so has no class: the dossier files waiting for their
   * registry (they stay staged), and `inspect`'s answers to an operator (nothing lands). Each use is
   * listed, with why, in test/unit/reject-reasons.test.ts.
   */
  static refusingNoFile(scope: string, file: string, reason: string, where: { row?: number; field?: string; cause?: unknown } = {}): PipelineInputError {
    const err = new PipelineInputError(scope, file, reason, { ...where, code: 'unreadable' });
    (err as { code: RejectReason | null }).code = null;
    return err;
  }
}

/**
 * The class a rejected file is recorded under: the first `code` along the error and its causes (an
 * error that wraps another keeps the inner one's class unless it names its own), undefined when none.
 */
export function rejectReasonOf(err: unknown): RejectReason | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof PipelineInputError && e.code !== null) return e.code;
  }
  return undefined;
}

/** Wait for every promise, then throw the first rejection (Promise.all would return while others still run). */
export async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
