/**
 * Invariants checked after every run (and failing the run when broken):
 * 1. per landed raw file: rows read = rows landed + rows quarantined (the manifest's own sums), and the
 *    manifest's index (manifest/index/raw.ndjson) says what the entries say;
 * 2. per landed raw file, against the lake itself: the rows its manifest counts as landed are in
 *    the lake, current (landed/<dataset>/) or superseded (landed/_superseded/<dataset>/, each with
 *    a file and row that superseded it, itself in the lake), and the rows it counts as quarantined
 *    are in quarantine/; no landed row comes from a file without a manifest entry;
 * 3. no dossier id twice in the lake;
 * 4. every published snapshot matches its manifest's hashes;
 * 5. every partition of landed/ and quarantine/ is one Athena's partition projection reads (a year from
 *    2000 to the calendar's last + 1, a month 1–12: projection.ts): DuckDB reads every file under a
 *    prefix, so a row anywhere else would count on one engine only.
 */
import { withDuckDb, literal, type DuckDb } from '../engine/duckdb.js';
import { DATASET_SPECS, type LandedDataset } from './datasets.js';
import { createError } from '../errors.js';
import type { Storage } from '../storage/types.js';
import { localParquetCopies } from './partitions.js';
import { outsideProjection } from './projection.js';
import { movedByLand } from './upgrade.js';
import { listManifest, MANIFEST_INDEX_KEY, manifestKey, sha256, type ManifestEntry } from './raw.js';
import { listSnapshots, readSnapshotManifest } from '../transform/snapshot.js';

export interface InvariantReport {
  filesChecked: number;
  dossiers: number;
  duplicateIds: { dossier_id: string; copies: number }[];
  accountingErrors: string[];
  snapshotErrors: string[];
  /** Partition files under a year or month Athena does not project (invariant 5). */
  partitionErrors: string[];
  ok: boolean;
}

