/**
 * Hand a vendor export to DuckDB through its mapping profile, as raw text: `profile_raw` gets one row
 * per data row (file_no, row_no, raw_record and one VARCHAR `<field>_src` per canonical field the
 * profile maps), `profile_files` the profile's parameters per file, `profile_codes` its code tables.
 * sql/landing/dossiers_profile.sql then maps the values (dates, codes) and dossiers_checked.sql checks
 * and quarantines them as for every other dossier source.
 *
 * An XLSX is streamed (exceljs's streaming reader, bounded memory) and written to CSV chunk files of
 * `batchRows` rows (default 50 000), each read by DuckDB in one statement: rows never go one by one
 * into the lake. A CSV export is read by DuckDB itself.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDb, literal } from '../engine/duckdb.js';
import { PipelineInputError } from '../errors.js';
import { countLines } from '../lake/csv-records.js';
import { cellScalar, streamRows, type CellValue } from '../readers/xlsx/common.js';
import { codeRows, fold, matchHeaders, PROFILE_FIELDS, type HeaderMatch, type Profile, type ProfileField } from './profile.js';

/** Rows per batch handed to DuckDB. */
export const PROFILE_BATCH_ROWS = 50_000;

/** Caps for a dossier-list workbook: far above a report form's (a year of a big unit is 100 000+ rows). */
export const EXPORT_XLSX_LIMITS = { maxFileBytes: 1024 * 2 ** 20, maxUnpackedBytes: 8 * 2 ** 30, maxRows: 5_000_000, maxColumns: 256 } as const;

/** How many header candidates are looked at when the profile names no header row. */
const HEADER_SCAN_ROWS = 30;

export interface LoadedExport {
  rowsRead: number;
  headerRow: number;
  headers: string[];
  match: HeaderMatch;
  /** Batches handed to DuckDB and the largest (rows). */
  batches: number;
  maxBatchRows: number;
}

const SRC_COLUMNS = PROFILE_FIELDS.map((f) => `${f}_src VARCHAR`).join(', ');

/** Fresh, empty profile_raw / profile_files / profile_codes. */
export async function createProfileTables(db: DuckDb): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE profile_raw (file_no INTEGER, row_no BIGINT, raw_record VARCHAR, ${SRC_COLUMNS})`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE profile_files (file_no INTEGER, profile VARCHAR, source VARCHAR, id_prefix VARCHAR, dates VARCHAR,
       due_kind VARCHAR, due_optional BOOLEAN, status_from_dates BOOLEAN, default_channel INTEGER, default_fee BOOLEAN, mapped VARCHAR[])`,
  );
  await db.run('CREATE OR REPLACE TEMP TABLE profile_codes (file_no INTEGER, field VARCHAR, code VARCHAR, value VARCHAR)');
}

/** The text DuckDB gets for a cell: numbers in full (a date cell is an Excel serial day number). */
function cellString(v: CellValue | undefined): string | null {
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace('T', ' ');
  const s = cellScalar(v);
  if (s === null) return null;
  if (typeof s === 'boolean') return s ? 'true' : 'false';
  return String(s);
}

const q = (v: string | null): string => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);

/**
 * A header over two rows (a group cell merged across the columns under it, as the sổ theo dõi hồ sơ of
 * TT 01/2018 has "Ngày, tháng, năm" over its five dates, and cells merged down both rows, as "STT"), read
 * as one row of column names two ways: each column's lower cell, else its upper one (the sub-headers alone),
 * and the group's text before each of its sub-headers ("Ngày tiếp nhận" from "Ngày" over "Tiếp nhận"). A
 * merged cell's text is in its first cell only: a group runs over the columns after it whose upper cell is
 * empty and whose lower cell is not.
 */
