/**
 * land: turn staged raw files into landed and quarantined Parquet, then write their manifest entries.
 *
 * Bulk sources (dossier CSV exports and API pages) are read, typed and validated inside DuckDB by
 * the SQL in sql/landing/; small files (registry, XLSX, 766 JSON) go through the JS readers and are
 * handed to DuckDB in one batch per dataset for all the files of a kind. Per raw file: rows read =
 * rows landed + rows quarantined, or the land fails.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pMap from 'p-map';
import { DuckDb, ident, literal, withDuckDb } from '../engine/duckdb.js';
import { PARQUET_OPTIONS } from '../engine/parquet.js';
import { createError, PipelineInputError, rejectReasonOf } from '../errors.js';
import type { Storage } from '../storage/types.js';
import { batchColumns, DATASET_SPECS, EARLIEST_RECEIPT_YEAR, REJECTED_FILES_COLUMNS, type DatasetSpec, type LandedDataset } from './datasets.js';
import { landedKeyFiles } from './key-index.js';
import { ensureArrivals, localCopy, localParquetCopies, publishPartitions } from './partitions.js';
import { rehomeQuarantine } from './upgrade.js';
import { listManifest, listRejected, listStaged, ManifestEntry, manifestKey, rawKey, READS_AT_ONCE, writeManifest, writeManifestIndex, writeRejected, type RawMeta, type RejectedEntry } from './raw.js';
import { readLandingSql } from './landing-sql.js';
import { RAW_KINDS, type RawKind } from './sources.js';
import { landedRegistry, landSmallFile, readSmallFileAhead, SmallRows, type ReadAhead, type SmallLandResult } from './small.js';
import { vietnamMonth, pulledMonth } from './periods.js';
import { countCsvRecords, countCsvRecordsSync, lineAt, type CsvRecordCount } from './csv-records.js';
import { checkCsvHeader, PORTAL_CSV_HEADER, NSW_CSV_HEADER } from './csv-header.js';
import { utf8Csv } from './encoding.js';
import { createProfileTables, loadProfileExport } from '../profiles/load.js';
import { loadProfile, loadProfiles } from '../profiles/profile.js';

export interface LandOptions {
  storage: Storage;
  workDir: string;
  /** Newest plausible record time (dossiers after it are "in the future"); default: now + 1 day. */
  maxTimestamp?: string;
  kinds?: RawKind[];
  onProgress?: (done: number, total: number, file: string) => void;
  log?: (msg: string) => void;
  /** DuckDB memory limit, e.g. '3GB'. */
  memoryLimit?: string;
  /**
   * Publish and commit once this many dossiers wait in the batch (default FLUSH_ROWS): memory stays
   * bounded whatever the backfill's size. Results do not depend on it.
   */
  flushRows?: number;
  /** Most files per bulk chunk (default CHUNK_FILES); the tests lower it to land several chunks. */
  chunkFiles?: number;
  /** Filled with seconds spent per phase (bench/ profiles the land with it). */
  profile?: LandProfile;
}

/** Seconds per landing phase, summed over files and kinds. */
export type LandProfile = Record<string, number>;

async function timed<T>(profile: LandProfile | undefined, phase: string, fn: () => Promise<T>): Promise<T> {
  if (!profile) return fn();
  const t = performance.now();
  try {
    return await fn();
  } finally {
    profile[phase] = (profile[phase] ?? 0) + (performance.now() - t) / 1000;
  }
}

export interface LandSummary {
  files: ManifestEntry[];
  /** Files that failed to land in this run: recorded under manifest/rejected/, kept in raw/. */
  rejected: RejectedEntry[];
  partitionsWritten: string[];
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
}

/**
 * Thrown by landStaged AFTER everything else landed when some files were rejected: it names them
 * (the first as `file`/`row`/`field`), and carries the summary of what did land.
 */
export class RejectedFilesError extends PipelineInputError {
  /** Set by runAll: what the rest of the run did (models, verify) before failing on the rejected files. */
  runSummary?: unknown;
  constructor(
    readonly rejected: RejectedEntry[],
    readonly summary: LandSummary,
    first: unknown,
  ) {
    const f = first instanceof PipelineInputError ? first : undefined;
    super('land', rejected[0]!.original_name, 'rejected', { row: f?.row, field: f?.field, cause: first, code: rejectReasonOf(first) ?? rejected[0]!.reason ?? 'unreadable' });
    const lines = rejected.map((r) => r.error.replace(/^\[pipeline\] \[\w+\] /, ''));
    const head = rejected.length === 1 ? rejected[0]!.error : `[pipeline] [land] ${rejected.length} files were rejected:\n  ${lines.join('\n  ')}`;
    this.message =
      `${head}\n  ${rejected.length === 1 ? 'The file is' : 'They are'} kept in raw/ and recorded as rejected; every other file landed ` +
      `(${summary.files.length} file(s), ${summary.rowsLanded} row(s)). Drop a corrected file, or after fixing the cause ` +
      "run `npm run cli -- retry <file>`; `npm run cli -- rejected` lists them, `npm run cli -- discard <file>` gives one up.";
    this.name = 'RejectedFilesError';
  }
}

/** Manifest entries written at once (each one create-once write; storage round trips overlap). */
const MANIFEST_WRITES = 16;

/** Order matters: dossiers are checked against the registry landed before them. */
const KIND_ORDER: RawKind[] = [
  'registry-agencies',
  'registry-procedures',
  'portal-api',
  'portal-csv',
  'nsw-csv',
  'dossier-export',
  'bieu06-xlsx',
  'par-xlsx',
  'score766-legacy',
  'score766-metrics',
  'score766-results',
  'score766-detail',
];

/** The kinds whose rows are dossiers: the first of them landed places an id (dossiers_checked.sql). */
const DOSSIER_KINDS: ReadonlySet<RawKind> = new Set(['portal-api', 'portal-csv', 'nsw-csv', 'dossier-export']);

/** The sources in the order their dossiers land (the two sources' ids never meet: NSW ids carry NSW-). */
const SOURCE_ORDER = ['portal', 'nsw'];

/**
 * The land's runs: each a kind and its staged files in arrival order (`staged` is in that order:
 * listStaged), the kinds in KIND_ORDER — except the dossier kinds, whose files land source by source
 * and, within a source, in arrival order across kinds, a run ending where the kind changes. Which file
 * lands first places a dossier id that two files put in different months (the later one is
 * quarantined), so an API page pulled after a CSV export landed after it whether the two came in one land
 * or in two; by kind (every page before every CSV) one land placed it by the page and two by the export.
 * `sourceOf` gives a dossier file's source (a vendor export's is its profile's).
 */
export function landingRuns(kinds: readonly RawKind[], staged: readonly RawMeta[], sourceOf: (meta: RawMeta) => string): { kind: RawKind; files: RawMeta[] }[] {
  const runs: { kind: RawKind; files: RawMeta[] }[] = [];
  const dossierFiles = staged.filter((m) => DOSSIER_KINDS.has(m.kind) && kinds.includes(m.kind));
  const sources = [...new Set(dossierFiles.map(sourceOf))].sort((a, b) => rank(a) - rank(b) || cmpText(a, b));
  let dossiersPlaced = false;
  for (const kind of kinds) {
    if (!DOSSIER_KINDS.has(kind)) {
      runs.push({ kind, files: staged.filter((m) => m.kind === kind) });
      continue;
    }
    if (dossiersPlaced) continue;
    dossiersPlaced = true;
    for (const source of sources) {
      let run: { kind: RawKind; files: RawMeta[] } | undefined;
      for (const meta of dossierFiles.filter((m) => sourceOf(m) === source)) {
        if (run?.kind === meta.kind) run.files.push(meta);
        else runs.push((run = { kind: meta.kind, files: [meta] }));
      }
    }
  }
  return runs;
}

const rank = (source: string): number => (SOURCE_ORDER.includes(source) ? SOURCE_ORDER.indexOf(source) : SOURCE_ORDER.length);
const cmpText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The source a raw file's rows land under: its kind's, or a vendor export's mapping profile's ('portal' when
 * it has none that loads: it is refused as it lands). `profiles`: loadProfiles(), or none when they do not load.
 */
export function rawFileSource(meta: Pick<RawMeta, 'kind' | 'profile'>, profiles: ReadonlyMap<string, { source: string }>): string {
  return meta.kind === 'dossier-export' ? (profiles.get(meta.profile ?? '')?.source ?? 'portal') : RAW_KINDS[meta.kind].source;
}

