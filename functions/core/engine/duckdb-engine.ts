/**
 * QueryEngine on embedded DuckDB (the local default and the tests). Opens DuckDB with Trino's
 * integer division and the shims of sql/_shims/duckdb.sql, so the portable sql/ models mean the same
 * here as on Athena. Sources are views over Hive-partitioned Parquet; a model is materialised as a
 * table and copied to <lakeRoot>/models/<layer>/<name>.parquet (sorted by its grain, fixed row-group
 * size, written to a temporary name and renamed), so reruns give byte-identical files. A model with
 * `persist: false` stays a table of the run and is not written (an incremental one is a view of the
 * partitions the run rebuilds); a `view` is a view. An incremental
 * model keeps one Parquet per partition (models/<layer>/<name>/<column>=<value>/data.parquet) and a run
 * replaces only the partitions it is given (materializePartitions; within a year, only the report
 * periods it is given, the others kept from the year's file); only a mart also gets the single file.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createError } from '../errors.js';
import { DuckDb, ident, literal, type DuckDbOptions, type Params } from './duckdb.js';
import { PARQUET_OPTIONS } from './parquet.js';
import { sameRowsOn, type ExportedParquet, type ExportOptions, type MaterializeOptions, type MaterializeResult, type ModelDef, type PartitionSelection, type QueryEngine, type Row } from './types.js';
import { LEDGER_COLUMNS, LEDGER_TABLES, SOURCE_COLUMNS, sourceOfLakeTable, type SourceColumn } from '../transform/sources.js';

/**
 * The Hive keys of a source's paths (`year=2025/month=12/…`) typed as the source
 * declares them (`, hive_types = {…}`; '' when it declares none of them). Detected, `year` and
 * `month` are BIGINT, and a model's `cast(year as integer)` then stops a filter on it reaching the
 * scan: an incremental run that rebuilds December read every partition of the lake instead of
 * December's year (1 M dossiers: 168 files, 897 481 rows against 24 and 151 759; bench/history.md,
 * change 70). Declared INTEGER (sources.ts, as Athena's partition projection types them), the cast is
 * no cast, and the filter prunes the files.
 */
export function hiveTypes(firstFile: string, columns: readonly SourceColumn[] | undefined): string {
  if (!columns) return '';
  // Every `key=value` directory of the path, as DuckDB reads the keys.
  const keys = firstFile
    .split('/')
    .slice(0, -1)
    .map((seg) => /^([a-z_][a-z0-9_]*)=/.exec(seg)?.[1])
    .filter((k): k is string => k !== undefined);
  const typed = [...new Set(keys)].flatMap((k) => {
    const c = columns.find((x) => x.name === k);
    return c ? [`${literal(k)}: ${c.type}`] : [];
  });
  return typed.length > 0 ? `, hive_types = {${typed.join(', ')}}` : '';
}

/** sql/_shims/duckdb.sql, under PIPELINE_SQL_DIR when set (Lambda bundles: /var/task/sql). */
export const DEFAULT_SHIMS_FILE = process.env.PIPELINE_SQL_DIR
  ? path.join(process.env.PIPELINE_SQL_DIR, '_shims', 'duckdb.sql')
  : fileURLToPath(new URL('../../../sql/_shims/duckdb.sql', import.meta.url));

export interface DuckDbEngineOptions {
  /** Lake root directory: models are written to <lakeRoot>/models/<layer>/<name>.parquet. */
  lakeRoot: string;
  /** Scratch directory (DuckDB spill files). */
  workDir?: string;
  /** DuckDB settings (path, memory limit, threads). */
  duckdb?: Omit<DuckDbOptions, 'tempDirectory'>;
  /** Typed columns for sources that may have no files yet (default: SOURCE_COLUMNS). */
  sourceColumns?: Readonly<Record<string, readonly SourceColumn[]>>;
  /** Shim macros (default: sql/_shims/duckdb.sql). */
  shimsFile?: string;
  /** Write each materialised model to Parquet (default true). */
  writeParquet?: boolean;
  /**
   * Models materialised at once, each on its own connection (runModels; default MODEL_LANES). 1: every
   * model on the engine's one connection, one after the other.
   */
  concurrency?: number;
}

