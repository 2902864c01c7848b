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
 * returned (publishPartitions), or from a partition downloaded whole, under the ETag of the listing
 * that preceded the download: a partition replaced in between has another ETag, so that index is
 * never used. On local disk there are no ETags and no indexes: the partitions are read in place.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pMap from 'p-map';
import { ident, literal, type DuckDb } from '../engine/duckdb.js';
import { PARQUET_OPTIONS } from '../engine/parquet.js';
import type { Storage } from '../storage/types.js';
import { localCopy } from './partitions.js';
import { READS_AT_ONCE } from './raw.js';

/** The index key of a partition key `landed/<dataset>/<hive path>/data.parquet`. */
export function keyIndexKey(partitionKey: string): string {
  const m = /^landed\/([a-z0-9_]+)\/((?:[a-z_]+=[^/]+\/)+)data\.parquet$/.exec(partitionKey);
  if (!m) throw new Error(`[pipeline] [lake] Failed to name the key index of ${partitionKey}: not a landed partition`);
  return `landed/_keys/${m[1]}/${m[2]}keys.parquet`;
}

/**
 * Write the key index of a partition from its local file and publish it. `file` holds exactly the bytes
 * whose ETag is `etag`.
 */
export async function publishKeyIndex(
  db: DuckDb,
  storage: Storage,
  o: { partitionKey: string; file: string; etag: string; keyColumns: readonly string[]; tmpDir: string },
): Promise<void> {
  const key = keyIndexKey(o.partitionKey);
  const tmp = path.join(o.tmpDir, `${key.replaceAll('/', '__')}`);
  const keys = o.keyColumns.map(ident).join(', ');
  try {
    await db.run(
      `COPY (SELECT ${keys}, CAST($etag AS VARCHAR) AS partition_etag FROM read_parquet(${literal(o.file)}, hive_partitioning = false) ORDER BY ${keys})
       TO ${literal(tmp)} (${PARQUET_OPTIONS})`,
      { etag: o.etag },
    );
    await storage.putFile(key, tmp);
  } finally {
    await rm(tmp, { force: true });
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
  const listed = (await storage.list(prefix)).filter((x) => x.key.endsWith('/data.parquet'));
  const fetch = async (key: string): Promise<string> => {
    const local = await localCopy(storage, key, o.workDir);
    if (!local) throw new Error(`[pipeline] [lake] Failed to read ${key}: listed but missing (was the lake changed during the run?)`);
    return local;
  };
  // No ETags (local disk): the partitions, read where they are.
  if (listed.every((x) => x.etag === undefined)) return { indexes: [], partitions: await pMap(listed, (x) => fetch(x.key), { concurrency: READS_AT_ONCE }) };
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
  const partitions = await pMap(unindexed, (x) => fetch(x.key), { concurrency: READS_AT_ONCE });
  for (const [i, x] of unindexed.entries()) {
    if (x.etag === undefined) continue;
    await publishKeyIndex(db, storage, { partitionKey: x.key, file: partitions[i]!, etag: x.etag, keyColumns: o.keyColumns, tmpDir: o.workDir });
  }
  return { indexes: present.filter((f) => matching.has(f.partition.key)).map((f) => f.file), partitions };
}
