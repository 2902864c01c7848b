/**
 * The only module that imports @duckdb/node-api. Everything else talks to DuckDB through `DuckDb`.
 *
 * - `$name` bound values, never values spliced into SQL text;
 * - `ident()` for identifiers (table and column names), which must come from an allow-list;
 * - resources released in `finally`.
 */
import { mkdir } from 'node:fs/promises';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { createError, settleAll } from '../errors.js';
import { PARQUET_OPTIONS } from './parquet.js';

export type Param = string | number | boolean | null | bigint;
export type Params = Record<string, Param>;
export type JsonRow = Record<string, unknown>;

export interface DuckDbOptions {
  /** ':memory:' (default) or a database file. */
  path?: string;
  /** e.g. '2GB'. Defaults to DuckDB's own (80 % of RAM). */
  memoryLimit?: string;
  threads?: number;
  /** Directory for spilling to disk. */
  tempDirectory?: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Run on every connection (open and connect): the province's time zone for timestamp casts. */
const SESSION_SETUP = "SET TimeZone = 'Asia/Ho_Chi_Minh'";

/** Quote an identifier that has already been checked against an allow-list or a strict pattern. */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw createError('duckdb', `Failed to quote identifier "${name}": only [A-Za-z_][A-Za-z0-9_]* is allowed`);
  return `"${name}"`;
}

/** A single-quoted SQL string literal for paths in table functions (read_parquet etc. take no parameters there). */
export function literal(value: string): string {
  if (value.includes('\0')) throw createError('duckdb', 'Failed to quote literal: NUL byte');
  return `'${value.replaceAll("'", "''")}'`;
}

