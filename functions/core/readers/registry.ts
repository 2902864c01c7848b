/**
 * The agency registry (registry/agencies.csv) and the procedure catalogue (registry/procedures.csv):
 * small UTF-8 (BOM) CSV files whose header is exactly the canonical field names (any order). Each row
 * is validated with the zod schema; a bad row becomes a quarantine record naming its row and field,
 * the rest is returned: rowsRead = rows.length + quarantine.length. A missing or renamed column fails
 * the whole file with a PipelineInputError listing the expected and the found headers.
 *
 * Cell conventions: empty = null for nullable fields; booleans `true` / `false` (also `1`/`0`,
 * `Có`/`Không`); whole numbers as plain digits.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import { PipelineInputError } from '../errors.js';
import { Agency, Procedure, type QuarantineRecord } from '../schemas/index.js';
import { readCsvFile, type CsvRecord } from './csv.js';

export const AGENCY_COLUMNS = ['agency_code', 'name', 'short_name', 'kind', 'parent_code', 'province_code', 'valid_from', 'valid_to', 'successor_code'] as const;
export const PROCEDURE_COLUMNS = [
  'procedure_code',
  'name',
  'field',
  'agency_code',
  'online_level',
  'is_fee_bearing',
  'is_nsw',
  'statutory_days',
  'original_statutory_days',
] as const;

export interface CsvReadResult<T> {
  readonly sourceFile: string;
  readonly rawHash: string;
  readonly rows: T[];
  /** The 1-based data row (header excluded) of each of `rows`: the landed rows' lineage. */
  readonly rowNos: number[];
  readonly quarantine: QuarantineRecord[];
  /** Data rows read = rows.length + quarantine.length. */
  readonly rowsRead: number;
}

export interface RegistryReadOptions {
  /** Name recorded in quarantine records and errors (default: the file's base name). */
  readonly sourceFile?: string;
}

type Kind = 'text' | 'nullable' | 'bool' | 'int';
const AGENCY_KINDS: Record<(typeof AGENCY_COLUMNS)[number], Kind> = {
  agency_code: 'text',
  name: 'text',
  short_name: 'text',
  kind: 'text',
  parent_code: 'nullable',
  province_code: 'text',
  valid_from: 'text',
  valid_to: 'nullable',
  successor_code: 'nullable',
};
const PROCEDURE_KINDS: Record<(typeof PROCEDURE_COLUMNS)[number], Kind> = {
  procedure_code: 'text',
  name: 'text',
  field: 'text',
  agency_code: 'text',
  online_level: 'text',
  is_fee_bearing: 'bool',
  is_nsw: 'bool',
  statutory_days: 'int',
  original_statutory_days: 'int',
};

function convert(raw: string, kind: Kind): unknown {
  const v = raw.trim();
  switch (kind) {
    case 'text':
      return v;
    case 'nullable':
      return v === '' ? null : v;
    case 'bool': {
      const k = v.toLowerCase();
      if (k === 'true' || k === '1' || k === 'có') return true;
      if (k === 'false' || k === '0' || k === 'không') return false;
      return v; // zod reports "expected boolean"
    }
    case 'int':
      return /^-?\d+$/u.test(v) ? Number(v) : v;
  }
}

