/**
 * Invariants checked after every run (and failing the run when broken):
 * 1. per landed raw file: rows read = rows landed + rows quarantined;
 * 2. no dossier id twice in the lake;
 * 3. every published snapshot matches its manifest's hashes.
 */
import { withDuckDb, literal } from '../engine/duckdb.js';
import { createError } from '../errors.js';
import type { Storage } from '../storage/types.js';
import { localCopy } from './partitions.js';
import { listManifest, sha256 } from './raw.js';
import { listSnapshots, readSnapshotManifest } from '../transform/snapshot.js';

export interface InvariantReport {
  filesChecked: number;
  dossiers: number;
  duplicateIds: { dossier_id: string; copies: number }[];
  accountingErrors: string[];
  snapshotErrors: string[];
  ok: boolean;
}

export async function checkInvariants(storage: Storage, workDir: string): Promise<InvariantReport> {
  const accountingErrors: string[] = [];
  const manifest = await listManifest(storage);
  for (const e of manifest) {
    if (e.rows_read !== e.rows_landed + e.rows_quarantined) {
      accountingErrors.push(`${e.kind}/${e.original_name}: read ${e.rows_read} ≠ landed ${e.rows_landed} + quarantined ${e.rows_quarantined}`);
    }
  }
  const partitions = (await storage.list('landed/dossiers/')).filter((o) => o.key.endsWith('.parquet'));
  let dossiers = 0;
  let duplicateIds: { dossier_id: string; copies: number }[] = [];
  if (partitions.length > 0) {
    const files: string[] = [];
    for (const p of partitions) files.push((await localCopy(storage, p.key, workDir))!);
    await withDuckDb(async (db) => {
      const list = `[${files.map(literal).join(', ')}]`;
      dossiers = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${list})`);
      duplicateIds = (await db.all(
        `SELECT dossier_id, count(*) AS copies FROM read_parquet(${list}) GROUP BY dossier_id HAVING count(*) > 1 ORDER BY dossier_id LIMIT 20`,
      )).map((r) => ({ dossier_id: String(r.dossier_id), copies: Number(r.copies) }));
    });
  }
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
  const ok = accountingErrors.length === 0 && duplicateIds.length === 0 && snapshotErrors.length === 0;
  return { filesChecked: manifest.length, dossiers, duplicateIds, accountingErrors, snapshotErrors, ok };
}

export function assertInvariants(report: InvariantReport): void {
  if (report.ok) return;
  const lines = [
    ...report.accountingErrors.map((e) => `accounting: ${e}`),
    ...report.duplicateIds.map((d) => `duplicate dossier id ${d.dossier_id} (${d.copies} copies)`),
    ...report.snapshotErrors.map((e) => `snapshot: ${e}`),
  ];
  throw createError('invariants', `Failed to verify the lake:\n  ${lines.join('\n  ')}`);
}
