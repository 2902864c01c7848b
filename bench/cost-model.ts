/**
 * `npx tsx bench/cost-model.ts <lake dir | bench results json | bench/rehearsal.json | bench/lake-1m.json> [--scale 10000000,50000000] [--all-columns] [--summary]`;
 * `npx tsx bench/cost-model.ts --write-doc` renders docs/deploy.md's cost-model blocks again (a test fails while they are stale).
 *
 * The national cost model of docs/deploy.md ("Cost model for the national case"), from a measured lake
 * (bench/lib/lake-stats.ts): bytes Athena scans for a full rebuild and for one monthly incremental run,
 * per statement kind, and the S3 requests of a run, as markdown tables. Measured: the bytes and files of
 * every table and year partition of the lake given. Extrapolated (linear in dossiers, `--scale`): the
 * same at other sizes. The monthly run follows the product's incremental rules through its own functions: the
 * `table` models none of whose inputs changed are kept (keptModels: no statement, no test), for a month of dossiers
 * and for one with a 766 answer (MONTHLY_CHANGES); tests scoped to the rebuilt partitions (scopesToPartitions) read
 * the touched year's share. The rules of the estimate are in the doc; the prices are parameters below.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keptModels } from '../functions/core/transform/incremental.js';
import { loadModels, loadSources, referencedRelations, type TestSpec } from '../functions/core/transform/models.js';
import { scopesToPartitions } from '../functions/core/transform/tests.js';
import { REPO } from './lib/child.js';
import { lakeStats, type LakeStats, type TableStats } from './lib/lake-stats.js';

/** Assumptions (AWS list prices checked 2026-12-03, ap-southeast-1; see docs/deploy.md). */
export const PRICES = { athenaPerTb: 5, athenaMinBytes: 10 * 2 ** 20, s3PutPer1000: 0.005, s3GetPer1000: 0.0004 };
/**
 * stg_lake__dossiers and int_dossiers_attributed are never written by the embedded engine (persist: false) but are
 * on Athena; a lake without them (bench/lake-1m.json has them, measured) gets them estimated from these ratios measured
 * at 1 M (2026-12-03): stg_lake__dossiers 0.98 × landed/dossiers, int_dossiers_attributed 0.42 × int_dossiers_classified.
 */
export const STG_PER_LANDED = 0.98;
export const ATTRIBUTED_PER_CLASSIFIED = 0.42;
/**
 * int_dossiers_carried_over (the dossiers not finished in their year of receipt) and int_dossier_receipt_years (one row
 * per year of receipt) came after the measured lakes: estimated from the 1 M lake of 2026-12-04 (bench/history.md,
 * change 37): 0.46 of 20.7 MiB of int_dossiers_classified's partitions (17 074 of 883 625 rows), one file a year; the
 * receipt years ≈ 2 KiB a file.
 */
export const CARRIED_PER_CLASSIFIED = 0.0223;
export const RECEIPT_YEAR_FILE_BYTES = 2048;
/**
 * Incremental models partitioned by the year of receipt, not the report year (docs/architecture.md, "Incremental
 * models"), that a reader filtered on the report year reads whole: int_dossiers_carried_over (the dossiers open at the
 * end of their year of receipt; a dossier received in 2020 may be pending in 2025). int_dossiers_classified is not
 * here: its readers join it on the year (the receipt year of a report year's own dossiers), so the filter prunes it.
 */
const RECEIPT_YEAR_MODELS = new Set(['int_dossiers_carried_over']);
/**
 * stg_lake__dossiers is incremental on the month of receipt, the landed dossiers' own partition: its SELECT filtered
 * on the touched months reads those months of landed/dossiers (Athena prunes the partitions; billed here as the
 * touched year's share, an upper bound, as are int_dossiers_classified's month partitions), and every year's dossier_id
 * (the NSW ids a portal copy may duplicate: bounded here by the column's share over every source, 0.059 of
 * landed/dossiers' bytes in the 1 M lake, 2026-12-03).
 */
