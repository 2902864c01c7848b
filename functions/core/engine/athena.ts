/**
 * The query engine on AWS: Athena (engine v3, Trino) over the S3 lake, with the Glue Data Catalog.
 *
 * materialize(model) writes every run to a fresh prefix and table, then switches the stable name:
 *
 *   1. CTAS  "<name>__<runId>"  at  <lake>/models/<layer>/<name>/run=<runId>/   (Parquet, partitioned)
 *      more than 100 partitions → CTAS the first ≤100, then INSERT INTO in batches of ≤100 partitions
 *   2. CREATE OR REPLACE VIEW "<name>" AS SELECT * FROM "<name>__<runId>"       (one catalog update)
 *   3. PUT  <lake>/models/<layer>/<name>/current.json  (which run the view reads; export-marts uses it)
 *   4. DROP the older "<name>__*" tables and delete their prefixes
 *
 * An incremental model (YAML `materialized: incremental`, partitioned by its report year) runs the
 * same way with only the years the run rebuilds in the CTAS, and the years it keeps added to the new
 * run table at their older prefixes (materializePartitioned; docs/architecture.md, "Incremental models").
 *
 * Sources are the Glue tables the CDK stack defines (infra/lib/query): `landed_<dataset>` over
 * <lake>/landed/<dataset>/ and `quarantine` over <quarantine bucket>/quarantine/ (Hive keys dataset=,
 * source=, year=, month=), each with partition projection; registerSource maps a lake location to
 * its table and names it for the models with a view.
 *
 * A failed run never touches the view, so readers keep seeing the previous run; its half-written
 * table and prefix are removed (and any leftover is collected by the next successful run).
 *
 * Values reach Athena only as ExecutionParameters; identifiers only from validated model names.
 * The API calls (start, poll, throttling retries, result pages) are in athena-client.ts; the names
 * shared with the CDK stack (Glue tables, the snapshot database, the model pointer) in catalog.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AthenaClient, AthenaClientConfig } from '@aws-sdk/client-athena';
import { createError } from '../errors.js';
import type { Storage } from '../storage/types.js';
import { AthenaStatements, type PollOptions, type StatementRecord } from './athena-client.js';
import { landedTableName, modelPointerKey, QUARANTINE_TABLE, type ModelPointer, type PartitionPointer } from './catalog.js';
import { sameRowsOn, type ExportedParquet, type ExportOptions, type MaterializeOptions, type MaterializeResult, type ModelDef, type PartitionSelection, type QueryEngine, type Row } from './types.js';

/** Athena's limit on partitions written by one CTAS or INSERT INTO. */
export const MAX_PARTITIONS_PER_QUERY = 100;

const NAME = /^[a-z_][a-z0-9_]*$/;
const RUN_ID = /^[a-z0-9_]{1,40}$/;

export interface AthenaEngineOptions {
  readonly workGroup: string;
  /** Glue database holding the landed tables, the run tables and the model views. */
  readonly database: string;
  /** The lake (an S3 storage): run prefixes are located and cleaned up through it. */
  readonly storage: Storage;
  readonly client?: AthenaClient;
  readonly clientConfig?: AthenaClientConfig;
  /** Suffix of this run's tables and prefixes ([a-z0-9_]). @default UTC timestamp + random */
  readonly runId?: string;
  readonly poll?: PollOptions;
  /** Injected for tests; defaults to setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (msg: string, data?: object) => void;
  /**
   * Where the landed tables live when they are not in `database` (a snapshot's engine works in its own
   * database and reads the lake's tables from the main one). @default database
   */
  readonly sourceDatabase?: string;
  /** Storage prefix of the models' run prefixes and pointers. @default 'models' */
  readonly modelsPrefix?: string;
  /** Models runModels materialises at once (QueryEngine.concurrency). @default 1 */
  readonly concurrency?: number;
}

type Param = string | number | boolean | null;

