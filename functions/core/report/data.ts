/**
 * What a monthly report says, read from one published snapshot (snapshots/<yyyy-mm>/): the marts as
 * they were at the month's end. The snapshot files are copied to a scratch directory (from disk or
 * S3 alike), checked against the snapshot manifest, registered as views named after their marts, and
 * read with DuckDB by the queries of sql/reports/monthly_*.sql (the parameters bound, never spliced).
 * Nothing here reads the live marts, so a report of a month never changes once its snapshot is published.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withDuckDb, literal, type DuckDb, type JsonRow } from '../engine/duckdb.js';
import { createError } from '../errors.js';
import { sha256 } from '../lake/raw.js';
import { readReportSql } from '../transform/report-sql.js';
import type { Storage } from '../storage/types.js';
import { listSnapshots, monthEnd, readSnapshotManifest, SnapshotPeriod, type SnapshotManifest } from '../transform/snapshot.js';

/** Province or agency figures of one period (counts and 0–1 rates; null where the denominator is 0). */
export interface Figures {
  received_total: number;
  received_new: number;
  received_online: number;
  received_carried_over: number;
  resolved_total: number;
  resolved_early: number;
  resolved_on_time: number;
  resolved_late: number;
  pending_total: number;
  pending_overdue: number;
  on_time_rate: number | null;
  online_rate: number | null;
  online_payment_rate: number | null;
  digitised_rate: number | null;
}

/** Flows summed over months (they add up; c6 and the pending counts, states at a date, do not). */
export interface MonthsSum {
  months: number;
  received_new: number;
  resolved_total: number;
  resolved_early: number;
  resolved_on_time: number;
  resolved_late: number;
  /** (early + on time) ÷ resolved, as agency_periods and province_periods compute it; null without a resolved dossier. */
  on_time_rate: number | null;
}

/** The flows of `rows` summed (a few province_months rows, already read). */
export function sumMonths(rows: readonly Figures[]): MonthsSum {
  const total = (k: 'received_new' | 'resolved_total' | 'resolved_early' | 'resolved_on_time' | 'resolved_late'): number => rows.reduce((acc, r) => acc + r[k], 0);
  const resolved = total('resolved_total');
  return {
    months: rows.length,
    received_new: total('received_new'),
    resolved_total: resolved,
    resolved_early: total('resolved_early'),
    resolved_on_time: total('resolved_on_time'),
    resolved_late: total('resolved_late'),
    on_time_rate: resolved > 0 ? (total('resolved_early') + total('resolved_on_time')) / resolved : null,
  };
}

/**
 * The flows of January–`month` of the year before `year`, summed from one province's province_months rows,
 * or undefined unless every one of those months is there and so is December two years back (data that starts
 * within last year would miss the dossiers carried into it, which this year's figures include).
 */
export function sameMonthsAYearBefore(rows: readonly ProvinceMonth[], year: number, month: number): MonthsSum | undefined {
  const months = rows.filter((r) => r.year === year - 1 && r.month <= month);
  const reachesBack = rows.some((r) => r.year === year - 2 && r.month === 12);
  return months.length === month && reachesBack ? sumMonths(months) : undefined;
}

export interface ProvinceMonth extends Figures {
  year: number;
  month: number;
}

/** One agency_periods row: the Biểu 06 columns c3…c13 and the service rates. */
export interface AgencyPeriod extends Figures {
  agency_code: string;
  agency_name: string;
  agency_short_name: string;
  kind: string;
  period_type: 'month' | 'quarter' | 'half' | 'year';
  year: number;
  period_no: number;
  period_start: string;
  period_end: string;
  received_offline: number;
  pending_in_time: number;
  has_series_break: boolean;
}

export interface LateProcedure {
  procedure_code: string;
  procedure_name: string;
  agency_name: string;
  resolved_total: number;
  resolved_late: number;
  on_time_rate: number | null;
}

export interface Score766Unit {
  agency_code: string | null;
  unit_name: string;
  rank: number | null;
  units_total: number | null;
  score_total: number;
  score_total_change: number | null;
  rank_change: number | null;
  /** How many units the previous rank was out of (NULL without a previous row): another number, no rank change. */
  prev_units_total: number | null;
  band: string;
}

export interface ParUnit {
  agency_code: string | null;
  agency_name: string;
  total_points: number;
  total_max: number;
  rank: number | null;
  units_ranked: number | null;
  score_change: number | null;
  rank_change: number | null;
  band: string | null;
}

/** A unit formed from predecessors (or absorbed) in the report's year: footnoted wherever it appears. */
export interface Merger {
  agency_code: string;
  agency_name: string;
  break_date: string;
  predecessor_names: string[];
  /** The predecessors' codes, in the same order. */
  predecessor_codes: string[];
}