/**
 * Models materialised at once by default. A model's statements are most of its time on small tables
 * (binding, opening Parquet footers, writing and renaming its file) and leave DuckDB's threads idle;
 * two models at once fill them (bench/history.md, change 56).
 */
export const MODEL_LANES = 2;

/** A model, optionally with its grain (the materialised Parquet is sorted by it). */
export type MaterializableModel = ModelDef & { grain?: string[] };

/** Statements of a shim file, split on ';' at line ends (the file holds CREATE MACRO statements only). */
export function splitStatements(sqlText: string): string[] {
  return sqlText
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Run on every connection of the engine: Trino's integer division (the shims' macros are the database's). */
const SESSION_SETTINGS = 'SET integer_division = true';

/**
 * Connections that write an incremental model's partitions at once, from this many partitions on
 * (materializePartitions): a full refresh writes int_dossiers_classified's 84 months of receipt in
 * 1.2 s instead of 1.9 s at 1 M dossiers, 0.3 s instead of 0.5–0.8 s at 100 k (bench/history.md, change 62).
 */
const PARTITION_LANES = 2;
const PARTITION_LANES_FROM = 8;

export class DuckDbEngine implements QueryEngine {
  readonly name = 'duckdb' as const;
  /** One machine, memory_limit: row tests batched, uniqueness tests of incremental models a batch of partitions at a time (runModelTests). */
  readonly memoryBound = true;

  /** Incremental models keep their partitions between runs only when models are written. */
  get incremental(): boolean {
    return this.options.writeParquet !== false;
  }

  /** Models runModels materialises at once (each on a connection of its own: a lane). */
  readonly concurrency: number;
  /** The lanes free now, and the callers waiting for one. */
  private readonly idle: DuckDb[];
  private readonly waiting: ((lane: DuckDb) => void)[] = [];

  private constructor(
    private readonly db: DuckDb,
    private readonly options: DuckDbEngineOptions,
    /** The connections models run on when several run at once (none: all on `db`). */
    private readonly lanes: readonly DuckDb[],
  ) {
    this.concurrency = Math.max(1, lanes.length);
    this.idle = [...lanes];
  }

  static async create(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const db = await DuckDb.open({ ...options.duckdb, ...(options.workDir ? { tempDirectory: path.join(options.workDir, 'duckdb-tmp') } : {}) });
    const lanes: DuckDb[] = [];
    try {
      await db.run(SESSION_SETTINGS);
      const shims = await readFile(options.shimsFile ?? DEFAULT_SHIMS_FILE, 'utf8');
      for (const stmt of splitStatements(shims)) await db.run(stmt);
      const concurrency = Math.max(1, Math.floor(options.concurrency ?? MODEL_LANES));
      for (let k = 0; concurrency > 1 && k < concurrency; k++) {
        lanes.push(await db.connect());
        await lanes[k]!.run(SESSION_SETTINGS);
      }
      return new DuckDbEngine(db, options, lanes);
    } catch (cause) {
      for (const lane of lanes) lane.close();
      db.close();
      throw createError('duckdb-engine', `Failed to open the DuckDB engine: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Make `name` readable: a view over the Parquet files at `location` (a file, a glob, or a directory
   * read recursively), with Hive partition columns and columns unioned by name. When there are no
   * files, an empty table typed from `sourceColumns` stands in.
   */
  async registerSource(name: string, location: string, options: { hivePartitioning?: boolean } = {}): Promise<void> {
    const rel = ident(name);
    const pattern = /\.parquet$|[*?[]/.test(location) ? location : `${location.replace(/\/+$/, '')}/**/*.parquet`;
    const first = (await this.db.all(`SELECT file FROM glob(${literal(pattern)}) ORDER BY file LIMIT 1`))[0]?.file;
    await this.db.dropRelation(name);
    const known = this.options.sourceColumns ?? SOURCE_COLUMNS;
    // A lake table read under an as-of view (landed_<dataset>, quarantine) is typed as its source.
    const columns = known[name] ?? known[sourceOfLakeTable(name) ?? ''] ?? LEDGER_COLUMNS[name] ?? LEDGER_COLUMNS[LEDGER_TABLES[name]?.ledger ?? ''];
    if (first !== undefined) {
      const hive = options.hivePartitioning ?? true;
      const scan = `read_parquet(${literal(pattern)}, hive_partitioning = ${hive}, union_by_name = true${hive ? hiveTypes(String(first), columns) : ''})`;
      // Files written before a column was added to the source lack it: it reads as a typed NULL.
      const present = new Set((await this.db.all(`DESCRIBE SELECT * FROM ${scan}`)).map((r) => String(r.column_name)));
      const missing = (columns ?? []).filter((c) => !present.has(c.name));
      const extra = missing.map((c) => `, CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join('');
      await this.db.run(`CREATE VIEW ${rel} AS SELECT *${extra} FROM ${scan}`);
      return;
    }
    if (!columns) throw createError('duckdb-engine', `Failed to register source ${name}: no Parquet files at ${location} and no column list to stand in`);
    await this.db.run(`CREATE TABLE ${rel} (${columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ')})`);
  }

  /**
   * Run `fn` on a lane: the engine's connection when models run one at a time, else a free lane (or
   * the first one freed), so the engine's other callers (the planner's sources) and the other lanes
   * are not held up by it. Models on different lanes share the database: the tables and views a
   * model creates are its readers' whichever lane they run on.
   */
  private async onLane<T>(fn: (db: DuckDb) => Promise<T>): Promise<T> {
    if (this.lanes.length === 0) return fn(this.db);
    const lane = this.idle.pop() ?? (await new Promise<DuckDb>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(lane);
    } finally {
      const next = this.waiting.shift();
      if (next) next(lane);
      else this.idle.push(lane);
    }
  }

  materialize(model: MaterializableModel, options: MaterializeOptions = {}): Promise<MaterializeResult> {
    return this.onLane((db) => this.materializeOn(db, model, options));
  }

  private async materializeOn(db: DuckDb, model: MaterializableModel, options: MaterializeOptions): Promise<MaterializeResult> {
    const rel = ident(model.name);
    const file = path.join(this.options.lakeRoot, 'models', model.layer, `${model.name}.parquet`);
    if (model.materialized === 'view') {
      await db.dropRelation(model.name);
      await db.run(`CREATE VIEW ${rel} AS\n${model.sql}`);
      if (this.options.writeParquet !== false) await rm(file, { force: true });
      return { model: model.name, location: `duckdb:${model.name}` };
    }
    if (model.materialized === 'incremental' && this.options.writeParquet !== false) {
      await this.materializePartitions(db, model, options.partitions);
    } else {
      await db.dropRelation(model.name);
      await db.run(`CREATE TABLE ${rel} AS\n${model.sql}`);
    }
    if (model.persist === false && this.options.writeParquet !== false) {
      // A file left by a run from before the model stopped being persisted would look current.
      await rm(file, { force: true });
      // An incremental step is a view of the run's partitions (materializePartitions): counting would compute it.
      if (model.materialized === 'incremental') return { model: model.name, location: `duckdb:${model.name}` };
      return { model: model.name, rows: await db.scalarNumber(`SELECT count(*) FROM ${rel}`), location: `duckdb:${model.name}` };
    }
    const rows = await db.scalarNumber(`SELECT count(*) FROM ${rel}`);
    if (this.options.writeParquet === false) return { model: model.name, rows, location: `duckdb:${model.name}` };
    if (model.materialized === 'incremental' && model.layer !== 'marts') {
      // Its year partitions are its files: readers outside the run (range.ts) read the directory. A
      // whole-history copy, sorted, would cost O(history) every month (bench/history.md, change 24);
      // a mart keeps it (the dashboards and exports read models/marts/<name>.parquet).
      await rm(file, { force: true });
      return { model: model.name, rows, location: path.join(this.options.lakeRoot, 'models', model.layer, model.name) };
    }
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    const order = model.grain && model.grain.length > 0 ? model.grain.map(ident).join(', ') : 'ALL';
    try {
      await db.run(`COPY (SELECT * FROM ${rel} ORDER BY ${order}) TO ${literal(tmp)} (${PARQUET_OPTIONS})`);
      await rename(tmp, file);
    } catch (cause) {
      await rm(tmp, { force: true });
      throw createError('duckdb-engine', `Failed to write model ${model.name} to ${file}: ${(cause as Error).message}`, { cause });
    }
    return { model: model.name, rows, location: file };
  }

  /**
   * A `table` model whose inputs did not change: the run's relation is a view of its Parquet file with
   * the types of the model's SELECT (DESCRIBE binds the query without running it), the file is not
   * touched (a view, not a table read back: the kept models are small and read by few, and copying
   * them cost a 1 M month's transform 0.03–0.06 s; bench/history.md, change 109). Undefined (rebuild)
   * when there is no file, the model is not a persisted table, or the file does not hold the SELECT's
   * columns.
   */
  reuse(model: MaterializableModel): Promise<MaterializeResult | undefined> {
    return this.onLane((db) => this.reuseOn(db, model));
  }

  private async reuseOn(db: DuckDb, model: MaterializableModel): Promise<MaterializeResult | undefined> {
    if ((model.materialized ?? 'table') !== 'table' || model.persist === false || this.options.writeParquet === false) return undefined;
    const file = path.join(this.options.lakeRoot, 'models', model.layer, `${model.name}.parquet`);
    if (!(await stat(file).then((s) => s.isFile(), () => false))) return undefined;
    const rel = ident(model.name);
    try {
      const types = await db.all(`DESCRIBE SELECT * FROM (\n${model.sql}\n) AS model`);
      const present = (await db.all(`DESCRIBE SELECT * FROM read_parquet(${literal(file)})`)).map((r) => String(r.column_name));
      const names = types.map((t) => String(t.column_name));
      if (names.join('\n') !== present.join('\n')) return undefined;
      const select = types.map((t) => `CAST(${ident(String(t.column_name))} AS ${String(t.column_type)}) AS ${ident(String(t.column_name))}`).join(', ');
      await db.dropRelation(model.name);
      await db.run(`CREATE VIEW ${rel} AS SELECT ${select} FROM read_parquet(${literal(file)})`);
    } catch {
      await db.dropRelation(model.name);
      return undefined;
    }
    return { model: model.name, rows: await db.scalarNumber(`SELECT count(*) FROM ${rel}`), location: file, skipped: true };
  }

  /**
   * An incremental model (insert_overwrite by its one partition column): the rows of the selected
   * partitions are computed (all of them on a full refresh), each partition is written to
   * models/<layer>/<name>/<column>=<value>/data.parquet (sorted by the grain, temporary name, rename),
   * partitions left without rows are removed, and the run's relation becomes a view over every partition
   * with the types the model's SELECT gives — the same rows whichever partitions this run rebuilt,
   * so the models downstream and the single-file output (written by materialize as for a table)
   * are byte-identical to a full rebuild. A step with `persist: false` is a view of the selected
   * partitions, computed as its readers (incremental on the same column) read it. With report periods
   * (PartitionSelection.periods), a narrowed year recomputes only those periods: a step's view holds
   * them alone, and a persisted model adds the year's other rows from its current file (keepPeriods).
   */
  private async materializePartitions(db: DuckDb, model: MaterializableModel, selection: PartitionSelection | undefined): Promise<void> {
    const rel = ident(model.name);
    const column = model.partitionBy?.[0];
    if (!column) throw createError('duckdb-engine', `Failed to materialise ${model.name}: an incremental model needs partition_by`);
    const col = ident(column);
    const fresh = ident(`${model.name}__fresh`);
    // The same rows stated on other columns too (PartitionSelection.within and .prune): filters DuckDB
    // can take to the files (a month's run reads its month of landed dossiers; bench/history.md, change 71).
    const also = sameRowsOn(selection)
      .map((p) => ` AND model.${ident(p.column)} IN (${p.values.map(intLiteral).join(', ')})`)
      .join('');
    const narrowed = narrowedPeriods(model, selection);
    const filter =
      selection === undefined
        ? ''
        : selection.values.length === 0
          ? '\nWHERE false'
          : `\nWHERE model.${col} IN (${selection.values.map(intLiteral).join(', ')})${also}${narrowed ? ` AND (${narrowed.rebuilt('model.')})` : ''}`;
    const dir = path.join(this.options.lakeRoot, 'models', model.layer, model.name);
    await db.dropRelation(model.name);
    if (model.persist === false) {
      // A view of the selected partitions, not a table: its one reader (an incremental model on the
      // same column, the loader checks) aggregates it as it streams, with the partition filter pushed
      // into the view's joins. A table held every row at once: int_dossiers_attributed is ~4,3 rows
      // per dossier, 215 M at 50 M dossiers, whose spill filled the disk (bench/history.md, change 23).
      await db.run(`CREATE VIEW ${rel} AS\nSELECT * FROM (\n${model.sql}\n) AS model${filter}`);
      return;
    }
    await db.run(`CREATE OR REPLACE TABLE ${fresh} AS\nSELECT * FROM (\n${model.sql}\n) AS model${filter}`);
    if (narrowed) await keepPeriods(db, model.name, fresh, dir, narrowed);
    const nulls = await db.scalarNumber(`SELECT count(*) FROM ${fresh} WHERE ${col} IS NULL`);
    if (nulls > 0) throw createError('duckdb-engine', `Failed to materialise ${model.name}: ${nulls} row(s) have no ${column} (its partition column)`);
    const present = (await db.all(`SELECT DISTINCT ${col} AS v FROM ${fresh} ORDER BY 1`)).map((r) => Number(r.v));
    const existing = await partitionValues(dir, column);
    // A writer killed mid-COPY leaves its temporary file (the lake lock makes this run the only writer).
    for (const part of await readdir(dir).catch(() => [] as string[])) {
      for (const f of await readdir(path.join(dir, part)).catch(() => [] as string[])) {
        if (/^data\.parquet\.tmp-\d+$/.test(f)) await rm(path.join(dir, part, f), { force: true });
      }
    }
    // A full refresh replaces every partition; an incremental run only the selected ones.
    const replaced = selection === undefined ? [...new Set([...present, ...existing])] : selection.values;
    const order = model.grain && model.grain.length > 0 ? model.grain.map(ident).join(', ') : 'ALL';
    const writes: number[] = [];
    for (const v of replaced.sort((a, b) => a - b)) {
      if (present.includes(v)) writes.push(v);
      else await rm(path.join(dir, `${column}=${v}`), { recursive: true, force: true });
    }
    // Each partition is one COPY, most of whose cost is fixed at a province's size: many of them (a
    // full refresh of a model by month of receipt: 84 over seven years) are written on PARTITION_LANES
    // connections at once (the same statements: the same bytes), each still one file published by one rename.
    const lanes = writes.length >= PARTITION_LANES_FROM ? PARTITION_LANES : 1;
    await db.onConnections(lanes, async (conn, k) => {
      for (let i = k; i < writes.length; i += lanes) {
        const v = writes[i]!;
        const partDir = path.join(dir, `${column}=${v}`);
        await mkdir(partDir, { recursive: true });
        const target = path.join(partDir, 'data.parquet');
        const tmp = `${target}.tmp-${process.pid}`;
        try {
          await conn.run(`COPY (SELECT * FROM ${fresh} WHERE ${col} = ${intLiteral(v)} ORDER BY ${order}) TO ${literal(tmp)} (${PARQUET_OPTIONS})`);
          await rename(tmp, target);
        } catch (cause) {
          await rm(tmp, { force: true });
          throw createError('duckdb-engine', `Failed to write partition ${column}=${v} of ${model.name}: ${(cause as Error).message}`, { cause });
        }
      }
    });
    if (selection === undefined) {
      // A full refresh leaves nothing else in the model's directory: a layout of another partition
      // column (year=… before receipt_month=…) would still be read by the readers of the directory (range.ts).
      const kept = new Set(present.map((v) => `${column}=${v}`));
      for (const e of await readdir(dir).catch(() => [] as string[])) if (!kept.has(e)) await rm(path.join(dir, e), { recursive: true, force: true });
    }
    const files = (await partitionValues(dir, column)).map((v) => path.join(dir, `${column}=${v}`, 'data.parquet'));
    const types = await db.all(`DESCRIBE ${fresh}`);
    const select = types.map((t) => `CAST(${ident(String(t.column_name))} AS ${String(t.column_type)}) AS ${ident(String(t.column_name))}`).join(', ');
    if (files.length === 0) {
      await db.run(`CREATE TABLE ${rel} AS SELECT ${select} FROM ${fresh} WHERE false; DROP TABLE ${fresh}`);
      return;
    }
    // A view over the partitions, not a table read back: its readers take the columns they need
    // straight from the Parquet, and a monthly run does not copy the whole history into memory
    // (bench/history.md, change 31).
    await db.run(`CREATE VIEW ${rel} AS SELECT ${select} FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false); DROP TABLE ${fresh}`);
  }

  /** On a lane, as a model: the tests of several models run at once (runModelTests). */
  query(sql: string, params: Record<string, string | number | boolean | null> = {}): Promise<Row[]> {
    return this.onLane((db) => db.all(sql, params as Params));
  }

  async close(): Promise<void> {
    try {
      for (const lane of this.lanes) lane.close();
    } finally {
      this.db.close();
    }
  }

  // ---- snapshots -------------------------------------------------------------------------------

  async createView(name: string, sql: string): Promise<void> {
    // A source with no files yet is an empty table of the same name (registerSource).
    await this.db.dropRelation(name);
    await this.db.run(`CREATE VIEW ${ident(name)} AS\n${sql}`);
  }

  async columns(relation: string): Promise<string[]> {
    return (await this.db.all(`DESCRIBE SELECT * FROM ${ident(relation)}`)).map((r) => String(r.column_name));
  }

  /**
   * COPY the SELECT, sorted, to a scratch Parquet file with the models' write options, on one thread
   * (the same rows always give the same bytes), and hand back its bytes. The rows are written twice,
   * the second time as read back from the first file: a column DuckDB holds in a type Parquet lacks
   * (a HUGEINT sum) is then stored exactly as a model's Parquet file, and a snapshot cut from it,
   * always stored it (with its statistics), so snapshots keep their bytes.
   */
  async exportParquet(select: string, options: ExportOptions): Promise<ExportedParquet> {
    if (!/^[a-z0-9_]+$/.test(options.name)) throw createError('duckdb-engine', `Failed to export ${options.name}: expected [a-z0-9_]+`);
    const dir = path.join(this.options.workDir ?? os.tmpdir(), 'exports');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${options.name}-${process.pid}.parquet`);
    const first = path.join(dir, `${options.name}-${process.pid}.rows.parquet`);
    const order = options.orderBy && options.orderBy.length > 0 ? options.orderBy.map(ident).join(', ') : 'ALL';
    const threads = String((await this.db.all("SELECT current_setting('threads') AS t"))[0]?.t ?? '1');
    try {
      await this.db.run('SET threads = 1');
      await this.db.run(`COPY (SELECT * FROM (\n${select}\n) AS export ORDER BY ${order}) TO ${literal(first)} (${PARQUET_OPTIONS})`);
      await this.db.run(`COPY (SELECT * FROM read_parquet(${literal(first)})) TO ${literal(file)} (${PARQUET_OPTIONS})`);
      const rows = await this.db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(file)})`);
      return { body: await readFile(file), rows };
    } catch (cause) {
      throw createError('duckdb-engine', `Failed to export ${options.name}: ${(cause as Error).message}`, { cause });
    } finally {
      await this.db.run(`SET threads = ${Number(threads) || 1}`);
      await rm(file, { force: true });
      await rm(first, { force: true });
    }
  }
}

