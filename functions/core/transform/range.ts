/**
 * Biểu 06 for any date range (e.g. 01/01–30/9, or the 15/12–14/12 reporting year) per reporting
 * agency: sql/reports/agency_range.sql over the persisted models int_dossiers_classified,
 * int_agencies_chained and int_dossier_receipt_years, with the range bound as parameters. The marts carry calendar periods only;
 * c6 and c11–c13 are states at the range's start and end, so a range is not a sum of months.
 * The range ends no later than the data's last known date, as the marts' running period does
 * (int_periods_reported): a later `to` is capped there (period_end < requested_end on every row, with
 * data_last_date the cap), and a range that starts after that date is refused, naming it.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import type { QueryEngine } from '../engine/types.js';
import { IsoDate } from '../schemas/index.js';
import { readReportSql } from './report-sql.js';

export interface RangeRow {
  agency_code: string;
  agency_name: string | null;
  period_start: string;
  /** The effective end: the requested end, or the data's last known date when that is earlier. */
  period_end: string;
  /** The end asked for (`to`). */
  requested_end: string;
  /** The data's last known date (null when int_dossiers_classified has no rows). */
  data_last_date: string | null;
  received_total: number;
  received_online: number;
  received_offline: number;
  received_carried_over: number;
  resolved_total: number;
  resolved_early: number;
  resolved_on_time: number;
  resolved_late: number;
  pending_total: number;
  pending_in_time: number;
  pending_overdue: number;
}

const RangeOptions = z
  .object({ from: IsoDate, to: IsoDate, agency: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/).optional() })
  .refine((o) => o.from <= o.to, { message: 'the range starts after it ends' });

/** The persisted models the query reads, relative to the lake root (DuckDB engine). */
export const RANGE_MODELS = {
  // Incremental: its month-of-receipt partitions (models/intermediate/int_dossiers_classified/receipt_month=<yyyymm>/data.parquet).
  int_dossiers_classified: 'models/intermediate/int_dossiers_classified',
  int_agencies_chained: 'models/intermediate/int_agencies_chained.parquet',
  // Incremental: one partition per year of receipt; the data's last known date (the range's cap).
  int_dossier_receipt_years: 'models/intermediate/int_dossier_receipt_years',
} as const;

export async function readRangeSql(sqlDir: string): Promise<string> {
  return readReportSql('agency_range', sqlDir);
}

/**
 * Run the range report on an engine that can read the models of RANGE_MODELS (a transform's engine,
 * or one with them registered from the lake). Dates are ISO (YYYY-MM-DD).
 */
export async function agencyRange(engine: QueryEngine, sqlDir: string, opts: { from: string; to: string; agency?: string }): Promise<RangeRow[]> {
  const parsed = RangeOptions.safeParse(opts);
  if (!parsed.success) throw createError('range', `Failed to report ${opts.from}–${opts.to}: ${parsed.error.issues[0]?.message ?? 'invalid range'}`);
  const rows = await engine.query(await readRangeSql(sqlDir), { range_start: parsed.data.from, range_end: parsed.data.to, agency_code: parsed.data.agency ?? '' });
  const date = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
  const last = rows[0]?.data_last_date;
  if (last !== null && last !== undefined && date(last) < parsed.data.from) {
    throw createError('range', `Failed to report ${opts.from}–${opts.to}: the data ends ${date(last)}, before the range starts`);
  }
  if (parsed.data.agency !== undefined && rows.length === 0) {
    throw createError('range', `Failed to report ${opts.from}–${opts.to} for ${parsed.data.agency}: ${await noRowReason(engine, sqlDir, parsed.data.agency, parsed.data, date)}`);
  }
  return rows.map((r) => ({
    agency_code: String(r.agency_code),
    agency_name: r.agency_name === null || r.agency_name === undefined ? null : String(r.agency_name),
    period_start: date(r.period_start),
    period_end: date(r.period_end),
    requested_end: date(r.requested_end),
    data_last_date: r.data_last_date === null || r.data_last_date === undefined ? null : date(r.data_last_date),
    received_total: Number(r.received_total),
    received_online: Number(r.received_online),
    received_offline: Number(r.received_offline),
    received_carried_over: Number(r.received_carried_over),
    resolved_total: Number(r.resolved_total),
    resolved_early: Number(r.resolved_early),
    resolved_on_time: Number(r.resolved_on_time),
    resolved_late: Number(r.resolved_late),
    pending_total: Number(r.pending_total),
    pending_in_time: Number(r.pending_in_time),
    pending_overdue: Number(r.pending_overdue),
  }));
}

/**
 * Why one agency has no row in a range (sql/reports/agency_range_unit.sql), judged on the range's effective
 * end (the requested end, or the data's last date when earlier, as the rows are): the code is not in the
 * registry; the data ends before the range starts; the unit had ended by then (its dossiers are the lines of
 * the unit holding them on that day, by the successor chain, as in every mart); it begins after it; or it is
 * the province's own line (listed only with dossiers).
 */
async function noRowReason(engine: QueryEngine, sqlDir: string, code: string, range: { from: string; to: string }, date: (v: unknown) => string): Promise<string> {
  const [u] = await engine.query(await readReportSql('agency_range_unit', sqlDir), { agency_code: code, range_end: range.to });
  if (!u) return 'no unit has this code in the agency registry';
  const name = `${code} (${String(u.agency_name)})`;
  const known = (v: unknown): boolean => v !== null && v !== undefined;
  if (known(u.data_last_date) && date(u.data_last_date) < range.from) return `the data ends ${date(u.data_last_date)}, before the range starts`;
  const end = known(u.period_end) ? date(u.period_end) : range.to;
  const endNote = end < range.to ? ` (the range ends ${end}, the data's last date)` : '';
  if (known(u.valid_to) && date(u.valid_to) < end) {
    return String(u.holder_code) !== code
      ? `${name} ended ${date(u.valid_to)}; on ${end}${endNote} its dossiers are the lines of ${String(u.holder_code)} (${String(u.holder_name ?? '')}): ask for --agency ${String(u.holder_code)}`
      : `${name} ended ${date(u.valid_to)} with no successor in the registry`;
  }
  if (known(u.valid_from) && date(u.valid_from) > end) return `${name} begins ${date(u.valid_from)}, after the range ends${endNote}`;
  if (u.kind === 'ubnd_tinh') return `${name} is the province itself, which has a line only for dossiers it received (none in the range)`;
  return `${name} is in the registry but has no row (was the transform run after the registry changed?)`;
}

/**
 * The range report over a transformed local lake: registers the persisted models of RANGE_MODELS from
 * `<lakeRoot>/models/intermediate/` on a fresh DuckDB engine and runs the query.
 */
export async function agencyRangeOfLake(
  engine: QueryEngine,
  lakeRoot: string,
  sqlDir: string,
  opts: { from: string; to: string; agency?: string },
): Promise<RangeRow[]> {
  if (engine.name !== 'duckdb') throw createError('range', 'Failed to report a date range: the lake report runs on the embedded engine (on Athena, run sql/reports/agency_range.sql in the workgroup)');
  for (const [name, rel] of Object.entries(RANGE_MODELS)) {
    try {
      await engine.registerSource(name, `${lakeRoot.replace(/\/+$/, '')}/${rel}`, { hivePartitioning: false });
    } catch (cause) {
      throw createError('range', `Failed to read ${rel} under ${lakeRoot}: run the transform first`, { cause });
    }
  }
  return agencyRange(engine, sqlDir, opts);
}