async function readTable<T>(
  path: string,
  opts: RegistryReadOptions,
  spec: { dataset: string; columns: readonly string[]; kinds: Record<string, Kind>; schema: z.ZodType<T>; key: (r: T) => string; keyLabel: string; extra?: (r: T) => { field: string; reason: string } | null },
): Promise<CsvReadResult<T>> {
  const file = opts.sourceFile ?? basename(path);
  const records = await readCsvFile(path, file);
  const rawHash = createHash('sha256').update(await readFile(path)).digest('hex');
  // Blank lines before the header carry nothing; a file of only a BOM and blank lines is empty.
  while (records.length > 0 && records[0]!.fields.every((f) => f.trim() === '') && records[0]!.fields.length === 1) records.shift();
  const header = records[0];
  if (!header) throw new PipelineInputError(spec.dataset, file, `the file is empty; expected the header ${spec.columns.join(',')}`, { code: 'empty_file' });
  // Empty columns after the last heading (Excel saves a separator for every column of the used
  // range) are ignored, and so are the empty fields under them in the data rows.
  const allHeadings = header.fields.map((h) => h.trim());
  let width = allHeadings.length;
  while (width > 0 && allHeadings[width - 1] === '') width--;
  if (width === 0) {
    throw new PipelineInputError(spec.dataset, file, `the header row (line ${header.line}) holds only separators, as Excel saves empty columns; the first line must be the header ${spec.columns.join(',')}`, { row: 1, code: 'columns' });
  }
  const found = allHeadings.slice(0, width);
  const missing = spec.columns.filter((c) => !found.includes(c));
  const unexpected = found.filter((c) => !spec.columns.includes(c));
  const dup = found.filter((c, i) => found.indexOf(c) !== i);
  if (missing.length > 0 || unexpected.length > 0 || dup.length > 0) {
    const parts = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      unexpected.length ? `unexpected ${unexpected.join(', ')}` : '',
      dup.length ? `duplicated ${dup.join(', ')}` : '',
    ].filter(Boolean);
    throw new PipelineInputError(spec.dataset, file, `the header does not match (${parts.join('; ')}): expected [${spec.columns.join(', ')}], found [${found.join(', ')}]`, { row: 1, code: 'columns' });
  }
  const rows: T[] = [];
  const quarantine: QuarantineRecord[] = [];
  const seen = new Map<string, number>();
  const rowNos: number[] = [];
  let rowsRead = 0;
  const quarantineRow = (rowNo: number, rec: CsvRecord, field: string | null, reason: string, raw: string | null): void => {
    quarantine.push({
      dataset: spec.dataset,
      source_file: file,
      raw_hash: rawHash,
      row_no: rowNo,
      field,
      reason,
      raw_value: raw,
      raw_record: JSON.stringify(Object.fromEntries(found.map((h, i) => [h, rec.fields[i] ?? null]))),
    });
  };
  for (const rec of records.slice(1)) {
    if (rec.fields.length === 1 && rec.fields[0]?.trim() === '') continue; // a blank line carries no record
    rowsRead++;
    const rowNo = rowsRead; // 1-based data row (header excluded)
    if (rec.fields.length > found.length && rec.fields.slice(found.length).every((f) => f.trim() === '')) rec.fields.length = found.length;
    if (rec.fields.length !== found.length) {
      quarantineRow(rowNo, rec, null, `line ${rec.line}: ${rec.fields.length} fields where the header has ${found.length}`, null);
      continue;
    }
    const obj: Record<string, unknown> = {};
    found.forEach((h, i) => (obj[h] = convert(rec.fields[i] ?? '', spec.kinds[h] ?? 'text')));
    const parsed = spec.schema.safeParse(obj);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? '');
      const raw = rec.fields[found.indexOf(field)] ?? null;
      quarantineRow(rowNo, rec, field || null, `line ${rec.line}: ${field ? `${field} ` : ''}${JSON.stringify(raw)}: ${issue?.message ?? 'invalid'}`, raw);
      continue;
    }
    const extra = spec.extra?.(parsed.data);
    if (extra) {
      quarantineRow(rowNo, rec, extra.field, `line ${rec.line}: ${extra.reason}`, rec.fields[found.indexOf(extra.field)] ?? null);
      continue;
    }
    const k = spec.key(parsed.data);
    const first = seen.get(k);
    if (first !== undefined) {
      quarantineRow(rowNo, rec, spec.keyLabel.split('+')[0] ?? null, `line ${rec.line}: duplicate ${spec.keyLabel} ${k} (first at data row ${first})`, k);
      continue;
    }
    seen.set(k, rowNo);
    rows.push(parsed.data);
    rowNos.push(rowNo);
  }
  return { sourceFile: file, rawHash, rows, rowNos, quarantine, rowsRead };
}

/** Read registry/agencies.csv (one row per unit and validity interval; key agency_code + valid_from). */
export function readAgenciesCsv(path: string, opts: RegistryReadOptions = {}): Promise<CsvReadResult<Agency>> {
  return readTable<Agency>(path, opts, {
    dataset: 'agencies',
    columns: AGENCY_COLUMNS,
    kinds: AGENCY_KINDS,
    schema: Agency,
    key: (a) => `${a.agency_code}@${a.valid_from}`,
    keyLabel: 'agency_code+valid_from',
    extra: (a) => (a.valid_to !== null && a.valid_to < a.valid_from ? { field: 'valid_to', reason: `valid_to ${a.valid_to} is before valid_from ${a.valid_from}` } : null),
  });
}

/** Read registry/procedures.csv (key procedure_code). */
export function readProceduresCsv(path: string, opts: RegistryReadOptions = {}): Promise<CsvReadResult<Procedure>> {
  return readTable<Procedure>(path, opts, {
    dataset: 'procedures',
    columns: PROCEDURE_COLUMNS,
    kinds: PROCEDURE_KINDS,
    schema: Procedure,
    key: (p) => p.procedure_code,
    keyLabel: 'procedure_code',
    extra: (p) =>
      p.statutory_days > p.original_statutory_days
        ? { field: 'statutory_days', reason: `statutory_days ${p.statutory_days} exceeds original_statutory_days ${p.original_statutory_days}` }
        : null,
  });
}
