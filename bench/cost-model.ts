/**
 * `npx tsx bench/cost-model.ts <lake dir | bench results json | bench/rehearsal.json | bench/lake-1m.json> [--scale 10000000,50000000] [--all-columns]`
 *
 * The national cost model of docs/deploy.md ("Cost model for the national case"), from a measured lake
 * (bench/lib/lake-stats.ts): bytes Athena scans for a full rebuild and for one monthly incremental run,
 * per statement kind, and the S3 requests of a run, as markdown tables. Measured: the bytes and files of
 * every table and year partition of the lake given. Extrapolated (linear in dossiers, `--scale`): the
 * same at other sizes. The rules of the estimate are in the doc; the prices are parameters below.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadModels, loadSources, referencedRelations, type TestSpec } from '../functions/core/transform/models.js';
import { REPO } from './lib/child.js';
import { lakeStats, type LakeStats, type TableStats } from './lib/lake-stats.js';

/** Assumptions (AWS list prices checked 2026-12-03, ap-southeast-1; see docs/deploy.md). */
export const PRICES = { athenaPerTb: 5, athenaMinBytes: 10 * 2 ** 20, s3PutPer1000: 0.005, s3GetPer1000: 0.0004 };
/**
 * stg_lake__dossiers and int_dossiers_attributed are never written by the embedded engine (persist: false) but are
 * on Athena; a lake without them (bench/lake-1m.json has them, measured) gets them estimated from these ratios measured
 * at 1 M (2026-12-03): stg_lake__dossiers 0.98 × landed/dossiers, int_dossiers_attributed 0.42 × int_dossiers_classified.
 */
const STG_PER_LANDED = 0.98;
const ATTRIBUTED_PER_CLASSIFIED = 0.42;

export interface StatementCost {
  model: string;
  kind: 'ctas' | 'tests' | 'metadata';
  queries: number;
  scannedBytes: number;
  billedBytes: number;
  /** Parquet files the statements open (each at least two ranged GETs: footer, then column chunks). */
  filesRead: number;
}

const TB = 2 ** 40;

/** Compressed bytes per column of each model's Parquet (DuckDB parquet_metadata), when measured. */
export type ModelColumns = Record<string, Record<string, number>>;

interface Lake {
  stats: LakeStats;
  dossiers: number;
  columns?: ModelColumns;
}

async function readLake(arg: string): Promise<Lake> {
  if (statSync(arg).isDirectory()) {
    const stats = await lakeStats(arg);
    return { stats, dossiers: Number(process.env.DOSSIERS ?? Number.NaN) };
  }
  const j = JSON.parse(await readFile(arg, 'utf8')) as Record<string, unknown>;
  if ('lake' in j && 'size' in j) return { stats: j.lake as LakeStats, dossiers: j.size as number, columns: j.columns as ModelColumns | undefined };
  const e2e = j.e2e as Record<string, { portal?: { result: { lake?: LakeStats } }[]; drop?: { result: { lake?: LakeStats } }[] }>;
  const size = Math.max(...Object.keys(e2e).map(Number));
  const run = e2e[size]?.portal?.[0] ?? e2e[size]?.drop?.[0];
  if (!run?.result.lake) throw new Error(`Failed to read ${arg}: its ${size} run has no lake statistics (bench runs before lake-stats.ts)`);
  return { stats: run.result.lake, dossiers: size };
}

/** Years in the lake's dossier partitions; the latest is the one a monthly run touches. */
function latestYear(stats: LakeStats): string {
  return Object.keys(stats.tables['landed/dossiers']?.years ?? {}).filter((y) => y !== 'all').sort().at(-1) ?? 'all';
}

/** The columns a YAML test reads (Athena bills only those): its column(s), or the model's columns named in its expression. */
export function testColumns(t: TestSpec, modelColumns: string[]): string[] {
  switch (t.kind) {
    case 'not_null':
    case 'unique':
    case 'accepted_values':
    case 'relationships':
      return [t.column];
    case 'unique_combination_of_columns':
    case 'columns_match':
      return t.columns;
    case 'expression_is_true':
      return modelColumns.filter((c) => new RegExp(`\\b${c}\\b`).test(t.expression));
    case 'not_empty':
      return [];
  }
}

