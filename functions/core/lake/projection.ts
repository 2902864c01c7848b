/**
 * The years and months Athena's partition projection answers for (the Glue tables of infra/lib/query),
 * and which partitions of a lake lie outside them. DuckDB reads every partition under a prefix; Athena
 * only those it projects: a row under any other partition counts on one engine and not the other, so
 * verify refuses such a partition (invariants.ts, invariant 5) and the stack projects these years.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createError } from '../errors.js';
import { EARLIEST_RECEIPT_YEAR } from './datasets.js';
import { SQL_DIR } from './landing-sql.js';

/** The calendar seed: its years are the years the models report on. */
export const CALENDAR_SEED = path.join(SQL_DIR, 'seeds', 'calendar_months.csv');

/**
 * The first and last year of the calendar seed (`year` is its first column). Partition projection's
 * default years end one after its last (projectionYearRange), so extending the calendar
 * (docs/outlook-and-warning.md) extends what Athena sees, and a year the models report on is never a
 * partition Athena cannot read.
 */
export function calendarYearRange(file: string = CALENDAR_SEED): readonly [number, number] {
  const years = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[0]));
  const bad = years.findIndex((y) => !Number.isSafeInteger(y));
  if (years.length === 0 || bad >= 0) throw createError('lake', `Failed to read the calendar's years from ${file}: ${years.length === 0 ? 'no row' : `row ${bad + 2} has no integer year`}`);
  return [Math.min(...years), Math.max(...years)];
}

/**
 * The years partition projection answers for by default: every year a landed partition can have.
 * - From the landing's earliest year of receipt (2000), not the calendar's first (2015): a dossier
 *   received in 2014 lands under `year=2014` and counts (its procedure year; carried over into 2015
 *   while pending), so an Athena that did not see that partition reported other figures than DuckDB.
 * - To the calendar's last year + 1: a dossier received after the calendar lands in that year first
 *   (the landing refuses dates in the future), and Athena must see it for `int_dossier_receipt_years`'
 *   `beyond_calendar` test to stop the run, as it does on DuckDB, instead of it being silently unread.
 */
export function projectionYearRange(calendar: string = CALENDAR_SEED): readonly [number, number] {
  const [first, last] = calendarYearRange(calendar);
  return [Math.min(EARLIEST_RECEIPT_YEAR, first), last + 1];
}

/**
 * The keys of `keys` under a `year=` or `month=` partition projection does not answer for (a year outside
 * projectionYearRange, a month outside 1–12). Keys without such a segment (the landing log, the registry)
 * are read whole by both engines.
 */
export function outsideProjection(keys: readonly string[], years: readonly [number, number] = projectionYearRange()): string[] {
  return keys.filter((k) => {
    const year = /\/year=([^/]*)\//.exec(k)?.[1];
    const month = /\/month=([^/]*)\//.exec(k)?.[1];
    const bad = (v: string | undefined, lo: number, hi: number): boolean => v !== undefined && !(/^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi);
    return bad(year, years[0], years[1]) || bad(month, 1, 12);
  });
}
