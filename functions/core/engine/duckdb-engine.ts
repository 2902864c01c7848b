/**
 * QueryEngine on embedded DuckDB (the local default and the tests). Opens DuckDB with Trino's
 * integer division and the shims of sql/_shims/duckdb.sql, so the portable sql/ models mean the same
 * here as on Athena. Sources are views over Hive-partitioned Parquet; a model is materialised as a
 * table and copied to <lakeRoot>/models/<layer>/<name>.parquet (sorted by its grain, fixed row-group
 * size, written to a temporary name and renamed), so reruns give byte-identical files. A model with
 * `persist: false` stays a table of the run and is not written.
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createError } from '../errors.js';
import { DuckDb, ident, literal, type DuckDbOptions, type Params } from './duckdb.js';
import type { ExportedParquet, ExportOptions, MaterializeResult, ModelDef, QueryEngine, Row } from './types.js';
import { SOURCE_COLUMNS, sourceOfLakeTable, type SourceColumn } from '../transform/sources.js';

/** sql/_shims/duckdb.sql, under PIPELINE_SQL_DIR when set (Lambda bundles: /var/task/sql). */
export const DEFAULT_SHIMS_FILE = process.env.PIPELINE_SQL_DIR
  ? path.join(process.env.PIPELINE_SQL_DIR, '_shims', 'duckdb.sql')
  : fileURLToPath(new URL('../../../sql/_shims/duckdb.sql', import.meta.url));
export const MODEL_PARQUET_OPTIONS = 'FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 122880';

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
}

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

export class DuckDbEngine implements QueryEngine {
  readonly name = 'duckdb' as const;

  private constructor(
    private readonly db: DuckDb,
    private readonly options: DuckDbEngineOptions,
  ) {}

  static async create(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const db = await DuckDb.open({ ...options.duckdb, ...(options.workDir ? { tempDirectory: path.join(options.workDir, 'duckdb-tmp') } : {}) });
    try {
      await db.run('SET integer_division = true');
      const shims = await readFile(options.shimsFile ?? DEFAULT_SHIMS_FILE, 'utf8');
      for (const stmt of splitStatements(shims)) await db.run(stmt);
      return new DuckDbEngine(db, options);
    } catch (cause) {
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
    const files = await this.db.scalarNumber(`SELECT count(*) FROM glob(${literal(pattern)})`);
    await this.db.run(`DROP VIEW IF EXISTS ${rel}; DROP TABLE IF EXISTS ${rel}`);
    const known = this.options.sourceColumns ?? SOURCE_COLUMNS;
    // A lake table read under an as-of view (landed_<dataset>, quarantine) is typed as its source.
    const columns = known[name] ?? known[sourceOfLakeTable(name) ?? ''];
    if (files > 0) {
      const hive = options.hivePartitioning ?? true;
      const scan = `read_parquet(${literal(pattern)}, hive_partitioning = ${hive}, union_by_name = true)`;
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

  async materialize(model: MaterializableModel): Promise<MaterializeResult> {
    const rel = ident(model.name);
    await this.db.run(`CREATE OR REPLACE TABLE ${rel} AS\n${model.sql}`);
    const rows = await this.db.scalarNumber(`SELECT count(*) FROM ${rel}`);
    const file = path.join(this.options.lakeRoot, 'models', model.layer, `${model.name}.parquet`);
    if (this.options.writeParquet === false) return { model: model.name, rows, location: `duckdb:${model.name}` };
    if (model.persist === false) {
      // A file left by a run from before the model stopped being persisted would look current.
      await rm(file, { force: true });
      return { model: model.name, rows, location: `duckdb:${model.name}` };
    }
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    const order = model.grain && model.grain.length > 0 ? model.grain.map(ident).join(', ') : 'ALL';
    try {
      await this.db.run(`COPY (SELECT * FROM ${rel} ORDER BY ${order}) TO ${literal(tmp)} (${MODEL_PARQUET_OPTIONS})`);
      await rename(tmp, file);
    } catch (cause) {
      await rm(tmp, { force: true });
      throw createError('duckdb-engine', `Failed to write model ${model.name} to ${file}: ${(cause as Error).message}`, { cause });
    }
    return { model: model.name, rows, location: file };
  }

  async query(sql: string, params: Record<string, string | number | boolean | null> = {}): Promise<Row[]> {
    return this.db.all(sql, params as Params);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  // ---- snapshots -------------------------------------------------------------------------------

  async createView(name: string, sql: string): Promise<void> {
    const rel = ident(name);
    // A source with no files yet is an empty table of the same name (registerSource); DuckDB refuses
    // DROP VIEW IF EXISTS on a table (and the reverse), so drop what is there by its kind.
    const [existing] = await this.db.all('SELECT table_type FROM information_schema.tables WHERE table_name = $name', { name });
    if (existing) await this.db.run(`DROP ${String(existing.table_type) === 'VIEW' ? 'VIEW' : 'TABLE'} ${rel}`);
    await this.db.run(`CREATE VIEW ${rel} AS\n${sql}`);
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
      await this.db.run(`COPY (SELECT * FROM (\n${select}\n) AS export ORDER BY ${order}) TO ${literal(first)} (${MODEL_PARQUET_OPTIONS})`);
      await this.db.run(`COPY (SELECT * FROM read_parquet(${literal(first)})) TO ${literal(file)} (${MODEL_PARQUET_OPTIONS})`);
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
