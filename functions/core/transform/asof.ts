/**
 * The lake as it was on a date, for snapshots: copies of the landed sources with what was not yet
 * known left out, and the marts cut to the periods up to that date.
 *
 * - dossiers received after the date are left out; a dossier finished after it is still pending
 *   (finished_at NULL, status DANG_XU_LY), exactly as a report run that day would have seen it;
 * - 766 scores and sub-indicators published after the date are left out (as_of > date);
 * - Biểu 06 sheets of periods ending after the date are left out;
 * - PAR Index results of year Y count as known from 01/3 of Y+1 (assumption: provinces publish the
 *   decision in the first quarter; see docs/data-contracts.md);
 * - quarantine rows of later months are left out; the registry and the landing log are kept whole.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { literal, withDuckDb, type DuckDb } from '../engine/duckdb.js';
import { PARQUET_OPTIONS } from '../engine/parquet.js';
import { createError } from '../errors.js';
import type { SnapshotFile } from './snapshot.js';
import { lakeSourceLocations } from './sources.js';

const AS_OF_FILTERS: Record<string, { where: string; replace?: string }> = {
  src_dossiers: {
    where: 'CAST(received_at AS DATE) <= $as_of',
    replace: `CASE WHEN CAST(finished_at AS DATE) > $as_of THEN NULL ELSE finished_at END AS finished_at,
              CASE WHEN CAST(finished_at AS DATE) > $as_of THEN 'DANG_XU_LY' ELSE status END AS status,
              least(updated_at, CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY - INTERVAL 1 SECOND) AS updated_at`,
  },
  src_score766: { where: 'as_of <= $as_of' },
  src_score766_metrics: { where: 'as_of <= $as_of' },
  src_bieu06: { where: 'period_end <= $as_of' },
  src_par_fields: { where: 'make_date(year + 1, 3, 1) <= $as_of' },
  src_par_totals: { where: 'make_date(year + 1, 3, 1) <= $as_of' },
  src_quarantine: { where: 'year * 100 + month <= year(CAST($as_of AS DATE)) * 100 + month(CAST($as_of AS DATE))' },
};

/** Write as-of copies of the filtered sources under `dir`; returns source → location overrides. */
export async function buildAsOfSources(lakeRoot: string, asOf: string, dir: string): Promise<Record<string, string>> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(lakeRoot)) {
    throw createError('snapshot', `Failed to build the as-of sources: ${lakeRoot} is not a local directory (copy landed/ and quarantine/ first, as functions/handlers/snapshot.ts does)`);
  }
  await mkdir(dir, { recursive: true });
  const locations = lakeSourceLocations(lakeRoot);
  const overrides: Record<string, string> = {};
  await withDuckDb(async (db) => {
    for (const [source, filter] of Object.entries(AS_OF_FILTERS)) {
      const location = locations[source];
      if (!location) continue;
      const pattern = `${location.replace(/\/+$/, '')}/**/*.parquet`;
      if ((await db.scalarNumber(`SELECT count(*) FROM glob(${literal(pattern)})`)) === 0) continue;
      const out = path.join(dir, `${source}.parquet`);
      const select = filter.replace ? `* REPLACE (${filter.replace})` : '*';
      await db.run(
        `COPY (SELECT ${select} FROM read_parquet(${literal(pattern)}, hive_partitioning = true, union_by_name = true)
               WHERE ${filter.where}) TO ${literal(out)} (${PARQUET_OPTIONS})`,
        { as_of: asOf },
      );
      overrides[source] = out;
    }
  });
  return overrides;
}

/** Rows of a mart that belong to periods up to `asOf`, by whichever period columns the mart has. */
async function periodFilter(db: DuckDb, file: string): Promise<string> {
  const cols = new Set((await db.all(`SELECT name FROM parquet_schema(${literal(file)})`)).map((r) => String(r.name)));
  if (cols.has('period_start')) return 'period_start <= CAST($as_of AS DATE)';
  if (cols.has('year') && cols.has('month')) return 'year * 100 + month <= year(CAST($as_of AS DATE)) * 100 + month(CAST($as_of AS DATE))';
  if (cols.has('as_of')) return 'as_of <= CAST($as_of AS DATE)';
  if (cols.has('year')) return 'year <= year(CAST($as_of AS DATE))';
  return 'true';
}

/** Cut every mart Parquet in `martsDir` to periods up to `asOf`, into `outDir`; returns the files. */
export async function freezeMarts(martsDir: string, outDir: string, asOf: string): Promise<SnapshotFile[]> {
  await mkdir(outDir, { recursive: true });
  const names = (await readdir(martsDir)).filter((n) => n.endsWith('.parquet')).sort();
  const files: SnapshotFile[] = [];
  await withDuckDb(async (db) => {
    for (const name of names) {
      const src = path.join(martsDir, name);
      const out = path.join(outDir, name);
      const where = await periodFilter(db, src);
      // Keep the mart's own order (it was written sorted by its grain).
      await db.run(
        `COPY (SELECT * FROM read_parquet(${literal(src)}) WHERE ${where}) TO ${literal(out)} (${PARQUET_OPTIONS})`,
        { as_of: asOf },
      );
      const rows = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(out)})`);
      files.push({ name, body: await readFile(out), rows });
    }
  }, { threads: 1 });
  return files;
}

/**
 * Quarantined rows by dataset and reason, for the end-of-run summary. Local lakes only: an s3:// root
 * gives [] (DuckDB here has no httpfs; on AWS the data_quality mart carries the same counts).
 */
export async function quarantineByReason(lakeRoot: string): Promise<{ dataset: string; reason: string; rows: number }[]> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(lakeRoot)) return [];
  const pattern = `${lakeSourceLocations(lakeRoot).src_quarantine!.replace(/\/+$/, '')}/**/*.parquet`;
  return withDuckDb(async (db) => {
    if ((await db.scalarNumber(`SELECT count(*) FROM glob(${literal(pattern)})`)) === 0) return [];
    const rows = await db.all(
      `SELECT dataset, reason, count(*) AS n FROM read_parquet(${literal(pattern)}, hive_partitioning = true)
       GROUP BY dataset, reason ORDER BY n DESC, dataset, reason LIMIT 12`,
    );
    return rows.map((r) => ({ dataset: String(r.dataset), reason: String(r.reason), rows: Number(r.n) }));
  });
}