function intLiteral(v: number): string {
  if (!Number.isSafeInteger(v)) throw createError('duckdb-engine', `Failed to use partition value ${v}: not an integer`);
  return String(v);
}

/**
 * A selection's report periods (PartitionSelection.periods) for a model partitioned by year: the
 * condition on the model's rows that are recomputed (the whole years not narrowed, and the listed
 * periods of the narrowed ones), and on the rows a narrowed year's file keeps.
 */
interface NarrowedPeriods {
  years: number[];
  rebuilt: (prefix: string) => string;
  kept: string;
}

function narrowedPeriods(model: MaterializableModel, selection: PartitionSelection | undefined): NarrowedPeriods | undefined {
  const p = selection?.periods;
  if (!selection || !p || p.years.length === 0 || selection.values.length === 0) return undefined;
  if (selection.column !== 'year' || p.years.some((y) => !selection.values.includes(y)) || p.keys.some((k) => !p.years.includes(k.year))) {
    throw createError('duckdb-engine', `Failed to materialise ${model.name}: its report periods name years outside the selected years (${selection.column} ${selection.values.join(', ')})`);
  }
  const keys = (prefix: string): string =>
    p.keys.length === 0
      ? 'false'
      : p.keys.map((k) => `(${prefix}"period_type" = ${literal(k.period_type)} AND ${prefix}"year" = ${intLiteral(k.year)} AND ${prefix}"period_no" = ${intLiteral(k.period_no)})`).join(' OR ');
  const whole = selection.values.filter((y) => !p.years.includes(y));
  return {
    years: [...p.years].sort((a, b) => a - b),
    rebuilt: (prefix) => (whole.length > 0 ? `${prefix}"year" IN (${whole.map(intLiteral).join(', ')}) OR ${keys(prefix)}` : keys(prefix)),
    kept: `NOT (${keys('')})`,
  };
}

