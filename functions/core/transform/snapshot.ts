/**
 * Monthly snapshots: snapshots/<yyyy-mm>/<mart>.parquet + manifest.json.
 *
 * A snapshot freezes every mart as it was for that month: the models run over the lake as of the
 * month's last day (dossiers received later are left out, later finishes count as pending) and the
 * marts keep only periods up to that month. Files are written first, the manifest last and only once:
 * a published snapshot is never rewritten, whatever data arrives later. The manifest holds no clock
 * time, so the same lake gives byte-identical snapshots.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import { sha256 } from '../lake/raw.js';
import { YearMonth } from '../schemas/index.js';
import { StorageConflictError, type Storage } from '../storage/types.js';
import { daysInMonth, isoDate } from '../vi/dates.js';

export const SnapshotPeriod = YearMonth;

export const SnapshotManifest = z.object({
  period: SnapshotPeriod,
  /** Last day of the month: the as-of date of the data. */
  as_of: z.string(),
  /** sha256 over the sorted raw hashes landed when the snapshot was taken. */
  lake_fingerprint: z.string(),
  raw_files: z.number().int(),
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number().int(), rows: z.number().int() })),
});
export type SnapshotManifest = z.infer<typeof SnapshotManifest>;

export function monthEnd(period: string): string {
  SnapshotPeriod.parse(period);
  const [y, m] = period.split('-').map(Number) as [number, number];
  return isoDate(y, m, daysInMonth(y, m));
}

export function snapshotManifestKey(period: string): string {
  return `snapshots/${SnapshotPeriod.parse(period)}/manifest.json`;
}

/** Periods that have anything under snapshots/, sorted. */
export async function listSnapshots(storage: Storage): Promise<string[]> {
  const periods = new Set<string>();
  for (const o of await storage.list('snapshots/')) {
    const p = o.key.split('/')[1];
    if (p && SnapshotPeriod.safeParse(p).success) periods.add(p);
  }
  return [...periods].sort();
}

export async function readSnapshotManifest(storage: Storage, period: string): Promise<SnapshotManifest | undefined> {
  const body = await storage.tryGet(snapshotManifestKey(period));
  if (!body) return undefined;
  try {
    return SnapshotManifest.parse(JSON.parse(body.toString('utf8')));
  } catch (cause) {
    throw createError('snapshot', `Failed to read ${snapshotManifestKey(period)}: ${(cause as Error).message}`, { cause });
  }
}

/** Snapshot files as built, before publishing. */
export interface SnapshotFile {
  name: string;
  body: Buffer;
  rows: number;
}

/**
 * Publish files then the manifest (create-once). Returns false when the snapshot already existed
 * (nothing written).
 */
export async function publishSnapshot(
  storage: Storage,
  period: string,
  files: readonly SnapshotFile[],
  lake: { fingerprint: string; rawFiles: number },
): Promise<SnapshotManifest | undefined> {
  if (await storage.exists(snapshotManifestKey(period))) return undefined;
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  for (const f of sorted) {
    if (!/^[a-z0-9_]+\.parquet$/.test(f.name)) throw createError('snapshot', `Failed to publish ${f.name}: not a mart file name`);
    await storage.put(`snapshots/${period}/${f.name}`, f.body);
  }
  const manifest: SnapshotManifest = {
    period,
    as_of: monthEnd(period),
    lake_fingerprint: lake.fingerprint,
    raw_files: lake.rawFiles,
    files: sorted.map((f) => ({ name: f.name, sha256: sha256(f.body), bytes: f.body.length, rows: f.rows })),
  };
  try {
    await storage.put(snapshotManifestKey(period), `${JSON.stringify(manifest, null, 2)}\n`, { ifNoneMatch: true, contentType: 'application/json' });
  } catch (err) {
    if (err instanceof StorageConflictError) return undefined; // another run published it first
    throw err;
  }
  return manifest;
}