export class DuckDb {
  /** The statement running on this connection: the next one waits for it (a connection runs one at a time). */
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** False for a connection from `connect()`: closing it leaves the database open. */
    private readonly ownsInstance = true,
  ) {}

  /**
   * Another connection to the same database, for statements run at the same time as this one's
   * (each connection runs one statement at a time). It sees the database's tables, not this
   * connection's TEMP ones. Close it before the database.
   */
  async connect(): Promise<DuckDb> {
    const conn = await this.instance.connect();
    const db = new DuckDb(this.instance, conn, false);
    try {
      await db.run(SESSION_SETUP);
    } catch (cause) {
      conn.closeSync();
      throw cause;
    }
    return db;
  }

  /**
   * Run `fn` on `n` connections at once — this one (k = 0) and n − 1 from `connect()`, closed afterwards
   * — for work split in lanes over the database's tables. Every run ends before the first failure (in
   * k order) is thrown.
   */
  async onConnections(n: number, fn: (conn: DuckDb, k: number) => Promise<void>): Promise<void> {
    const extra = await Promise.all(Array.from({ length: Math.max(0, n - 1) }, () => this.connect()));
    try {
      await settleAll([this, ...extra].map((conn, k) => fn(conn, k)));
    } finally {
      for (const conn of extra) conn.close();
    }
  }

  static async open(options: DuckDbOptions = {}): Promise<DuckDb> {
    const config: Record<string, string> = {};
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    if (options.tempDirectory) {
      // DuckDB creates the spill directory on the first spill, but not its parents: a scratch
      // directory not made yet failed the first query too large for memory_limit.
      await mkdir(options.tempDirectory, { recursive: true });
      config.temp_directory = options.tempDirectory;
    }
    // memory_limit bounds DuckDB's buffer manager only; without jemalloc's background purge, freed
    // pages stayed resident and a 10 M backfill peaked at 2,9–3,2 GB with a 2 GB limit (2,5–2,6 GB
    // with it, same speed: bench/history.md, change 10).
    config.allocator_background_threads = 'true';
    // Closed networks: never try to download extensions (parquet, json and icu are built in).
    config.autoinstall_known_extensions = 'false';
    config.autoload_known_extensions = 'true';
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
      const conn = await instance.connect();
      const db = new DuckDb(instance, conn);
      await db.run(SESSION_SETUP);
      return db;
    } catch (cause) {
      instance?.closeSync();
      throw createError('duckdb', `Failed to open DuckDB at ${options.path ?? ':memory:'}: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Callers that share a connection without waiting for each other are run one after the other, in
   * the order they asked: a connection runs one statement at a time.
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const out = this.busy.then(fn, fn);
    this.busy = out.then(
      () => undefined,
      () => undefined,
    );
    return out;
  }

  /** Run a statement (or several separated by ';' when params is empty). */
  async run(sql: string, params: Params = {}): Promise<void> {
    params = usedParams(sql, params);
    try {
      await this.serial(() => (Object.keys(params).length === 0 ? this.conn.run(sql) : this.conn.run(sql, params as Record<string, DuckDBValue>)));
    } catch (cause) {
      throw createError('duckdb', `Failed to run SQL: ${(cause as Error).message}\n--- SQL ---\n${clip(sql)}`, { cause });
    }
  }

  /** Rows as JSON-safe objects (BIGINT → string where it does not fit, dates → ISO strings). */
  async all(sql: string, params: Params = {}): Promise<JsonRow[]> {
    params = usedParams(sql, params);
    try {
      return await this.serial(async () => {
        const reader = Object.keys(params).length === 0 ? await this.conn.runAndReadAll(sql) : await this.conn.runAndReadAll(sql, params as Record<string, DuckDBValue>);
        return reader.getRowObjectsJson() as JsonRow[];
      });
    } catch (cause) {
      throw createError('duckdb', `Failed to query: ${(cause as Error).message}\n--- SQL ---\n${clip(sql)}`, { cause });
    }
  }

  /**
   * Drop the relation of that name whether it is a table or a view (TEMP ones included), nothing when
   * there is none: DuckDB refuses DROP VIEW on a table and DROP TABLE on a view, IF EXISTS or not, so a
   * view is dropped after DROP TABLE refused it. Not a catalog lookup first: information_schema.tables
   * took 2.4–10 ms a call, and every model's materialisation drops its name (bench/history.md, change 106).
   */
  async dropRelation(name: string): Promise<void> {
    try {
      await this.run(`DROP TABLE IF EXISTS ${ident(name)}`);
    } catch (cause) {
      if (!/is of type View/.test((cause as Error).message)) throw cause;
      await this.run(`DROP VIEW ${ident(name)}`);
    }
  }

  /** First column of the first row as a number (counts). */
  async scalarNumber(sql: string, params: Params = {}): Promise<number> {
    const rows = await this.all(sql, params);
    const first = rows[0];
    if (!first) return 0;
    const v = Object.values(first)[0];
    return v === null || v === undefined ? 0 : Number(v);
  }

  close(): void {
    try {
      this.conn.closeSync();
    } finally {
      if (this.ownsInstance) this.instance.closeSync();
    }
  }
}

/** Open, use, always close. */
export async function withDuckDb<T>(fn: (db: DuckDb) => Promise<T>, options: DuckDbOptions = {}): Promise<T> {
  const db = await DuckDb.open(options);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/**
 * A Parquet file of no row with these columns, typed (DuckDB type names, as the models' YAML gives them): what a
 * mart of no row is when the engine that built it wrote no file (Athena writes none for a CTAS of no rows).
 */
export async function writeEmptyParquet(columns: readonly { name: string; data_type: string }[], file: string): Promise<void> {
  const select = columns.map((c) => `CAST(NULL AS ${c.data_type}) AS ${ident(c.name)}`).join(', ');
  await withDuckDb((db) => db.run(`COPY (SELECT ${select} WHERE false) TO ${literal(file)} (${PARQUET_OPTIONS})`), { threads: 1 });
}

export function duckdbVersion(): Promise<string> {
  return withDuckDb(async (db) => String((await db.all('SELECT version() AS v'))[0]?.v ?? 'unknown'));
}

/** Only the parameters the statement names: callers may pass one bag for several statements. */
function usedParams(sql: string, params: Params): Params {
  const names = Object.keys(params);
  if (names.length === 0) return params;
  const used = new Set([...sql.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
  const out: Params = {};
  for (const n of names) if (used.has(n)) out[n] = params[n]!;
  return out;
}

function clip(sql: string): string {
  return sql.length > 4000 ? `${sql.slice(0, 4000)}…` : sql;
}