export interface ReportData {
  period: string;
  year: number;
  month: number;
  /** Last day of the month (the snapshot's as-of date). */
  asOf: string;
  snapshot: { period: string; manifestSha256: string; lakeFingerprint: string };
  provinceCode: string;
  /** As the registry spells it, e.g. "UBND tỉnh Sông Xanh". */
  provinceName: string;
  /** The lake's meta.json says the data is synthetic (the demo province). */
  synthetic: boolean;
  /** Months of dossier sources the snapshot was frozen without (its manifest's `missing_sources`: allowed or discarded by an operator). */
  missingSources: { source: string; months: string[]; cause: 'allowed' | 'allowed_partial' | 'discarded' | 'ended'; since?: string }[];
  /** The month, the month before and the same month a year before (undefined when absent). */
  province: { current: ProvinceMonth; previous?: ProvinceMonth; lastYear?: ProvinceMonth };
  /**
   * The province's year to date (province_years of the snapshot; undefined when absent): 1 January to
   * `period_end`, the month's last day unless the data ends earlier.
   */
  yearToDate?: Figures & { period_start: string; period_end: string };
  /**
   * The same months a year before (1 January to the month's end), summed from the snapshot's province_months:
   * the flows that add up over months (received new, resolved and their split) and the on-time rate they give;
   * undefined unless the snapshot has every one of those months and December of the year before them (the data
   * reaches back past that year's start, so its resolved dossiers include those carried into it, as this
   * year's do).
   */
  sameMonthsLastYear?: MonthsSum;
  /** The last 13 months up to the report's month, oldest first (months without data left out). */
  trend: ProvinceMonth[];
  /** agency_periods of the month, in agency code order. */
  agencies: AgencyPeriod[];
  /** agency_periods of the quarter the month closes (months 3, 6, 9, 12), else undefined. */
  quarterAgencies?: AgencyPeriod[];
  /** agency_periods of the half-year June closes, or of the year December closes, else undefined. */
  halfOrYearAgencies?: AgencyPeriod[];
  /** Procedures of the year to date with late dossiers, most late first (at most 10). */
  lateProcedures: LateProcedure[];
  /** The province's agencies' 766 scores of the month, by rank. */
  score766: Score766Unit[];
  /** The latest PAR Index year in the snapshot and its units by rank. */
  /** The latest PAR Index: its year, units, and how many units the year before ranked (0: that year is not held). */
  par?: { year: number; units: ParUnit[]; prevUnitsRanked: number };
  mergers: Merger[];
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

const FIGURE_COLUMNS = [
  'received_total',
  'received_new',
  'received_online',
  'received_carried_over',
  'resolved_total',
  'resolved_early',
  'resolved_on_time',
  'resolved_late',
  'pending_total',
  'pending_overdue',
] as const;
const RATE_COLUMNS = ['on_time_rate', 'online_rate', 'online_payment_rate', 'digitised_rate'] as const;

function figures(r: JsonRow): Figures {
  const out: Record<string, number | null> = {};
  for (const c of FIGURE_COLUMNS) out[c] = num(r[c]);
  for (const c of RATE_COLUMNS) out[c] = numOrNull(r[c]);
  return out as unknown as Figures;
}

function agencyPeriod(r: JsonRow): AgencyPeriod {
  return {
    ...figures(r),
    agency_code: str(r.agency_code),
    agency_name: str(r.agency_name),
    agency_short_name: str(r.agency_short_name),
    kind: str(r.kind),
    period_type: str(r.period_type) as AgencyPeriod['period_type'],
    year: num(r.year),
    period_no: num(r.period_no),
    period_start: str(r.period_start),
    period_end: str(r.period_end),
    received_offline: num(r.received_offline),
    pending_in_time: num(r.pending_in_time),
    has_series_break: r.has_series_break === true,
  };
}

/** The clear error for a month without a published snapshot, listing the months that have one. */
export async function missingSnapshotError(storage: Storage, period: string): Promise<Error> {
  const have = [];
  for (const p of await listSnapshots(storage)) if (await readSnapshotManifest(storage, p)) have.push(p);
  return createError(
    'report',
    `Failed to build the report of ${period}: no published snapshot snapshots/${period}/ in ${storage.root}. ` +
      (have.length ? `Snapshots published: ${have.join(', ')}.` : 'No snapshot is published yet.') +
      ` Publish it first with \`snapshot --period ${period}\`.`,
  );
}

/** Copy a published snapshot to `dir`, checking every file against its manifest. */
async function fetchSnapshot(storage: Storage, period: string, dir: string): Promise<{ manifest: SnapshotManifest; manifestSha256: string }> {
  const body = await storage.tryGet(`snapshots/${period}/manifest.json`);
  const manifest = body ? await readSnapshotManifest(storage, period) : undefined;
  if (!body || !manifest) throw await missingSnapshotError(storage, period);
  await mkdir(dir, { recursive: true });
  for (const f of manifest.files) {
    const data = await storage.get(`snapshots/${period}/${f.name}`);
    if (sha256(data) !== f.sha256) throw createError('report', `Failed to read snapshots/${period}/${f.name}: it differs from the snapshot manifest`);
    await writeFile(path.join(dir, f.name), data);
  }
  return { manifest, manifestSha256: sha256(body) };
}

/** Read everything the report of `period` needs from its published snapshot. */
export async function loadReportData(storage: Storage, opts: { period: string; workDir: string }): Promise<ReportData> {
  const period = SnapshotPeriod.parse(opts.period);
  const [year, month] = period.split('-').map(Number) as [number, number];
  const dir = path.join(opts.workDir, `report-${period}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  try {
    const { manifest, manifestSha256 } = await fetchSnapshot(storage, period, dir);
    const have = new Set(manifest.files.map((f) => f.name.replace(/\.parquet$/, '')));
    for (const mart of ['agencies', 'agency_periods', 'province_months']) {
      if (!have.has(mart)) throw createError('report', `Failed to build the report of ${period}: snapshots/${period}/ has no ${mart}.parquet`);
    }
    const meta = await storage.tryGet('meta.json');
    const synthetic = meta ? (JSON.parse(meta.toString('utf8')) as { synthetic?: unknown }).synthetic === true : false;
    const data = await withDuckDb((db) => readAll(db, dir, have, { period, year, month }));
    return {
      ...data,
      period,
      year,
      month,
      asOf: manifest.as_of,
      snapshot: { period, manifestSha256, lakeFingerprint: manifest.lake_fingerprint },
      synthetic,
      missingSources: manifest.missing_sources ?? [],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The snapshot marts the report's queries read (the first three required, the others when the snapshot has them). */
const REPORT_MARTS = ['agencies', 'agency_periods', 'province_months', 'province_years', 'procedure_catalogue', 'score766_units', 'par_agency_years'] as const;

type Loaded = Omit<ReportData, 'period' | 'year' | 'month' | 'asOf' | 'snapshot' | 'synthetic' | 'missingSources'>;

async function readAll(db: DuckDb, dir: string, have: Set<string>, p: { period: string; year: number; month: number }): Promise<Loaded> {
  // Plumbing: each mart the queries read, as a view over its snapshot file (the optional ones when present).
  for (const name of REPORT_MARTS) {
    if (have.has(name)) await db.run(`CREATE VIEW ${name} AS SELECT * FROM read_parquet(${literal(path.join(dir, `${name}.parquet`))})`);
  }

  const months = (await db.all(await readReportSql('monthly_province_months'))).map((r) => ({ ...figures(r), year: num(r.year), month: num(r.month), code: str(r.province_code), name: str(r.province_name) }));
  const key = (y: number, m: number) => y * 12 + m;
  const ofMonth = months.filter((r) => r.year === p.year && r.month === p.month);
  if (ofMonth.length === 0) throw createError('report', `Failed to build the report of ${p.period}: the snapshot's province_months has no row for ${p.period}`);
  // The report's province: the month's one. A lake holding two (before and after a merger of provinces,
  // Resolution 202/2025/QH15) reports on the province it holds now, the one of its latest month, and every
  // table below keeps that province's units only (their rows add up to its "Toàn tỉnh" total).
  const newest = Math.max(...months.map((r) => key(r.year, r.month)));
  const own = [...new Set(months.filter((r) => key(r.year, r.month) === newest).map((r) => r.code))];
  const current = ofMonth.length === 1 ? ofMonth[0] : own.length === 1 ? ofMonth.find((r) => r.code === own[0]) : undefined;
  if (!current) {
    throw createError(
      'report',
      `Failed to build the report of ${p.period}: the snapshot holds ${ofMonth.length} provinces for it (${ofMonth.map((r) => r.code).sort().join(', ')}), and none is the one of its latest month (${own.sort().join(', ')})`,
    );
  }
  const prevDate = new Date(Date.UTC(p.year, p.month - 2, 1));
  // Every other month is the same province's (one lake may hold more than one).
  const provinceMonths = months.filter((r) => r.code === current.code);
  const at = (y: number, m: number) => provinceMonths.find((r) => r.year === y && r.month === m);
  const strip = ({ code: _c, name: _n, ...rest }: (typeof months)[number]): ProvinceMonth => rest;
  const trend = provinceMonths.filter((r) => key(r.year, r.month) <= key(p.year, p.month) && key(r.year, r.month) > key(p.year, p.month) - 13).map(strip);
  const previous = at(prevDate.getUTCFullYear(), prevDate.getUTCMonth() + 1);
  const lastYear = at(p.year - 1, p.month);
  const sameMonthsLastYear = sameMonthsAYearBefore(provinceMonths, p.year, p.month);

  const [ytd] = have.has('province_years') ? await db.all(await readReportSql('monthly_province_year'), { province_code: current.code, year: p.year }) : [];
  const yearToDate = ytd ? { ...figures(ytd), period_start: str(ytd.period_start), period_end: str(ytd.period_end) } : undefined;

  const agencyRows = (periodType: string, periodNo: number) =>
    readReportSql('monthly_agency_periods').then((sql) => db.all(sql, { period_type: periodType, year: p.year, period_no: periodNo, province_code: current.code }));
  const agencies = (await agencyRows('month', p.month)).map(agencyPeriod);
  const quarterAgencies = p.month % 3 === 0 ? (await agencyRows('quarter', p.month / 3)).map(agencyPeriod) : undefined;
  // The six-month and the annual reports (June: the first half; December: the year, not the second half).
  const halfOrYearAgencies = p.month === 6 ? (await agencyRows('half', 1)).map(agencyPeriod) : p.month === 12 ? (await agencyRows('year', 1)).map(agencyPeriod) : undefined;

  const lateProcedures = have.has('procedure_catalogue')
    ? (
        await db.all(await readReportSql('monthly_late_procedures'), { year: p.year, province_code: current.code })
      ).map((r) => ({
        procedure_code: str(r.procedure_code),
        procedure_name: str(r.procedure_name),
        agency_name: str(r.agency_name),
        resolved_total: num(r.resolved_total),
        resolved_late: num(r.resolved_late),
        on_time_rate: numOrNull(r.on_time_rate),
      }))
    : [];

  const score766 = have.has('score766_units')
    ? (
        await db.all(await readReportSql('monthly_score766'), { province_code: current.code, year: p.year, month: p.month })
      ).map((r) => ({
        agency_code: r.agency_code === null ? null : str(r.agency_code),
        unit_name: str(r.report_unit_name),
        rank: numOrNull(r.rank),
        units_total: numOrNull(r.units_total),
        score_total: num(r.score_total),
        score_total_change: numOrNull(r.score_total_change),
        rank_change: numOrNull(r.rank_change),
        // Absent from a snapshot published before score766_units had it (the query gives every column there is).
        prev_units_total: numOrNull(r.prev_units_total),
        band: str(r.band),
      }))
    : [];

  let par: ReportData['par'];
  if (have.has('par_agency_years')) {
    const rows = await db.all(await readReportSql('monthly_par'), { province_code: current.code });
    if (rows.length) {
      par = {
        year: num(rows[0]!.year),
        prevUnitsRanked: num(rows[0]!.prev_units_ranked),
        units: rows.map((r) => ({
          agency_code: r.agency_code === null ? null : str(r.agency_code),
          agency_name: str(r.agency_name),
          total_points: num(r.total_points),
          total_max: num(r.total_max),
          rank: numOrNull(r.rank),
          units_ranked: numOrNull(r.units_ranked),
          score_change: numOrNull(r.score_change),
          rank_change: numOrNull(r.rank_change),
          band: r.band === null ? null : str(r.band),
        })),
      };
    }
  }

  // Units formed from predecessors in the report's year or the PAR Index's (the 2025 mergers), with their predecessors' names.
  const mergers = (
    await db.all(await readReportSql('monthly_mergers'), { year: p.year, par_year: par?.year ?? p.year, as_of: monthEnd(p.period), province_code: current.code })
  ).map((r) => ({
    agency_code: str(r.agency_code),
    agency_name: str(r.agency_name),
    break_date: str(r.break_date),
    predecessor_names: ((r.predecessor_names as unknown[] | null) ?? []).map(str),
    predecessor_codes: ((r.predecessor_codes as unknown[] | null) ?? []).map(str),
  }));

  return {
    provinceCode: current.code,
    provinceName: current.name,
    province: { current: strip(current), ...(previous ? { previous: strip(previous) } : {}), ...(lastYear ? { lastYear: strip(lastYear) } : {}) },
    ...(yearToDate ? { yearToDate } : {}),
    ...(sameMonthsLastYear ? { sameMonthsLastYear } : {}),
    trend,
    agencies,
    ...(quarterAgencies ? { quarterAgencies } : {}),
    ...(halfOrYearAgencies ? { halfOrYearAgencies } : {}),
    lateProcedures,
    score766,
    ...(par ? { par } : {}),
    mergers,
  };
}
