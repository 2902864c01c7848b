/**
 * One way to build errors: `[pipeline] [<scope>] Failed to <verb> <object>: <reason>`, keeping `cause`.
 * Add a class only where callers branch on it (see PipelineInputError).
 */
export function createError(scope: string, message: string, options: { cause?: unknown } = {}): Error {
  const err = new Error(`[pipeline] [${scope}] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
  return err;
}

/** An input a person must fix: names the file, and where known the row and field. */
export class PipelineInputError extends Error {
  readonly file: string;
  readonly row: number | undefined;
  readonly field: string | undefined;
  constructor(scope: string, file: string, reason: string, where: { row?: number; field?: string; cause?: unknown } = {}) {
    const at = [where.row !== undefined ? `row ${where.row}` : '', where.field ? `field "${where.field}"` : '']
      .filter(Boolean)
      .join(', ');
    super(`[pipeline] [${scope}] Failed to read ${file}${at ? ` (${at})` : ''}: ${reason}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'PipelineInputError';
    this.file = file;
    this.row = where.row;
    this.field = where.field;
  }
}

/** Wait for every promise, then throw the first rejection (Promise.all would return while others still run). */
export async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