function stackedHeaders(top: readonly string[], sub: readonly string[]): [string[], string[]] {
  const width = Math.max(top.length, sub.length);
  const lower: string[] = [];
  const joined: string[] = [];
  let group = '';
  for (let c = 0; c < width; c++) {
    const t = (top[c] ?? '').trim();
    const s = (sub[c] ?? '').trim();
    if (t !== '') group = t;
    else if (s === '') group = '';
    lower.push(s !== '' ? s : t);
    joined.push(s !== '' ? (group !== '' ? `${group} ${s}` : s) : t);
  }
  return [lower, joined];
}

/**
 * Whether `sub`, the row under a header row `top`, holds only sub-headers of group cells: each value under a
 * group — a cell of `top` whose next column is blank above and filled below ("Người nộp" merged over "Họ tên |
 * Số điện thoại"), and the columns after it blank above and filled below — and none under a column the header
 * maps. Not a data row (a dossier fills the mapped columns), a column-number row, a note in an unlabelled
 * column or a band row.
 */
function subHeaderRow(top: readonly string[], sub: readonly string[], mapped: ReadonlySet<number>): boolean {
  const blank = (v: string | undefined): boolean => (v ?? '').trim() === '';
  let any = false;
  let inGroup = false;
  for (let c = 0; c < Math.max(top.length, sub.length); c++) {
    if (!blank(top[c])) inGroup = !blank(sub[c]) && blank(top[c + 1]) && !blank(sub[c + 1]);
    else if (blank(sub[c])) inGroup = false;
    if (blank(sub[c])) continue;
    any = true;
    if (mapped.has(c) || !inGroup) return false;
  }
  return any;
}

/**
 * The best header among candidate rows: the most fields matched, then the earliest. A header over two rows
 * (stackedHeaders) is taken when it matches more fields than either of its rows alone, or when the row under
 * the best one holds only sub-headers of its group cells (subHeaderRow: their sub-headers map no field, and
 * are no data row). The header's row is its last: the data follow it, and `header_row` names it.
 */
export function pickHeader(profile: Profile, candidates: { row: number; cells: string[] }[]): { row: number; cells: string[]; match: HeaderMatch } | undefined {
  let best: { row: number; cells: string[]; match: HeaderMatch; score: number } | undefined;
  const consider = (row: number, cells: string[]): void => {
    const match = matchHeaders(profile, cells);
    const score = Object.keys(match.columns).length;
    if (score > 0 && (!best || score > best.score)) best = { row, cells, match, score };
  };
  const ends = (row: number): boolean => profile.header_row === undefined || row === profile.header_row;
  for (const c of candidates) if (ends(c.row)) consider(c.row, c.cells);
  const single = best?.row;
  for (const [i, c] of candidates.entries()) {
    const next = candidates[i + 1];
    if (next?.row !== c.row + 1 || !ends(next.row)) continue;
    for (const cells of stackedHeaders(c.cells, next.cells)) consider(next.row, cells);
  }
  if (best && best.row === single && profile.header_row === undefined) {
    const chosen = best;
    const next = candidates.find((c) => c.row === chosen.row + 1);
    if (next && subHeaderRow(chosen.cells, next.cells, new Set(Object.values(chosen.match.columns)))) {
      const [cells] = stackedHeaders(chosen.cells, next.cells);
      return { row: next.row, cells, match: matchHeaders(profile, cells) };
    }
  }
  return best && { row: best.row, cells: best.cells, match: best.match };
}

/**
 * A vendor CSV DuckDB's reader refuses, named and classed: bytes that are not UTF-8 (a Windows-1258 or
 * TCVN3 export) are "Invalid unicode" in the message's later lines (its first names the CSV line).
 */
function unreadableCsv(file: string, cause: unknown): PipelineInputError {
  const message = (cause as Error).message;
  return new PipelineInputError('profile', file, `cannot be read as CSV (${message.replace(/^\[pipeline\] \[\w+\] /, '').split('\n').slice(0, 3).join(' ')})`, {
    cause,
    code: /invalid unicode/i.test(message) ? 'encoding' : 'not_csv',
  });
}

/** A row as text, one string per cell (an empty cell ''): what a header is looked for in. */
export interface PeekRow {
  row: number;
  cells: string[];
}