/** The profiles rawFileSource reads: none when they do not load (each export is then refused as it lands). */
export const profilesOrNone = (): Promise<ReadonlyMap<string, { source: string }>> => loadProfiles().catch(() => new Map());

/** Each staged vendor export's source (rawFileSource). */
async function exportSources(staged: readonly RawMeta[]): Promise<Map<string, string>> {
  const profiles = await profilesOrNone();
  return new Map(staged.filter((m) => m.kind === 'dossier-export').map((m) => [m.sha256, rawFileSource(m, profiles)]));
}

export async function landStaged(opts: LandOptions): Promise<LandSummary> {
  const kinds = KIND_ORDER.filter((k) => !opts.kinds || opts.kinds.includes(k));
  const prof = opts.profile;
  const staged = await timed(prof, 'list staged', () => listStaged(opts.storage, kinds));
  const summary: LandSummary = { files: [], rejected: [], partitionsWritten: [], rowsRead: 0, rowsLanded: 0, rowsQuarantined: 0 };
  const workDir = path.resolve(opts.workDir, `land-${process.pid}`);
  // What an earlier version's layout left is rewritten first (lake/upgrade.ts), with or without files to land.
  const upgraded = await timed(prof, 'upgrade', () => rehomeQuarantine(opts.storage, { workDir, memoryLimit: opts.memoryLimit, log: opts.log })).catch(async (err: unknown) => {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  });
  summary.partitionsWritten.push(...upgraded);
  if (staged.length === 0) {
    // Nothing to land, but an operator may have discarded a rejected file since the last run.
    try {
      await timed(prof, 'rejected files', () => publishRejectedFiles(opts.storage, workDir));
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    return summary;
  }
  await mkdir(workDir, { recursive: true });
  const db = await DuckDb.open({ memoryLimit: opts.memoryLimit, tempDirectory: path.join(workDir, 'spill') });
  let firstError: unknown;
  /** A precondition a kind's files wait on (the registry), thrown at the end. */
  let waiting: PipelineInputError | undefined;
  const reject = async (meta: RawMeta, err: unknown): Promise<void> => {
    firstError ??= err;
    summary.rejected.push(await writeRejected(opts.storage, meta, (err as Error).message, rejectReasonOf(err)));
    opts.log?.(`rejected ${meta.original_name}: ${(err as Error).message}`);
  };
  try {
    /** Manifest entries read by this land (create-once: the landing log at the end reads only the new ones). */
    const manifest = new Map<string, ManifestEntry>();
    await timed(prof, 'arrivals', () => loadArrivals(db, opts.storage, staged, workDir, manifest));
    /** XLSX reports read while the dossiers land (started once the registry is landed). */
    let readAhead: Map<string, ReadAhead> | undefined;
    const maxTs = opts.maxTimestamp ?? new Date(Date.now() + 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    let done = 0;
    const exported = await exportSources(staged);
    const sourceOf = (m: RawMeta): string => exported.get(m.sha256) ?? RAW_KINDS[m.kind].source;
    for (const { kind, files } of landingRuns(kinds, staged, sourceOf)) {
      if (files.length === 0) continue;
      const info = RAW_KINDS[kind];
      const entries: ManifestEntry[] = [];
      // Publish what the batches hold, then commit the files they came from (manifest entries).
      const commit = async (): Promise<void> => {
        summary.partitionsWritten.push(...(await timed(prof, 'publish partitions', () => publishBatches(db, opts.storage, workDir))));
        const batch = entries.splice(0);
        for (const e of batch) {
          if (e.rows_read !== e.rows_landed + e.rows_quarantined) {
            throw createError('land', `Failed to account for ${e.original_name} (${e.sha256.slice(0, 12)}): read ${e.rows_read} ≠ landed ${e.rows_landed} + quarantined ${e.rows_quarantined}`);
          }
        }
        // Each entry is its own create-once commit marker: written several at a time.
        await timed(prof, 'write manifest', async () => {
          for (let i = 0; i < batch.length; i += MANIFEST_WRITES) {
            await Promise.all(
              batch.slice(i, i + MANIFEST_WRITES).map(async (e) => {
                // An entry this land wrote is what the landing log and the index take (nothing to read back).
                if (await writeManifest(opts.storage, e)) manifest.set(manifestKey(e.kind, e.sha256), ManifestEntry.parse(e));
              }),
            );
          }
        });
        for (const e of batch) {
          summary.files.push(e);
          summary.rowsRead += e.rows_read;
          summary.rowsLanded += e.rows_landed;
          summary.rowsQuarantined += e.rows_quarantined;
        }
      };
      const ready = await timed(prof, 'reset batches + refs', async () => {
        await resetBatches(db);
        // No registry: this kind's files wait, staged (nothing is wrong with them); the other kinds land.
        return prepareRefs(db, opts.storage, workDir, info.bulk ? files : []).then(
          () => true,
          (err: unknown) => {
            if (!(err instanceof PipelineInputError)) throw err;
            waiting ??= err;
            opts.log?.(err.message);
            return false;
          },
        );
      });
      if (!ready) continue;
      if (!readAhead && !kind.startsWith('registry-')) readAhead = await startReadAhead(db, opts.storage, staged, workDir);
      if (info.bulk) {
        await setLandingParams(db, maxTs);
        await db.run(`CREATE OR REPLACE TEMP VIEW dossiers_vendor_absent AS ${await readLandingSql('dossiers_vendor_absent')}`);
        await timed(prof, 'landed dossier ids', () => loadLandedDossierIds(db, opts.storage, workDir));
        for (const chunk of bulkChunks(files, opts.chunkFiles)) {
          entries.push(...(await landBulkTolerant(db, opts.storage, workDir, chunk, reject, prof)));
          done += chunk.length;
          opts.onProgress?.(done, staged.length, chunk[chunk.length - 1]!.original_name);
          // Bounded memory: a backfill does not hold every dossier of the run before publishing.
          // The published ids join the lake's ids, so the next chunks see them as landed.
          if ((await db.scalarNumber('SELECT count(*) FROM batch_dossiers')) >= (opts.flushRows ?? FLUSH_ROWS)) {
            await commit();
            await timed(prof, 'reset batches + refs', async () => {
              // Not DISTINCT: the checks group the ids (loadLandedDossierIds), and the DISTINCT of each flush
              // cost 1.4 s of landing 10 M dossiers (bench/history.md, change 76).
              await db.run('INSERT INTO landed_dossier_ids SELECT dossier_id, source, year, month FROM batch_dossiers');
              await resetBatches(db);
            });
          }
        }
      } else {
        const landedFiles: { meta: RawMeta; result: SmallLandResult }[] = [];
        // The kind's rows, inserted once every file is read: a file that fails adds none of its own.
        const kindRows = new SmallRows();
        const landing = vietnamMonth();
        for (const meta of files) {
          const local = await requireLocal(opts.storage, meta, workDir);
          try {
            const pending = readAhead?.get(meta.sha256);
            const rows = new SmallRows();
            landedFiles.push({
              meta,
              result: await timed(prof, 'small files', () => landSmallFile(db, { meta, localPath: local, storage: opts.storage, rows, readAhead: pending, latestDate: maxTs.slice(0, 10), landing })),
            });
            kindRows.merge(rows);
          } catch (err) {
            if (!(err instanceof PipelineInputError)) throw err;
            await reject(meta, err);
          }
          opts.onProgress?.(++done, staged.length, meta.original_name);
        }
        await timed(prof, 'small files', () => kindRows.insert(db, workDir));
        const results = await timed(prof, 'small files', () => quarantineRepeatedKeys(db, landedFiles));
        for (const [i, { meta }] of landedFiles.entries()) {
          const r = results[i]!;
          entries.push(toManifest(meta, r.dataset, info.source, r.rowsRead, r.rowsLanded, r.rowsQuarantined));
        }
      }
      await commit();
    }
    await timed(prof, 'landing log', () => publishLandingLog(db, opts.storage, workDir, manifest));
    await timed(prof, 'rejected files', () => publishRejectedFiles(opts.storage, workDir));
    if (waiting) throw waiting;
    if (summary.rejected.length > 0) throw new RejectedFilesError(summary.rejected, summary, firstError);
    return summary;
  } finally {
    db.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Starts reading the staged XLSX reports (Biểu 06, PAR: JS readers, the slowest small files) one after
 * another in the background, with the registry landed by now, so they are read while DuckDB lands the
 * dossiers. Each file's outcome (records or error) is taken at its turn, exactly as if read then.
 */
async function startReadAhead(db: DuckDb, storage: Storage, staged: RawMeta[], workDir: string): Promise<Map<string, ReadAhead>> {
  const out = new Map<string, ReadAhead>();
  const files = staged.filter((m) => m.kind === 'bieu06-xlsx' || m.kind === 'par-xlsx');
  if (files.length === 0) return out;
  const registry = await landedRegistry(db);
  let previous: Promise<unknown> = Promise.resolve();
  for (const meta of files) {
    const pending: ReadAhead = previous.then(async () => {
      const local = await localCopy(storage, rawKey(meta.kind, meta.sha256), workDir);
      if (!local) return { ok: false as const, error: createError('land', `Failed to read raw ${meta.kind}/${meta.sha256}: staged but missing`) };
      return (await readSmallFileAhead(meta, local, registry)) ?? { ok: false as const, error: new Error('not an XLSX report') };
    }).catch((error: unknown) => ({ ok: false as const, error }));
    out.set(meta.sha256, pending);
    previous = pending;
  }
  return out;
}

/**
 * raw_arrivals: when each raw file arrived (its pull time) and its name, for the version rule
 * (datasets.ts): every landed file (manifest) and every file staged for this land.
 */
async function loadArrivals(db: DuckDb, storage: Storage, staged: RawMeta[], workDir: string, manifest: Map<string, ManifestEntry>): Promise<void> {
  await ensureArrivals(db);
  await db.run('DELETE FROM raw_arrivals');
  const all = [...(await listManifest(storage, manifest)), ...staged];
  if (all.length === 0) return;
  const file = path.join(workDir, 'arrivals.ndjson');
  await writeFile(file, all.map((m) => JSON.stringify({ raw_hash: m.sha256, arrived_at: m.pulled_at, original_name: m.original_name })).join('\n'));
  await db.run(
    `INSERT INTO raw_arrivals SELECT DISTINCT raw_hash, arrived_at, original_name
     FROM read_json(${literal(file)}, format = 'newline_delimited', columns = {raw_hash: 'VARCHAR', arrived_at: 'VARCHAR', original_name: 'VARCHAR'})`,
  );
}

/** A file of a bulk chunk that could not be read: which one, and why. */
class ChunkFileError extends Error {
  constructor(
    readonly meta: RawMeta,
    readonly error: unknown,
  ) {
    super((error as Error).message, { cause: error });
  }
}

/**
 * One bulk chunk, where a file that cannot be landed (a PipelineInputError: wrong header, not CSV,
 * not an API page…) is rejected and the chunk is landed again without it. An error that names no
 * file lands the chunk's files one by one to find it. Faults (storage, engine) still fail the land.
 */
async function landBulkTolerant(
  db: DuckDb,
  storage: Storage,
  workDir: string,
  chunk: RawMeta[],
  reject: (meta: RawMeta, err: unknown) => Promise<void>,
  prof?: LandProfile,
): Promise<ManifestEntry[]> {
  let pending = chunk;
  while (pending.length > 0) {
    try {
      return await landBulkChunk(db, storage, workDir, pending, prof);
    } catch (err) {
      const cause = err instanceof ChunkFileError ? err.error : err;
      if (!(cause instanceof PipelineInputError)) throw cause;
      if (err instanceof ChunkFileError) {
        await reject(err.meta, cause);
        pending = pending.filter((m) => m !== err.meta);
        continue;
      }
      if (pending.length === 1) {
        await reject(pending[0]!, cause);
        return [];
      }
      const out: ManifestEntry[] = [];
      for (const meta of pending) out.push(...(await landBulkTolerant(db, storage, workDir, [meta], reject, prof)));
      return out;
    }
  }
  return [];
}

const SMALL_DATASETS = (Object.keys(DATASET_SPECS) as LandedDataset[]).filter((d) => d !== 'quarantine' && d !== 'dossiers');

/** Which dataset's rows a small file's manifest counts (PAR: its totals; its field rows follow them). */
const COUNTED_DATASET: Record<string, LandedDataset> = { par: 'par_totals' };

/**
 * `small_rows` for sql/landing/small_repeated.sql: every row of one small dataset's batch with its key
 * (source, partition values and key as one JSON text), the key's last column and value, and the row
 * as JSON.
 */
function smallRowsOf(dataset: LandedDataset): string {
  const spec: DatasetSpec = DATASET_SPECS[dataset];
  const keyCol = spec.key[spec.key.length - 1]!;
  const pack = (cols: readonly string[]): string => `struct_pack(${cols.map((c) => `${ident(c)} := ${ident(c)}`).join(', ')})`;
  return `SELECT ${literal(dataset)} AS dataset, raw_hash, raw_row, source,
                 CAST(to_json(${pack(['source', ...spec.partitions, ...spec.key])}) AS VARCHAR) AS row_key,
                 ${literal(keyCol)} AS key_field, CAST(${ident(keyCol)} AS VARCHAR) AS key_value,
                 ${literal(spec.keyWords ?? `the same ${spec.key.join(' + ')}`)} AS key_words,
                 CAST(to_json(${pack(Object.keys(spec.columns))}) AS VARCHAR) AS raw_record
          FROM ${ident(`batch_${dataset}`)}`;
}

/**
 * Two rows of ONE file with the same key (datasets.ts) are not two versions: the first is landed,
 * each later one is quarantined naming the first (sql/landing/small_repeated.sql), and the file's
 * counts are taken from what is left. One statement for all the kind's files (one per file and
 * dataset cost more than the files' own landing).
 */
async function quarantineRepeatedKeys(db: DuckDb, landed: { meta: RawMeta; result: SmallLandResult }[]): Promise<SmallLandResult[]> {
  if (landed.length === 0) return [];
  const files = landed.map(({ meta, result }) => {
    const q = result.quarantinedUnder;
    return `(${literal(meta.sha256)}, ${literal(meta.kind)}, ${literal(meta.original_name)}, ${q.year}, ${q.month})`;
  });
  await db.run(`CREATE OR REPLACE TEMP TABLE small_files AS SELECT * FROM (VALUES ${files.join(', ')}) AS t(raw_hash, raw_kind, source_file, fy, fm)`);
  // Only the datasets the kind's files filled (a kind fills one or two of them).
  const filled = (
    await db.all(SMALL_DATASETS.map((d) => `SELECT ${literal(d)} AS dataset FROM ${ident(`batch_${d}`)} HAVING count(*) > 0`).join(' UNION ALL '))
  ).map((r) => String(r.dataset));
  const datasets = SMALL_DATASETS.filter((d) => filled.includes(d));
  if (datasets.length === 0) return landed.map(({ result }) => result);
  await db.run(`CREATE OR REPLACE TEMP VIEW small_rows AS ${datasets.map(smallRowsOf).join('\n UNION ALL ')}`);
  // A key seen twice in one file is rare: the rows against their distinct (dataset, file, key) hashes —
  // the same `row_key` text the statement below partitions by, each row's record not built — decide
  // whether that statement (a window over every row, every row's record as JSON) runs at all. At 100 k
  // dossiers the 41 files of 766 metrics took 0.16 s there (bench/history.md, change 90). A hash
  // collision only sends the kind down the exact path.
  if ((await db.scalarNumber('SELECT count(*) - count(DISTINCT hash(dataset, raw_hash, row_key)) FROM small_rows')) === 0) {
    return landed.map(({ result }) => result);
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE small_repeated AS ${await readLandingSql('small_repeated')}`);
  const moved = new Map<string, number>();
  for (const r of await db.all('SELECT raw_hash, dataset, count(*) AS n FROM small_repeated GROUP BY raw_hash, dataset')) {
    moved.set(`${String(r.raw_hash)}/${String(r.dataset)}`, Number(r.n));
  }
  if (moved.size > 0) {
    await db.run('INSERT INTO batch_quarantine BY NAME SELECT * FROM small_repeated');
    const hit = new Set([...moved.keys()].map((k) => k.slice(k.indexOf('/') + 1)));
    for (const dataset of SMALL_DATASETS.filter((d) => hit.has(d))) {
      await db.run(
        `DELETE FROM ${ident(`batch_${dataset}`)} b
         WHERE EXISTS (SELECT 1 FROM small_repeated r WHERE r.dataset = $dataset AND r.raw_hash = b.raw_hash AND r.row_no = b.raw_row)`,
        { dataset },
      );
    }
  }
  return landed.map(({ meta, result }) => {
    const n = moved.get(`${meta.sha256}/${COUNTED_DATASET[result.dataset] ?? result.dataset}`) ?? 0;
    return n === 0 ? result : { ...result, rowsLanded: result.rowsLanded - n, rowsQuarantined: result.rowsQuarantined + n };
  });
}

/**
 * Batch columns beyond the dataset's own: quarantine's rows name the dataset they were meant for; a
 * dossier row keeps its place in its chunk and the checks' verdict (dossiers_landed.sql).
 */
const BATCH_EXTRA_COLUMNS: Partial<Record<LandedDataset, Record<string, string>>> = {
  quarantine: { dataset: 'VARCHAR' },
  dossiers: { _chunk: 'INTEGER', _file_no: 'INTEGER', _valid: 'BOOLEAN', _failed_field: 'VARCHAR', _failed_reason: 'VARCHAR' },
};

/**
 * `landing_params`, the bounds the dossier checks hold every row to (sql/landing/dossiers_checked.sql,
 * dossiers_quarantined.sql): `max_at`, the latest plausible timestamp (`maxTs`, 'YYYY-MM-DD HH:MM:SS'), and
 * `earliest_year`, the first year of receipt the lake accepts (EARLIEST_RECEIPT_YEAR, one constant for
 * the TypeScript and the SQL), and `earliest_at`, its 1 January 00:00.
 */
export async function setLandingParams(db: DuckDb, maxTs: string): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE landing_params AS SELECT CAST($max AS TIMESTAMP) AS max_at, CAST($earliest AS INTEGER) AS earliest_year, make_timestamp($earliest, 1, 1, 0, 0, 0) AS earliest_at', {
    max: maxTs,
    earliest: EARLIEST_RECEIPT_YEAR,
  });
}

/** Fresh, empty batch tables for every dataset and for quarantine. */
export async function resetBatches(db: DuckDb): Promise<void> {
  for (const dataset of Object.keys(DATASET_SPECS) as LandedDataset[]) {
    const all = { ...BATCH_EXTRA_COLUMNS[dataset], ...batchColumns(dataset) };
    // Tables of the database, not TEMP ones: publishPartitions' lanes (connections of their own) read them.
    await db.run(`CREATE OR REPLACE TABLE ${ident(`batch_${dataset}`)} (${Object.entries(all).map(([c, t]) => `${ident(c)} ${t}`).join(', ')})`);
  }
  // Each bulk chunk's number in the batch (dossiers_landed.sql's `_chunk`).
  await db.run('CREATE OR REPLACE SEQUENCE batch_chunks');
}

async function publishBatches(db: DuckDb, storage: Storage, workDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const dataset of Object.keys(DATASET_SPECS) as LandedDataset[]) {
    if (dataset === 'quarantine') continue;
    // The dossiers' ids are what every land checks against the whole lake: on S3 each partition gets a key index.
    const keyIndex = dataset === 'dossiers';
    written.push(...(await publishPartitions(db, storage, { root: 'landed', dataset, spec: DATASET_SPECS[dataset], batchTable: `batch_${dataset}`, workDir, keyIndex })));
  }
  // Quarantine is partitioned by the dataset the rows were meant for.
  const datasets = (await db.all('SELECT DISTINCT dataset FROM batch_quarantine ORDER BY dataset')).map((r) => String(r.dataset));
  for (const dataset of datasets) {
    if (!/^[a-z0-9_]+$/.test(dataset)) throw createError('land', `Failed to publish quarantine: bad dataset name ${dataset}`);
    await db.run(`CREATE OR REPLACE TABLE batch_q_one AS SELECT * EXCLUDE (dataset) FROM batch_quarantine WHERE dataset = $d`, { d: dataset });
    written.push(...(await publishPartitions(db, storage, { root: 'quarantine', dataset, spec: DATASET_SPECS.quarantine, batchTable: 'batch_q_one', workDir })));
  }
  return written;
}

/**
 * The landed registry as reference tables for the dossier checks. Dossiers (`needFor`: the files about
 * to be landed) are never landed without it: their agency and procedure checks would have nothing to
 * check against, so a missing or empty registry is an error naming the first of them.
 */
export async function prepareRefs(db: DuckDb, storage: Storage, workDir: string, needFor: RawMeta[] = []): Promise<void> {
  const registry = { agencies: 'registry/agencies.csv', procedures: 'registry/procedures.csv' } as const;
  for (const [table, dataset] of [['ref_agencies', 'agencies'], ['ref_procedures', 'procedures']] as const) {
    const cols = DATASET_SPECS[dataset].columns;
    await db.run(`CREATE OR REPLACE TEMP TABLE ${ident(table)} (${Object.entries(cols).map(([c, t]) => `${ident(c)} ${t}`).join(', ')})`);
    const key = `landed/${dataset}/source=registry/data.parquet`;
    const local = await localCopy(storage, key, workDir);
    if (local) await db.run(`INSERT INTO ${ident(table)} BY NAME SELECT * FROM read_parquet(${literal(local)}, hive_partitioning = false)`);
    if (needFor.length > 0 && (await db.scalarNumber(`SELECT count(*) FROM ${ident(table)}`)) === 0) {
      const what = dataset === 'agencies' ? 'agency registry' : 'procedure catalogue';
      const others = needFor.length > 1 ? ` (and ${needFor.length - 1} other dossier file(s))` : '';
      // Not a rejection: the files wait, staged, for their registry.
      throw PipelineInputError.refusingNoFile(
        'land',
        needFor[0]!.original_name,
        `no ${what} has been landed (none, or none of its rows was valid), so its dossiers' ${dataset === 'agencies' ? 'agency' : 'procedure'} codes cannot be checked${others}: land ${registry[dataset]} first, then land again`,
      );
    }
  }
}

/**
 * `ref_dossier_ids`: where every dossier id already lives (landed partitions and this batch), so
 * dossiers_checked.sql can quarantine a version that would land in another partition (a changed
 * source or month of receipt) instead of leaving the id twice in the lake.
 *
 * The landed partitions are read where they are, by each check (a semi-join on the batch's ids), not
 * copied into a table first: at 10 M dossiers the copy held 10 M ids in memory and took 0.7–2.7 s, the
 * read within the check 0.3 s (bench/history.md, change 44). A partition a flush of this run publishes
 * is replaced in place (its file holds the ids it held and the new ones), or is new: its ids are in
 * `landed_dossier_ids`, filled at each flush. An id counted twice is harmless: the reader groups by id,
 * and an id lives in one partition.
 */
async function loadLandedDossierIds(db: DuckDb, storage: Storage, workDir: string): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE landed_dossier_ids (dossier_id VARCHAR, source VARCHAR, year INTEGER, month INTEGER)');
  // On S3 the partitions' key indexes where they match (lake/key-index.ts), not the partitions.
  const { indexes, partitions } = await landedKeyFiles(db, storage, { dataset: 'dossiers', keyColumns: DATASET_SPECS.dossiers.key, workDir });
  const landed = [indexes, partitions]
    .filter((files) => files.length > 0)
    .map(
      (files) => `SELECT dossier_id, CAST(source AS VARCHAR) AS source, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month
         FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = true, hive_types_autocast = false)
         UNION ALL `,
    )
    .join('');
  await db.run(
    `CREATE OR REPLACE TEMP VIEW ref_dossier_ids AS
     ${landed}SELECT dossier_id, source, year, month FROM landed_dossier_ids
     UNION ALL SELECT dossier_id, source, year, month FROM batch_dossiers`,
  );
}

async function requireLocal(storage: Storage, meta: RawMeta, workDir: string): Promise<string> {
  const local = await localCopy(storage, rawKey(meta.kind, meta.sha256), workDir);
  if (!local) throw createError('land', `Failed to read raw ${meta.kind}/${meta.sha256}: staged but missing`);
  return local;
}

/**
 * Bulk files are landed in chunks: one chunk is checked, split and counted by single statements over
 * all its files (per-statement overhead, not rows, dominated the time of one small file at a time).
 * A chunk holds at most this many files and raw bytes.
 */
const CHUNK_FILES = 400;
const CHUNK_BYTES = 256 * 2 ** 20;
/** CSV files read per statement (one read_csv each, under UNION ALL): bounds the statement's size. */
const CSV_READ_BATCH = 64;
/**
 * Connections that read a chunk's CSV files at once, each a run of consecutive files (landBulkChunk): a
 * scan of one file runs on one thread. The 84 portal exports of the 10 M bench dataset read in 19.3 s on
 * one connection, 14.4 s on two; 1 M 2.5–3.0 → 1.7 s (bench/history.md, change 65).
 */
const CSV_READ_LANES = 2;
/**
 * Landed dossiers held before their partitions are published and their files committed: at 10 M
 * dossiers a whole backfill in the batch spilled past DuckDB's memory limit (bench/history.md,
 * change 8).
 */
export const FLUSH_ROWS = 1_000_000;

function bulkChunks(files: RawMeta[], maxFiles = CHUNK_FILES): RawMeta[][] {
  const out: RawMeta[][] = [];
  let cur: RawMeta[] = [];
  let bytes = 0;
  for (const f of files) {
    if (cur.length > 0 && (cur.length >= maxFiles || bytes + f.bytes > CHUNK_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += f.bytes;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** read_json's buffer must hold one whole page; a fixed 512 MB per file would exhaust memory on a multi-file read. */
function jsonObjectSize(metas: RawMeta[]): number {
  return Math.min(536_870_912, Math.max(16 * 2 ** 20, Math.max(...metas.map((m) => m.bytes)) + 2 ** 20));
}

/**
 * The pages' records. `newline_delimited` reads a page written on one line (as the portal sends it, and
 * JSON.stringify writes it) in two thirds of the time `auto` takes (1 M dossiers' 215 pages: 0.68–0.74
 * against 0.97–1.31 s; bench/history.md, change 123); a page that is not one object per line (pretty-printed)
 * fails that read, and its chunk is read again with `auto`, which takes every page as before.
 */
function readJsonPages(paths: string[], objectSize: number, format: 'newline_delimited' | 'auto' = 'auto'): string {
  return `SELECT filename, unnest(data) AS d, generate_subscripts(data, 1) AS i
          FROM read_json([${paths.map(literal).join(', ')}], columns = {data: 'JSON[]'}, format = '${format}',
                         maximum_object_size = ${objectSize}, filename = true)`;
}

/**
 * Dossier CSVs or API pages of one kind: read in DuckDB, parse, check, split into landed and
 * quarantined rows. Every row keeps its file (`file_no`, landing order) and its row number in
 * that file; the per-file rules (duplicates in the file) never mix files, and a file sees the ids
 * landed by the files before it (dossiers_checked.sql), exactly as if landed one at a time.
 */
async function landBulkChunk(db: DuckDb, storage: Storage, workDir: string, metas: RawMeta[], prof?: LandProfile): Promise<ManifestEntry[]> {
  const kind = metas[0]!.kind;
  const info = RAW_KINDS[kind];
  const lap = lapClock(prof, kind);
  const locals = await pMap(metas, (meta) => requireLocal(storage, meta, workDir), { concurrency: READS_AT_ONCE });
  const landing = vietnamMonth();
  const fileRows = metas.map((m, i) => {
    const pulled = pulledMonth(m.period, landing);
    return `(${i}, ${literal(locals[i]!)}, ${literal(m.sha256)}, ${literal(m.original_name)}, ${pulled.year}, ${pulled.month})`;
  });
  await db.run(
    `CREATE OR REPLACE TEMP TABLE chunk_files AS
     SELECT * FROM (VALUES ${fileRows.join(', ')}) AS t(file_no, path, hash, file, fy, fm)`,
  );
  await db.run('CREATE OR REPLACE TEMP TABLE raw_rejects (file_no INTEGER, row_no BIGINT, reason VARCHAR, raw_line VARCHAR)');
  if (kind === 'portal-api') {
    const size = jsonObjectSize(metas);
    await db.dropRelation('raw_input');
    const rawInput = (format: 'newline_delimited' | 'auto'): Promise<void> =>
      db.run(
        `CREATE OR REPLACE TEMP TABLE raw_input AS
         SELECT f.file_no, CAST(j.i AS BIGINT) AS row_no, j.d
         FROM (${readJsonPages(locals, size, format)}) j JOIN chunk_files f ON f.path = j.filename`,
      );
    await rawInput('newline_delimited')
      .catch(() => rawInput('auto'))
      .catch(async (cause: unknown) => {
        // Name the page that cannot be read: try them one by one.
        for (const [i, local] of locals.entries()) {
          await db.all(`SELECT count(*) FROM (${readJsonPages([local], size)})`).catch((one: unknown) => {
            throw new ChunkFileError(
              metas[i]!,
              new PipelineInputError('land', metas[i]!.original_name, `not a dossier page of the portal API (${(one as Error).message.split('\n')[0]})`, { cause: one, code: 'not_api_page' }),
            );
          });
        }
        throw cause;
      });
    await db.run(`CREATE OR REPLACE TEMP VIEW landing_parsed AS ${await readLandingSql('dossiers_portal_json')}`);
  } else if (kind === 'dossier-export') {
    // A vendor export through its mapping profile: streamed into profile_raw in large batches, the
    // values mapped by sql/landing/dossiers_profile.sql (docs/data-contracts.md §2.9).
    await createProfileTables(db);
    for (const [i, meta] of metas.entries()) {
      try {
        const profile = await loadProfile(meta.profile ?? '').catch((cause: unknown) => {
          throw new PipelineInputError('land', meta.original_name, `has no usable mapping profile (${(cause as Error).message.replace(/^\[pipeline\] \[\w+\] /, '')})`, { cause, code: 'no_profile' });
        });
        await loadProfileExport(db, { fileNo: i, localPath: locals[i]!, file: meta.original_name, profile, workDir });
      } catch (err) {
        throw new ChunkFileError(meta, err);
      }
    }
    await db.run(`CREATE OR REPLACE TEMP TABLE parsed_chunk AS ${await readLandingSql('dossiers_profile')}`);
    await db.run('CREATE OR REPLACE TEMP VIEW landing_parsed AS SELECT * FROM parsed_chunk');
  } else {
    const expected = kind === 'nsw-csv' ? NSW_CSV_HEADER : PORTAL_CSV_HEADER;
    const delim = kind === 'nsw-csv' ? ';' : ',';
    const columns = `{${expected.map((h) => `${literal(h)}: 'VARCHAR'`).join(', ')}}`;
    const parseSql = await readLandingSql(kind === 'nsw-csv' ? 'dossiers_nsw_csv' : 'dossiers_portal_csv');
    // Windows-1258 exports are transcoded to UTF-8 first (encoding.ts); raw/ keeps the original bytes.
    // Several files at once (two reads of each file's head, a transcoding now and then: ≈ 3 ms a file one
    // after another, bench/history.md, change 58); the first file in chunk order that fails is the one named.
    const checked = await pMap(
      metas,
      async (meta, i) => {
        try {
          const csvPath = (await utf8Csv(locals[i]!, meta.original_name, expected, delim, workDir)).path;
          await checkCsvHeader(csvPath, meta.original_name, expected, delim);
          return { csvPath };
        } catch (err) {
          return { failed: new ChunkFileError(meta, err) };
        }
      },
      { concurrency: READS_AT_ONCE },
    );
    const csvPaths: string[] = [];
    for (const c of checked) {
      if (c.failed) throw c.failed;
      csvPaths.push(c.csvPath!);
    }
    // Each file's records counted apart from DuckDB's reader, while it reads them (csv-records.ts): what it
    // returns is checked against them below.
    const counting = countRecords(csvPaths, metas, delim);
    counting.catch(() => undefined); // awaited below; a read that fails first must not leave it unhandled
    // Each lane keeps its rejects in tables of its own name (`reject_errors_<lane>`, `reject_scans_<lane>`):
    // under DuckDB's default names, two connections reading at once mixed up their scans' rejects.
    const readCsv = (paths: string[], lane = 0): string => csvReadSql(paths, lane, delim, columns);
    // Tables of the database, not TEMP ones: the lanes below are connections of their own.
    await db.run(
      `CREATE OR REPLACE TABLE chunk_csv AS
       SELECT * FROM (VALUES ${csvPaths.map((c, i) => `(${i}, ${literal(c)})`).join(', ')}) AS t(file_no, csv_path)`,
    );
    await db.run('CREATE OR REPLACE TABLE chunk_rejects (file_no INTEGER, row_no BIGINT, reason VARCHAR, raw_line VARCHAR)');
    // The chunk's files are split in CSV_READ_LANES runs of consecutive files, each read on a connection
    // of its own into its own table (chunk_input_<lane>), whose rejects (DuckDB keeps them per
    // connection) that connection turns into chunk_rejects. A lane first reads its files in ONE scan
    // (readLaneAtOnce), kept only when it rejected nothing and returned each file's every record as
    // counted apart: DuckDB 1.5 loses records in a multi-file scan (a file whose quote opens in row 2
    // and runs to the end came back with row 1 only and no reject when other files were read in the
    // same scan) and may record one bad line as several rejects. Otherwise the lane is read again with
    // one read_csv per file, the files of up to CSV_READ_BATCH at a time in one statement under UNION
    // ALL (a statement per file cost ≈ 7 ms each, whatever the file's size): each scan records its own
    // rejects, with its file's path, in reject_scans. So every reject and every quarantine record comes
    // from a scan of one file. test: landing-rules, "every quarantine record of the bad-input corpus",
    // which lands the corpus in one lake and checks each file's counts against the file landed alone.
    // Each table keeps its files in chunk order and each file's lines in order: with
    // preserve_insertion_order (DuckDB's default), a multi-file scan keeps the list's order, and an
    // insert from a UNION ALL runs its branches in order (PhysicalUnion makes each branch's pipeline
    // wait for the one before when the sink needs order).
    const lanes = Math.min(CSV_READ_LANES, csvPaths.length);
    const per = Math.ceil(csvPaths.length / lanes);
    const rejectsSql = await readLandingSql('dossiers_csv_rejects');
    // A file that cannot be read is the first in chunk order: the lanes' files follow one another, and
    // onConnections throws the first lane's failure first.
    await db.onConnections(lanes, async (conn, lane) => {
      const first = lane * per;
      const paths = csvPaths.slice(first, first + per);
      await conn.run(`DROP TABLE IF EXISTS reject_errors_${lane}; DROP TABLE IF EXISTS reject_scans_${lane};`);
      if (await readLaneAtOnce(conn, lane, first, paths, readCsv, counting)) return;
      // Read again one file at a time: the lane's one scan rejected a record, or returned a file short.
      await conn.run(`DROP TABLE IF EXISTS chunk_input_${lane}; DROP TABLE IF EXISTS reject_errors_${lane}; DROP TABLE IF EXISTS reject_scans_${lane};`);
      for (let start = 0; start < paths.length; start += CSV_READ_BATCH) {
        const batch = paths.slice(start, start + CSV_READ_BATCH);
        const into = start === 0 ? `CREATE OR REPLACE TABLE chunk_input_${lane} AS` : `INSERT INTO chunk_input_${lane}`;
        // Each row carries its file's place in the chunk as a constant: DuckDB's `filename` column wrote the
        // file's path into every row, 17–30 % of the read (bench/history.md, change 75).
        await conn.run(`${into} ${batch.map((p, j) => `SELECT CAST(${first + start + j} AS INTEGER) AS _file_no, * FROM ${readCsv([p], lane)}`).join('\n UNION ALL ')}`).catch(async (cause: unknown) => {
          // Name the file that cannot be read: try the batch's files one by one.
          for (const [j, csvPath] of batch.entries()) {
            const at = first + start + j;
            await conn.all(`SELECT count(*) FROM ${readCsv([csvPath], lane)}`).catch((one: unknown) => {
              throw new ChunkFileError(
                metas[at]!,
                new PipelineInputError('land', metas[at]!.original_name, `cannot be read as CSV (${(one as Error).message.split('\n')[0]})`, { cause: one, code: 'not_csv' }),
              );
            });
          }
          throw cause;
        });
      }
      // Rejected records (wrong number of fields, bad quoting, an over-long line) are quarantined with
      // their line and a reason in plain words (DuckDB's message, when it has one, in brackets).
      await conn.run(
        `CREATE OR REPLACE TEMP VIEW reject_errors AS SELECT * FROM reject_errors_${lane};
         CREATE OR REPLACE TEMP VIEW reject_scans AS SELECT * FROM reject_scans_${lane};
         CREATE OR REPLACE TEMP TABLE reject_blank_lines (file_no INTEGER, line BIGINT, n BIGINT);`,
      );
      // DuckDB numbers a rejected record by lines, empty ones included: the empty lines counted apart
      // (csv-records.ts) turn its line into its data-row number. (A count that failed is refused below.)
      const counted = await counting.catch(() => undefined);
      const blanks = paths.flatMap((_, j) => (counted?.[first + j]?.blankLines ?? []).map((b) => `(${first + j}, ${b.line}, ${b.n})`));
      if (blanks.length > 0) await conn.run(`INSERT INTO reject_blank_lines VALUES ${blanks.join(', ')}`);
      await conn.run(`INSERT INTO chunk_rejects BY NAME ${rejectsSql}`);
    });
    for (let lane = lanes; lane < CSV_READ_LANES; lane++) await db.run(`DROP TABLE IF EXISTS chunk_input_${lane}`);
    // The data-row numbers of the good rows are shifted past the rejected records before them (below).
    await db.run('INSERT INTO raw_rejects SELECT * FROM chunk_rejects');
    const inputs = Array.from({ length: lanes }, (_, lane) => `chunk_input_${lane}`);
    // Row numbers per file: each table keeps the read's order (files in chunk order, lines in file
    // order), so its rowid less the file's first rowid in that table is the good row's place in its file.
    const header = expected.map((h) => `"${h.replaceAll('"', '""')}"`).join(', ');
    const cols = (alias: string): string => expected.map((h) => `${alias}."${h.replaceAll('"', '""')}"`).join(', ');
    await db.run(
      `CREATE OR REPLACE TEMP TABLE chunk_first_rows AS
       ${inputs
         .map(
           (t) => `SELECT r._file_no AS file_no, min(r.rowid) AS first_rowid, count(*) AS n_rows
       FROM ${t} r
       GROUP BY r._file_no`,
         )
         .join('\n       UNION ALL ')}`,
    );
    await checkRecordCounts(db, metas, csvPaths, await counting);
    // Every good row with its file and its place in the file (k), the lanes' tables in chunk order.
    const placed = (k: string): string =>
      inputs.map((t) => `SELECT f.file_no, r.rowid - f.first_rowid + 1 AS ${k}, ${cols('r')} FROM ${t} r JOIN chunk_first_rows f ON f.file_no = r._file_no`).join('\n UNION ALL ');
    // What an earlier chunk left: raw_input is a table for API pages and a view here; raw_rows a view,
    // or a table when that chunk had rejects.
    await db.dropRelation('raw_input');
    await db.dropRelation('raw_rows');
    if ((await db.scalarNumber('SELECT count(*) FROM raw_rejects')) === 0) {
      // No rejected record (the usual chunk): a row's number is its place in its file, read through a
      // view. Copying the chunk's text into a numbered table cost ≈ 2 s a million rows (bench/history.md,
      // change 45).
      await db.run(
        `CREATE TEMP VIEW raw_rows AS
         SELECT CAST(file_no AS INTEGER) AS file_no, CAST(k AS BIGINT) AS row_no, ${header} FROM (${placed('k')})`,
      );
    } else {
      // The data-row numbers of the good rows are shifted past the rejected records before them.
      await db.run(
        `CREATE TEMP TABLE raw_rows AS
         WITH numbered AS (${placed('k')}),
              rej AS (SELECT file_no, row_no - row_number() OVER (PARTITION BY file_no ORDER BY row_no) AS good_before FROM raw_rejects),
              renumbered AS (
                SELECT n.file_no, CAST(n.k + (SELECT count(*) FROM rej WHERE rej.file_no = n.file_no AND rej.good_before < n.k) AS BIGINT) AS row_no,
                       ${cols('n')}
                FROM numbered n)
         SELECT CAST(file_no AS INTEGER) AS file_no, row_no, ${header} FROM renumbered`,
      );
      // The chunk's text is held once: the unnumbered copy would take memory the checks then spill for.
      for (const t of inputs) await db.run(`DROP TABLE ${t}`);
    }
    // raw_record: the row as read, with its row number, as JSON (the same keys as to_json of the row).
    // (The contract's Vietnamese headers are constants; ident() takes ASCII names only.)
    const record = ['row_no', ...expected].map((h) => `${literal(h)}: "${h.replaceAll('"', '""')}"`).join(', ');
    await db.run(`CREATE TEMP VIEW raw_input AS SELECT *, to_json({${record}}) AS raw_record FROM raw_rows`);
    // A view, as for API pages: the checks materialise the parsed rows once (a parsed table first
    // copied the chunk one more time).
    await db.run(`CREATE OR REPLACE TEMP VIEW landing_parsed AS ${parseSql}`);
  }
  lap('read');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE landing_run AS
     SELECT CAST($source AS VARCHAR) AS source, CAST($kind AS VARCHAR) AS raw_kind,
            CAST($landing_year AS INTEGER) AS landing_year, CAST($landing_month AS INTEGER) AS landing_month,
            CAST(nextval('batch_chunks') AS INTEGER) AS chunk_no`,
    { source: info.source, kind, landing_year: landing.year, landing_month: landing.month },
  );
  // The checks (a view, computed once by the insert) write every row into the batch with its verdict:
  // a table of the checked rows that the batch then copied again cost 0.6–0.8 s of landing 1 M dossiers
  // (bench/history.md, change 101). The rows that failed are quarantined, counted, then deleted from it.
  await db.run(`CREATE OR REPLACE TEMP VIEW landing_checked AS ${await readLandingSql('dossiers_checked')}`);
  await db.run(`INSERT INTO batch_dossiers BY NAME ${await readLandingSql('dossiers_landed')}`);
  // (Since change 101 this phase includes the write into the batch; 'insert into batch' is the quarantine,
  // the counts and the delete.)
  lap('parse + check');
  await db.run(`CREATE OR REPLACE TEMP VIEW landing_checked AS ${await readLandingSql('dossiers_batch_checked')}`);
  await db.run(`CREATE OR REPLACE TEMP VIEW landing_failed AS ${await readLandingSql('dossiers_failed')}`);
  await db.run(`INSERT INTO batch_quarantine BY NAME ${await readLandingSql('dossiers_quarantined')}`);
  const counts = new Map(
    (await db.all(await readLandingSql('dossiers_counts'))).map((r) => [Number(r.file_no), { read: Number(r.n_read), ok: Number(r.n_ok) }]),
  );
  // Only the rows that passed stay in the batch (the published partitions, the ids the next chunks see).
  if ([...counts.values()].some((c) => c.ok < c.read)) {
    await db.run('DELETE FROM batch_dossiers WHERE _chunk = (SELECT chunk_no FROM landing_run) AND NOT _valid');
  }
  lap('insert into batch');
  const sources = new Map(
    kind === 'dossier-export' ? (await db.all('SELECT file_no, source FROM profile_files')).map((r) => [Number(r.file_no), String(r.source)]) : [],
  );
  return metas.map((meta, i) => {
    const c = counts.get(i) ?? { read: 0, ok: 0 };
    return toManifest(meta, 'dossiers', sources.get(i) ?? info.source, c.read, c.ok, c.read - c.ok);
  });
}

/**
 * The scan of dossier CSV files on lane `lane`: every value text, the contract's `columns` (a DuckDB
 * struct literal of name: 'VARCHAR'), rejected records kept in the lane's own tables.
 */
export function csvReadSql(paths: readonly string[], lane: number, delim: string, columns: string): string {
  return `read_csv([${paths.map(literal).join(', ')}], header = true, delim = ${literal(delim)}, quote = '"', escape = '"',
                columns = ${columns}, auto_detect = false, store_rejects = true, null_padding = false,
                rejects_table = 'reject_errors_${lane}', rejects_scan = 'reject_scans_${lane}',
                max_line_size = 1048576)`;
}

/**
 * The fast read of a lane's CSV files: ONE `read_csv` over all of them, each row numbered with its file
 * by DuckDB's `file_index` (an integer; the `filename` path in every row cost 17–30 % of the read, change
 * 75), into `chunk_input_<lane>` as the per-file read would fill it (files in order, each file's lines in
 * order: a multi-file scan keeps the list's order under preserve_insertion_order). Kept (true) only when
 * the scan rejected nothing and returned each file's every record as counted apart (csv-records.ts): in
 * DuckDB 1.5.6 a multi-file scan can return a file short without an error or a reject (a quote that
 * opens and never closes; bench/history.md, changes 11 and 80), and can record one bad line as several
 * rejects. Otherwise (false; the scan also fails rather than throws) the caller reads the lane again one
 * file per scan, whose rows and rejects are today's, so what lands and what is quarantined never
 * depends on which read ran. 1 M dossiers' 84 portal exports on two lanes: 1.2–1.6 → 0.7–1.1 s
 * (bench/history.md, change 82).
 */
export async function readLaneAtOnce(
  conn: DuckDb,
  lane: number,
  first: number,
  paths: string[],
  readCsv: (paths: string[], lane: number) => string,
  counting: Promise<CsvRecordCount[]>,
): Promise<boolean> {
  if (paths.length === 0) return false;
  try {
    await conn.run(`CREATE OR REPLACE TABLE chunk_input_${lane} AS SELECT CAST(file_index + ${first} AS INTEGER) AS _file_no, * FROM ${readCsv(paths, lane)}`);
    if ((await conn.scalarNumber(`SELECT count(*) FROM reject_errors_${lane}`)) > 0) return false;
    const rows = new Map((await conn.all(`SELECT _file_no, count(*) AS n FROM chunk_input_${lane} GROUP BY _file_no`)).map((r) => [Number(r._file_no), Number(r.n)]));
    const counted = await counting;
    return paths.every((_, j) => (rows.get(first + j) ?? 0) === Math.max(0, counted[first + j]!.records - 1));
  } catch {
    return false;
  }
}

/**
 * CSV files up to this size (their raw bytes) are counted with one synchronous read each, between
 * turns of the event loop; larger ones chunk by chunk. The 249 NSW exports of the 100 k bench dataset
 * (3 kB each) took 150–660 ms to count a chunk at a time, four round trips a file through the event
 * loop while DuckDB's threads read the files on both cores — and the lanes' reads wait for the count
 * (bench/history.md, change 89).
 */
const SYNC_COUNT_BYTES = 256 * 2 ** 10;

/** Each CSV file's records (csv-records.ts), in the chunk's order. */
async function countRecords(csvPaths: readonly string[], metas: readonly RawMeta[], delim: string): Promise<CsvRecordCount[]> {
  const out: CsvRecordCount[] = new Array(csvPaths.length);
  const indexes = csvPaths.map((_, i) => i);
  const small = indexes.filter((i) => metas[i]!.bytes <= SYNC_COUNT_BYTES);
  const large = indexes.filter((i) => metas[i]!.bytes > SYNC_COUNT_BYTES);
  const reading = pMap(large, async (i) => {
    out[i] = await countCsvRecords(csvPaths[i]!, delim);
  }, { concurrency: CSV_READ_LANES });
  reading.catch(() => undefined); // awaited below, after the small files (whose error comes first)
  let since = 0;
  for (const i of small) {
    out[i] = countCsvRecordsSync(csvPaths[i]!, delim);
    since += metas[i]!.bytes;
    // The loop gives the event loop a turn now and then (the lanes' statements, storage writes).
    if (since >= SYNC_COUNT_BYTES) {
      since = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await reading;
  return out;
}

/**
 * Every record of each CSV file came back from DuckDB's reader as a row or as a rejected record: the
 * rows (`chunk_first_rows`) and rejects (`chunk_rejects`) of each file against the records counted
 * apart (csv-records.ts). A file where they differ is refused, named with the counts (and the quote left
 * open, when that is the cause): its rows are neither landed nor lost (bench/history.md, change 79).
 */
async function checkRecordCounts(db: DuckDb, metas: RawMeta[], csvPaths: string[], counted: CsvRecordCount[]): Promise<void> {
  const read = new Map(
    (
      await db.all(
        `SELECT c.file_no, CAST(coalesce(f.n_rows, 0) AS BIGINT) AS n_rows, CAST(coalesce(r.n, 0) AS BIGINT) AS n_rejected
         FROM chunk_csv c
         LEFT JOIN (SELECT file_no, sum(n_rows) AS n_rows FROM chunk_first_rows GROUP BY file_no) f ON f.file_no = c.file_no
         LEFT JOIN (SELECT file_no, count(*) AS n FROM chunk_rejects GROUP BY file_no) r ON r.file_no = c.file_no`,
      )
    ).map((r) => [Number(r.file_no), { rows: Number(r.n_rows), rejected: Number(r.n_rejected) }]),
  );
  for (const [i, meta] of metas.entries()) {
    const got = read.get(i) ?? { rows: 0, rejected: 0 };
    const c = counted[i]!;
    const records = Math.max(0, c.records - 1); // the first record is the header
    if (got.rows + got.rejected === records) continue;
    const what = `the CSV reader returned ${got.rows} row(s) and ${got.rejected} rejected record(s), but the file holds ${records} record(s) after its header`;
    if (c.unterminated) {
      const line = await lineAt(csvPaths[i]!, c.unterminated.byte);
      throw new ChunkFileError(
        meta,
        new PipelineInputError(
          'land',
          meta.original_name,
          `a quoted value opened at line ${line} is never closed, so the rest of the file from that line reads as one record: ${what}, and nothing of the file was landed; close or remove that quote and export the file again`,
          { row: c.unterminated.record - 1, code: 'not_csv' },
        ),
      );
    }
    throw new ChunkFileError(
      meta,
      new PipelineInputError('land', meta.original_name, `${what} (counted line by line, quoted values respected); nothing of the file was landed, so no row is lost: export it again, and report the file if it fails again`, { code: 'records_mismatch' }),
    );
  }
}

/** Adds the time since the previous lap to `<prefix>: <phase>`. */
function lapClock(prof: LandProfile | undefined, prefix: string): (phase: string) => void {
  let last = performance.now();
  return (phase) => {
    if (!prof) return;
    const t = performance.now();
    const k = `${prefix}: ${phase}`;
    prof[k] = (prof[k] ?? 0) + (t - last) / 1000;
    last = t;
  };
}

function toManifest(meta: RawMeta, dataset: string, source: string, read: number, landed: number, quarantined: number): ManifestEntry {
  return { ...meta, dataset, source, rows_read: read, rows_landed: landed, rows_quarantined: quarantined, landed_at: new Date().toISOString() };
}


/**
 * landed/landing_log/data.parquet: one row per landed raw file, rebuilt from the manifest, with how
 * many of its rows a later version superseded, by which file (the latest) and when it arrived.
 */
async function publishLandingLog(db: DuckDb, storage: Storage, workDir: string, manifest: Map<string, ManifestEntry>): Promise<void> {
  const entries = await listManifest(storage, manifest);
  // The next land (and a snapshot's fingerprint) read the manifest in one object.
  if (entries.length > 0) await writeManifestIndex(storage, entries);
  const file = path.join(workDir, 'landing_log.json');
  await writeFile(file, entries.map((e) => JSON.stringify(e)).join('\n'));
  if (entries.length === 0) return;
  const ledgers = await localParquetCopies(storage, 'landed/_superseded/', workDir);
  const superseded = ledgers.length
    ? `SELECT raw_hash, count(*) AS n, max(superseded_at) AS at, arg_max(superseded_by_hash, superseded_at) AS by_hash
       FROM read_parquet([${ledgers.map(literal).join(', ')}], hive_partitioning = false, union_by_name = true) GROUP BY raw_hash`
    : 'SELECT NULL::VARCHAR AS raw_hash, 0::BIGINT AS n, NULL::TIMESTAMP AS at, NULL::VARCHAR AS by_hash WHERE false';
  const tmp = path.join(workDir, 'landing_log.parquet');
  await db.run(
    `COPY (
       WITH m AS (
         SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited', columns = {
           kind: 'VARCHAR', source: 'VARCHAR', dataset: 'VARCHAR', sha256: 'VARCHAR', original_name: 'VARCHAR',
           period: 'VARCHAR', bytes: 'BIGINT', rows_read: 'BIGINT', rows_landed: 'BIGINT', rows_quarantined: 'BIGINT',
           pulled_at: 'VARCHAR', landed_at: 'VARCHAR'})
       ),
       s AS (${superseded})
       SELECT m.kind AS raw_kind, m.source, m.dataset, m.sha256 AS raw_hash, m.original_name, m.period, m.bytes,
              m.rows_read, m.rows_landed, m.rows_quarantined,
              CAST(CAST(m.pulled_at AS TIMESTAMPTZ) AS TIMESTAMP) AS pulled_at,
              CAST(CAST(m.landed_at AS TIMESTAMPTZ) AS TIMESTAMP) AS landed_at,
              CAST(coalesce(s.n, 0) AS BIGINT) AS rows_superseded,
              (SELECT any_value(w.original_name) FROM m w WHERE w.sha256 = s.by_hash) AS superseded_by,
              s.at AS superseded_at
       FROM m LEFT JOIN s ON s.raw_hash = m.sha256
       ORDER BY raw_kind, raw_hash
     ) TO ${literal(tmp)} (${PARQUET_OPTIONS})`,
  );
  await storage.putFile('landed/landing_log/data.parquet', tmp);
}

/**
 * landed/rejected_files/data.parquet: every file a land rejected whole (an unreadable workbook, a report
 * for a period the lake cannot hold, a dossier export before its registry…), still waiting for an
 * operator (`retry` or `discard`) or discarded, with the land's error. Its rows were never read into the
 * lake, so neither the landing log nor the quarantine counts them: without this table the figures of a
 * month with a rejected file would look complete. The data-quality page lists them (mart rejected_files).
 *
 * Rebuilt from manifest/rejected/ and manifest/discarded/ at the end of every land, also one with
 * nothing staged (an operator's `discard` is seen by the next run), and written only when what it holds
 * changed: the JSON lines it was built from are kept beside the manifest index and compared first.
 */
export const REJECTED_FILES_KEY = 'landed/rejected_files/data.parquet';
/** The JSON lines the table was last built from (compared before rebuilding it). */
export const REJECTED_FILES_INDEX_KEY = 'manifest/index/rejected.ndjson';

/**
 * Rebuild landed/rejected_files/ when the rejected and discarded records changed since the last
 * build. True when it wrote.
 */
export async function publishRejectedFiles(storage: Storage, workDir: string): Promise<boolean> {
  // A discard writes its record before it removes the rejected one: one interrupted in between leaves
  // both, and the file is listed once, as discarded.
  const listed = await listRejected(storage, { discarded: true });
  const discarded = new Set(listed.filter((e) => e.discarded_at !== null).map((e) => `${e.kind}/${e.sha256}`));
  const entries = listed.filter((e) => e.discarded_at !== null || !discarded.has(`${e.kind}/${e.sha256}`));
  const lines = entries
    .map((e) =>
      JSON.stringify({
        raw_kind: e.kind,
        source: RAW_KINDS[e.kind].source,
        dataset: RAW_KINDS[e.kind].dataset,
        raw_hash: e.sha256,
        original_name: e.original_name,
        period: e.period,
        bytes: e.bytes,
        pulled_at: e.pulled_at,
        rejected_at: e.rejected_at,
        discarded_at: e.discarded_at,
        error: e.error,
        reason: e.reason,
      }),
    )
    .join('\n');
  const [built, indexed] = await Promise.all([storage.exists(REJECTED_FILES_KEY), storage.exists(REJECTED_FILES_INDEX_KEY)]);
  // A lake that never rejected a file has no table (the engines read an empty one); once it has one, the
  // table is rewritten, empty when every rejected file was retried and landed (the land may not delete).
  if (entries.length === 0 && !built && !indexed) return false;
  if (built && indexed && (await storage.get(REJECTED_FILES_INDEX_KEY)).toString('utf8') === lines) return false;
  const dir = path.join(workDir, 'rejected-files');
  await mkdir(dir, { recursive: true });
  try {
    const json = path.join(dir, 'rejected.ndjson');
    const out = path.join(dir, 'rejected.parquet');
    await writeFile(json, lines);
    const columns = Object.entries(REJECTED_FILES_COLUMNS)
      .map(([name, type]) => `${name}: '${type === 'TIMESTAMP' ? 'VARCHAR' : type}'`)
      .join(', ');
    // Timestamps as the landing log writes them: ISO 8601 with its offset, stored as the session's local time.
    const select = Object.entries(REJECTED_FILES_COLUMNS)
      .map(([name, type]) => (type === 'TIMESTAMP' ? `CAST(CAST(${name} AS TIMESTAMPTZ) AS TIMESTAMP) AS ${name}` : name))
      .join(', ');
    await withDuckDb((db) =>
      db.run(
        `COPY (SELECT ${select} FROM read_json(${literal(json)}, format = 'newline_delimited', columns = {${columns}})
           ORDER BY rejected_at, raw_kind, raw_hash) TO ${literal(out)} (${PARQUET_OPTIONS})`,
      ),
    );
    await storage.putFile(REJECTED_FILES_KEY, out);
    // Last: a build interrupted before this line is built again by the next land.
    await storage.put(REJECTED_FILES_INDEX_KEY, lines, { contentType: 'application/x-ndjson' });
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
