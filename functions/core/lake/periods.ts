import { formatViPeriod, viPeriod, type ViPeriod } from '../vi/periods.js';
import { EARLIEST_RECEIPT_YEAR } from './datasets.js';
import { YEAR_MONTH } from '../schemas/index.js';

/** A raw file's period: a year, or a year and a month 01–12 (raw.ts's `Period`; a name's "2024-13" is none). */
export const PERIOD_PATTERN = /^(\d{4})(?:-(0[1-9]|1[0-2]))?$/;

/** A file's period as numbers (month 0 for a year), { 0, 0 } for none or one that is no period. */
export function periodParts(period: string | null): { year: number; month: number } {
  const m = PERIOD_PATTERN.exec(period ?? '');
  return m ? { year: Number(m[1]), month: m[2] ? Number(m[2]) : 0 } : { year: 0, month: 0 };
}

/** The calendar month `month` of `year`, or the year itself when `month` is 0. */
export function calendarPeriod(year: number, month: number): ViPeriod {
  return month === 0 ? viPeriod('year', year, 1) : viPeriod('month', year, month);
}

/** A file's period as readers name it ("Tháng 5/2025", "Năm 2024"); what is no period, as written. */
export function periodLabel(period: string): string {
  if (!PERIOD_PATTERN.test(period)) return period;
  const { year, month } = periodParts(period);
  const v = calendarPeriod(year, month);
  return formatViPeriod(v.periodType, v.year, v.periodNo);
}

export interface YearMonth {
  year: number;
  month: number;
}

/**
 * The month `offset` months from `now` in Asia/Ho_Chi_Minh (UTC+7, no daylight saving): the province's
 * calendar (a land's month, where a rejected row with no better month goes), wherever the code runs (Lambda's clock is UTC: at 01:00 on the 1st in Vietnam it is still
 * the previous month there).
 */
export function vietnamMonth(now: Date = new Date(), offset = 0): YearMonth {
  const local = new Date(now.getTime() + 7 * 3600_000);
  const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + offset, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/**
 * The instant a month (YYYY-MM) ends in Vietnam (Asia/Ho_Chi_Minh, UTC+7 all year): 00:00 on the 1st of the
 * month after, as ISO 8601 UTC (`2024-06` → `2024-06-30T17:00:00.000Z`).
 */
export function monthEndInstant(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1) - 7 * 3600_000).toISOString();
}

/**
 * Whether a month's file was made once its month had ended in Vietnam: a file made before cannot hold the
 * month's last days (transform/snapshot.ts, sourceGaps). Made is the earlier of when its bytes were pulled
 * (staged) and, for a drop file, when they were written there (`made_at`: an export copied into the drop
 * folder on the 20th and staged again after the month ended was still made on the 20th; a file time before
 * the month began is not read). A file of no month, or with no pull time, counts as made after.
 */
export function pulledAfterMonth(f: { period: string | null; pulled_at?: string; made_at?: string }): boolean {
  if (!f.pulled_at || !f.period || !YEAR_MONTH.test(f.period)) return true;
  // A file time before the month began is no export of it (an archive's 1980 default, a restored backup): not read.
  const [y, m] = f.period.split('-').map(Number) as [number, number];
  const monthStart = Date.UTC(y, m - 1, 1) - 7 * 3600_000;
  const writtenAt = f.made_at ? Date.parse(f.made_at) : Number.NaN;
  const written = writtenAt >= monthStart ? writtenAt : Number.POSITIVE_INFINITY;
  return Math.min(Date.parse(f.pulled_at), written) >= Date.parse(monthEndInstant(f.period));
}

/**
 * The month a file was pulled for, when its period is a month from EARLIEST_RECEIPT_YEAR to the landing
 * month; else { 0, 0 }: a dossier file's rejected rows then go under their own month of receipt, or the
 * landing month (sql/landing/dossiers_quarantined.sql).
 */
export function pulledMonth(period: string | null, landing: YearMonth): YearMonth {
  const p = periodParts(period);
  return p.month > 0 && p.year >= EARLIEST_RECEIPT_YEAR && p.year * 100 + p.month <= landing.year * 100 + landing.month ? p : { year: 0, month: 0 };
}

/**
 * The quarantine partition of a small file's rejected rows (registry, 766 answers; a Biểu 06 or PAR
 * workbook is given the last month of the period it reports on instead, small.ts): the
 * month it was pulled for; for a year, that year's December, or the landing month while the year runs;
 * else (no period, or one before EARLIEST_RECEIPT_YEAR or after the landing) the landing month. Always a
 * month Athena's partition projection reads (year EARLIEST_RECEIPT_YEAR … calendar's last + 1, month
 * 1 … 12): rows of a registry file went under year=0/month=0, of a yearly Biểu 06 under month=0, which
 * DuckDB read and Athena never did (the data-quality mart and the snapshots differed between engines).
 */
export function quarantineMonth(period: string | null, landing: YearMonth): YearMonth {
  const month = pulledMonth(period, landing);
  if (month.year > 0) return month;
  const p = periodParts(period);
  if (p.month === 0 && p.year >= EARLIEST_RECEIPT_YEAR && p.year <= landing.year) return p.year < landing.year ? { year: p.year, month: 12 } : landing;
  return landing;
}