/** A header row and what it maps. */
export type FoundHeader = { row: number; cells: string[]; match: HeaderMatch };

const peekRow = (row: number, values: readonly (CellValue | undefined)[]): PeekRow => ({ row, cells: Array.from(values.slice(1), (v) => cellString(v) ?? '') });

/** The first rows of a CSV export, or of the sheet a profile names, as text, for guessing the profile and the header. */
export async function peekRows(db: DuckDb, localPath: string, format: 'xlsx' | 'csv', opts: { file: string; sheet?: string | number; delimiter?: string; rows?: number }): Promise<PeekRow[]> {
  const n = opts.rows ?? HEADER_SCAN_ROWS;
  if (format === 'csv') {
    const rows = await db.all(
      `SELECT * FROM read_csv(${literal(localPath)}, header = false, all_varchar = true, delim = ${literal(opts.delimiter ?? ',')}, quote = '"', escape = '"',
                              null_padding = true, max_line_size = 4194304, auto_detect = true) LIMIT ${n}`,
    ).catch((cause: unknown) => {
      throw unreadableCsv(opts.file, cause);
    });
    return rows.map((r, i) => ({ row: i + 1, cells: Object.values(r).map((v) => (v === null || v === undefined ? '' : String(v))) }));
  }
  // A workbook's sheet is named here: with none, the sheet is chosen from every sheet (peekSheets, chooseSheet).
  const sheet = opts.sheet;
  if (sheet === undefined) throw new Error(`[pipeline] [profile] Failed to peek at ${opts.file}: no sheet named (peekSheets reads every sheet)`);
  const out: PeekRow[] = [];
  let target: string | undefined;
  await streamRows(localPath, { file: opts.file, scope: 'profile', limits: EXPORT_XLSX_LIMITS, onSheets: (names) => (target = sheetIn(names, sheet)) }, (r) => {
    if (target === undefined) return 'stop';
    if (r.sheet !== target) return undefined;
    out.push(peekRow(r.number, r.values));
    return out.length >= n ? 'stop' : undefined;
  });
  return out;
}

/** What a pass over a workbook keeps of each sheet that has rows: its first rows, and its last row holding a value. */
export interface SheetPeek {
  rows: PeekRow[];
  lastFilled: number;
}

/** The rows a profile's header is looked for in: the first 30, or down to the header row it names. */
export function headerScanRows(profile: Pick<Profile, 'header_row'>): number {
  return Math.max(HEADER_SCAN_ROWS, profile.header_row ?? 0);
}

const filled = (values: readonly (CellValue | undefined)[]): boolean => values.some((v) => (cellString(v) ?? '').trim() !== '');

/**
 * Every sheet that has rows, in the file's order: its first `n` rows and its last row with a value, and the
 * workbook's sheets (tab order): what a profile naming no sheet chooses its sheet from (chooseSheet).
 * Reads the whole file: a sheet further on may hold a list too.
 */
export async function peekSheets(localPath: string, file: string, n = HEADER_SCAN_ROWS): Promise<{ sheets: readonly string[]; peeks: Map<string, SheetPeek> }> {
  let sheets: readonly string[] = [];
  const peeks = new Map<string, SheetPeek>();
  await streamRows(localPath, { file, scope: 'profile', limits: EXPORT_XLSX_LIMITS, onSheets: (names) => (sheets = names) }, (r) => {
    const peek = peeks.get(r.sheet) ?? { rows: [], lastFilled: 0 };
    peeks.set(r.sheet, peek);
    if (peek.rows.length < n) peek.rows.push(peekRow(r.number, r.values));
    if (filled(r.values)) peek.lastFilled = Math.max(peek.lastFilled, r.number); // (rows may come out of order)
  });
  return { sheets, peeks };
}

/** The sheet a profile's `sheet` names among the workbook's (by name, case and diacritics folded, or 1-based position). */
export function sheetIn(names: readonly string[], sheet: string | number): string | undefined {
  return typeof sheet === 'number' ? names[sheet - 1] : names.find((n) => fold(n) === fold(sheet));
}