export async function checkInvariants(storage: Storage, workDir: string): Promise<InvariantReport> {
  const accountingErrors: string[] = [];
  // The entries themselves, not the index a land keeps of them: verify checks what is committed.
  const manifest = await listManifest(storage, new Map(), { index: false });
  for (const e of manifest) {
    if (e.rows_read !== e.rows_landed + e.rows_quarantined) {
      accountingErrors.push(`${e.kind}/${e.original_name}: read ${e.rows_read} ≠ landed ${e.rows_landed} + quarantined ${e.rows_quarantined}`);
    }
  }
  // The index a land keeps of the entries (raw.ts, MANIFEST_INDEX_KEY), which lands and snapshots read
  // instead of them, must say what they say.
  const cached = await listManifest(storage);
  for (const [i, e] of manifest.entries()) {
    if (JSON.stringify(cached[i]) !== JSON.stringify(e)) {
      accountingErrors.push(`${MANIFEST_INDEX_KEY}: its line for ${e.kind}/${e.original_name} differs from ${manifestKey(e.kind, e.sha256)} (delete the index: the next land writes it again)`);
    }
  }
  let dossiers = 0;
  let duplicateIds: { dossier_id: string; copies: number }[] = [];
  await withDuckDb(async (db) => {
    accountingErrors.push(...(await lakeAccounting(db, storage, workDir, manifest)));
    const files = await localParquetCopies(storage, 'landed/dossiers/', workDir);
    if (files.length === 0) return;
    const list = `[${files.map(literal).join(', ')}]`;
    dossiers = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${list})`);
    duplicateIds = (await db.all(
      `SELECT dossier_id, count(*) AS copies FROM read_parquet(${list}) GROUP BY dossier_id HAVING count(*) > 1 ORDER BY dossier_id LIMIT 20`,
    )).map((r) => ({ dossier_id: String(r.dossier_id), copies: Number(r.copies) }));
  });
  const snapshotErrors: string[] = [];
  for (const period of await listSnapshots(storage)) {
    const m = await readSnapshotManifest(storage, period);
    if (!m) {
      snapshotErrors.push(`snapshots/${period}: files without a manifest (unpublished or interrupted)`);
      continue;
    }
    for (const f of m.files) {
      const body = await storage.tryGet(`snapshots/${period}/${f.name}`);
      if (!body) snapshotErrors.push(`snapshots/${period}/${f.name}: missing`);
      else if (sha256(body) !== f.sha256) snapshotErrors.push(`snapshots/${period}/${f.name}: sha256 differs from the manifest`);
    }
  }
  const quarantine = await storage.listKeys('quarantine/');
  const moved = new Set(movedByLand(quarantine));
  const partitionErrors = outsideProjection([...(await storage.listKeys('landed/')), ...quarantine]).map(
    (k) =>
      `${k}: a partition Athena's projection does not read (year 2000 … the calendar's last + 1, month 1–12)` +
      // Where versions before 2026-12-07 put some rejected rows: the next land moves them (lake/upgrade.ts).
      (moved.has(k) ? '; run a land (`npm run cli -- land`): it moves the rows of such a quarantine partition where the engines read them, or says in its log why it cannot' : ''),
  );
  const ok = accountingErrors.length === 0 && duplicateIds.length === 0 && snapshotErrors.length === 0 && partitionErrors.length === 0;
  return { filesChecked: manifest.length, dossiers, duplicateIds, accountingErrors, snapshotErrors, partitionErrors, ok };
}

/** The dataset whose rows a manifest entry counts (PAR files count their totals rows). */
function countedDataset(e: ManifestEntry): LandedDataset | undefined {
  const d = e.dataset === 'par' ? 'par_totals' : e.dataset;
  return Object.hasOwn(DATASET_SPECS, d) && d !== 'quarantine' ? (d as LandedDataset) : undefined;
}

/** Invariant 2: every manifest's landed and quarantined rows, found in the lake. */
async function lakeAccounting(db: DuckDb, storage: Storage, workDir: string, manifest: ManifestEntry[]): Promise<string[]> {
  const errors: string[] = [];
  const byDataset = new Map<LandedDataset, ManifestEntry[]>();
  for (const e of manifest) {
    const d = countedDataset(e);
    if (!d) {
      errors.push(`${e.kind}/${e.original_name}: its manifest names no landed dataset ("${e.dataset}")`);
      continue;
    }
    byDataset.set(d, [...(byDataset.get(d) ?? []), e]);
  }
  const known = new Set(manifest.map((e) => e.sha256));
  const counts = async (files: string[], what: string): Promise<Map<string, number>> => {
    if (files.length === 0) return new Map();
    const rows = await db.all(
      `SELECT raw_hash, count(${what}) AS n FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false, union_by_name = true) GROUP BY raw_hash`,
    );
    return new Map(rows.map((r) => [String(r.raw_hash), Number(r.n)]));
  };
  for (const dataset of Object.keys(DATASET_SPECS) as LandedDataset[]) {
    if (dataset === 'quarantine') continue;
    const entries = byDataset.get(dataset) ?? [];
    const current = await localParquetCopies(storage, `landed/${dataset}/`, workDir);
    const ledger = await localParquetCopies(storage, `landed/_superseded/${dataset}/`, workDir);
    const quarantine = await localParquetCopies(storage, `quarantine/dataset=${dataset}/`, workDir);
    const inLake = await counts(current, '*');
    const superseded = await counts(ledger, '*');
    const quarantined = await counts(quarantine, 'DISTINCT row_no');
    const landedSums = new Map<string, number>();
    for (const e of entries) landedSums.set(e.sha256, (landedSums.get(e.sha256) ?? 0) + e.rows_landed);
    for (const e of entries) {
      const cur = inLake.get(e.sha256) ?? 0;
      const sup = superseded.get(e.sha256) ?? 0;
      if (cur + sup !== landedSums.get(e.sha256)) {
        errors.push(`${e.kind}/${e.original_name}: the manifest counts ${e.rows_landed} row(s) landed in ${dataset}, the lake holds ${cur} current + ${sup} superseded`);
      }
      const q = quarantined.get(e.sha256) ?? 0;
      if (q !== e.rows_quarantined) {
        errors.push(`${e.kind}/${e.original_name}: the manifest counts ${e.rows_quarantined} row(s) quarantined, quarantine/dataset=${dataset}/ holds ${q}`);
      }
    }
    for (const [hash, n] of [...inLake, ...superseded]) {
      if (!known.has(hash)) errors.push(`landed/${dataset}: ${n} row(s) from raw file ${hash.slice(0, 12)}, which has no manifest entry`);
    }
    if (ledger.length > 0) {
      // Each superseded row names a version that is itself in the lake (current or superseded).
      const all = `[${[...current, ...ledger].map(literal).join(', ')}]`;
      const orphans = await db.scalarNumber(
        `SELECT count(*) FROM read_parquet([${ledger.map(literal).join(', ')}], hive_partitioning = false) s
         WHERE NOT EXISTS (SELECT 1 FROM read_parquet(${all}, hive_partitioning = false, union_by_name = true) w
                           WHERE w.raw_hash = s.superseded_by_hash AND w.raw_row = s.superseded_by_row)`,
      );
      if (orphans > 0) errors.push(`landed/_superseded/${dataset}: ${orphans} row(s) superseded by a version the lake does not hold`);
    }
  }
  return errors;
}

export function assertInvariants(report: InvariantReport): void {
  if (report.ok) return;
  const lines = [
    ...report.accountingErrors.map((e) => `accounting: ${e}`),
    ...report.duplicateIds.map((d) => `duplicate dossier id ${d.dossier_id} (${d.copies} copies)`),
    ...report.snapshotErrors.map((e) => `snapshot: ${e}`),
    ...report.partitionErrors.map((e) => `partition: ${e}`),
  ];
  throw createError('invariants', `Failed to verify the lake:\n  ${lines.join('\n  ')}`);
}
