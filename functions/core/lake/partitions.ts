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
import pMap from 'p-map';
import { ident, literal, type DuckDb } from '../engine/duckdb.js';
import { PARQUET_OPTIONS, ROW_GROUP_ROWS } from '../engine/parquet.js';
import { settleAll } from '../errors.js';
import { copyObject } from '../storage/copy.js';
import { keyIndexed, publishKeyIndexes, writeKeys } from './key-index.js';
import type { Storage } from '../storage/types.js';
import { SUPERSEDED_COLUMNS, type DatasetSpec } from './datasets.js';
import { READS_AT_ONCE } from './raw.js';

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
  return (await copyObject(storage, key, path.join(workDir, 'dl')))?.file;
}

/**
 * Local paths DuckDB can read for every Parquet file under `prefix`, in the listing's order: on S3 each
 * one is a download, so several run at once. A file listed but gone when read fails the run (was the
 * lake changed under it?), as a missing ledger or partition would make the run's figures wrong.
 */
export async function localParquetCopies(storage: Storage, prefix: string, workDir: string): Promise<string[]> {
  return localCopies(storage, (await storage.listKeys(prefix)).filter((k) => k.endsWith('.parquet')), workDir);
}

/** Local paths DuckDB can read for listed `keys`, in their order (localParquetCopies). */
export async function localCopies(storage: Storage, keys: readonly string[], workDir: string): Promise<string[]> {
  return pMap(
    keys,
    async (key) => {
      const local = await localCopy(storage, key, workDir);
      if (!local) throw new Error(`[pipeline] [lake] Failed to read ${key}: listed but missing (was the lake changed during the run?)`);
      return local;
    },
    { concurrency: READS_AT_ONCE },
  );
}

/**
 * Connections that write a batch's partitions at once (publishPartitions): on 2 cores, 168 partitions of
 * the 1 M dataset took 1.5 s one after another, 1.0 s on two connections, 0.95 s on three (bench/history.md,
 * change 47).
 */
const PUBLISH_LANES = 2;

/**
 * Arrival of every raw file the lake knows (landed or being landed): the version rule's `_arrived`
 * (pull time, ISO 8601 UTC) and `_name` (original name). land.ts fills it from the manifest and the
 * staged files before anything is published; rows of a file missing from it sort last.
 */
export async function ensureArrivals(db: DuckDb): Promise<void> {
  await db.run('CREATE TEMP TABLE IF NOT EXISTS raw_arrivals (raw_hash VARCHAR, arrived_at VARCHAR, original_name VARCHAR)');
}

/** The partitions a call writes: a dataset's under landed/ or quarantine/, and the scratch directory. */
export interface PartitionsOf {
  root: 'landed' | 'quarantine';
  dataset: string;
  spec: DatasetSpec;
  workDir: string;
}

/**
 * Merge the rows of `batchTable` (columns: source, partition columns, data columns) into their
 * partitions of `dataset` under `root`, and return the keys written.
 *
 * Under landed/, the versions that lose (DatasetSpec.winner) are not dropped: they are merged into
 * the same partition of landed/_superseded/<dataset>/ with the file and row that superseded them and
 * when that file arrived, and that ledger is published BEFORE the partition, so a crash between the
 * two leaves a state a restart recomputes to the same bytes. Every row a manifest counts as landed
 * is therefore in the lake: current, or superseded (lake/invariants.ts proves it).
 */