/** The workbook's sheets, quoted, for a message. */
const sheetList = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ') || 'none';

/** What a profile naming a sheet the workbook lacks is told (the land's `layout` error, inspect's candidates). */
export function noSuchSheet(names: readonly string[], sheet: string | number): string {
  const which = typeof sheet === 'number' ? `no sheet at position ${sheet}` : `no sheet ${JSON.stringify(sheet)}`;
  return `${which}; the workbook's sheets: ${sheetList(names)}`;
}

/** What a profile naming no sheet is told when several sheets hold its list (the land's `layout` error, inspect's candidates). */
export function severalLists(names: readonly string[]): string {
  return `${names.length} sheets hold a list with the profile's columns (${sheetList(names)}): name the one to land in the profile's "sheet", or export each list as a file of its own`;
}

/** A sheet's first rows hold the profile's list: a header row that maps every required field. */
function listHeader(profile: Profile, rows: PeekRow[]): FoundHeader | undefined {
  const h = pickHeader(profile, rows);
  return h && h.match.missing.length === 0 ? h : undefined;
}

/** A row holding a value below the header and the rows the profile skips after it: the list has dossiers. */
const holdsRows = (profile: Profile, peek: SheetPeek, header: FoundHeader): boolean => peek.lastFilled > header.row + profile.skip_after_header;

/**
 * The sheet a profile naming none reads, from every sheet's first rows and last filled row (in the file's
 * order): the one sheet whose header (within headerScanRows) maps every required field and has rows under
 * it, wherever its tab is — a cover, notes or summary sheet is passed over, and so is a sheet holding the
 * header alone (a template tab; when every such sheet is one, the last is read: no dossiers). Two sheets
 * with rows under such a header (a month per tab) are `several`: reading the first would leave the other's
 * dossiers neither landed nor quarantined, so the file is refused (severalLists). None: the best partial
 * header (most fields matched), whose missing columns the caller names.
 */
export function chooseSheet(
  profile: Profile,
  peeks: ReadonlyMap<string, SheetPeek>,
): { sheet: string; header: FoundHeader } | { several: string[]; header: FoundHeader } | { partial?: { sheet: string; header: FoundHeader } } {
  // The rows this profile's header is looked for in (the land's pass keeps as many): a pass for several
  // profiles (inspect) keeps the most any of them needs.
  const scan = headerScanRows(profile);
  const lists = [...peeks].flatMap(([sheet, peek]) => {
    const header = listHeader(profile, peek.rows.slice(0, scan));
    return header ? [{ sheet, header, rows: holdsRows(profile, peek, header) }] : [];
  });
  const withRows = lists.filter((l) => l.rows);
  if (withRows.length > 1) return { several: withRows.map((l) => l.sheet), header: withRows[0]!.header };
  // Header-only tabs alone: none holds a dossier; the last is the one the pass (sheetRows) ends on.
  const one = withRows[0] ?? lists[lists.length - 1];
  if (one) return { sheet: one.sheet, header: one.header };
  let partial: { sheet: string; header: FoundHeader } | undefined;
  for (const [sheet, peek] of peeks) {
    const header = pickHeader(profile, peek.rows.slice(0, scan));
    if (header && (!partial || Object.keys(header.match.columns).length > Object.keys(partial.header.match.columns).length)) partial = { sheet, header };
  }
  return partial ? { partial } : {};
}

/** A column-number row ("(1) (2) …", "1 2 3 …"): every value a small number, bracketed or not. */
function numbersRow(values: readonly (CellValue | undefined)[]): boolean {
  const texts = values.map((v) => (cellString(v) ?? '').trim()).filter((t) => t !== '');
  return texts.length > 0 && texts.every((t) => /^\(?\d{1,3}\)?$/u.test(t));
}

/**
 * A data row of the sheet read: below the header; of the rows the profile skips after it
 * (`skip_after_header`), only a column-number row is skipped — any other row there is read (a record, or
 * quarantined), never dropped because the export left its column-number row out.
 */
