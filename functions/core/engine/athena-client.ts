/**
 * The Athena API as the engine (functions/core/engine/athena.ts) uses it: start a statement in a
 * workgroup and database, poll it to its end (growing waits, a timeout), retry throttled calls, and
 * read every page of its result into rows typed by the result's column types. Every completed
 * statement is recorded (for logs and tests).
 *
 * Values reach Athena only as ExecutionParameters; the statement text is the engine's.
 */
import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClientConfig,
  type ColumnInfo,
} from '@aws-sdk/client-athena';
import { createError } from '../errors.js';
import type { Row } from './types.js';

/** Athena's limit on query text. */
export const MAX_QUERY_BYTES = 256 * 1024;

export interface PollOptions {
  /** First wait after StartQueryExecution. @default 250 */
  readonly initialDelayMs?: number;
  /** Waits grow by this factor... @default 2 */
  readonly factor?: number;
  /** ...up to this. @default 5000 */
  readonly maxDelayMs?: number;
  /** Give up (and stop the query) after this long. @default 900000 (15 min) */
  readonly timeoutMs?: number;
  /** Attempts for a throttled API call (TooManyRequestsException / ThrottlingException). @default 8 */
  readonly throttleAttempts?: number;
}

export interface StatementRecord {
  queryExecutionId: string;
  sql: string;
  params: string[];
}

export interface AthenaStatementsOptions {
  readonly workGroup: string;
  /** Glue database the statements run in (QueryExecutionContext). */
  readonly database: string;
  readonly client?: AthenaClient;
  readonly clientConfig?: AthenaClientConfig;
  readonly poll?: PollOptions;
  /** Injected for tests; defaults to setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (msg: string, data?: object) => void;
}

/** Runs statements on Athena and reads their results. */
export class AthenaStatements {
  /** Every statement completed, in order (for logs and tests). */
  readonly statements: StatementRecord[] = [];
  private readonly client: AthenaClient;
  private readonly ownsClient: boolean;
  private readonly poll: Required<PollOptions>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: (msg: string, data?: object) => void;

  constructor(private readonly options: AthenaStatementsOptions) {
    this.client = options.client ?? new AthenaClient(options.clientConfig ?? {});
    this.ownsClient = !options.client;
    this.poll = {
      initialDelayMs: options.poll?.initialDelayMs ?? 250,
      factor: options.poll?.factor ?? 2,
      maxDelayMs: options.poll?.maxDelayMs ?? 5000,
      timeoutMs: options.poll?.timeoutMs ?? 900_000,
      throttleAttempts: options.poll?.throttleAttempts ?? 8,
    };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.log = options.log ?? (() => undefined);
  }

  /** Run a SELECT and read all result pages (the first row of the first page is the header). */
  async select(sql: string, params: string[] = []): Promise<Row[]> {
    const id = await this.execute(sql, params);
    const rows: Row[] = [];
    let columns: ColumnInfo[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.withThrottleRetry(() =>
        this.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(token ? { NextToken: token } : {}) })),
      );
      if (first) columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const data = page.ResultSet?.Rows ?? [];
      for (const [i, r] of data.entries()) {
        if (first && i === 0) continue;
        const row: Row = {};
        columns.forEach((c, j) => {
          row[c.Name ?? `_${j}`] = convert(r.Data?.[j]?.VarCharValue, c.Type);
        });
        rows.push(row);
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return rows;
  }

  /** Run a query and read the column names of its result's first page (`_<i>` for an unnamed one). */
  async columnNames(sql: string): Promise<string[]> {
    const id = await this.execute(sql);
    const page = await this.withThrottleRetry(() => this.client.send(new GetQueryResultsCommand({ QueryExecutionId: id })));
    return (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c, i) => c.Name ?? `_${i}`);
  }

  /** Start a statement and wait for it; returns the query execution id. */
  async execute(sql: string, params: string[] = []): Promise<string> {
    const bytes = Buffer.byteLength(sql, 'utf8');
    if (bytes > MAX_QUERY_BYTES) {
      throw createError('athena', `Failed to start query: its text is ${bytes} bytes, over Athena's limit of ${MAX_QUERY_BYTES}\n--- SQL ---\n${sql.slice(0, 500)}…`);
    }
    const token = randomUUID(); // idempotency: a throttled-and-retried start never runs twice
    const started = await this.withThrottleRetry(() =>
      this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: this.options.workGroup,
          QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: this.options.database },
          ClientRequestToken: token,
          ...(params.length ? { ExecutionParameters: params } : {}),
        }),
      ),
    );
    const id = started.QueryExecutionId;
    if (!id) throw createError('athena', 'Failed to start query: no QueryExecutionId in the answer');
    let delay = this.poll.initialDelayMs;
    let waited = 0;
    for (;;) {
      await this.sleep(delay);
      waited += delay;
      const out = await this.withThrottleRetry(() => this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })));
      const status = out.QueryExecution?.Status;
      const state = status?.State;
      if (state === 'SUCCEEDED') {
        this.statements.push({ queryExecutionId: id, sql, params });
        this.log('athena query succeeded', { queryExecutionId: id, bytesScanned: out.QueryExecution?.Statistics?.DataScannedInBytes });
        return id;
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given';
        throw createError('athena', `Failed to run query ${id}: ${state}: ${reason}\n--- SQL ---\n${sql.slice(0, 2000)}`);
      }
      if (waited >= this.poll.timeoutMs) {
        throw createError('athena', `Failed to run query ${id}: still ${state ?? 'UNKNOWN'} after ${waited} ms`);
      }
      delay = Math.min(delay * this.poll.factor, this.poll.maxDelayMs);
    }
  }

  /** Release the SDK client when this object created it (an injected client stays its owner's). */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  private async withThrottleRetry<T>(call: () => Promise<T>): Promise<T> {
    let delay = this.poll.initialDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (err) {
        const name = (err as { name?: string }).name;
        const throttled = name === 'TooManyRequestsException' || name === 'ThrottlingException';
        if (!throttled || attempt >= this.poll.throttleAttempts) {
          throw createError('athena', `Failed to call Athena: ${name ?? 'Error'}: ${(err as Error).message}${throttled ? ` (after ${attempt} attempts)` : ''}`, { cause: err });
        }
        this.log('athena throttled, retrying', { attempt, delayMs: delay });
        await this.sleep(delay);
        delay = Math.min(delay * this.poll.factor, this.poll.maxDelayMs);
      }
    }
  }
}

/** A result cell (Athena returns text) as the column's type: integers (when safe), floating numbers, booleans, else text. */
function convert(value: string | undefined, type: string | undefined): unknown {
  if (value === undefined) return null;
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return Number(value);
    case 'boolean':
      return value === 'true';
    default:
      return value;
  }
}
