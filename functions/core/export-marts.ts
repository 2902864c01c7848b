/**
 * export-marts: a lake's marts as one local Parquet file each, laid out as a local lake
 * (<out>/models/marts/<mart>.parquet, <out>/snapshots/…, <out>/meta.json), which is what the
 * dashboards build reads (functions/dashboards/build.ts).
 *
 * On AWS the marts are Athena run prefixes behind views (models/marts/<mart>/run=<id>/, files without
 * an extension, partition columns in the path); the engine records the current run of each model
 * in models/marts/<mart>/current.json at the view switch. A local lake (DuckDB engine) already has
 * models/marts/<mart>.parquet, which is copied as is.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { literal, ident, withDuckDb, writeEmptyParquet } from './engine/duckdb.js';
import { modelPointerKey } from './engine/catalog.js';
import { PARQUET_OPTIONS } from './engine/parquet.js';
import { createError } from './errors.js';
import { SQL_DIR } from './lake/landing-sql.js';
import type { Storage } from './storage/types.js';
import { loadModels } from './transform/index.js';

const Pointer = z.object({
  model: z.string(),
  layer: z.literal('marts'),
  run_id: z.string().regex(/^[a-z0-9_]{1,40}$/),
  prefix: z.string().regex(/^models\/marts\/[a-z0-9_]+\/run=[a-z0-9_]{1,40}\/$/),
  rows: z.number().int().min(0),
  // An incremental mart (docs/architecture.md, "Incremental models"): each partition's own prefix,
  // in this run's or an older run's folder.
  partition_column: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
  partitions: z
    .array(z.object({ value: z.number().int(), prefix: z.string().regex(/^models\/marts\/[a-z0-9_]+\/run=[a-z0-9_]{1,40}\/[a-z_][a-z0-9_]*=-?\d+\/$/), rows: z.number().int().min(0) }))
    .optional(),
});

export interface ExportMartsOptions {
  /** The lake (S3 or local). */
  storage: Storage;
  /** Output lake directory. */
  outDir: string;
  /** Scratch directory for downloaded run files. */
  workDir: string;
  /** sql/ directory the marts are read from (default SQL_DIR). */
  sqlDir?: string;
  /** Also copy snapshots/ and meta.json (default true). */
  withSnapshots?: boolean;
}

export interface ExportedMart {
  name: string;
  rows: number;
  /** 'run' when read from an Athena run prefix, 'file' when copied from a local lake's Parquet. */
  from: 'run' | 'file';
  runId?: string;
}

export interface ExportMartsSummary {
  outDir: string;
  marts: ExportedMart[];
  snapshotFiles: number;
}