function dataRow(reading: { header: number; from: number }, row: number, values: readonly (CellValue | undefined)[]): boolean {
  return row > reading.header && (row > reading.from || !numbersRow(values));
}

/**
 * One pass over the workbook, handing `onData` the data rows (after the header and the rows the profile
 * skips) of the sheet it reads: the sheet named (case and diacritics folded) or at the 1-based position
 * given, in the workbook's own list of sheets (workbook.xml: every tab counts, an empty, hidden or chart
 * sheet too: the third tab is the third sheet even when the first is empty) — `onNoHeader` is called (and
 * throws) when its first rows hold no header; with none given, the sheet chooseSheet picks: the first sheet
 * whose header maps every required field starts its rows at once, a later one takes over while the first
 * gave no row with a value (a header-only template tab), and a later one with rows makes chooseSheet refuse
 * the file. Returns the workbook's sheets, the named one (undefined: the workbook lacks it), the sheet
 * read, and what chooseSheet needs of each sheet.
 */
async function sheetRows(
  localPath: string,
  file: string,
  profile: Profile,
  on: {
    header: (header: FoundHeader) => void;
    data: (row: number, values: readonly (CellValue | undefined)[]) => void;
    noHeader: (sheet: string, rows: PeekRow[]) => never;
  },
): Promise<{ sheets: readonly string[]; named: string | undefined; read: string | undefined; peeks: Map<string, SheetPeek> }> {
  let sheets: readonly string[] = [];
  let named: string | undefined;
  const peeks = new Map<string, SheetPeek>();
  const scan = headerScanRows(profile);
  /** The sheet whose rows go to onData, its header's row, the last row the profile may skip, and whether a row handed over held a value. */
  let reading: { sheet: string; header: number; from: number; filled: boolean } | undefined;
  let deciding: string | undefined;
  const hand = (row: number, values: readonly (CellValue | undefined)[]): void => {
    if (filled(values)) reading!.filled = true;
    on.data(row, values);
  };
  const decide = (sheet: string): void => {
    deciding = undefined;
    // A second list while the first gave rows: chooseSheet refuses the file once every sheet is seen.
    if (reading?.filled) return;
    const rows = peeks.get(sheet)!.rows;
    const header = profile.sheet !== undefined ? pickHeader(profile, rows) : listHeader(profile, rows);
    if (!header) {
      if (profile.sheet !== undefined) on.noHeader(sheet, rows);
      return;
    }
    reading = { sheet, header: header.row, from: header.row + profile.skip_after_header, filled: false };
    on.header(header);
    for (const c of rows) if (dataRow(reading, c.row, [undefined, ...c.cells])) hand(c.row, [undefined, ...c.cells]);
  };
  const onSheets = (names: readonly string[]): void => {
    sheets = names;
    if (profile.sheet !== undefined) named = sheetIn(names, profile.sheet);
  };
  await streamRows(localPath, { file, scope: 'profile', limits: EXPORT_XLSX_LIMITS, onSheets }, (r) => {
    if (profile.sheet !== undefined && r.sheet !== named) {
      // Past the sheet named: decided now (a sheet without a header is refused before another tab is read).
      if (deciding !== undefined) decide(deciding);
      return named === undefined ? 'stop' : undefined;
    }
    let peek = peeks.get(r.sheet);
    if (!peek) {
      if (deciding !== undefined) decide(deciding); // the sheet before ended within the header scan
      peek = { rows: [], lastFilled: 0 };
      peeks.set(r.sheet, peek);
      deciding = r.sheet;
    }
    if (filled(r.values)) peek.lastFilled = Math.max(peek.lastFilled, r.number); // (rows may come out of order)
    if (deciding === r.sheet) {
      peek.rows.push(peekRow(r.number, r.values));
      if (profile.header_row !== undefined ? r.number >= profile.header_row : peek.rows.length >= scan) decide(r.sheet);
      return undefined;
    }
    if (reading?.sheet === r.sheet && dataRow(reading, r.number, r.values)) hand(r.number, r.values);
    return undefined;
  });
  if (deciding !== undefined) decide(deciding);
  return { sheets, named, read: reading?.sheet, peeks };
}

