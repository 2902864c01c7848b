/**
 * The lake as it was on a date, for snapshots, built by the query engine itself (DuckDB locally,
 * Athena on AWS; nothing is copied out of the lake):
 *
 * - every source a snapshot filters is read through its as-of view, sql/snapshots/as_of/<src>.sql, a
 *   SELECT over the source's full lake table (landed_<dataset>, quarantine: the Glue tables' names)
 *   and the one-row relation snapshot_as_of (as_of_date: the month's last day). The rules themselves
 *   (dossiers received later left out, later finishes still pending, 766 answers captured later, Biểu
 *   06 sheets of later periods, PAR results known from 01/3 of the next year) live in those files; the
 *   registry, the landing log and the quarantine are read whole (data_quality lists every file landed by
 *   the snapshot's run with all its rejected rows: a month cut on the quarantine alone left out the rows
 *   of a file pulled for a later month, and the snapshot failed data_quality's test);
 * - the marts are then cut to the periods up to that date (freezeMarts), each by the cut its YAML
 *   declares (config.meta.as_of_cut).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { literal, withDuckDb } from '../engine/duckdb.js';
import type { QueryEngine } from '../engine/types.js';
import { createError } from '../errors.js';
import type { Storage } from '../storage/types.js';
import { referencedRelations, type AsOfCut, type TransformModel } from './models.js';
import { registerLakeSources } from './register.js';
import type { SnapshotFile } from './snapshot.js';
import { LEDGER_TABLES, lakePrefixLocation, lakeSourceLocations, lakeTableName, SOURCE_NAMES, sourcePrefix } from './sources.js';

/** The one-row relation the as-of views read: as_of_date, the snapshot's date. */
export const AS_OF_RELATION = 'snapshot_as_of';

/**
 * The ledgers an as-of view reads besides its own table, by source: the dossiers' view takes each dossier's
 * version known on the date from the current ones and those a later file replaced.
 */
const AS_OF_LEDGERS: Readonly<Record<string, readonly string[]>> = {
  src_dossiers: ['landed_superseded_dossiers'],
};

export interface AsOfView {
  /** The source it stands in for (src_<dataset>). */
  source: string;
  /** The full lake table it reads (landed_<dataset> or quarantine). */
  table: string;
  /** The ledger tables it also reads (LEDGER_TABLES). */
  ledgers: readonly string[];
  sql: string;
  /** Relative to the repository. */
  file: string;
}

/** The as-of views of sql/snapshots/as_of/: one file per filtered source, named after the source. */
export function loadAsOfViews(sqlDir: string): AsOfView[] {
  const dir = path.join(sqlDir, 'snapshots', 'as_of');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const source = f.replace(/\.sql$/, '');
      const file = path.relative(path.join(sqlDir, '..'), path.join(dir, f));
      if (!SOURCE_NAMES.includes(source)) throw createError('snapshot', `Failed to load ${file}: ${source} is not a source (${SOURCE_NAMES.join(', ')})`);
      const sql = readFileSync(path.join(dir, f), 'utf8').trim().replace(/;\s*$/, '');
      const table = lakeTableName(source);
      const ledgers = AS_OF_LEDGERS[source] ?? [];
      const refs = referencedRelations(sql).sort();
      const expected = [AS_OF_RELATION, table, ...ledgers].sort();
      if (refs.join() !== expected.join()) {
        throw createError('snapshot', `Failed to load ${file}: an as-of view reads ${expected.join(' and ')} only, not ${refs.join(', ') || 'nothing'}`);
      }
      return { source, table, ledgers, sql, file };
    });
}

/**
 * Register the lake's sources on `engine` as of `asOf` (YYYY-MM-DD): every src_<dataset> as the
 * transform registers it, then each filtered one replaced by its as-of view over its full lake table.
 */
export async function registerAsOfSources(engine: QueryEngine, lake: Pick<Storage, 'locate'>, asOf: string, sqlDir: string): Promise<AsOfView[]> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw createError('snapshot', `Failed to register the as-of sources: "${asOf}" is not YYYY-MM-DD`);
  const views = loadAsOfViews(sqlDir);
  await registerLakeSources(engine, lake);
  await engine.createView(AS_OF_RELATION, `SELECT CAST('${asOf}' AS DATE) AS as_of_date`);
  for (const v of views) {
    await engine.registerSource(v.table, lakePrefixLocation(lake, sourcePrefix(v.source)), { hivePartitioning: true });
    for (const ledger of v.ledgers) await engine.registerSource(ledger, lakePrefixLocation(lake, LEDGER_TABLES[ledger]!.prefix), { hivePartitioning: true });
    await engine.createView(v.source, v.sql);
  }
  return views;
}

/**
 * Which rows of a mart belong to periods up to `asOf`, by the cut its YAML declares
 * (`config.meta.as_of_cut`, checked by the loader): its period_start; its year and month; the as_of
 * of a 766 answer; its year; or all of them.
 */
export function martCut(cut: AsOfCut, asOf: string): string {
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  const date = `CAST('${asOf}' AS DATE)`;
  const predicates: Record<AsOfCut, string> = {
    period_start: `period_start <= ${date}`,
    year_month: `year * 100 + month <= ${y * 100 + m}`,
    as_of: `as_of <= ${date}`,
    year: `year <= ${y}`,
    none: '1 = 1',
  };
  return predicates[cut];
}

/** Cut every mart (already built on `engine`) to periods up to `asOf`: the snapshot's files. */
export async function freezeMarts(engine: QueryEngine, marts: readonly TransformModel[], asOf: string): Promise<SnapshotFile[]> {
  const files: SnapshotFile[] = [];
  for (const mart of [...marts].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!mart.asOfCut) throw createError('snapshot', `Failed to freeze ${mart.name}: ${mart.file} declares no snapshot cut (config.meta.as_of_cut)`);
    const columns = await engine.columns(mart.name);
    if (columns.length === 0) throw createError('snapshot', `Failed to freeze ${mart.name}: the engine knows no columns of it`);
    const types = Object.fromEntries(mart.columns.flatMap((c) => (c.data_type ? [[c.name, c.data_type]] : [])));
    const out = await engine.exportParquet(`SELECT * FROM ${mart.name} WHERE ${martCut(mart.asOfCut, asOf)}`, { name: mart.name, columns, orderBy: mart.grain ?? [], types });
    files.push({ name: `${mart.name}.parquet`, body: out.body, rows: out.rows });
  }
  return files;
}

/**
 * Quarantined rows by dataset and reason, for the end-of-run summary. Local lakes only: a lake whose
 * quarantine/ is not a directory gives [] (DuckDB here has no httpfs; on AWS the data_quality mart
 * carries the same counts).
 */
export async function quarantineByReason(lake: Pick<Storage, 'locate'>): Promise<{ dataset: string; reason: string; rows: number }[]> {
  const location = lakeSourceLocations(lake).src_quarantine!;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return [];
  const pattern = `${location.replace(/\/+$/, '')}/**/*.parquet`;
  return withDuckDb(async (db) => {
    if ((await db.scalarNumber(`SELECT count(*) FROM glob(${literal(pattern)})`)) === 0) return [];
    const rows = await db.all(
      `SELECT dataset, reason, count(*) AS n FROM read_parquet(${literal(pattern)}, hive_partitioning = true)
       GROUP BY dataset, reason ORDER BY n DESC, dataset, reason LIMIT 12`,
    );
    return rows.map((r) => ({ dataset: String(r.dataset), reason: String(r.reason), rows: Number(r.n) }));
  });
}