export class AthenaEngine implements QueryEngine {
  readonly name = 'athena' as const;
  /** Incremental models keep their partitions' prefixes between runs (materializePartitioned). */
  readonly incremental = true;
  /** Models runModels runs at once: each CTAS, view switch and pointer is its model's own. */
  readonly concurrency: number;
  readonly runId: string;
  /** Every statement this engine completed, in order (for logs and tests). */
  readonly statements: StatementRecord[];
  /** The Athena API: statements started, polled and read (athena-client.ts). */
  private readonly athena: AthenaStatements;
  private readonly log: (msg: string, data?: object) => void;

  constructor(private readonly options: AthenaEngineOptions) {
    if (!NAME.test(options.database)) throw createError('athena', `Failed to use database "${options.database}": expected [a-z_][a-z0-9_]*`);
    if (options.sourceDatabase !== undefined && !NAME.test(options.sourceDatabase)) {
      throw createError('athena', `Failed to use source database "${options.sourceDatabase}": expected [a-z_][a-z0-9_]*`);
    }
    if (options.modelsPrefix !== undefined && !/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(options.modelsPrefix)) {
      throw createError('athena', `Failed to use models prefix "${options.modelsPrefix}": expected key segments [a-z0-9_-] without a trailing '/'`);
    }
    if (!options.storage.root.startsWith('s3://')) {
      throw createError('athena', `Failed to use lake ${options.storage.root}: Athena needs an s3:// lake root`);
    }
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.runId = options.runId ?? defaultRunId();
    if (!RUN_ID.test(this.runId)) throw createError('athena', `Failed to use run id "${this.runId}": expected [a-z0-9_]{1,40}`);
    this.athena = new AthenaStatements({
      workGroup: options.workGroup,
      database: options.database,
      ...(options.client ? { client: options.client } : {}),
      ...(options.clientConfig ? { clientConfig: options.clientConfig } : {}),
      ...(options.poll ? { poll: options.poll } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.statements = this.athena.statements;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Make a lake source readable as `name`: a view over the Glue table the stack defines for its
   * location — <lake>/landed/<dataset> → `landed_<dataset>`, <lake or quarantine root>/quarantine →
   * `quarantine`. Nothing is created when the names already match.
   */
  async registerSource(name: string, location: string): Promise<void> {
    checkName(name, 'source');
    const table = this.sourceTable(location);
    if (!table) {
      throw createError(
        'athena',
        `Failed to register source ${name}: ${location} is not a landed dataset under ${this.options.storage.root}/landed/ nor the quarantine (Athena reads only the tables the stack defines)`,
      );
    }
    const sourceDb = this.options.sourceDatabase ?? this.options.database;
    if (table === name && sourceDb === this.options.database) return;
    await this.athena.execute(`CREATE OR REPLACE VIEW ${this.qualified(name)} AS SELECT * FROM "${sourceDb}"."${checkName(table, 'table')}"`);
  }

  /** The stack's Glue table for a source location, if it has one. */
  private sourceTable(location: string): string | undefined {
    const loc = location.replace(/\/+$/, '');
    const storage = this.options.storage;
    const root = storage.root.replace(/\/+$/, '');
    // quarantine/ may live in its own bucket (a RoutedStorage locates it there).
    const quarantineAt = storage.locate('quarantine/x').replace(/\/x$/, '');
    if (loc === `${root}/quarantine` || loc === quarantineAt) return QUARANTINE_TABLE;
    const m = loc.startsWith(`${root}/`) ? /^landed\/([a-z0-9_]+)$/.exec(loc.slice(root.length + 1)) : null;
    if (m) return landedTableName(m[1]!);
    // The ledger of superseded versions (read to plan incremental runs): landed_superseded_<dataset>.
    const ledger = loc.startsWith(`${root}/`) ? /^landed\/_superseded\/([a-z0-9_]+)$/.exec(loc.slice(root.length + 1)) : null;
    return ledger ? landedTableName(`superseded_${ledger[1]!}`) : undefined;
  }

  async materialize(model: ModelDef, options: MaterializeOptions = {}): Promise<MaterializeResult> {
    checkName(model.name, 'model');
    if (model.materialized === 'view') return this.materializeView(model);
    if (model.materialized === 'incremental') return this.materializePartitioned(model, options.partitions);
    const partitions = model.partitionBy ?? [];
    partitions.forEach((p) => checkName(p, `partition column of ${model.name}`));
    const runTable = `${model.name}__${this.runId}`;
    const prefixKey = this.modelsKey(`models/${model.layer}/${model.name}/run=${this.runId}`);
    const location = `${this.options.storage.locate(prefixKey)}/`;
    const select = model.sql.trim().replace(/;\s*$/, '');
    this.log('athena materialize', { model: model.name, table: runTable, location });
    let switched = false;
    try {
      const partitionCount = partitions.length === 0 ? 0 : await this.countPartitions(select, partitions);
      const withClause = [
        "format = 'PARQUET'",
        "write_compression = 'SNAPPY'",
        `external_location = ${s3Literal(location)}`,
        ...(partitions.length ? [`partitioned_by = ARRAY[${partitions.map((p) => `'${p}'`).join(', ')}]`] : []),
      ].join(', ');
      const ctas = `CREATE TABLE ${this.qualified(runTable)} WITH (${withClause}) AS`;
      if (partitionCount <= MAX_PARTITIONS_PER_QUERY) {
        await this.athena.execute(`${ctas}\n${select}`);
      } else {
        await this.athena.execute(`${ctas}\n${batchSelect(select, partitions)}`, ['1', String(MAX_PARTITIONS_PER_QUERY)]);
        for (let first = MAX_PARTITIONS_PER_QUERY + 1; first <= partitionCount; first += MAX_PARTITIONS_PER_QUERY) {
          const last = Math.min(first + MAX_PARTITIONS_PER_QUERY - 1, partitionCount);
          await this.athena.execute(`INSERT INTO ${this.qualified(runTable)}\n${batchSelect(select, partitions)}`, [String(first), String(last)]);
        }
      }
      const [countRow] = await this.athena.select(`SELECT count(*) AS row_count FROM ${this.qualified(runTable)}`);
      const rows = Number(countRow?.row_count ?? 0);
      await this.athena.execute(`CREATE OR REPLACE VIEW ${this.qualified(model.name)} AS SELECT * FROM ${this.qualified(runTable)}`);
      switched = true;
      const pointer: ModelPointer = { model: model.name, layer: model.layer, run_id: this.runId, table: runTable, prefix: `${prefixKey}/`, location, rows };
      await this.options.storage.put(this.modelsKey(modelPointerKey(model.layer, model.name)), `${JSON.stringify(pointer, null, 2)}\n`, { contentType: 'application/json' });
      await this.removeOldRuns(model);
      return { model: model.name, rows, location };
    } catch (cause) {
      // Once the view reads this run, its table and files must stay (the next run replaces them).
      if (!switched) {
        await this.dropRun(model, this.runId).catch((err: Error) =>
          this.log('athena cleanup of failed run failed', { model: model.name, runId: this.runId, error: err.message }),
        );
      }
      throw cause;
    }
  }

  /**
   * A `table` model whose inputs did not change: its view, run table and prefix stay as the run that
   * wrote them left them (no statement, nothing written); its rows and location come from the model
   * pointer. Undefined (rebuild) without a pointer of a whole-table run.
   */
  async reuse(model: ModelDef): Promise<MaterializeResult | undefined> {
    checkName(model.name, 'model');
    if ((model.materialized ?? 'table') !== 'table') return undefined;
    const previous = await this.readPointer(model);
    if (!previous || previous.layer !== model.layer || previous.partitions !== undefined) return undefined;
    return { model: model.name, rows: previous.rows, location: previous.location, skipped: true };
  }

  // ---------------------------------------------------------------------------------------------
  // Views and incremental models (docs/architecture.md, "Incremental models")

  /** `materialized: view`: a view, no table and no files. */
  private async materializeView(model: ModelDef): Promise<MaterializeResult> {
    await this.athena.execute(`CREATE OR REPLACE VIEW ${this.qualified(model.name)} AS\n${model.sql.trim().replace(/;\s*$/, '')}`);
    return { model: model.name, location: `athena:view:${model.name}` };
  }

  /**
   * `materialized: incremental` (insert_overwrite by one partition column), keeping the immutability
   * of table runs: this run's table "<name>__<runId>" gets the rebuilt partitions by CTAS into its
   * fresh prefix (every statement filters on the selected partition values), and the partitions
   * the run keeps are added to it where the previous run's table had them (ALTER TABLE … ADD
   * PARTITION … LOCATION, ≤100 per statement: no data copied); then the view switches as for a
   * table, and the older run tables are dropped with only the prefixes no partition still uses.
   * Without a selection, or without a previous partitioned run of the same column, every partition
   * is rebuilt.
   */
  private async materializePartitioned(model: ModelDef, selection: PartitionSelection | undefined): Promise<MaterializeResult> {
    const column = checkName(model.partitionBy?.[0] ?? '', `partition column of ${model.name}`);
    const runTable = `${model.name}__${this.runId}`;
    const prefixKey = this.modelsKey(`models/${model.layer}/${model.name}/run=${this.runId}`);
    const location = `${this.options.storage.locate(prefixKey)}/`;
    const select = model.sql.trim().replace(/;\s*$/, '');
    const previous = await this.readPointer(model);
    const sel = previous?.partition_column === column && previous.partitions ? selection : undefined;
    if (sel && previous && sel.values.length === 0) return { model: model.name, rows: previous.rows, location: previous.location };
    const values = sel?.values.map((v) => partitionValue(v)) ?? [];
    const filter = sel ? `\nWHERE model."${column}" IN (${values.join(', ')})` : '';
    this.log('athena materialize partitions', { model: model.name, table: runTable, location, partitions: sel?.values ?? 'all' });
    let switched = false;
    try {
      const columns = await this.columnsOf(`SELECT * FROM (\n${select}\n) AS model${filter}\nLIMIT 0`);
      if (!columns.includes(column)) throw createError('athena', `Failed to materialise ${model.name}: it has no column ${column} to partition by`);
      // Athena: partition columns last in a CTAS.
      // The same rows stated on other columns too (PartitionSelection.within and .prune): the landed
      // dossiers' projected `year` and `month` partitions prune them whatever Athena makes of `year * 100 + month`.
      const also = sameRowsOn(sel)
        .map((p) => ` AND model."${checkName(p.column, `partition column of ${model.name}`)}" IN (${p.values.map((v) => partitionValue(v)).join(', ')})`)
        .join('');
      const body = `SELECT ${[...columns.filter((c) => c !== column), column].map((c) => `model."${c}"`).join(', ')}\nFROM (\n${select}\n) AS model${filter}${also}`;
      const withClause = ["format = 'PARQUET'", "write_compression = 'SNAPPY'", `external_location = ${s3Literal(location)}`, `partitioned_by = ARRAY['${column}']`].join(', ');
      const ctas = `CREATE TABLE ${this.qualified(runTable)} WITH (${withClause}) AS`;
      const partitionCount = sel ? values.length : await this.countPartitions(body, [column]);
      if (partitionCount <= MAX_PARTITIONS_PER_QUERY) {
        await this.athena.execute(`${ctas}\n${body}`);
      } else {
        await this.athena.execute(`${ctas}\n${batchSelect(body, [column])}`, ['1', String(MAX_PARTITIONS_PER_QUERY)]);
        for (let first = MAX_PARTITIONS_PER_QUERY + 1; first <= partitionCount; first += MAX_PARTITIONS_PER_QUERY) {
          const last = Math.min(first + MAX_PARTITIONS_PER_QUERY - 1, partitionCount);
          await this.athena.execute(`INSERT INTO ${this.qualified(runTable)}\n${batchSelect(body, [column])}`, [String(first), String(last)]);
        }
      }
      const counted = await this.athena.select(
        `SELECT "${column}" AS partition_value, count(*) AS row_count FROM ${this.qualified(runTable)}${sel ? ` WHERE "${column}" IN (${values.join(', ')})` : ''} GROUP BY "${column}"`,
      );
      const rebuilt: PartitionPointer[] = counted.map((r) => ({ value: Number(r.partition_value), prefix: `${prefixKey}/${column}=${Number(r.partition_value)}/`, rows: Number(r.row_count) }));
      const kept = sel ? (previous?.partitions ?? []).filter((p) => !sel.values.includes(p.value)) : [];
      for (let i = 0; i < kept.length; i += MAX_PARTITIONS_PER_QUERY) {
        const specs = kept
          .slice(i, i + MAX_PARTITIONS_PER_QUERY)
          .map((p) => `PARTITION (\`${column}\` = ${partitionValue(p.value)}) LOCATION ${s3Literal(this.options.storage.locate(p.prefix.replace(/\/$/, '')) + '/')}`);
        await this.athena.execute(`ALTER TABLE \`${this.options.database}\`.\`${checkName(runTable, 'table')}\` ADD IF NOT EXISTS\n${specs.join('\n')}`);
      }
      const partitions = [...kept, ...rebuilt].sort((a, b) => a.value - b.value);
      const rows = partitions.reduce((n, p) => n + p.rows, 0);
      await this.athena.execute(`CREATE OR REPLACE VIEW ${this.qualified(model.name)} AS SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${this.qualified(runTable)}`);
      switched = true;
      const pointer: ModelPointer = { model: model.name, layer: model.layer, run_id: this.runId, table: runTable, prefix: `${prefixKey}/`, location, rows, partition_column: column, partitions };
      await this.options.storage.put(this.modelsKey(modelPointerKey(model.layer, model.name)), `${JSON.stringify(pointer, null, 2)}\n`, { contentType: 'application/json' });
      await this.removeOldRuns(model, partitions.map((p) => p.prefix));
      // Partitions this run replaced whose table was dropped by an earlier run: nothing reads them now.
      for (const old of (previous?.partitions ?? []).filter((p) => (!sel || sel.values.includes(p.value)) && !p.prefix.startsWith(`${prefixKey}/`))) {
        for (const obj of await this.options.storage.list(old.prefix)) await this.options.storage.delete(obj.key).catch(() => undefined);
      }
      return { model: model.name, rows, location };
    } catch (cause) {
      if (!switched) {
        await this.dropRun(model, this.runId).catch((err: Error) =>
          this.log('athena cleanup of failed run failed', { model: model.name, runId: this.runId, error: (err as Error).message }),
        );
      }
      throw cause;
    }
  }

  private async readPointer(model: ModelDef): Promise<ModelPointer | undefined> {
    const body = await this.options.storage.tryGet(this.modelsKey(modelPointerKey(model.layer, model.name)));
    if (!body) return undefined;
    try {
      const p = JSON.parse(body.toString('utf8')) as ModelPointer;
      return p.model === model.name && RUN_ID.test(p.run_id) ? p : undefined;
    } catch {
      return undefined;
    }
  }

  /** Column names of a query's result (a LIMIT 0 query: no rows read). */
  private async columnsOf(sql: string): Promise<string[]> {
    return (await this.athena.columnNames(sql)).map((c) => checkName(c, 'column'));
  }

  async query(sql: string, params: Record<string, Param> = {}): Promise<Row[]> {
    if (!/^\s*(select|with|values|show|describe)\b/i.test(sql)) {
      throw createError('athena', 'Failed to run query: only read-only statements (SELECT, WITH, VALUES, SHOW, DESCRIBE) are allowed');
    }
    const { text, values } = toPositional(sql, params);
    return this.athena.select(text, values);
  }

  async close(): Promise<void> {
    this.athena.close();
  }

  // ---- snapshots -------------------------------------------------------------------------------

  async createView(name: string, sql: string): Promise<void> {
    await this.athena.execute(`CREATE OR REPLACE VIEW ${this.qualified(name)} AS\n${sql.trim().replace(/;\s*$/, '')}`);
  }

  async columns(relation: string): Promise<string[]> {
    const rows = await this.athena.select(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
      [sqlString(this.options.database), sqlString(checkName(relation, 'relation'))],
    );
    return rows.map((r) => String(r.column_name));
  }

  /**
   * One Parquet object of a SELECT: a CTAS bucketed into ONE bucket (one writer, so one file) at a
   * fresh scratch prefix, read back through the storage, then the table dropped and the prefix
   * deleted. Athena keeps no row order in a file: `orderBy` is not applied.
   */
  async exportParquet(select: string, options: ExportOptions): Promise<ExportedParquet> {
    checkName(options.name, 'export');
    const first = options.columns[0];
    if (!first) throw createError('athena', `Failed to export ${options.name}: no columns`);
    const table = `${options.name}__export_${this.runId}`;
    const prefixKey = this.modelsKey(`models/_exports/${options.name}/run=${this.runId}`);
    const location = `${this.options.storage.locate(prefixKey)}/`;
    const withClause = [
      "format = 'PARQUET'",
      "write_compression = 'ZSTD'",
      `external_location = ${s3Literal(location)}`,
      `bucketed_by = ARRAY['${checkName(first, `column of ${options.name}`)}']`,
      'bucket_count = 1',
    ].join(', ');
    const drop = async (): Promise<void> => {
      await this.athena.execute(`DROP TABLE IF EXISTS \`${this.options.database}\`.\`${checkName(table, 'table')}\``);
      for (const obj of await this.options.storage.list(`${prefixKey}/`)) await this.options.storage.delete(obj.key);
    };
    try {
      await this.athena.execute(`CREATE TABLE ${this.qualified(table)} WITH (${withClause}) AS\n${select.trim().replace(/;\s*$/, '')}`);
      const [countRow] = await this.athena.select(`SELECT count(*) AS row_count FROM ${this.qualified(table)}`);
      const rows = Number(countRow?.row_count ?? 0);
      const objects = (await this.options.storage.list(`${prefixKey}/`)).filter((o) => o.size > 0 || rows === 0);
      // Athena writes no data file for a CTAS of no rows (a month with no file rejected, no dossier due soon):
      // the export is the model's columns, typed as its YAML says, with no row.
      if (objects.length === 0 && rows === 0) return { body: await emptyExport(options), rows: 0 };
      if (objects.length !== 1) {
        throw createError('athena', `Failed to export ${options.name}: expected one Parquet object under ${location}, found ${objects.length} (${rows} rows)`);
      }
      const body = await this.options.storage.get(objects[0]!.key);
      return { body, rows };
    } finally {
      await drop().catch((err: Error) => this.log('athena cleanup of export failed', { export: options.name, error: err.message }));
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** A key under models/ moved under the engine's models prefix (options.modelsPrefix). */
  private modelsKey(key: string): string {
    return this.options.modelsPrefix ? `${this.options.modelsPrefix}/${key.slice('models/'.length)}` : key;
  }

  private qualified(name: string): string {
    return `"${this.options.database}"."${checkName(name, 'table')}"`;
  }

  private async countPartitions(select: string, partitions: readonly string[]): Promise<number> {
    const cols = partitions.map((p) => `"${p}"`).join(', ');
    const [row] = await this.athena.select(`SELECT count(*) AS partition_count FROM (SELECT DISTINCT ${cols} FROM (\n${select}\n) AS model) AS partitions`);
    return Number(row?.partition_count ?? 0);
  }

  /**
   * Drop older run tables of the model and delete their prefixes (but the objects under `keep`,
   * partitions the current run table still reads); failures are logged, not thrown.
   */
  private async removeOldRuns(model: ModelDef, keep: readonly string[] = []): Promise<void> {
    let tables: Row[];
    try {
      tables = await this.athena.select(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ? ESCAPE '\\'",
        [sqlString(this.options.database), sqlString(`${likeEscape(`${model.name}__`)}%`)],
      );
    } catch (err) {
      // The next successful run of the model collects what this one could not.
      this.log('athena listing of old runs failed', { model: model.name, error: (err as Error).message });
      return;
    }
    for (const { table_name } of tables) {
      const name = String(table_name);
      const runId = name.slice(model.name.length + 2);
      if (!name.startsWith(`${model.name}__`) || runId === this.runId || !RUN_ID.test(runId)) continue;
      try {
        await this.dropRun(model, runId, keep);
      } catch (err) {
        this.log('athena cleanup of old run failed', { model: model.name, runId, error: (err as Error).message });
      }
    }
  }

  private async dropRun(model: ModelDef, runId: string, keep: readonly string[] = []): Promise<void> {
    // Hive DDL: backticks. Dropping an external table leaves its files.
    await this.athena.execute(`DROP TABLE IF EXISTS \`${this.options.database}\`.\`${checkName(`${model.name}__${runId}`, 'table')}\``);
    const prefix = this.modelsKey(`models/${model.layer}/${model.name}/run=${runId}/`);
    for (const obj of await this.options.storage.list(prefix)) {
      if (!keep.some((k) => obj.key.startsWith(k))) await this.options.storage.delete(obj.key);
    }
  }
}

/** SELECT the batch of partitions numbered [?, ?] (1-based, ordered by the partition values). */
export function batchSelect(select: string, partitions: readonly string[]): string {
  const cols = partitions.map((p) => `"${p}"`).join(', ');
  const on = partitions.map((p) => `model."${p}" IS NOT DISTINCT FROM numbered."${p}"`).join(' AND ');
  return [
    'WITH model AS (',
    select,
    '),',
    'numbered AS (',
    `    SELECT ${cols}, row_number() OVER (ORDER BY ${cols}) AS partition_no`,
    `    FROM (SELECT DISTINCT ${cols} FROM model) AS distinct_partitions`,
    ')',
    'SELECT model.*',
    'FROM model',
    `JOIN numbered ON ${on}`,
    'WHERE numbered.partition_no BETWEEN ? AND ?',
  ].join('\n');
}

/** `$name` placeholders → positional `?` with ExecutionParameters (skipping quoted text and comments). */
export function toPositional(sql: string, params: Record<string, Param>): { text: string; values: string[] } {
  const values: string[] = [];
  let text = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = closingQuote(sql, i, ch);
      text += sql.slice(i, end);
      i = end;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      text += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i))!;
      const name = m[1]!;
      if (!Object.hasOwn(params, name)) throw createError('athena', `Failed to bind $${name}: no value given`);
      values.push(paramLiteral(params[name]!, name));
      text += '?';
      i += m[0].length;
    } else {
      text += ch;
      i += 1;
    }
  }
  return { text, values };
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

/** ExecutionParameters are literal texts: strings single-quoted, numbers and booleans bare. */
function paramLiteral(value: Param, name: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw createError('athena', `Failed to bind $${name}: ${value} is not a finite number`);
    return String(value);
  }
  return sqlString(value);
}

/** Escape LIKE wildcards with '\\' (used with ESCAPE '\\'). */
function likeEscape(value: string): string {
  return value.replace(/[\\_%]/g, (c) => `\\${c}`);
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function s3Literal(url: string): string {
  if (!/^s3:\/\/[a-z0-9.-]+\/[A-Za-z0-9_.=\/-]*$/.test(url)) throw createError('athena', `Failed to use location ${url}: unexpected characters`);
  return `'${url}'`;
}

function partitionValue(v: number): string {
  if (!Number.isSafeInteger(v)) throw createError('athena', `Failed to use partition value ${v}: not an integer`);
  return String(v);
}

function checkName(name: string, what: string): string {
  if (!NAME.test(name) || name.length > 128) throw createError('athena', `Failed to use ${what} name "${name}": expected [a-z_][a-z0-9_]* (≤128)`);
  return name;
}

function defaultRunId(): string {
  const ts = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').toLowerCase();
  return `r${ts}_${randomUUID().slice(0, 6)}`;
}

/** An export of no row as a Parquet file of the columns' YAML types (writeEmptyParquet). */
async function emptyExport(options: ExportOptions): Promise<Buffer> {
  const untyped = options.columns.filter((c) => !options.types?.[c]);
  if (untyped.length > 0) throw createError('athena', `Failed to export ${options.name}: it has no rows, and no type is known for ${untyped.join(', ')} (the model's YAML)`);
  const dir = await mkdtemp(path.join(tmpdir(), 'athena-export-'));
  try {
    const file = path.join(dir, `${options.name}.parquet`);
    // Loaded here only: DuckDB writes the file, and an Athena run otherwise never opens it.
    const { writeEmptyParquet } = await import('./duckdb.js');
    await writeEmptyParquet(options.columns.map((name) => ({ name, data_type: options.types![name]! })), file);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
