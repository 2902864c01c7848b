/**
 * One query-engine interface: DuckDB (embedded default) and Athena (AWS). The sql/ models are plain
 * SELECTs; each engine wraps them (DuckDB: CREATE TABLE + COPY to Parquet; Athena: CTAS/INSERT).
 */
export type Row = Record<string, unknown>;

export interface ModelDef {
  /** e.g. 'stg_lake__dossiers', 'agency_months' */
  name: string;
  layer: 'staging' | 'intermediate' | 'marts' | 'seeds';
  /** The SELECT text as it stands in sql/ (no trailing semicolon). */
  sql: string;
  /** Models this one reads, by name. */
  dependsOn: string[];
  /** Partition columns (must be the SELECT's last columns), if any. */
  partitionBy?: string[];
  /**
   * false: a step of the run that nothing reads afterwards (YAML `config.persist`). The embedded
   * engine keeps it as a table for the run only (an incremental step: a view of the run's
   * partitions) and writes no Parquet; Athena, whose tables are its files, still writes it. Default true.
   */
  persist?: boolean;
  /** Path of the file it came from, relative to the repo. */
  file: string;
  /**
   * YAML `config.materialized` (dbt's names): `table` (default: rebuilt whole every run), `view`
   * (a view, nothing written; not for marts) or `incremental` (`partition_by` holds its one integer
   * partition column; a run rebuilds only the partitions it is given: insert_overwrite).
   */
  materialized?: 'view' | 'table' | 'incremental';
}

/**
 * The partitions an incremental run rebuilds: every row of the model whose `column` is one of
 * `values` is recomputed and those partitions are replaced whole; the others stay as they are.
 */
export interface PartitionSelection {
  column: string;
  /** Sorted, distinct; empty = nothing to rebuild (the model is only re-read). */
  values: number[];
  /**
   * The same rows stated on a coarser column the model also has (the years of the months of
   * receipt): the engines add it to the rebuild's filter, so an input partitioned by that column is
   * pruned whether or not the engine sees through the model's expression for `column`.
   */
  within?: { column: string; values: number[] };
  /**
   * Filters on finer columns that select no fewer rows (the months of the months of receipt), on
   * columns the model declares (its YAML), which the engines add to prune its input files: DuckDB prunes files
   * by a filter on one partition column, not by `year * 100 + month`; on Athena, the landed dossiers'
   * projected `month` prunes them whatever Athena makes of the expression. Both engines add them.
   */
  prune?: { column: string; values: number[] }[];
  /**
   * Report periods (docs/architecture.md, "Incremental models"): in each year of `years` (some of
   * `values`, a selection on `year`), only the rows of the periods `keys` are recomputed, and the
   * partition's other rows are kept as its current file holds them; `keys` also names the periods
   * that no longer exist (their rows are dropped). The other years of `values` are recomputed whole.
   * Given to the models whose YAML says `incremental_scope: period` (their grain holds the period
   * key). An engine may ignore it and recompute the whole partitions (Athena does): the same rows.
   */
  periods?: { years: number[]; keys: PeriodKey[] };
}

/** A report period of int_periods_reported, by its key. */
export interface PeriodKey {
  period_type: string;
  year: number;
  period_no: number;
}

/** A selection's `within` and `prune` filters, each engine adds to the rebuild's (none when nothing is rebuilt). */
export function sameRowsOn(sel: PartitionSelection | undefined): { column: string; values: number[] }[] {
  if (!sel || sel.values.length === 0) return [];
  return [...(sel.within ? [sel.within] : []), ...(sel.prune ?? [])].filter((p) => p.values.length > 0);
}

export interface MaterializeOptions {
  /** Incremental models only: rebuild just these partitions (absent = every partition, a full refresh). */
  partitions?: PartitionSelection;
}

export interface MaterializeResult {
  model: string;
  /**
   * Rows written. Absent for a view and for a run-only step (`persist: false`): nothing is written, and
   * counting would compute the whole query once more only to log a number (int_dossiers_attributed's
   * join: 1 s of a 10 M month, bench/history.md, change 42).
   */
  rows?: number;
  /** Where the model's data now lives (Parquet file/prefix). */
  location: string;
  /** True when the run kept the output of an earlier run (QueryEngine.reuse): nothing was rebuilt. */
  skipped?: boolean;
}

export interface QueryEngine {
  readonly name: 'duckdb' | 'athena';
  /** Make `name` readable by models: a raw/landed dataset at a storage location. */
  registerSource(name: string, location: string, options?: { hivePartitioning?: boolean }): Promise<void>;
  materialize(model: ModelDef, options?: MaterializeOptions): Promise<MaterializeResult>;
  /**
   * A `table` model none of whose inputs changed since the run that wrote it (an incremental run,
   * docs/architecture.md "Incremental models"): make the output that run left readable as `name`
   * without rebuilding or rewriting it, or return undefined when there is none (then it is rebuilt).
   */
  reuse?(model: ModelDef): Promise<MaterializeResult | undefined>;
  /** True when the engine keeps incremental models' partitions between runs (false: every run is full). */
  readonly incremental?: boolean;
  /**
   * True when a query runs on one machine within a fixed memory limit (the embedded engine): a
   * model's row tests are counted in one pass, and a uniqueness test of an incremental model that may
   * be scoped to partitions checks a few partitions at a time, within UNIQUE_ROWS_PER_QUERY rows
   * (runModelTests), so its GROUP BY never holds the whole history of a large lake.
   */
  readonly memoryBound?: boolean;
  /**
   * Models runModels materialises at once (default 1). Each `materialize`/`reuse` call is then one of
   * several in flight, for models none of which reads another.
   */
  readonly concurrency?: number;
  /** Read-only query with $name-bound values. */
  query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<Row[]>;
  close(): Promise<void>;

  // ---- snapshots (functions/core/transform/asof.ts) ---------------------------------------------
  /** Define (or redefine) `name` as a view of one SELECT: the as-of views a snapshot's models read. */
  createView(name: string, sql: string): Promise<void>;
  /** Column names of a relation (a model, a source or a view), in order. */
  columns(relation: string): Promise<string[]>;
  /**
   * The rows of one SELECT as one Parquet object (a snapshot file), ordered by `orderBy` where the
   * engine can keep an order (DuckDB: the file's row order; default: every column).
   */
  exportParquet(select: string, options: ExportOptions): Promise<ExportedParquet>;
}

export interface ExportOptions {
  /** A name for the export ([a-z0-9_]): its scratch table or file. */
  name: string;
  /** Columns of the SELECT, in order. */
  columns: readonly string[];
  /** Row order of the file (the model's grain); empty: every column. */
  orderBy?: readonly string[];
  /**
   * The columns' types as the model's YAML declares them (DuckDB names): an engine that writes no file for a
   * SELECT of no row (Athena) exports such a result as an empty Parquet file of these types.
   */
  types?: Readonly<Record<string, string>>;
}

export interface ExportedParquet {
  body: Buffer;
  rows: number;
}