export function costModel(stats: LakeStats, sqlDir = path.join(REPO, 'sql'), columns?: ModelColumns): { full: StatementCost[]; monthly: StatementCost[]; touchedYear: string; sizes: Record<string, number>; files: Record<string, number>; modelFilesWritten: { full: number; monthly: number } } {
  const models = loadModels(sqlDir);
  const sources = new Map(loadSources(sqlDir).map((s) => [s.name, s.location] as const));
  const byName = new Map(models.map((m) => [m.name, m]));
  const table = (key: string): TableStats | undefined => stats.tables[key];
  const bytesOf = (key: string): number => table(key)?.bytes ?? 0;
  const touchedYear = latestYear(stats);
  // Model bytes as Athena would hold them: the local Parquet, or for a model the embedded engine never writes (persist: false) an estimate.
  const sizes: Record<string, number> = {};
  const files: Record<string, number> = {};
  for (const m of models) {
    const t = table(`models/${m.layer}/${m.name}`);
    if (!t) continue;
    // A partitioned model keeps, locally, a one-file copy beside its year partitions (models/<layer>/<model>.parquet, for
    // the dashboards); Athena's table is the partitions alone.
    const parts = Object.entries(t.years).filter(([y]) => !m.partitionBy?.length || y !== 'all');
    sizes[m.name] = parts.reduce((s, [, v]) => s + v.bytes, 0);
    files[m.name] = parts.reduce((s, [, v]) => s + v.files, 0);
  }
  files.stg_lake__dossiers ??= table('landed/dossiers')?.files ?? 0;
  files.int_dossiers_attributed ??= files.int_agency_periods_counted ?? 1;
  sizes.stg_lake__dossiers ??= STG_PER_LANDED * bytesOf('landed/dossiers');
  sizes.int_dossiers_attributed ??= ATTRIBUTED_PER_CLASSIFIED * (sizes.int_dossiers_classified ?? 0);
  const yearShare = (name: string): number => {
    const t = table(`models/${byName.get(name)!.layer}/${name}`);
    if (t && (sizes[name] ?? 0) > 0) return (t.years[touchedYear]?.bytes ?? 0) / sizes[name]!;
    // Not written locally: its year shares those of the dossiers it is computed from.
    const d = table('landed/dossiers')!;
    return (d.years[touchedYear]?.bytes ?? 0) / d.bytes;
  };
  const relationBytes = (rel: string): { bytes: number; files: number; model?: string } => {
    if (byName.has(rel)) return { bytes: sizes[rel] ?? 0, files: files[rel] ?? 1, model: rel };
    const loc = sources.get(rel);
    if (loc) return { bytes: bytesOf(loc), files: table(loc)?.files ?? 0 };
    if (rel === 'quarantine' || rel === 'src_quarantine') {
      const q = Object.entries(stats.tables).filter(([k]) => k.startsWith('quarantine/'));
      return { bytes: q.reduce((s, [, t]) => s + t.bytes, 0), files: q.reduce((s, [, t]) => s + t.files, 0) };
    }
    return { bytes: 0, files: 0 };
  };
  const billed = (scanned: number, queries: number): number => queries * Math.max(PRICES.athenaMinBytes, scanned / Math.max(1, queries));
  const run = (monthly: boolean): StatementCost[] => {
    const out: StatementCost[] = [];
    for (const m of models) {
      const incremental = monthly && m.materialized === 'incremental';
      let scanned = 0;
      let opened = 0;
      for (const rel of referencedRelations(m.sql)) {
        const r = relationBytes(rel);
        // An incremental model's SELECT is filtered on its partition year: inputs partitioned on the same year are pruned to it.
        const dep = r.model ? byName.get(r.model) : undefined;
        const pruned = incremental && dep?.materialized === 'incremental';
        scanned += pruned ? r.bytes * yearShare(dep!.name) : r.bytes;
        opened += pruned ? Math.max(1, Math.round(r.files * yearShare(dep!.name))) : r.files;
      }
      out.push({ model: m.name, kind: 'ctas', queries: 1, scannedBytes: scanned, billedBytes: billed(scanned, 1), filesRead: opened });
      // The row count and the information_schema lookup after each CTAS: metadata, billed at the minimum.
      out.push({ model: m.name, kind: 'metadata', queries: 2, scannedBytes: 0, billedBytes: billed(0, 2), filesRead: 0 });
      // Each YAML test reads the whole model (not scoped to the rebuilt partitions): the columns it names when the
      // model's column sizes were measured, else every column (an upper bound). Each query is billed its own minimum.
      const cols = columns?.[m.name];
      const tests = m.tests.length;
      if (tests) {
        const scans = m.tests.map((t) => (cols ? testColumns(t, Object.keys(cols)).reduce((s, c) => s + (cols[c] ?? 0), 0) : (sizes[m.name] ?? 0)));
        const scannedBytes = scans.reduce((s, x) => s + x, 0);
        out.push({ model: m.name, kind: 'tests', queries: tests, scannedBytes, billedBytes: scans.reduce((s, x) => s + billed(x, 1), 0), filesRead: tests * (files[m.name] ?? 1) });
      }
    }
    return out;
  };
  // Model files a run writes: every table model whole; an incremental model only its touched year in a monthly run.
  const written = (monthly: boolean): number => models.reduce((s, m) => s + (monthly && m.materialized === 'incremental' ? Math.max(1, Math.round((files[m.name] ?? 1) * yearShare(m.name))) : (files[m.name] ?? 1)), 0);
  return { full: run(false), monthly: run(true), touchedYear, sizes, files, modelFilesWritten: { full: written(false), monthly: written(true) } };
}

