/**
 * The report queries (sql/reports/*.sql): parameterised SELECTs over persisted models (the date-range
 * Biểu 06) or over a published snapshot's marts (the monthly report), not models. Parameters are
 * `$name` placeholders bound by the engine (DuckDB named parameters; Athena positional `?` through
 * toPositional), never spliced into the text. Every file passes the portability lint when read, as
 * the SQL gate (test/sql/gate.test.ts) checks it under the Trino grammar.
 */
import { createError } from '../errors.js';
import { readSqlFile, SQL_DIR } from '../lake/landing-sql.js';
import { lintSql } from './lint.js';

export const REPORT_SQL = [
  'agency_range',
  'agency_range_unit',
  'monthly_province_months',
  'monthly_province_year',
  'monthly_agency_periods',
  'monthly_late_procedures',
  'monthly_score766',
  'monthly_par',
  'monthly_mergers',
] as const;
export type ReportSqlName = (typeof REPORT_SQL)[number];

export function readReportSql(name: ReportSqlName, sqlDir: string = SQL_DIR): Promise<string> {
  return readSqlFile('reports', name, sqlDir, (text) => {
    const issues = lintSql(text);
    if (issues.length > 0) throw createError('report', `Failed to read sql/reports/${name}.sql: ${issues[0]!.message}`);
  });
}
