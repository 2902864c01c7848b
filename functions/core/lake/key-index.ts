/**
 * Key indexes of landed partitions, for a lake in an object store (S3).
 *
 * Landing checks every dossier id against the whole lake (a version may not move to another partition:
 * dossiers_checked.sql). On disk the partitions are read where they are; on S3 each one was a download,
 * so a land read the whole lake into the function's /tmp (597 MB at 50 M dossiers; a national lake after
 * two decades would pass the function's storage). A partition's key index is its keys alone (dossier_id
 * is about 6 % of a partition's bytes), published beside the lake as
 *
 *   landed/_keys/<dataset>/<the partition's Hive path>/keys.parquet
 *
 * with the ETag of the partition object it was built from in every row (`partition_etag`). An index is
 * used only when that ETag is the partition's ETag in the same listing (S3 changes an object's ETag
 * whenever its bytes change): a land that stopped between publishing a partition and its index, a
 * partition written by anything else, a lake landed before indexes existed: each leaves an index that
 * does not match, or none, and that partition is downloaded whole, as before, and its index written.
 * So an index is never trusted on its age, only on the ETag, and a wrong one is never read.
 *
 * An index is written after its partition, from the very file uploaded, under the ETag the upload
 * returned (publishPartitions), or from a partition downloaded whole, under the ETag it had in the
 * listings before and after the download (none when they differ). On local disk there are no indexes:
 * the partitions are read in place.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pMap from 'p-map';
import { ident, literal, type DuckDb } from '../engine/duckdb.js';
import { PARQUET_OPTIONS } from '../engine/parquet.js';
import type { Storage } from '../storage/types.js';
import { localCopies, localCopy, localParquetCopies } from './partitions.js';
import { READS_AT_ONCE } from './raw.js';

/** The index key of a partition key `landed/<dataset>/<hive path>/data.parquet`. */
export function keyIndexKey(partitionKey: string): string {
  const m = /^landed\/([a-z0-9_]+)\/((?:[a-z_]+=[^/]+\/)+)data\.parquet$/.exec(partitionKey);
  if (!m) throw new Error(`[pipeline] [lake] Failed to name the key index of ${partitionKey}: not a landed partition`);
  return `landed/_keys/${m[1]}/${m[2]}keys.parquet`;
}

/** Whether the lake's partitions get key indexes: in an object store, not on disk (read in place there). */
export function keyIndexed(storage: Storage): boolean {
  return storage.root.startsWith('s3://');
}

/**
 * Copy the keys of a Parquet file into `out` (an index without its ETag yet), in the file's order:
 * publishKeyIndexes sorts them once, as it does a downloaded partition's.
 */
export async function writeKeys(db: DuckDb, file: string, keyColumns: readonly string[], out: string): Promise<void> {
  const keys = keyColumns.map(ident).join(', ');
  await db.run(`COPY (SELECT ${keys} FROM read_parquet(${literal(file)}, hive_partitioning = false)) TO ${literal(out)} (${PARQUET_OPTIONS})`);
}

/**
 * Publish the key index of each partition: the keys of `file` (the partition itself, or its keys from
 * writeKeys) with `etag`, the ETag of the partition object `file` holds the keys of. Written one after
 * another, uploaded several at once.
 */
export async function publishKeyIndexes(
  db: DuckDb,
  storage: Storage,
  items: readonly { partitionKey: string; file: string; etag: string }[],
  keyColumns: readonly string[],
  tmpDir: string,
): Promise<void> {
  const keys = keyColumns.map(ident).join(', ');
  const written: { key: string; tmp: string }[] = [];
  try {
    for (const it of items) {
      const key = keyIndexKey(it.partitionKey);
      const tmp = path.join(tmpDir, key.replaceAll('/', '__'));
      written.push({ key, tmp });
      await db.run(
        `COPY (SELECT ${keys}, CAST($etag AS VARCHAR) AS partition_etag FROM read_parquet(${literal(it.file)}, hive_partitioning = false) ORDER BY ${keys})
         TO ${literal(tmp)} (${PARQUET_OPTIONS})`,
        { etag: it.etag },
      );
    }
    await pMap(written, (w) => storage.putFile(w.key, w.tmp), { concurrency: READS_AT_ONCE });
  } finally {
    await Promise.all(written.map((w) => rm(w.tmp, { force: true })));
  }
}

export interface KeyFiles {
  /** Local key indexes that match their partition (columns: the keys, partition_etag; Hive path). */
  indexes: string[];
  /** Local partition files (in place on disk; downloaded on S3 where no index matched). */
  partitions: string[];
}

/**
 * Local files that hold the keys of every landed partition of `dataset`, each partition once: its key
 * index where one matches it (S3), else the partition itself. A partition downloaded for want of an
 * index gets one, so the next land reads the index.
 */
export async function landedKeyFiles(
  db: DuckDb,
  storage: Storage,
  o: { dataset: string; keyColumns: readonly string[]; workDir: string },
): Promise<KeyFiles> {
  const prefix = `landed/${o.dataset}/`;
  // On disk: the partitions, read where they are.
  if (!keyIndexed(storage)) return { indexes: [], partitions: await localParquetCopies(storage, prefix, o.workDir) };
  const listed = (await storage.list(prefix)).filter((x) => x.key.endsWith('/data.parquet'));
  const indexKeys = new Set(await storage.listKeys(`landed/_keys/${o.dataset}/`));
  const indexed = listed.filter((x) => x.etag !== undefined && indexKeys.has(keyIndexKey(x.key)));
  const indexFiles = await pMap(indexed, async (x) => ({ partition: x, file: await localCopy(storage, keyIndexKey(x.key), o.workDir) }), { concurrency: READS_AT_ONCE });
  // An index listed but gone when read counts as none.
  const present = indexFiles.filter((f): f is { partition: (typeof listed)[number]; file: string } => f.file !== undefined);
  // The ETag each index was built from, against the partition's in this listing.
  const built = new Map<string, string>();
  if (present.length > 0) {
    const rows = await db.all(
      `SELECT filename AS file, min(partition_etag) AS lo, max(partition_etag) AS hi
       FROM read_parquet([${present.map((f) => literal(f.file)).join(', ')}], hive_partitioning = false, filename = true)
       GROUP BY filename`,
    );
    for (const r of rows) if (r.lo === r.hi && typeof r.lo === 'string') built.set(String(r.file), r.lo);
  }
  const matching = new Set(present.filter((f) => built.get(f.file) === f.partition.etag).map((f) => f.partition.key));
  for (const f of present) if (!matching.has(f.partition.key)) await rm(f.file, { force: true });
  const unindexed = listed.filter((x) => !matching.has(x.key));
  const partitions = await localCopies(storage, unindexed.map((x) => x.key), o.workDir);
  if (unindexed.length > 0) {
    // Indexed only where the partition kept its ETag from the listing before its download to the one
    // after: then the bytes downloaded are the bytes of that ETag (S3 changes it with every write).
    const after = new Map((await storage.list(prefix)).map((x) => [x.key, x.etag]));
    const items = unindexed.flatMap((x, i) => (x.etag !== undefined && after.get(x.key) === x.etag ? [{ partitionKey: x.key, file: partitions[i]!, etag: x.etag }] : []));
    await publishKeyIndexes(db, storage, items, o.keyColumns, o.workDir);
  }
  return { indexes: present.filter((f) => matching.has(f.partition.key)).map((f) => f.file), partitions };
}