export const DOSSIER_ID_SHARE = 0.059;
/** The datasets a monthly run lands: the month's dossiers; with a 766 answer, its results and metrics files too. */
export const MONTHLY_CHANGES = { dossiers: ['dossiers'], 'dossiers + 766 answer': ['dossiers', 'score766', 'score766_metrics'] } as const;

/**
 * The bytes of landed/dossiers' columns that the plan of a monthly run reads (sql/incremental/), as shares of the
 * table: from the lake's measured column sizes of stg_lake__dossiers (the same columns) when it has them, else these,
 * measured in the 1 M lake (bench/lake-1m.json, 2026-12-03).
 */
export const PLAN_COLUMN_SHARES = { raw_hash: 0.002, dossier_id: DOSSIER_ID_SHARE, received_at: 0.159, finished_at: 0.231 } as const;
/** The queries a transform runs besides the models' statements, as `plan` rows (functions/core/transform/incremental.ts). */
export const PLAN_QUERIES = {
  /** planTransform: the landing log (which files the last transform read), in every run. */
  landingLog: 'landing log',
  /** writeState: the report periods the state records, in every run; an incremental run reads them once more (touchedByPeriods). */
  periods: 'report periods',
  /** sql/incremental/new_file_partitions.sql: raw_hash of every landed dossier and of the superseded ledger. */
  newFilePartitions: 'new_file_partitions',
  /** sql/incremental/touched_partitions.sql: the touched partitions' ids, hashes and dates, every partition's dossier_id. */
  touchedPartitions: 'touched_partitions',
} as const;