/**
 * The rows of a narrowed year's periods that are not recomputed, added to `fresh` from the year's
 * current file: the partition is then written whole again, the same rows as a rebuild of the year.
 * The file must be there (the state says the year was built): a lake that lost it needs --full-refresh.
 */
async function keepPeriods(db: DuckDb, name: string, fresh: string, dir: string, narrowed: NarrowedPeriods): Promise<void> {
  const files: string[] = [];
  for (const y of narrowed.years) {
    const file = path.join(dir, `year=${y}`, 'data.parquet');
    if (!(await stat(file).catch(() => undefined))) {
      throw createError('duckdb-engine', `Failed to materialise ${name}: the periods of ${y} it does not rebuild are kept from ${file}, which is missing; run the transform with --full-refresh`);
    }
    files.push(file);
  }
  const from = `read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false)`;
  const names = async (rel: string): Promise<string> => (await db.all(`DESCRIBE ${rel}`)).map((r) => String(r.column_name)).join(', ');
  const now = await names(fresh);
  const kept = await names(`SELECT * FROM ${from}`);
  if (now !== kept) throw createError('duckdb-engine', `Failed to materialise ${name}: its partition files have the columns (${kept}), the model now (${now}); run the transform with --full-refresh`);
  await db.run(`INSERT INTO ${fresh} SELECT * FROM ${from} WHERE ${narrowed.kept}`);
}

/** Values of the <column>=<value>/data.parquet partitions under dir, ascending. */
async function partitionValues(dir: string, column: string): Promise<number[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const out: number[] = [];
  for (const e of entries) {
    const m = new RegExp(`^${column}=(-?\\d+)$`).exec(e);
    if (m && (await readdir(path.join(dir, e)).catch(() => [] as string[])).includes('data.parquet')) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}
