/**
 * Sizes of a lake on disk, by table and by year partition: the measured inputs of the national cost
 * model in docs/deploy.md ("Cost model for the national case": bytes Athena scans, S3 requests).
 *
 * A table is `landed/<dataset>`, `models/<layer>/<model>` (a partitioned model's directory or an
 * unpartitioned model's one file), `raw/<kind>`, `manifest/raw/<kind>`, `quarantine/<dataset>`, or
 * the top-level entry for anything else (`state`, `meta.json`, `snapshots`, …). The year of a file is
 * the first `year=YYYY` (or `receipt_month=YYYYMM`) segment of its path (landed data: the year of
 * receipt; incremental models: the report year, or the month of receipt's year); files outside a year
 * partition count under `all`.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface PartStats {
  files: number;
  bytes: number;
}

export interface TableStats extends PartStats {
  /** By year partition ('all' for files outside one). */
  years: Record<string, PartStats>;
}

export interface LakeStats {
  files: number;
  bytes: number;
  /** By table key, e.g. 'landed/dossiers', 'models/marts/agency_periods', 'raw/portal-api'. */
  tables: Record<string, TableStats>;
}

const GROUPED = new Set(['landed', 'raw', 'quarantine']);

/** The table a lake-relative path belongs to (see the module comment). */
export function tableKey(rel: string): string {
  const parts = rel.split('/');
  const name = (p: string | undefined): string => (p ?? '').replace(/\.parquet$/, '');
  if (parts[0] === 'models' && parts.length >= 3) return parts.length === 3 ? `models/${parts[1]}/${name(parts[2])}` : `models/${parts[1]}/${parts[2]}`;
  if (parts[0] === 'manifest' && parts[1] === 'raw' && parts.length >= 4) return `manifest/raw/${parts[2]}`;
  if (GROUPED.has(parts[0]!) && parts.length >= 3) return `${parts[0]}/${parts[1]}`;
  return parts[0]!;
}

/** The year partition of a lake-relative path, or 'all'. */
export function yearOf(rel: string): string {
  const m = /(?:^|\/)(?:year=(\d{4})|receipt_month=(\d{4})\d{2})(?:\/|$)/.exec(rel);
  return m?.[1] ?? m?.[2] ?? 'all';
}

export async function lakeStats(lakeDir: string): Promise<LakeStats> {
  const out: LakeStats = { files: 0, bytes: 0, tables: {} };
  const visit = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        await visit(p);
        continue;
      }
      if (!e.isFile()) continue;
      const rel = path.relative(lakeDir, p).split(path.sep).join('/');
      const bytes = (await stat(p)).size;
      const t = (out.tables[tableKey(rel)] ??= { files: 0, bytes: 0, years: {} });
      const y = (t.years[yearOf(rel)] ??= { files: 0, bytes: 0 });
      for (const s of [out, t, y]) {
        s.files += 1;
        s.bytes += bytes;
      }
    }
  };
  await visit(lakeDir);
  return out;
}