export interface StatementCost {
  model: string;
  kind: 'ctas' | 'tests' | 'metadata' | 'plan';
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

export interface CostModel {
  full: StatementCost[];
  /** The monthly incremental run: no statement for a kept model (`kept`). */
  monthly: StatementCost[];
  touchedYear: string;
  sizes: Record<string, number>;
  files: Record<string, number>;
  modelFilesWritten: { full: number; monthly: number };
  /** The `table` models the monthly run keeps (keptModels of the product, for the datasets `changed`). */
  kept: string[];
  /** The datasets the monthly run changed (the argument). */
  changed: readonly string[];
  /** Partitioned models the lake holds as one file: their bytes apportioned to years by landed/dossiers' year shares. */
  apportioned: string[];
}

/**
 * `changed`: the datasets the monthly run landed a new file of (the plan's changedDatasets; MONTHLY_CHANGES). The run
 * rebuilds one year, the latest of landed/dossiers.
 */
export function costModel(stats: LakeStats, sqlDir = path.join(REPO, 'sql'), columns?: ModelColumns, changed: readonly string[] = MONTHLY_CHANGES.dossiers): CostModel {
  const models = loadModels(sqlDir);
  const kept = keptModels({ mode: 'incremental', reason: 'cost model', logged: [], newFiles: [], changedDatasets: [...changed] }, models);
  const sources = new Map(loadSources(sqlDir).map((s) => [s.name, s.location] as const));
  const byName = new Map(models.map((m) => [m.name, m]));
  const table = (key: string): TableStats | undefined => stats.tables[key];
  const bytesOf = (key: string): number => table(key)?.bytes ?? 0;
  const touchedYear = latestYear(stats);
  // Model bytes as Athena would hold them: the local Parquet, or for a model the embedded engine never writes (persist: false) an estimate.
  const sizes: Record<string, number> = {};
  const files: Record<string, number> = {};
  const years: Record<string, TableStats['years']> = {};
  const apportioned: string[] = [];
  const dossiers = table('landed/dossiers');
  const dossierYears = Object.entries(dossiers?.years ?? {}).filter(([y]) => y !== 'all');
  const dossierBytes = dossierYears.reduce((s, [, v]) => s + v.bytes, 0);
  for (const m of models) {
    const t = table(`models/${m.layer}/${m.name}`);
    if (!t) continue;
    // A partitioned model keeps, locally, a one-file copy beside its year partitions (models/<layer>/<model>.parquet, for
    // the dashboards); Athena's table is the partitions alone.
    let parts = Object.entries(t.years).filter(([y]) => !m.partitionBy?.length || y !== 'all');
    if (m.partitionBy?.length && parts.length === 0 && dossierBytes > 0) {
      // Measured before the model was partitioned (one file): its bytes by the year shares of landed/dossiers, one file a year.
      const whole = t.years.all?.bytes ?? t.bytes;
      parts = dossierYears.map(([y, v]) => [y, { files: 1, bytes: (whole * v.bytes) / dossierBytes }]);
      apportioned.push(m.name);
    }
    years[m.name] = Object.fromEntries(parts);
    sizes[m.name] = parts.reduce((s, [, v]) => s + v.bytes, 0);
    files[m.name] = parts.reduce((s, [, v]) => s + v.files, 0);
  }
  files.stg_lake__dossiers ??= table('landed/dossiers')?.files ?? 0;
  files.int_dossiers_attributed ??= files.int_agency_periods_counted ?? 1;
  sizes.stg_lake__dossiers ??= STG_PER_LANDED * bytesOf('landed/dossiers');
  sizes.int_dossiers_attributed ??= ATTRIBUTED_PER_CLASSIFIED * (sizes.int_dossiers_classified ?? 0);
  const receiptYears = Math.max(1, dossierYears.length);
  files.int_dossiers_carried_over ??= receiptYears;
  sizes.int_dossiers_carried_over ??= CARRIED_PER_CLASSIFIED * (sizes.int_dossiers_classified ?? 0);
  files.int_dossier_receipt_years ??= receiptYears;
  sizes.int_dossier_receipt_years ??= RECEIPT_YEAR_FILE_BYTES * receiptYears;
  /** landed/dossiers' share in the touched year (1 without year partitions). */
  const landedYearShare = dossierBytes > 0 ? (dossiers?.years[touchedYear]?.bytes ?? 0) / dossierBytes : 1;
  const yearShare = (name: string): number => {
    const y = years[name];
    if (y && (sizes[name] ?? 0) > 0) return (y[touchedYear]?.bytes ?? 0) / sizes[name]!;
    // Not written locally: its year shares those of the dossiers it is computed from.
    return landedYearShare;
  };
  /** Files of the touched year's partition (Athena writes and opens at least one). */
  const yearFiles = (name: string): number => Math.max(1, years[name]?.[touchedYear]?.files ?? Math.round((files[name] ?? 1) * yearShare(name)));
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
  // The plan's queries (PLAN_QUERIES). Shares of landed/dossiers' bytes by column, and the superseded ledger (read whole:
  // small, and without column sizes).
  const landedColumns = columns?.stg_lake__dossiers;
  const landedTotal = landedColumns ? Object.values(landedColumns).reduce((s, b) => s + b, 0) : 0;
  const columnShare = (c: keyof typeof PLAN_COLUMN_SHARES): number =>
    landedColumns && landedTotal > 0 && landedColumns[c] !== undefined ? landedColumns[c] / landedTotal : PLAN_COLUMN_SHARES[c];
  const landed = { bytes: bytesOf('landed/dossiers'), files: dossiers?.files ?? 0 };
  const ledger = { bytes: bytesOf('landed/_superseded/dossiers'), files: table('landed/_superseded/dossiers')?.files ?? 0 };
  const planRow = (model: string, scanned: number, opened: number): StatementCost => ({ model, kind: 'plan', queries: 1, scannedBytes: scanned, billedBytes: billed(scanned, 1), filesRead: opened });
  const plan = (monthly: boolean): StatementCost[] => {
    const log = relationBytes('src_landing_log');
    const periods = relationBytes('int_periods_reported');
    const out = [planRow(PLAN_QUERIES.landingLog, log.bytes, log.files), planRow(PLAN_QUERIES.periods, periods.bytes, periods.files)];
    if (!monthly) return out;
    const yearFilesOfLanded = Math.max(1, dossiers?.years[touchedYear]?.files ?? 1);
    const touchedColumns = columnShare('dossier_id') + columnShare('raw_hash') + columnShare('received_at') + columnShare('finished_at');
    const calendar = relationBytes('calendar_months');
    out.push(
      planRow(PLAN_QUERIES.newFilePartitions, landed.bytes * columnShare('raw_hash') + ledger.bytes, landed.files + ledger.files),
      // The touched partitions (billed as the touched year's share: an upper bound, as for the month partitions of the
      // models), every partition's dossier_id (the portal copies of the NSW ids), the ledger, the calendar seed.
      planRow(PLAN_QUERIES.touchedPartitions, landed.bytes * (landedYearShare * touchedColumns + columnShare('dossier_id')) + ledger.bytes + calendar.bytes, yearFilesOfLanded + landed.files + ledger.files + calendar.files),
      planRow(PLAN_QUERIES.periods, periods.bytes, periods.files),
    );
    return out;
  };
  const run = (monthly: boolean): StatementCost[] => {
    const out: StatementCost[] = plan(monthly);
    for (const m of models) {
      // A kept table: no statement, no test (the engine reuses its output; its tests passed when it was written).
      if (monthly && kept.has(m.name)) continue;
      const incremental = monthly && m.materialized === 'incremental';
      let scanned = 0;
      let opened = 0;
      for (const rel of referencedRelations(m.sql)) {
        const r = relationBytes(rel);
        // An incremental model's SELECT is filtered on its partition year: inputs partitioned on the report year are
        // pruned to it, as is int_dossiers_classified (joined on its year); RECEIPT_YEAR_MODELS are read whole.
        const dep = r.model ? byName.get(r.model) : undefined;
        const pruned = incremental && dep?.materialized === 'incremental' && !RECEIPT_YEAR_MODELS.has(dep.name);
        // stg_lake__dossiers, partitioned by the month of receipt, is billed its year's share: an upper bound.
        const receiptYear = incremental && rel === 'src_dossiers' && ['year', 'receipt_month'].includes(m.partitionBy?.[0] ?? '');
        scanned += pruned ? r.bytes * yearShare(dep!.name) : receiptYear ? r.bytes * (yearShare(m.name) + DOSSIER_ID_SHARE) : r.bytes;
        opened += pruned ? yearFiles(dep!.name) : r.files;
      }
      out.push({ model: m.name, kind: 'ctas', queries: 1, scannedBytes: scanned, billedBytes: billed(scanned, 1), filesRead: opened });
      // The row count and the information_schema lookup after each CTAS: metadata, billed at the minimum.
      out.push({ model: m.name, kind: 'metadata', queries: 2, scannedBytes: 0, billedBytes: billed(0, 2), filesRead: 0 });
      // Each YAML test reads the columns it names when the model's column sizes were measured, else every column (an
      // upper bound); each query is billed its own minimum. In a monthly run, a test of an incremental model that the
      // product scopes to the rebuilt partitions (tests.ts, scopesToPartitions) reads the touched year's share of the
      // model; the others (uniqueness across partitions, not_empty, columns_match) and every test of a table read it whole.
      const cols = columns?.[m.name];
      const tests = m.tests.length;
      if (tests) {
        const column = m.partitionBy?.[0];
        const share = (t: TestSpec): number => (incremental && column && scopesToPartitions(t, column) ? yearShare(m.name) : 1);
        const scans = m.tests.map((t) => share(t) * (cols ? testColumns(t, Object.keys(cols)).reduce((s, c) => s + (cols[c] ?? 0), 0) : (sizes[m.name] ?? 0)));
        const scannedBytes = scans.reduce((s, x) => s + x, 0);
        const opened = m.tests.reduce((s, t) => s + (share(t) < 1 ? yearFiles(m.name) : (files[m.name] ?? 1)), 0);
        out.push({ model: m.name, kind: 'tests', queries: tests, scannedBytes, billedBytes: scans.reduce((s, x) => s + billed(x, 1), 0), filesRead: opened });
      }
    }
    return out;
  };
  // Model files a run writes: every table model whole; in a monthly run an incremental model only its touched year, a kept table nothing.
  const written = (monthly: boolean): number =>
    models.reduce((s, m) => s + (monthly && kept.has(m.name) ? 0 : monthly && m.materialized === 'incremental' ? yearFiles(m.name) : (files[m.name] ?? 1)), 0);
  return { full: run(false), monthly: run(true), touchedYear, sizes, files, modelFilesWritten: { full: written(false), monthly: written(true) }, kept: [...kept].sort(), changed, apportioned };
}

const gb = (b: number): string => (b / 2 ** 30).toFixed(2);
const usd = (b: number): string => `$${((b / TB) * PRICES.athenaPerTb).toFixed(3)}`;
const n0 = (x: number): string => Math.round(x).toLocaleString('en-US').replaceAll(',', ' ');

/** The tables of the model; `summary`: only the totals per run, the S3 requests and the extrapolation. */
function render(lake: Lake, scales: number[], summary = false): string {
  const scenarios = Object.entries(MONTHLY_CHANGES).map(([name, changed]) => ({ name, ...costModel(lake.stats, undefined, lake.columns, changed) }));
  const { full, touchedYear, modelFilesWritten, apportioned } = scenarios[0]!;
  const L: string[] = [];
  const sum = (xs: StatementCost[], k: 'scannedBytes' | 'billedBytes' | 'queries'): number => xs.reduce((s, x) => s + x[k], 0);
  const mib = (b: number): string => (b / 2 ** 20).toFixed(2);
  const d = lake.stats.tables['landed/dossiers'];
  if (!summary) {
    L.push(`Measured lake: ${Number.isFinite(lake.dossiers) ? `${n0(lake.dossiers)} dossiers, ` : ''}${n0(lake.stats.files)} files, ${gb(lake.stats.bytes)} GiB; a monthly run touches report year ${touchedYear}.`, '');
    if (apportioned.length) L.push(`Partitioned models the lake holds as one file, apportioned to years by landed/dossiers' year shares: ${apportioned.join(', ')}.`, '');
    for (const s of scenarios) L.push(`Monthly run, new files of ${s.changed.join(', ')} (${s.name}): ${s.kept.length} table models kept (no statement, no test): ${s.kept.join(', ')}.`, '');
    L.push('| area | files | GiB |', '|---|---:|---:|');
    for (const a of ['raw/', 'manifest/', 'landed/', 'quarantine/', 'models/']) {
      const ts = Object.entries(lake.stats.tables).filter(([k]) => k.startsWith(a));
      if (ts.length) L.push(`| ${a} | ${n0(ts.reduce((s, [, t]) => s + t.files, 0))} | ${gb(ts.reduce((s, [, t]) => s + t.bytes, 0))} |`);
    }
    if (d) {
      L.push('', '`landed/dossiers` by year of receipt:', '', '| year | files | MiB |', '|---|---:|---:|');
      for (const [y, v] of Object.entries(d.years).sort()) L.push(`| ${y} | ${n0(v.files)} | ${(v.bytes / 2 ** 20).toFixed(1)} |`);
    }
    L.push('', `Largest scans (MiB, full rebuild → monthly run, ${scenarios.map((s) => s.name).join(' / ')}; "kept": no statement; "–": not run):`, '', `| model | statement | queries | full | ${scenarios.map((s) => `monthly (${s.name})`).join(' | ')} |`, `|---|---|---:|---:|${scenarios.map(() => '---:|').join('')}`);
    // Statements of either run, by the largest of their scans (the plan of a monthly run has no full-run counterpart).
    const key = (x: StatementCost): string => `${x.model}/${x.kind}`;
    const byKey = (xs: StatementCost[]): Map<string, StatementCost> => {
      const m = new Map<string, StatementCost>();
      for (const x of xs) {
        const y = m.get(key(x));
        m.set(key(x), y ? { ...y, queries: y.queries + x.queries, scannedBytes: y.scannedBytes + x.scannedBytes } : x);
      }
      return m;
    };
    const fullBy = byKey(full);
    const by = scenarios.map((s) => byKey(s.monthly));
    const rows = [...new Set([...fullBy.keys(), ...by.flatMap((m) => [...m.keys()])])].map((k) => ({ k, x: fullBy.get(k) ?? by.find((m) => m.has(k))!.get(k)!, top: Math.max(fullBy.get(k)?.scannedBytes ?? 0, ...by.map((m) => m.get(k)?.scannedBytes ?? 0)) }));
    for (const { k, x } of rows.sort((a, b) => b.top - a.top || a.k.localeCompare(b.k)).slice(0, 13)) {
      const f = fullBy.get(k);
      L.push(`| ${x.model} | ${x.kind} | ${x.queries} | ${f ? mib(f.scannedBytes) : '–'} | ${by.map((m) => (m.has(k) ? mib(m.get(k)!.scannedBytes) : 'kept')).join(' | ')} |`);
    }
    L.push('', 'By statement kind (queries, scanned MiB):', '', `| kind | full: queries | MiB | ${scenarios.map((s) => `monthly (${s.name}): queries | MiB`).join(' | ')} |`, `|---|---:|---:|${scenarios.map(() => '---:|---:|').join('')}`);
    for (const kind of ['ctas', 'tests', 'metadata', 'plan'] as const) {
      const f = full.filter((x) => x.kind === kind);
      L.push(`| ${kind} | ${sum(f, 'queries')} | ${mib(sum(f, 'scannedBytes'))} | ${scenarios.map((s) => { const m = s.monthly.filter((x) => x.kind === kind); return `${sum(m, 'queries')} | ${mib(sum(m, 'scannedBytes'))}`; }).join(' | ')} |`);
    }
  }
  L.push('', '| run | billed queries | scanned GiB | billed GiB (10 MB minimum) | Athena $ |', '|---|---:|---:|---:|---:|');
  for (const [name, xs] of [['full rebuild', full], ...scenarios.map((s) => [`monthly incremental (${s.name})`, s.monthly] as const)] as const) L.push(`| ${name} | ${sum(xs, 'queries')} | ${gb(sum(xs, 'scannedBytes'))} | ${gb(sum(xs, 'billedBytes'))} | ${usd(sum(xs, 'billedBytes'))} |`);
  // S3 requests of a run, from the lake's file counts.
  const area = (a: string): number => Object.entries(lake.stats.tables).filter(([k]) => k.startsWith(a)).reduce((s, [, t]) => s + t.files, 0);
  const monthsInLake = Object.keys(d?.years ?? {}).filter((y) => y !== 'all').length * 12 || 84;
  const putsFull = area('raw/') + area('manifest/') + area('landed/') + area('quarantine/') + modelFilesWritten.full;
  // A month: its share of the raw files, manifests and landed dossier partitions (month partitions), the small landed datasets
  // rewritten whole (an upper bound), and the models written (incremental ones: the touched year only; kept tables: none).
  const putsMonth = (s: (typeof scenarios)[number]): number => (area('raw/') + area('manifest/') + area('landed/dossiers') + area('quarantine/')) / monthsInLake + (area('landed/') - area('landed/dossiers')) + s.modelFilesWritten.monthly;
  const gets = (xs: StatementCost[]): number => 2 * xs.reduce((s, x) => s + x.filesRead, 0);
  L.push('', 'S3 requests of a run (PUT: files written, Athena writing at least one file per partition; GET: two ranged reads per Parquet file a statement opens):', '', '| run | PUT | GET | $ (PUT + GET) |', '|---|---:|---:|---:|');
  for (const [name, puts, g] of [['full backfill (PUT: every file of the lake) and rebuild', putsFull, gets(full)], ...scenarios.map((s) => [`monthly incremental (${s.name})`, putsMonth(s), gets(s.monthly)] as const)] as const) {
    L.push(`| ${name} | ${n0(puts)} | ${n0(g)} | $${((puts / 1000) * PRICES.s3PutPer1000 + (g / 1000) * PRICES.s3GetPer1000).toFixed(4)} |`);
  }
  if (Number.isFinite(lake.dossiers) && scales.length) {
    L.push('', 'Extrapolated linearly in dossiers (scanned bytes × size / measured size; the 10 MB minimum re-applied per query):', '', `| dossiers | full rebuild scanned GiB | $ | ${scenarios.map((s) => `monthly (${s.name}) scanned GiB | $ | monthly / full: scanned, $`).join(' | ')} |`, `|---:|---:|---:|${scenarios.map(() => '---:|---:|---:|').join('')}`);
    for (const n of scales) {
      const f = n / lake.dossiers;
      const b = (xs: StatementCost[]): number => xs.reduce((s, x) => s + x.queries * Math.max(PRICES.athenaMinBytes, (x.scannedBytes * f) / x.queries), 0);
      const cells = scenarios.map((s) => `${gb(sum(s.monthly, 'scannedBytes') * f)} | ${usd(b(s.monthly))} | ${((100 * sum(s.monthly, 'scannedBytes')) / sum(full, 'scannedBytes')).toFixed(0)} %, ${((100 * b(s.monthly)) / b(full)).toFixed(0)} %`);
      L.push(`| ${n0(n)} | ${gb(sum(full, 'scannedBytes') * f)} | ${usd(b(full))} | ${cells.join(' | ')} |`);
    }
  }
  return L.join('\n');
}

/**
 * The output of `bench/cost-model.ts <args>`: `<lake> [--scale a,b] [--all-columns] [--summary]`. `--all-columns`: tests
 * billed every column of their model (the upper bound), even with measured column sizes.
 */
export async function renderCommand(args: readonly string[]): Promise<string> {
  const scaleAt = args.indexOf('--scale');
  const scales = scaleAt >= 0 ? args[scaleAt + 1]!.split(',').map(Number) : [];
  const input = args.find((a, i) => !a.startsWith('--') && (scaleAt < 0 || i !== scaleAt + 1));
  if (!input || !existsSync(path.resolve(REPO, input))) throw new Error(`Failed to read the lake "${input ?? ''}": usage: bench/cost-model.ts <lake dir | results json | bench/lake-50m.json> [--scale 10000000,50000000] [--all-columns] [--summary]`);
  const lake = await readLake(path.resolve(REPO, input));
  if (args.includes('--all-columns')) delete lake.columns;
  return render(lake, scales, args.includes('--summary'));
}

/** docs/deploy.md holds the tool's output between `<!-- cost-model: <args> -->` and `<!-- /cost-model -->`. */
export const DEPLOY_DOC = path.join(REPO, 'docs', 'deploy.md');
const DOC_BLOCK = /(<!-- cost-model: ([^>]+?) -->\n)[\s\S]*?(<!-- \/cost-model -->)/g;

/** `text` with every cost-model block rendered again from its arguments. */
export async function renderDocBlocks(text: string): Promise<string> {
  const blocks = [...text.matchAll(DOC_BLOCK)];
  const outputs = await Promise.all(blocks.map((b) => renderCommand(b[2]!.trim().split(/\s+/))));
  let i = 0;
  return text.replace(DOC_BLOCK, (_all, open: string, _args: string, close: string) => `${open}\n${outputs[i++]!.trim()}\n\n${close}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO, 'bench', 'cost-model.ts')) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--write-doc')) {
      // Render docs/deploy.md's cost-model blocks again (after a change to the rules or a newly measured lake).
      const text = await readFile(DEPLOY_DOC, 'utf8');
      const next = await renderDocBlocks(text);
      await writeFile(DEPLOY_DOC, next);
      console.log(next === text ? 'docs/deploy.md: cost-model blocks already current' : 'docs/deploy.md: cost-model blocks rendered again');
    } else {
      console.log(await renderCommand(args));
    }
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