const gb = (b: number): string => (b / 2 ** 30).toFixed(2);
const usd = (b: number): string => `$${((b / TB) * PRICES.athenaPerTb).toFixed(3)}`;
const n0 = (x: number): string => Math.round(x).toLocaleString('en-US').replaceAll(',', ' ');

function render(lake: Lake, scales: number[]): string {
  const { full, monthly, touchedYear, modelFilesWritten } = costModel(lake.stats, undefined, lake.columns);
  const L: string[] = [];
  const sum = (xs: StatementCost[], k: 'scannedBytes' | 'billedBytes' | 'queries'): number => xs.reduce((s, x) => s + x[k], 0);
  L.push(`Measured lake: ${Number.isFinite(lake.dossiers) ? `${n0(lake.dossiers)} dossiers, ` : ''}${n0(lake.stats.files)} files, ${gb(lake.stats.bytes)} GiB; a monthly run touches report year ${touchedYear}.`, '');
  L.push('| area | files | GiB |', '|---|---:|---:|');
  for (const a of ['raw/', 'manifest/', 'landed/', 'quarantine/', 'models/']) {
    const ts = Object.entries(lake.stats.tables).filter(([k]) => k.startsWith(a));
    if (ts.length) L.push(`| ${a} | ${n0(ts.reduce((s, [, t]) => s + t.files, 0))} | ${gb(ts.reduce((s, [, t]) => s + t.bytes, 0))} |`);
  }
  const d = lake.stats.tables['landed/dossiers'];
  if (d) {
    L.push('', '`landed/dossiers` by year of receipt:', '', '| year | files | MiB |', '|---|---:|---:|');
    for (const [y, v] of Object.entries(d.years).sort()) L.push(`| ${y} | ${n0(v.files)} | ${(v.bytes / 2 ** 20).toFixed(1)} |`);
  }
  L.push('', 'Largest scans (GiB, full rebuild → monthly run):', '', '| model | statement | queries | full | monthly |', '|---|---|---:|---:|---:|');
  const key = (x: StatementCost): string => `${x.model}/${x.kind}`;
  const monthlyBy = new Map(monthly.map((x) => [key(x), x]));
  for (const x of [...full].sort((a, b) => b.scannedBytes - a.scannedBytes).slice(0, 10)) L.push(`| ${x.model} | ${x.kind} | ${x.queries} | ${gb(x.scannedBytes)} | ${gb(monthlyBy.get(key(x))!.scannedBytes)} |`);
  L.push('', 'By statement kind (scanned GiB, full rebuild / monthly run):', '', '| kind | queries | full | monthly |', '|---|---:|---:|---:|');
  for (const kind of ['ctas', 'tests', 'metadata'] as const) {
    const f = full.filter((x) => x.kind === kind);
    L.push(`| ${kind} | ${sum(f, 'queries')} | ${gb(sum(f, 'scannedBytes'))} | ${gb(sum(monthly.filter((x) => x.kind === kind), 'scannedBytes'))} |`);
  }
  L.push('', '| run | billed queries | scanned GiB | billed GiB (10 MB minimum) | Athena $ |', '|---|---:|---:|---:|---:|');
  for (const [name, xs] of [['full rebuild', full], ['monthly incremental', monthly]] as const) L.push(`| ${name} | ${sum(xs, 'queries')} | ${gb(sum(xs, 'scannedBytes'))} | ${gb(sum(xs, 'billedBytes'))} | ${usd(sum(xs, 'billedBytes'))} |`);
  // S3 requests of a run, from the lake's file counts.
  const area = (a: string): number => Object.entries(lake.stats.tables).filter(([k]) => k.startsWith(a)).reduce((s, [, t]) => s + t.files, 0);
  const monthsInLake = Object.keys(d?.years ?? {}).filter((y) => y !== 'all').length * 12 || 84;
  const putsFull = area('raw/') + area('manifest/') + area('landed/') + area('quarantine/') + modelFilesWritten.full;
  // A month: its share of the raw files, manifests and landed dossier partitions (month partitions), the small landed datasets
  // rewritten whole (an upper bound), and the models written (incremental ones: the touched year only).
  const putsMonth = (area('raw/') + area('manifest/') + area('landed/dossiers') + area('quarantine/')) / monthsInLake + (area('landed/') - area('landed/dossiers')) + modelFilesWritten.monthly;
  const getsFull = 2 * full.reduce((s, x) => s + x.filesRead, 0);
  const getsMonth = 2 * monthly.reduce((s, x) => s + x.filesRead, 0);
  L.push('', 'S3 requests of a run (PUT: files written, Athena writing at least one file per partition; GET: two ranged reads per Parquet file a statement opens):', '', '| run | PUT | GET | $ (PUT + GET) |', '|---|---:|---:|---:|');
  for (const [name, puts, gets] of [['full rebuild', putsFull, getsFull], ['monthly incremental', putsMonth, getsMonth]] as const) {
    L.push(`| ${name} | ${n0(puts)} | ${n0(gets)} | $${((puts / 1000) * PRICES.s3PutPer1000 + (gets / 1000) * PRICES.s3GetPer1000).toFixed(4)} |`);
  }
  if (Number.isFinite(lake.dossiers) && scales.length) {
    L.push('', 'Extrapolated linearly in dossiers (scanned bytes × size / measured size; the 10 MB minimum re-applied per query):', '', '| dossiers | full rebuild scanned GiB | $ | monthly run scanned GiB | $ | monthly / full |', '|---:|---:|---:|---:|---:|---:|');
    for (const n of scales) {
      const f = n / lake.dossiers;
      const b = (xs: StatementCost[]): number => xs.reduce((s, x) => s + x.queries * Math.max(PRICES.athenaMinBytes, (x.scannedBytes * f) / x.queries), 0);
      L.push(`| ${n0(n)} | ${gb(sum(full, 'scannedBytes') * f)} | ${usd(b(full))} | ${gb(sum(monthly, 'scannedBytes') * f)} | ${usd(b(monthly))} | ${((100 * b(monthly)) / b(full)).toFixed(0)} % |`);
    }
  }
  return L.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO, 'bench', 'cost-model.ts')) {
  const args = process.argv.slice(2);
  const scaleAt = args.indexOf('--scale');
  const scales = scaleAt >= 0 ? args[scaleAt + 1]!.split(',').map(Number) : [];
  const input = args.find((a, i) => !a.startsWith('--') && (scaleAt < 0 || i !== scaleAt + 1));
  if (!input || !existsSync(input)) {
    console.error('usage: bench/cost-model.ts <lake dir | results json | bench/rehearsal.json> [--scale 10000000,50000000]');
    process.exit(2);
  }
  const lake = await readLake(input);
  // --all-columns: tests billed every column of their model (the upper bound), even with measured column sizes.
  if (args.includes('--all-columns')) delete lake.columns;
  console.log(render(lake, scales));
}