/** Write every mart of sql/marts/ to <outDir>/models/marts/<mart>.parquet (and copy snapshots/). */
export async function exportMarts(opts: ExportMartsOptions): Promise<ExportMartsSummary> {
  const marts = loadModels(opts.sqlDir ?? SQL_DIR).filter((m) => m.layer === 'marts');
  const martsDir = path.join(opts.outDir, 'models', 'marts');
  const scratch = path.join(opts.workDir, `export-marts-${process.pid}`);
  await mkdir(martsDir, { recursive: true });
  const out: ExportedMart[] = [];
  const missing: string[] = [];
  try {
    for (const mart of marts) {
      const target = path.join(martsDir, `${mart.name}.parquet`);
      const pointerBody = await opts.storage.tryGet(modelPointerKey('marts', mart.name));
      if (pointerBody) {
        const parsed = Pointer.safeParse(JSON.parse(pointerBody.toString('utf8')));
        if (!parsed.success || parsed.data.model !== mart.name) {
          throw createError('export-marts', `Failed to read ${modelPointerKey('marts', mart.name)}: ${parsed.success ? `it names ${parsed.data.model}` : parsed.error.issues[0]?.message}`);
        }
        const p = parsed.data;
        const files: string[] = [];
        // A partitioned run: each partition's files, under <column>=<value>/ as Hive lays them out.
        const sources = p.partitions && p.partition_column
          ? p.partitions.map((q) => ({ prefix: q.prefix, under: `${p.partition_column}=${q.value}/` }))
          : [{ prefix: p.prefix, under: '' }];
        for (const { prefix, under } of sources) for (const obj of await opts.storage.list(prefix)) {
          const rel = under + obj.key.slice(prefix.length);
          // Athena writes data files only; skip markers such as *_$folder$ and manifests.
          if (rel === '' || rel.endsWith('$') || rel.endsWith('.json') || rel.endsWith('.csv')) continue;
          const file = path.join(scratch, mart.name, ...rel.split('/'));
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, await opts.storage.get(obj.key));
          files.push(file);
        }
        if (files.length === 0 && p.rows === 0) {
          // Athena writes no data file for a CTAS of no rows (a lake with no file rejected, no dossier due
          // soon…): the mart is its YAML's columns, typed, with no row.
          const untyped = mart.columns.filter((c) => !c.data_type).map((c) => c.name);
          if (mart.columns.length === 0 || untyped.length > 0) {
            throw createError('export-marts', `Failed to export ${mart.name}: run ${p.run_id} has no rows and its YAML types no columns${untyped.length ? ` (${untyped.join(', ')})` : ''}`);
          }
          await writeEmptyParquet(mart.columns.map((c) => ({ name: c.name, data_type: c.data_type! })), target);
          out.push({ name: mart.name, rows: 0, from: 'run', runId: p.run_id });
          continue;
        }
        if (files.length === 0) {
          throw createError('export-marts', `Failed to export ${mart.name}: run ${p.run_id} has no files under ${p.prefix} (${p.rows} rows recorded)`);
        }
        const hive = files.some((f) => path.relative(path.join(scratch, mart.name), f).includes('='));
        const order = mart.grain && mart.grain.length > 0 ? mart.grain.map(ident).join(', ') : 'ALL';
        // Hive puts the partition column last and reads it as BIGINT: an incremental mart's columns
        // come back in the model's order (its YAML), the partition column with its declared type.
        const declared = p.partition_column ? mart.columns : [];
        const select = declared.length > 0
          ? declared.map((c) => (c.name === p.partition_column ? `CAST(${ident(c.name)} AS ${c.data_type ?? 'INTEGER'}) AS ${ident(c.name)}` : ident(c.name))).join(', ')
          : '*';
        const rows = await withDuckDb(async (db) => {
          const list = `[${files.sort().map(literal).join(', ')}]`;
          await db.run(
            `COPY (SELECT ${select} FROM read_parquet(${list}, hive_partitioning = ${hive}, union_by_name = true) ORDER BY ${order}) TO ${literal(target)} (${PARQUET_OPTIONS})`,
          );
          return db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(target)})`);
        }, { threads: 1 });
        if (rows !== p.rows) {
          throw createError('export-marts', `Failed to export ${mart.name}: read ${rows} rows from run ${p.run_id}, its pointer records ${p.rows}`);
        }
        out.push({ name: mart.name, rows, from: 'run', runId: p.run_id });
        continue;
      }
      const body = await opts.storage.tryGet(`models/marts/${mart.name}.parquet`);
      if (!body) {
        missing.push(mart.name);
        continue;
      }
      await writeFile(target, body);
      const rows = await withDuckDb((db) => db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(target)})`), { threads: 1 });
      out.push({ name: mart.name, rows, from: 'file' });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (missing.length > 0) {
    throw createError('export-marts', `Failed to export the marts of ${opts.storage.root}: no run pointer and no Parquet for ${missing.join(', ')} (run the transform first)`);
  }
  let snapshotFiles = 0;
  if (opts.withSnapshots ?? true) {
    for (const obj of await opts.storage.list('snapshots/')) {
      const file = path.join(opts.outDir, ...obj.key.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await opts.storage.get(obj.key));
      snapshotFiles += 1;
    }
    const meta = await opts.storage.tryGet('meta.json');
    if (meta) await writeFile(path.join(opts.outDir, 'meta.json'), meta);
  }
  return { outDir: opts.outDir, marts: out, snapshotFiles };
}
