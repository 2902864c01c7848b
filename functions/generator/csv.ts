/**
 * CSV text helpers and the exact header constants of every CSV the generator writes. The headers are
 * binding (docs/data-contracts.md lists them and test/unit/contracts.test.ts checks the doc).
 */
export const BOM = '\ufeff';
export const CRLF = '\r\n';

/** Portal dossier export (docs/data-contracts.md §2.3) and NSW export (§2.5): the landing step's own constants. */
export { PORTAL_CSV_HEADER as PORTAL_DOSSIER_HEADER, NSW_CSV_HEADER as NSW_DOSSIER_HEADER } from '../core/lake/csv-header.js';

/** registry/agencies.csv and registry/procedures.csv: the registry reader's own column lists (the zod fields). */
export { AGENCY_COLUMNS as AGENCY_HEADER, PROCEDURE_COLUMNS as PROCEDURE_HEADER } from '../core/readers/registry.js';

/** sql/seeds/score766_indicators.csv: the 766 scoring table. */
export const SCORE766_INDICATOR_HEADER = [
  'version',
  'valid_from',
  'group_code',
  'metric_code',
  'metric_name',
  'max_score',
  'rule',
  'threshold_pct',
  'empty_rule',
  'basis',
] as const;

/** RFC 4180 field quoting for separator `sep`. */
export function csvField(value: string, sep = ','): string {
  if (value.includes(sep) || value.includes('"') || value.includes('\n') || value.includes('\r')) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}

export function csvLine(values: readonly string[], sep = ','): string {
  return values.map((v) => csvField(v, sep)).join(sep) + CRLF;
}