export async function publishPartitions(
  db: DuckDb,
  storage: Storage,
  opts: PartitionsOf & {
    batchTable: string;
    /** Publish each partition's key index after it, where the store gives ETags (lake/key-index.ts). */
    keyIndex?: boolean;
  },
): Promise<string[]> {
  const { spec, batchTable } = opts;
  await ensureArrivals(db);
  const partCols = ['source', ...spec.partitions];
  const partList = partCols.map(ident).join(', ');
  const partitions = (await db.all(`SELECT DISTINCT ${partList} FROM ${ident(batchTable)} ORDER BY ${partList}`)) as Record<string, unknown>[];
  if (partitions.length === 0) return [];
  const dataCols = Object.keys(spec.columns);
  const colList = dataCols.map(ident).join(', ');
  const keyList = spec.key.map(ident).join(', ');
  const ledger = opts.root === 'landed';
  const tmpDir = path.join(opts.workDir, 'publish');
  await mkdir(tmpDir, { recursive: true });
  const refs = partitions.map((row): PartitionRef => ({
    source: String(row.source),
    ...(row.year !== undefined ? { year: Number(row.year) } : {}),
    ...(row.month !== undefined ? { month: Number(row.month) } : {}),
  }));
  const prefixes = refs.map((ref) => partitionPrefix(opts.root, opts.dataset, ref, spec));
  const partKey = (r: Record<string, unknown>): string => partCols.map((c) => String(r[c])).join('/');
  const existing: { file: string; ref: PartitionRef; part: string }[] = [];
  for (const [i, prefix] of prefixes.entries()) {
    const file = await localCopy(storage, `${prefix}/data.parquet`, opts.workDir);
    if (file) existing.push({ file, ref: refs[i]!, part: partKey(partitions[i]!) });
  }
  // A partition is written straight from the batch table when it has no published file and the batch
  // holds each of its keys once (a backfill's partitions, and a new month's): its one row per key is the
  // current version, and its COPY sorts them by the key. Only the others, the partitions to MERGE (a
  // published file to meet, or a key seen twice), are rebuilt through `_publish`: copying every row of
  // a batch into it because one of its partitions had a file cost 4.4 s of landing 10 M dossiers, and
  // the check for versions over all of them 3.9 s (bench/history.md, change 127). Both paths write the
  // same rows in the same order, so the same bytes (test: nothing-lost).
  // Keys seen twice are counted as distinct 64-bit hashes against the rows, not by grouping the keys
  // (the flushes of a 10 M backfill, 9 M keys: 2.2 s grouped, about half that hashed; change 84); a
  // collision only sends a partition down the merge path, which writes the same bytes.
  const merged = new Set(existing.map((e) => e.part));
  const repeats = (await db.scalarNumber(`SELECT count(*) - count(DISTINCT hash(${partList}, ${keyList})) FROM ${ident(batchTable)}`)) > 0;
  if (repeats) {
    const sql = `SELECT DISTINCT ${partList} FROM (SELECT ${partList} FROM ${ident(batchTable)} GROUP BY ${partList}, hash(${keyList}) HAVING count(*) > 1)`;
    for (const r of await db.all(sql)) merged.add(partKey(r));
  }
  let versioned = false;
  if (merged.size > 0) {
    const mergeRefs = partitions.filter((r) => merged.has(partKey(r)));
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _publish_parts AS SELECT * FROM (VALUES ${mergeRefs.map((r) => `(${partCols.map((c) => (c === 'source' ? literal(String(r[c])) : String(r[c]))).join(', ')})`).join(', ')}) AS t(${partList})`,
    );
    let union = '';
    if (existing.length > 0) {
      const files = `[${existing.map((e) => literal(e.file)).join(', ')}]`;
      const values = existing.map((e) => `(${[literal(e.file), ...partCols.slice(1).map((c) => String(e.ref[c as 'year' | 'month']))].join(', ')}, ${literal(e.ref.source)})`);
      await db.run(
        `CREATE OR REPLACE TEMP TABLE _publish_files AS SELECT * FROM (VALUES ${values.join(', ')}) AS t(_file, ${partCols.slice(1).map(ident).concat(ident('source')).join(', ')})`,
      );
      // UNION (not ALL): a row already published (same file, same row) meets itself once.
      union = `UNION SELECT ${partCols.map((c) => `f.${ident(c)}`).join(', ')}, ${await existingColumns(db, files, spec.columns, 'e.')}
               FROM read_parquet(${files}, hive_partitioning = false, union_by_name = true, filename = '_file') e JOIN _publish_files f USING (_file)`;
    }
    const rows = `SELECT ${partList}, ${colList} FROM ${ident(batchTable)} SEMI JOIN _publish_parts USING (${partList}) ${union}`;
    // Versions to pick only where a key is seen more than once in what is merged: the window that picks
    // them, with the sort of every row it needs, was 60–75 % of publishing 1 M dossiers (change 59).
    versioned = (await db.scalarNumber(`SELECT count(*) - count(DISTINCT hash(${partList}, ${keyList})) FROM (${rows})`)) > 0;
    // A table of the database, not a TEMP one: the partitions are written by PUBLISH_LANES connections at once.
    await db.run(
      versioned
        ? `CREATE OR REPLACE TABLE _publish AS
           SELECT *, row_number() OVER w AS _version${ledger ? ',\n                  first_value(raw_hash) OVER w AS _by_hash, first_value(raw_row) OVER w AS _by_row, first_value(_arrived) OVER w AS _by_at' : ''}
           FROM (
             SELECT v.*, a.arrived_at AS _arrived, a.original_name AS _name
             FROM (${rows}) v
             LEFT JOIN (SELECT raw_hash, max(arrived_at) AS arrived_at, max(original_name) AS original_name FROM raw_arrivals GROUP BY raw_hash) a
               ON a.raw_hash = v.raw_hash
           )
           WINDOW w AS (PARTITION BY ${partList}, ${keyList} ORDER BY ${spec.winner})
           ORDER BY ${partList}, ${keyList}, ${spec.winner}`
        : `CREATE OR REPLACE TABLE _publish AS SELECT *, CAST(1 AS BIGINT) AS _version FROM (${rows})`,
    );
  }
  // `_publish` is in (partition, key, winner) order when versions were picked, and a scan returns a
  // table's rows in that order (preserve_insertion_order, DuckDB's default): the sort each COPY would
  // repeat cost ≈ 20 % of the partitions' writing (bench/history.md, change 58). Otherwise each key has
  // one row, and the COPY sorts them by the key.
  // Except a partition of more than one row group (`sortIn`), which its COPY sorts too: the writer cuts
  // row groups where the scan's chunks end, and those are the table's row groups, so such a partition's
  // file was cut where `_publish` happened to be (122 878 + 622 rows, where the same partition alone in
  // its batch got 122 880 + 620): the same rows, other bytes, depending on what else the batch held.
  // Out of a sort, a file's row groups are cut every ROW_GROUP_ROWS rows (test: land.test.ts).
  const sortIn = new Set<string>();
  /** Partitions published with an ETag, their keys copied aside: indexed once every lane is done. */
  const toIndex: { partitionKey: string; file: string; etag: string }[] = [];
  const indexing = opts.keyIndex === true && keyIndexed(storage);
  try {
    const supersededIn = new Set<string>();
    if (versioned) {
      const superseded = ledger ? 'count(*) FILTER (WHERE _version > 1 AND NOT (raw_hash = _by_hash AND raw_row = _by_row))' : '0';
      const rows = await db.all(`SELECT ${partList}, count(*) FILTER (WHERE _version = 1) AS current, ${superseded} AS superseded FROM _publish GROUP BY ALL`);
      for (const r of rows) {
        const part = partCols.map((c) => String(r[c])).join('/');
        if (ledger && Number(r.superseded) > 0) supersededIn.add(part);
        if (Number(r.current) > ROW_GROUP_ROWS) sortIn.add(part);
      }
    }
    // Each partition is one COPY (≈ 8–15 ms whatever its size, most of it fixed): PUBLISH_LANES connections
    // write them at once, each partition still one atomic write with its ledger published before it.
    // Every lane ends before the connections close and the table goes, even when one fails.
    const lanes = Math.min(PUBLISH_LANES, refs.length);
    await db.onConnections(lanes, async (lane, k) => {
      // The storage writes of a lane's partition overlap its next COPY (each stays one atomic write).
      const puts: Promise<void>[] = [];
      try {
        for (let i = k; i < refs.length; i += lanes) {
          const ref = refs[i]!;
          const prefix = prefixes[i]!;
          const key = `${prefix}/data.parquet`;
          const where = partCols.map((c) => `${ident(c)} = $${c}`).join(' AND ');
          const params: Record<string, string | number> = { source: ref.source };
          if (ref.year !== undefined) params.year = ref.year;
          if (ref.month !== undefined) params.month = ref.month;
          const part = partCols.map((c) => String(params[c])).join('/');
          if (supersededIn.has(part)) {
            // The ledger is published BEFORE its partition (a crash between the two converges).
            await settleAll(puts.splice(0));
            await publishSuperseded(lane, storage, { ...opts, ref, colList, keyList, tmpDir, where, params });
          }
          const tmp = path.join(tmpDir, `${prefix.replaceAll('/', '__')}.parquet`);
          const direct = !merged.has(part);
          const from = direct ? `${ident(batchTable)} WHERE ${where}` : `_publish WHERE ${where} AND _version = 1`;
          const order = direct || !versioned || sortIn.has(part) ? ` ORDER BY ${keyList}` : '';
          await lane.run(`COPY (SELECT ${colList} FROM ${from}${order}) TO ${literal(tmp)} (${PARQUET_OPTIONS})`, params);
          // The keys of the very file uploaded, kept aside (small) so the file goes once it is uploaded.
          const keysTmp = `${tmp}.keys`;
          if (indexing) await writeKeys(lane, tmp, spec.key, keysTmp);
          puts.push(
            storage.putFile(key, tmp).then(async (etag) => {
              if (indexing && etag !== undefined) toIndex.push({ partitionKey: key, file: keysTmp, etag });
              else if (indexing) await rm(keysTmp, { force: true });
              await rm(tmp, { force: true });
            }),
          );
          if (puts.length >= 4) await settleAll(puts.splice(0));
        }
      } finally {
        await settleAll(puts.splice(0));
      }
    });
    // After its partition, from the file uploaded, under the ETag the upload returned.
    await publishKeyIndexes(db, storage, toIndex, spec.key, tmpDir);
    await Promise.all(toIndex.map((t) => rm(t.file, { force: true })));
  } finally {
    await db.run('DROP TABLE IF EXISTS _publish');
  }
  // Every partition of the batch, in order (each written, or the call failed).
  return prefixes.map((prefix) => `${prefix}/data.parquet`);
}

/** The key of a dataset's ledger of superseded versions (same partitions as the dataset). */
export function supersededPrefix(dataset: string, p: PartitionRef, spec: DatasetSpec): string {
  return partitionPrefix('landed', `_superseded/${dataset}`, p, spec);
}

/** Merge the losing versions of `_publish` into the partition's ledger, the first supersession of a row kept. */
async function publishSuperseded(
  db: DuckDb,
  storage: Storage,
  o: {
    dataset: string;
    spec: DatasetSpec;
    workDir: string;
    ref: PartitionRef;
    colList: string;
    keyList: string;
    tmpDir: string;
    where: string;
    params: Record<string, string | number>;
  },
): Promise<void> {
  const ledgerCols = `${o.colList}, ${Object.keys(SUPERSEDED_COLUMNS).map(ident).join(', ')}`;
  const key = `${supersededPrefix(o.dataset, o.ref, o.spec)}/data.parquet`;
  const existing = await localCopy(storage, key, o.workDir);
  const tmp = path.join(o.tmpDir, `${key.replaceAll('/', '__')}`);
  // `_by_at` is the winner's pull time as toISOString() wrote it (always UTC, 'Z').
  const byAt = (col: string): string => `CAST(replace(replace(${col}, 'T', ' '), 'Z', '') AS TIMESTAMP)`;
  // A replaced version names the version that holds its key now (the current winner), whatever batch
  // replaced it: an earlier row of the ledger whose key this publish gives a new winner is rewritten to
  // name it. Naming the batch's winner at the time made the ledger depend on how files were grouped (v1,
  // v2, v3 in one flush: v1 → v3; in three runs: v1 → v2), where the lake's bytes depend on its records only.
  const keyOn = o.spec.key.map((c) => `w.${ident(c)} = e.${ident(c)}`).join(' AND ');
  const rewritten = async (file: string): Promise<string> => {
    const cols = await existingColumns(db, literal(file), o.spec.columns, 'e.');
    // (A ledger file always holds the three columns it is written with.)
    return `SELECT ${cols}, coalesce(w._by_hash, e.superseded_by_hash) AS superseded_by_hash, coalesce(w._by_row, e.superseded_by_row) AS superseded_by_row,
                   coalesce(${byAt('w._by_at')}, e.superseded_at) AS superseded_at
            FROM read_parquet(${literal(file)}, hive_partitioning = false) e
            LEFT JOIN (SELECT ${o.keyList}, _by_hash, _by_row, _by_at FROM _publish WHERE ${o.where} AND _version = 1) w ON ${keyOn}`;
  };
  await db.run(
    `COPY (
       SELECT ${ledgerCols} FROM (
         SELECT ${o.colList}, _by_hash AS superseded_by_hash, _by_row AS superseded_by_row, ${byAt('_by_at')} AS superseded_at
         FROM _publish WHERE ${o.where} AND _version > 1 AND NOT (raw_hash = _by_hash AND raw_row = _by_row)
         ${existing ? `UNION ${await rewritten(existing)}` : ''}
       )
       QUALIFY row_number() OVER (PARTITION BY raw_hash, raw_row, ${o.keyList} ORDER BY superseded_at NULLS LAST, superseded_by_hash, superseded_by_row) = 1
       ORDER BY ${o.keyList}, raw_hash, raw_row
     ) TO ${literal(tmp)} (${PARQUET_OPTIONS})`,
    o.params,
  );
  await storage.putFile(key, tmp);
  await rm(tmp, { force: true });
}

/**
 * The select list that reads an already published file with today's columns: a column added to the
 * dataset after the file was written (the vendor fields of the dossiers) reads as a typed NULL, so a lake
 * landed by an earlier version keeps landing.
 */
async function existingColumns(db: DuckDb, files: string, columns: Readonly<Record<string, string>>, qualifier = ''): Promise<string> {
  const present = new Set(
    (await db.all(`DESCRIBE SELECT * FROM read_parquet(${files}, hive_partitioning = false, union_by_name = true)`)).map((r) => String(r.column_name)),
  );
  return Object.entries(columns)
    .map(([c, t]) => (present.has(c) ? `${qualifier}${ident(c)}` : `CAST(NULL AS ${t}) AS ${ident(c)}`))
    .join(', ');
}

/**
 * Move the rows of one published partition file (`fromKey`, under `root`/`dataset`) into the partition
 * `targetOf` gives each raw file they came from (its `raw_kind` and `raw_hash`), merged as any batch is
 * (publishPartitions), then delete the file. A crash between the two leaves the rows in both; the next
 * move merges them again (the same keys: nothing doubles) and deletes it. Returns the keys written.
 */
export async function moveRows(
  db: DuckDb,
  storage: Storage,
  opts: PartitionsOf & {
    fromKey: string;
    source: string;
    targetOf: (rawKind: string, rawHash: string) => Promise<{ year: number; month: number }>;
  },
): Promise<string[]> {
  const local = await localCopy(storage, opts.fromKey, opts.workDir);
  if (!local) return [];
  const files = await db.all(`SELECT DISTINCT CAST(raw_kind AS VARCHAR) AS raw_kind, raw_hash FROM read_parquet(${literal(local)}, hive_partitioning = false) ORDER BY ALL`);
  const rows: string[] = [];
  for (const f of files) {
    const t = await opts.targetOf(String(f.raw_kind), String(f.raw_hash));
    rows.push(`(${literal(String(f.raw_kind))}, ${literal(String(f.raw_hash))}, ${Math.trunc(t.year)}, ${Math.trunc(t.month)})`);
  }
  const cols = await existingColumns(db, literal(local), opts.spec.columns, 'f.');
  await db.run(
    `CREATE OR REPLACE TABLE _move_batch AS
     SELECT CAST($source AS VARCHAR) AS source, t.year, t.month, ${cols}
     FROM read_parquet(${literal(local)}, hive_partitioning = false) f
     JOIN (SELECT * FROM (VALUES ${rows.length > 0 ? rows.join(', ') : "('', '', 0, 0)"}) AS v(raw_kind, raw_hash, year, month)) t
       ON t.raw_kind = CAST(f.raw_kind AS VARCHAR) AND t.raw_hash = f.raw_hash`,
    { source: opts.source },
  );
  try {
    // Every row has its file's target (a row without a raw_hash would be left out: refused).
    const [moved, held] = [await db.scalarNumber('SELECT count(*) FROM _move_batch'), await db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(local)}, hive_partitioning = false)`)];
    if (moved !== held) throw new Error(`[pipeline] [lake] Failed to move ${opts.fromKey}: ${moved} row(s) to write for its ${held} (a row without its raw file?)`);
    const written = await publishPartitions(db, storage, { root: opts.root, dataset: opts.dataset, spec: opts.spec, batchTable: '_move_batch', workDir: opts.workDir });
    await storage.delete(opts.fromKey);
    return written;
  } finally {
    await db.run('DROP TABLE IF EXISTS _move_batch');
  }
}