/**
 * Load one export file into profile_raw under `fileNo`. Fails (PipelineInputError naming the file)
 * when no header row matches, or a required field has no column: a file that cannot be mapped is
 * rejected, not quarantined row by row.
 */
export async function loadProfileExport(
  db: DuckDb,
  opts: { fileNo: number; localPath: string; file: string; profile: Profile; workDir: string; batchRows?: number },
): Promise<LoadedExport> {
  const { profile, file, fileNo } = opts;
  await db.run(
    `INSERT INTO profile_files VALUES ($file_no, $profile, $source, $prefix, $dates, $due_kind, $due_optional, $from_dates, $channel, $fee, CAST([] AS VARCHAR[]))`,
    {
      file_no: fileNo,
      profile: profile.name,
      source: profile.source,
      prefix: profile.source === 'nsw' ? 'NSW-' : '',
      dates: profile.dates,
      due_kind: profile.due_date,
      due_optional: profile.empty_due_means_none,
      from_dates: profile.status_from_dates,
      channel: profile.defaults.channel ?? null,
      fee: profile.defaults.is_fee_bearing ?? null,
    },
  );
  for (const c of codeRows(profile)) await db.run('INSERT INTO profile_codes VALUES ($n, $f, $c, $v)', { n: fileNo, f: c.field, c: c.code, v: c.value });

  // An empty file or sheet has no header to find (`empty_file`), a sheet the profile names and the workbook
  // lacks is the workbook's layout (`layout`); else the columns are not the profile's.
  const noHeader = (seen: string, code: 'columns' | 'empty_file' | 'layout' = 'columns'): PipelineInputError =>
    new PipelineInputError('profile', file, `no header row of the profile "${profile.name}" found (${seen}); run \`npm run cli -- inspect ${file}\` to see which columns are missing`, { code });
  const mappedOf = async (m: HeaderMatch): Promise<void> => {
    if (m.missing.length > 0) {
      throw new PipelineInputError(
        'profile',
        file,
        `the profile "${profile.name}" cannot map it: no column for ${m.missing.map((g) => g.join(' or ')).join(', ')} (headers: ${m.unmapped.slice(0, 12).join(' | ')})`,
        { code: 'columns' },
      );
    }
    await db.run("UPDATE profile_files SET mapped = string_split($m, ',') WHERE file_no = $n", { n: fileNo, m: Object.keys(m.columns).join(',') });
  };

  const lostRows = (what: string): PipelineInputError =>
    new PipelineInputError('profile', file, `${what}; nothing of the file was landed, so no row is lost: export it again, and report the file if it fails again`, { code: 'records_mismatch' });

  if (profile.format === 'csv') return loadCsv();
  return loadXlsx();

  async function loadCsv(): Promise<LoadedExport> {
    const peek = await peekRows(db, opts.localPath, 'csv', { file, delimiter: profile.delimiter, rows: headerScanRows(profile) });
    const header = pickHeader(profile, peek);
    if (!header) throw noHeader(`first ${peek.length} lines`, peek.length === 0 ? 'empty_file' : 'columns');
    await mappedOf(header.match);
    const first = header.row + profile.skip_after_header;
    const col = (i: number): string => `column${String(i).padStart(String(header.cells.length - 1).length, '0')}`;
    // Line by line (null_padding): a line break inside quotes is refused, an empty line skipped.
    const scan = `read_csv(${literal(opts.localPath)}, header = false, all_varchar = true, delim = ${literal(profile.delimiter)}, quote = '"', escape = '"', null_padding = true, max_line_size = 4194304)`;
    // read_csv names columns column0…columnN (zero-padded to the widest index)
    // A line the reader refuses past the first rows (a byte that is not UTF-8 on line 200 000) refuses the
    // file, as it does in the first rows: only the reader's own CSV errors, any other fault fails the land.
    const csvError = (cause: unknown): never => {
      if (/CSV Error on Line|Invalid unicode/i.test((cause as Error).message)) throw unreadableCsv(file, cause);
      throw cause;
    };
    const probe = await db.all(`DESCRIBE SELECT * FROM ${scan}`).catch(csvError);
    const names = probe.map((r) => String(r.column_name));
    const nameOf = (i: number): string => names[i] ?? col(i);
    const src = PROFILE_FIELDS.map((f) => {
      const i = header.match.columns[f as ProfileField];
      return i === undefined ? `CAST(NULL AS VARCHAR) AS ${f}_src` : `"${nameOf(i)}" AS ${f}_src`;
    }).join(', ');
    const record = header.cells
      .map((h, i) => (h.trim() === '' ? null : `${literal(h.normalize('NFC').replace(/^\ufeff/, ''))}, "${nameOf(i)}"`))
      .filter((x) => x !== null)
      .join(', ');
    const anyValue = names.map((n) => `coalesce("${n}", '') <> ''`).join(' OR ');
    // Of the lines the profile skips after the header, only column-number lines ("(1) (2) …") are skipped:
    // any other line there is a record (numbersRow's rule, for the XLSX path). Their line numbers, from the
    // file's first lines; a record's row_no counts the data lines after the header, the skipped ones left out.
    const numbersLine = `(${anyValue}) AND ${names.map((n) => `(coalesce(trim("${n}"), '') = '' OR regexp_full_match(trim("${n}"), '\\(?[0-9]{1,3}\\)?'))`).join(' AND ')}`;
    const skipped =
      first > header.row
        ? (await db.all(`SELECT line FROM (SELECT row_number() OVER () AS line, * FROM ${scan} LIMIT ${first}) WHERE line > ${header.row} AND ${numbersLine}`).catch(csvError)).map((r) => Number(r.line))
        : [];
    const rowNo = `line - ${header.row}${skipped.map((l) => ` - CAST(line > ${l} AS INTEGER)`).join('')}`;
    await db.run(
      `INSERT INTO profile_raw (file_no, row_no, raw_record, ${PROFILE_FIELDS.map((f) => `${f}_src`).join(', ')})
       WITH numbered AS (
         SELECT row_number() OVER () AS line, * FROM ${scan}
       )
       SELECT ${fileNo}, ${rowNo}, CAST(json_object('row_no', ${rowNo}, ${record}) AS VARCHAR), ${src}
       FROM numbered WHERE line > ${header.row}${skipped.length > 0 ? ` AND line NOT IN (${skipped.join(', ')})` : ''} AND (${anyValue})`,
    ).catch(csvError);
    // Every non-empty line came back from the reader, counted apart (csv-records.ts, countLines): a line
    // lost between the file and profile_raw would be neither landed nor quarantined (bench/history.md, change 87).
    const [returned, lines] = await Promise.all([db.scalarNumber(`SELECT count(*) FROM ${scan}`).catch(csvError), countLines(opts.localPath)]);
    if (returned !== lines) throw lostRows(`the CSV reader returned ${returned} line(s), but the file holds ${lines} non-empty line(s)`);
    const rowsRead = await db.scalarNumber('SELECT count(*) FROM profile_raw WHERE file_no = $n', { n: fileNo });
    return { rowsRead, headerRow: header.row, headers: header.cells, match: header.match, batches: 1, maxBatchRows: rowsRead };
  }

  async function loadXlsx(): Promise<LoadedExport> {
    const batchRows = opts.batchRows ?? PROFILE_BATCH_ROWS;
    const dir = path.join(opts.workDir, `profile-${process.pid}-${fileNo}`);
    await mkdir(dir, { recursive: true });
    let header: FoundHeader | undefined;
    const chunks: { path: string; rows: number }[] = [];
    let fd: number | undefined;
    let inChunk = 0;
    let rowsRead = 0;
    const flush = (): void => {
      if (fd !== undefined) {
        closeSync(fd);
        fd = undefined;
      }
    };
    const emit = (row: number, values: readonly (CellValue | undefined)[]): void => {
      const cells = Array.from(values, cellString); // exceljs rows are sparse
      if (!cells.some((c) => c !== null && c.trim() !== '')) return; // an empty row is not a record
      if (fd === undefined) {
        const p = path.join(dir, `chunk-${String(chunks.length).padStart(5, '0')}.csv`);
        fd = openSync(p, 'w');
        chunks.push({ path: p, rows: 0 });
        inChunk = 0;
      }
      const rec: Record<string, unknown> = { row_no: row };
      header!.cells.forEach((h, i) => {
        if (h.trim() !== '') rec[h] = cells[i + 1] ?? null;
      });
      const src = PROFILE_FIELDS.map((f) => {
        const i = header!.match.columns[f];
        return i === undefined ? '' : q(cells[i + 1] ?? null);
      });
      writeSync(fd, `${row},${q(JSON.stringify(rec))},${src.join(',')}\n`);
      chunks[chunks.length - 1]!.rows++;
      rowsRead++;
      if (++inChunk >= batchRows) flush();
    };
    try {
      const read = await sheetRows(opts.localPath, file, profile, {
        header: (h) => (header = h),
        data: emit,
        noHeader: (name, rows) => {
          throw noHeader(`first ${rows.length} rows of the sheet ${JSON.stringify(name)}`);
        },
      });
      if (profile.sheet !== undefined) {
        // The sheet named: missing (the workbook's layout) or empty (a sheet without a header threw above).
        if (read.named === undefined) throw noHeader(noSuchSheet(read.sheets, profile.sheet), 'layout');
        if (!header) throw noHeader(`the sheet ${JSON.stringify(read.named)} is empty`, 'empty_file');
      } else {
        if (read.peeks.size === 0) throw noHeader(`the workbook has no rows (sheets: ${sheetList(read.sheets)})`, 'empty_file');
        const choice = chooseSheet(profile, read.peeks);
        if ('several' in choice) throw new PipelineInputError('profile', file, severalLists(choice.several), { code: 'layout' });
        if ('sheet' in choice) {
          // The pass read the sheet chooseSheet picks from what the pass saw: anything else is a fault here.
          if (choice.sheet !== read.read) throw new Error(`[pipeline] [profile] Failed to read ${file}: read the sheet ${JSON.stringify(read.read)}, chose ${JSON.stringify(choice.sheet)}`);
        } else if (choice.partial) {
          // No sheet holds the list: the best partial header's missing columns are named (mappedOf, below).
          header = choice.partial.header;
        } else {
          throw noHeader(`first rows of the sheet(s) ${sheetList([...read.peeks.keys()])}`);
        }
      }
      if (!header) throw new Error(`[pipeline] [profile] Failed to read ${file}: no header after the read`);
      flush();
      await mappedOf(header.match);
      const cols = `{'row_no': 'BIGINT', 'raw_record': 'VARCHAR', ${PROFILE_FIELDS.map((f) => `'${f}_src': 'VARCHAR'`).join(', ')}}`;
      for (const c of chunks) {
        await db.run(
          `INSERT INTO profile_raw SELECT ${fileNo}, * FROM read_csv(${literal(c.path)}, header = false, columns = ${cols}, delim = ',', quote = '"', escape = '"',
                                                                   auto_detect = false, max_line_size = 16777216)`,
        );
        await rm(c.path, { force: true });
      }
      // Every data row read from the workbook reached profile_raw through the chunk files (change 87).
      const handed = await db.scalarNumber('SELECT count(*) FROM profile_raw WHERE file_no = $n', { n: fileNo });
      if (handed !== rowsRead) throw lostRows(`${rowsRead} data row(s) were read from the workbook, but ${handed} reached the landing`);
      return { rowsRead, headerRow: header.row, headers: header.cells, match: header.match, batches: chunks.length, maxBatchRows: Math.max(0, ...chunks.map((c) => c.rows)) };
    } finally {
      flush();
      await rm(dir, { recursive: true, force: true });
    }
  }
}
