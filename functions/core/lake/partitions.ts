/**
 * Publishing landed and quarantined records as Hive-partitioned Parquet.
 *
 * A partition is ONE Parquet file. It is rebuilt as (its current rows ∪ the batch's rows), reduced to
 * one version per key by the dataset's total "winner" order, sorted by the key, written to a local
 * temporary file and published with one atomic storage write. The result depends only on the set
 * of records, never on the order they arrived in, so reruns and crash-restarts converge to the same
 * bytes.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ident, literal, type DuckDb } from '../engine/duckdb.js';
import type { Storage } from '../storage/types.js';
import { DATASET_SPECS, type DatasetSpec, type LandedDataset } from './datasets.js';

export const PARQUET_OPTIONS = "FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 122880";

export interface PartitionRef {
  source: string;
  year?: number;
  month?: number;
}

export function partitionPrefix(root: 'landed' | 'quarantine', dataset: string, p: PartitionRef, spec: DatasetSpec): string {
  // quarantine/ holds every dataset's rejected rows, so its dataset is a Hive key too.
  const parts = [root === 'quarantine' ? `quarantine/dataset=${dataset}` : `landed/${dataset}`, `source=${p.source}`];
  for (const col of spec.partitions) {
    const v = p[col];
    if (v === undefined || v === null) throw new Error(`[pipeline] [lake] Failed to name a partition of ${dataset}: no ${col}`);
    // Unpadded integers: DuckDB's Hive type detection and Athena's integer projection both read them as numbers.
    parts.push(`${col}=${String(v)}`);
  }
  return parts.join('/');
}

/** A local path DuckDB can read for `key` (the file itself on disk; a downloaded copy for S3). */
export async function localCopy(storage: Storage, key: string, workDir: string): Promise<string | undefined> {
  if (!storage.root.startsWith('s3://')) {
    return (await storage.exists(key)) ? storage.locate(key) : undefined;
  }
  const body = await storage.tryGet(key);
  if (body === undefined) return undefined;
  const file = path.join(workDir, 'dl', key);
  await mkdir(path.dirname(file), { recursive: true });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, body);
  return file;
}

/**
 * Merge the rows of `batchTable` (columns: source, partition columns, data columns) into their
 * partitions of `dataset` under `root`, and return the keys written.
 */
export async function publishPartitions(
  db: DuckDb,
  storage: Storage,
  opts: { root: 'landed' | 'quarantine'; dataset: string; spec: DatasetSpec; batchTable: string; workDir: string },
): Promise<string[]> {
  const { spec, batchTable } = opts;
  const partCols = ['source', ...spec.partitions];
  const partitions = (await db.all(
    `SELECT DISTINCT ${partCols.map(ident).join(', ')} FROM ${ident(batchTable)} ORDER BY ${partCols.map(ident).join(', ')}`,
  )) as Record<string, unknown>[];
  const dataCols = Object.keys(spec.columns);
  const colList = dataCols.map(ident).join(', ');
  const keyList = spec.key.map(ident).join(', ');
  const written: string[] = [];
  const tmpDir = path.join(opts.workDir, 'publish');
  await mkdir(tmpDir, { recursive: true });
  for (const row of partitions) {
    const ref: PartitionRef = {
      source: String(row.source),
      ...(row.year !== undefined ? { year: Number(row.year) } : {}),
      ...(row.month !== undefined ? { month: Number(row.month) } : {}),
    };
    const prefix = partitionPrefix(opts.root, opts.dataset, ref, spec);
    const key = `${prefix}/data.parquet`;
    const existing = await localCopy(storage, key, opts.workDir);
    const where = partCols.map((c) => `${ident(c)} = $${c}`).join(' AND ');
    const params: Record<string, string | number> = { source: ref.source };
    if (ref.year !== undefined) params.year = ref.year;
    if (ref.month !== undefined) params.month = ref.month;
    const union = existing
      ? `UNION ALL SELECT ${colList} FROM read_parquet(${literal(existing)}, hive_partitioning = false)`
      : '';
    const tmp = path.join(tmpDir, `${prefix.replaceAll('/', '__')}.parquet`);
    await db.run(
      `COPY (
         SELECT ${colList} FROM (
           SELECT *, row_number() OVER (PARTITION BY ${keyList} ORDER BY ${spec.winner}) AS _version
           FROM (SELECT ${colList} FROM ${ident(batchTable)} WHERE ${where} ${union})
         ) WHERE _version = 1
         ORDER BY ${keyList}, ${spec.winner}
       ) TO ${literal(tmp)} (${PARQUET_OPTIONS})`,
      params,
    );
    await storage.putFile(key, tmp);
    await rm(tmp, { force: true });
    written.push(key);
  }
  return written;
}

export function specOf(dataset: LandedDataset): DatasetSpec {
  return DATASET_SPECS[dataset];
}
