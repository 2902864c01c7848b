/**
 * Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP): "Tình hình, kết quả giải quyết TTHC".
 *
 * Sheet layout written by `writeBieu06Xlsx` (columns A–M):
 *   1 "Biểu số 06/VPCP/KSTT"          2 "Đơn vị báo cáo: …"   3 "Đơn vị nhận báo cáo: Văn phòng Chính phủ"
 *   5 title (merged A:M)               6 "Kỳ báo cáo: Quý 1/2025 (Từ ngày 01/01/2025 đến ngày 31/03/2025)"
 *   7 "Đơn vị tính: Số hồ sơ TTHC"     8–10 header merged over three rows   11 column numbers 1 … 13
 *   12… band rows (I, II … + band name, and its subtotal with `bandSubtotals`), unit rows (STT 1, 2 … + unit name + c3…c13), then "Tổng cộng".
 * Numbers are real numbers with the `#,##0` format (Excel shows "1.492" in a vi-VN locale).
 *
 * `readBieu06Xlsx` does not rely on those row numbers: it finds the column-number row by content,
 * maps columns by their number, reads the period from the "Kỳ báo cáo" line, and accepts numbers
 * stored as numbers or as vi-VN text ("1.492"). Columns after 13 (portal variants: chờ bổ sung, trả
 * lại / rút, tỷ lệ hài lòng) are tolerated and ignored; their numbers are listed in `extraColumns`.
 * Every unit row must satisfy c3 = c4+c5+c6, c7 = c8+c9+c10, c11 = c12+c13 and c3 = c7+c11; a row
 * that does not, or has an unreadable cell, becomes one quarantine record (row_no = sheet row number)
 * and the other rows still land: rowsRead = rows.length + quarantine.length. A count cell that is a
 * formula without a computed value or an error value (#DIV/0!, #N/A …) is such a problem, named by its
 * cell ("C7: formula without a computed value"), never a 0. Total rows ("Cộng", "Tổng số", "Tổng
 * cộng", "Toàn tỉnh" … with no STT number) never end the read: each is a band subtotal or the grand
 * total (rules in docs/data-contracts.md §2.6), and they are checks, not data: their failures are
 * returned in `checks` (same record shape), naming the sheet row and column.
 */
import { basename } from 'node:path';
import { PipelineInputError } from '../../errors.js';
import { EARLIEST_RECEIPT_YEAR } from '../../lake/datasets.js';
import { Bieu06Row, type Agency, type QuarantineRecord } from '../../schemas/index.js';
import { formatViDate, formatViPeriod, parseViDate, parseViInteger, parseViPeriod, type ViPeriod, type ViPeriodType } from '../../vi/index.js';
import { matchAgency } from '../../vi/names.js';
import { ViParseError } from '../../vi/errors.js';
import {
  cellFault,
  cellFaultHint,
  cellRef,
  cellScalar,
  cellText,
  documentDate,
  newWorkbook,
  setRow,
  sha256File,
  streamRows,
  writeWorkbookDeterministic,
  type CellValue,
  type SheetRow,
  type XlsxReadOptions,
} from './common.js';

const SCOPE = 'bieu06';
const DATASET = 'bieu06';

/** One unit line: c holds columns 3…13 (11 numbers) in order. */
export interface Bieu06SheetRow {
  readonly unitName: string;
  readonly agencyCode: string | null;
  readonly c: readonly number[];
}

export interface Bieu06Band {
  readonly name: string;
  readonly rows: readonly Bieu06SheetRow[];
}

/** What the writer lays out; agency codes are not printed (the form has no code column). */
export interface Bieu06Sheet {
  readonly provinceName: string;
  /** Reporting-unit line; default "Đơn vị báo cáo: UBND <provinceName>". */
  readonly unitLine?: string;
  readonly periodType: ViPeriodType;
  readonly year: number;
  readonly periodNo: number;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly bands: readonly Bieu06Band[];
  /** Optional note printed under the table (e.g. "Số liệu giả lập (synthetic)"). */
  readonly note?: string;
  /** Print each band's subtotal on its band line (the reader checks them against the unit rows). Default false. */
  readonly bandSubtotals?: boolean;
}

/** Columns 3…13 as canonical field names, in order. */
export const BIEU06_COLUMNS = [
  'received_total',
  'received_online',
  'received_offline',
  'received_carried_over',
  'resolved_total',
  'resolved_early',
  'resolved_on_time',
  'resolved_late',
  'pending_total',
  'pending_in_time',
  'pending_overdue',
] as const;
export type Bieu06Counts = Record<(typeof BIEU06_COLUMNS)[number], number>;

export interface Bieu06Totals {
  /** Sheet row number of the "Tổng cộng" line. */
  readonly sheetRow: number;
  readonly counts: Bieu06Counts;
}

export interface Bieu06ReadResult {
  readonly sourceFile: string;
  readonly rawHash: string;
  readonly period: ViPeriod;
  readonly rows: Bieu06Row[];
  /** The sheet row of each of `rows` (STT numbers restart in every band; sheet rows do not): lineage. */
  readonly sheetRows: number[];
  /** The "Tổng cộng" line; null when the sheet has none or a totals cell is unreadable (see `checks`). */
  readonly totals: Bieu06Totals | null;
  /** Unit rows that failed a cell or an identity check, one record per row. */
  readonly quarantine: QuarantineRecord[];
  /** Failed checks on the totals row and band subtotals (not data rows; land them in quarantine too). */
  readonly checks: QuarantineRecord[];
  /** Unit rows read = rows.length + quarantine.length. */
  readonly rowsRead: number;
  /** Column numbers after 13 that were present and ignored. */
  readonly extraColumns: number[];
  /** Unit names that a given registry did not resolve (agency_code null). */
  readonly unmatchedUnits: string[];
}

export interface Bieu06ReadOptions extends XlsxReadOptions {
  /** Agency registry to resolve unit names to agency codes (matchAgency over the period). */
  readonly registry?: readonly Agency[];
  /** Period to use when the sheet has no "Kỳ báo cáo" line (otherwise the sheet's line wins). */
  readonly period?: ViPeriod;
  /** Sheets left unread: a template tab before the report (readBieu06Xlsx reads the workbook again without it). */
  readonly skipSheets?: readonly string[];
}

const TITLE = 'TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH';
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII', 'XIII', 'XIV', 'XV', 'XVI', 'XVII', 'XVIII', 'XIX', 'XX'];
const roman = (n: number): string => ROMAN[n - 1] ?? String(n);

/** "Quý 1/2025 (Từ ngày 01/01/2025 đến ngày 31/03/2025)". */
function periodLine(s: Bieu06Sheet): string {
  return `Kỳ báo cáo: ${formatViPeriod(s.periodType, s.year, s.periodNo)} (Từ ngày ${formatViDate(s.periodStart, { pad: true })} đến ngày ${formatViDate(s.periodEnd, { pad: true })})`;
}

function checkSheetInput(sheet: Bieu06Sheet): void {
  for (const band of sheet.bands) {
    for (const r of band.rows) {
      if (r.c.length !== 11 || r.c.some((x) => !Number.isInteger(x) || x < 0)) {
        throw new RangeError(`[pipeline] [${SCOPE}] Failed to write Biểu 06 row "${r.unitName}": c must be 11 non-negative integers (c3…c13)`);
      }
    }
  }
}

/** Write a Biểu 06 sheet; same input → byte-identical file (dates fixed to the period end). */
export async function writeBieu06Xlsx(path: string, sheet: Bieu06Sheet): Promise<void> {
  checkSheetInput(sheet);
  const when = documentDate(sheet.periodEnd);
  const wb = newWorkbook(when);
  wb.title = `Biểu số 06/VPCP/KSTT – ${formatViPeriod(sheet.periodType, sheet.year, sheet.periodNo)}`;
  const ws = wb.addWorksheet('Bieu06', {
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    views: [{ state: 'frozen', ySplit: 11 }],
  });
  ws.columns = [{ width: 6 }, { width: 48 }, ...Array.from({ length: 11 }, () => ({ width: 12 }))];
  const bold = { bold: true };
  const center = { horizontal: 'center', vertical: 'middle', wrapText: true } as const;
  const thin = { style: 'thin' } as const;
  const border = { top: thin, left: thin, bottom: thin, right: thin };

  ws.getCell('A1').value = 'Biểu số 06/VPCP/KSTT';
  ws.getCell('A1').font = bold;
  ws.getCell('A2').value = sheet.unitLine ?? `Đơn vị báo cáo: UBND ${sheet.provinceName}`;
  ws.getCell('A3').value = 'Đơn vị nhận báo cáo: Văn phòng Chính phủ';
  ws.mergeCells('A5:M5');
  ws.getCell('A5').value = TITLE;
  ws.getCell('A5').font = { bold: true, size: 13 };
  ws.getCell('A5').alignment = center;
  ws.getRow(5).height = 36;
  ws.mergeCells('A6:M6');
  ws.getCell('A6').value = periodLine(sheet);
  ws.getCell('A6').alignment = center;
  ws.mergeCells('A7:M7');
  ws.getCell('A7').value = 'Đơn vị tính: Số hồ sơ TTHC';
  ws.getCell('A7').alignment = { horizontal: 'right' };

  const header: [string, string][] = [
    ['A8:A10', 'STT'],
    ['B8:B10', 'Lĩnh vực, công việc giải quyết theo cấp / Đơn vị'],
    ['C8:F8', 'Số hồ sơ nhận giải quyết'],
    ['G8:J8', 'Kết quả giải quyết'],
    ['K8:M8', 'Số hồ sơ đang giải quyết'],
    ['C9:C10', 'Tổng số'],
    ['D9:E9', 'Trong kỳ'],
    ['F9:F10', 'Từ kỳ trước'],
    ['G9:G10', 'Tổng số'],
    ['H9:I9', 'Trả đúng thời hạn'],
    ['J9:J10', 'Trả quá hạn'],
    ['K9:K10', 'Tổng số'],
    ['L9:L10', 'Trong hạn'],
    ['M9:M10', 'Quá hạn'],
    ['D10', 'Trực tuyến'],
    ['E10', 'Trực tiếp, dịch vụ bưu chính'],
    ['H10', 'Trước hạn'],
    ['I10', 'Đúng hạn'],
  ];
  for (const [range, text] of header) {
    if (range.includes(':')) ws.mergeCells(range);
    const cell = ws.getCell(range.split(':')[0] ?? range);
    cell.value = text;
  }
  for (let r = 8; r <= 11; r++) {
    for (let c = 1; c <= 13; c++) {
      const cell = ws.getCell(r, c);
      cell.font = bold;
      cell.alignment = center;
      cell.border = border;
    }
  }
  setRow(ws, 11, [...Array.from({ length: 13 }, (_, i) => i + 1)]);

  let r = 12;
  const totals = new Array<number>(11).fill(0);
  const styleRow = (rowNo: number, isBold: boolean): void => {
    for (let c = 1; c <= 13; c++) {
      const cell = ws.getCell(rowNo, c);
      cell.border = border;
      if (c >= 3) cell.numFmt = '#,##0';
      if (c === 1) cell.alignment = { horizontal: 'center' };
      if (isBold) cell.font = bold;
    }
  };
  sheet.bands.forEach((band, i) => {
    const subtotal = band.rows.reduce((acc, u) => acc.map((x, k) => x + (u.c[k] ?? 0)), new Array<number>(11).fill(0));
    setRow(ws, r, [roman(i + 1), band.name, ...(sheet.bandSubtotals ? subtotal : [])]);
    styleRow(r, true);
    r++;
    // STT numbers the lines within their band (I, II… number the bands), as the form does.
    let lineNo = 0;
    for (const u of band.rows) {
      lineNo++;
      setRow(ws, r, [lineNo, u.unitName, ...u.c]);
      u.c.forEach((x, k) => (totals[k] = (totals[k] ?? 0) + x));
      styleRow(r, false);
      r++;
    }
  });
  setRow(ws, r, [undefined, 'Tổng cộng', ...totals]);
  styleRow(r, true);
  if (sheet.note) ws.getCell(r + 2, 1).value = sheet.note;
  await writeWorkbookDeterministic(wb, path, when);
}

// ---------------------------------------------------------------------------------------------
// Reading

type Kind = 'blank' | 'band' | 'unit' | 'total' | 'orphan';

/**
 * Labels of a total row ("Tổng cộng", "Tổng số", "Cộng", "Cộng I", "Toàn tỉnh", "Toàn thành phố"):
 * the label must start with the words, followed by the end or a separator; "Cộng đồng …" (community)
 * is a name, not a total. A row is a total row only when it also has no STT number and has figures,
 * so a unit whose name holds these words (it has its STT) is never taken for a total.
 */
const TOTAL_LABEL = /^(tổng cộng|tổng số|cộng|toàn tỉnh|toàn thành phố)(?=$|[\s:,.;()–-])(?! ?đồng)/u;
/** Labels that name the whole table (used only when position and sums leave a total row's role open). */
const GRAND_LABEL = /^(tổng cộng|tổng số|toàn tỉnh|toàn thành phố)/u;
const labelKey = (t: string): string => t.normalize('NFC').toLowerCase().replace(/[\s\u00a0]+/gu, ' ').trim();

const NUMBER_LABEL = /^\(?(\d{1,2})\)?$/u;
const BAND_MARK = /^(?:[IVXLC]+|[A-ZĐ])[.)]?$/u;

/** The column of each number 1…n if this row is the column-number row. */
function columnNumbers(values: readonly (CellValue | undefined)[]): Map<number, number> | null {
  const map = new Map<number, number>();
  let last = 0;
  for (let col = 1; col < values.length; col++) {
    const t = cellText(values[col]);
    if (t === '') continue;
    const m = NUMBER_LABEL.exec(t);
    if (!m) return null;
    const n = Number(m[1]);
    if (n <= last || map.has(n)) return null;
    map.set(n, col);
    last = n;
  }
  return map.has(1) && map.has(2) && map.has(3) && map.size >= 5 ? map : null;
}

/** The Biểu 06 columns 1 … 13 a column-number row lacks. */
function lackingColumns(map: Map<number, number>): number[] {
  return Array.from({ length: 13 }, (_, i) => i + 1).filter((n) => !map.has(n));
}

/** A figure in one of columns 3 … 13 of a row laid out as `map` (column number → sheet column). */
function unitFigures(row: SheetRow, map: Map<number, number>): boolean {
  return Array.from({ length: 11 }, (_, i) => cellScalar(row.values[map.get(i + 3) ?? -1])).some((x) => x !== null);
}

function sttNumber(v: CellValue | undefined): number | null {
  const s = cellScalar(v);
  if (typeof s === 'number') return Number.isInteger(s) && s >= 1 ? s : null;
  if (typeof s === 'string') {
    const m = /^(\d{1,6})\.?$/u.exec(s);
    return m ? Number(m[1]) : null;
  }
  return null;
}

interface CellProblem {
  field: string;
  reason: string;
  raw: string | null;
}

/**
 * Parse columns 3…13 of a row: numbers as numbers or vi-VN text; empty = 0. A formula without a
 * computed value or an error value (#DIV/0!, #N/A …) is a problem naming the cell ("F14: …"), never 0.
 */
function readCounts(row: SheetRow, cols: Map<number, number>): { c: number[]; problems: CellProblem[] } {
  const values = row.values;
  const c: number[] = [];
  const problems: CellProblem[] = [];
  for (let n = 3; n <= 13; n++) {
    const col = cols.get(n) ?? -1;
    const fault = col > 0 ? cellFault(values[col]) : null;
    if (fault !== null) {
      problems.push({ field: `c${n}`, reason: `${cellRef(col, row.number)}: ${fault} (c${n}; ${cellFaultHint(fault)})`, raw: String(cellScalar(values[col])) });
      c.push(Number.NaN);
      continue;
    }
    const raw = cellScalar(values[col]);
    if (raw === null) {
      c.push(0);
    } else if (typeof raw === 'number') {
      if (!Number.isInteger(raw) || raw < 0) problems.push({ field: `c${n}`, reason: `c${n} (${raw}) is not a whole non-negative number of dossiers`, raw: String(raw) });
      c.push(raw);
    } else {
      try {
        const v = parseViInteger(String(raw));
        if (v < 0) problems.push({ field: `c${n}`, reason: `c${n} (${v}) is negative`, raw: String(raw) });
        c.push(v);
      } catch (err) {
        if (!(err instanceof ViParseError)) throw err;
        problems.push({ field: `c${n}`, reason: `c${n} ${JSON.stringify(String(raw))} is not a vi-VN whole number`, raw: String(raw) });
        c.push(Number.NaN);
      }
    }
  }
  return { c, problems };
}

/** The identity checks of the form on c3…c13 (c[0] = c3). */
function identityProblems(c: readonly number[]): CellProblem[] {
  const v = (n: number): number => c[n - 3] ?? Number.NaN;
  const out: CellProblem[] = [];
  const check = (field: string, lhs: number, parts: number[], text: string): void => {
    const sum = parts.reduce((a, b) => a + b, 0);
    if (lhs !== sum) out.push({ field, reason: `${field} (${lhs}) ≠ ${text} (${sum})`, raw: String(lhs) });
  };
  check('c3', v(3), [v(4), v(5), v(6)], 'c4+c5+c6');
  check('c7', v(7), [v(8), v(9), v(10)], 'c8+c9+c10');
  check('c11', v(11), [v(12), v(13)], 'c12+c13');
  check('c3', v(3), [v(7), v(11)], 'c7+c11');
  return out;
}

function toCounts(c: readonly number[]): Bieu06Counts {
  return Object.fromEntries(BIEU06_COLUMNS.map((k, i) => [k, c[i] ?? 0])) as Bieu06Counts;
}

function rawRecord(row: SheetRow): string {
  const cells: Record<string, string | number | boolean | null> = {};
  for (let col = 1; col < row.values.length; col++) {
    const v = cellScalar(row.values[col]);
    if (v !== null) cells[`col${col}`] = v;
  }
  return JSON.stringify({ sheet: row.sheet, sheet_row: row.number, cells });
}

const PERIOD_LINE = /kỳ báo cáo\s*:?\s*(.*)$/iu;
const RANGE = /từ ngày\s*(\d{1,2}[/-]\d{1,2}[/-]\d{4})\s*đến ngày\s*(\d{1,2}[/-]\d{1,2}[/-]\d{4})/iu;

function readPeriodLine(text: string, file: string, rowNo: number): ViPeriod {
  const m = PERIOD_LINE.exec(text);
  const rest = (m?.[1] ?? '').trim();
  const label = rest.replace(/\(.*$/u, '').replace(/[.,;:\s]+$/u, '').trim();
  try {
    const p = parseViPeriod(label);
    const range = RANGE.exec(rest);
    if (!range) return p;
    const start = parseViDate(range[1] ?? '');
    const end = parseViDate(range[2] ?? '');
    if (end < start) throw new PipelineInputError(SCOPE, file, `the report period ends (${end}) before it starts (${start})`, { row: rowNo, code: 'layout' });
    return { ...p, start, end };
  } catch (err) {
    if (err instanceof ViParseError) {
      throw new PipelineInputError(SCOPE, file, `the "Kỳ báo cáo" line ${JSON.stringify(text)} has no readable period (${err.message})`, { row: rowNo, cause: err, code: 'layout' });
    }
    throw err;
  }
}

/**
 * Read a Biểu 06 workbook (the sheet that has a column-number row 1 … 13). Throws
 * PipelineInputError naming the file when it is not an XLSX, has no column-number row, lacks one of
 * columns 1–13, holds a second such table (with unit rows) on a later sheet (its units would be left unread), or has
 * no "Kỳ báo cáo" period line (unless `opts.period` is given).
 */
export async function readBieu06Xlsx(path: string, opts: Bieu06ReadOptions = {}): Promise<Bieu06ReadResult> {
  const file = opts.sourceFile ?? basename(path);
  let period: ViPeriod | null = null;
  let cols: Map<number, number> | null = null;
  let headerSheet: string | null = null;
  let missing: { row: number; cols: number[] } | null = null;
  /** A column-number row 1 … 13 with a unit row under it on a sheet after the table's: a second report. */
  let second: { sheet: string; row: number } | null = null;
  /** The last column-number row 1 … 13 seen on a sheet after the table's, and its columns. */
  let later: { sheet: string; row: number; map: Map<number, number> } | null = null;
  const units: { row: SheetRow; band: string; lineNo: number; name: string; c: number[]; problems: CellProblem[]; seq: number }[] = [];
  const orphans: { row: SheetRow; seq: number }[] = [];
  /** Band subtotals: a band row with figures, or a total row right under a band row; members follow it. */
  const bandSubtotals: { row: SheetRow; name: string; c: number[]; problems: CellProblem[]; members: number[] }[] = [];
  /** Total rows in table order; their role (band subtotal or grand total) is decided after the read. */
  const totalRows: { row: SheetRow; label: string; c: number[]; problems: CellProblem[]; band: string; segment: number[]; seq: number; below: number[] | null }[] = [];
  /** Unit rows under a total row that stands right under a band row (see the role rules below). */
  let openBelow: number[] | null = null;
  let band = '';
  let openSubtotal: (typeof bandSubtotals)[number] | null = null;
  /** Unit indexes since the last band row or total row. */
  let segment: number[] = [];
  let lastKind: Kind | null = null;
  let seq = 0;

  /** Unit rows of the table with a figure: none, and the table is a template (a later table is then the report). */
  let withFigures = 0;
  /** Period lines that cannot be read, by sheet: refused once the read is done if on the table's sheet, or if no line could be read. */
  const periodErrors: { sheet: string; error: PipelineInputError }[] = [];
  const skipped = new Set(opts.skipSheets ?? []);

  await streamRows(path, { file, scope: SCOPE, limits: opts.limits }, (row) => {
    if (skipped.has(row.sheet)) return;
    const texts = row.values.map((v) => cellText(v));
    if (cols === null || row.sheet !== headerSheet) {
      if (cols !== null) {
        // A sheet after the table's: another Biểu 06 table there — a column-number row 1 … 13 with a unit
        // row under it (an STT and a figure): a second month, a copy — would be left unread, its units
        // neither landed nor quarantined, so the workbook is refused (below). A template tab, a blank form
        // or a legend (the numbers, and no unit with a figure) is no table.
        if (later?.sheet === row.sheet && sttNumber(row.values[later.map.get(1)!]) !== null && unitFigures(row, later.map)) {
          second = { sheet: later.sheet, row: later.row };
          return 'stop';
        }
        const other = columnNumbers(row.values);
        if (other && lackingColumns(other).length === 0) later = { sheet: row.sheet, row: row.number, map: other };
        return;
      }
      // Before the header: look for the period line and the column-number row.
      const joined = texts.filter(Boolean).join(' ');
      if (/kỳ báo cáo/iu.test(joined) && period === null) {
        // An unreadable period line ("Tháng ...... năm ......", an unfilled form's) refuses the file once the
        // read is done when it is the table's own, or no other line gives the period: on a template tab
        // before the report it is left with the template (read again without it, below), and on a cover or
        // instructions tab it gives way to the table's own line.
        try {
          period = readPeriodLine(joined, file, row.number);
        } catch (err) {
          if (!(err instanceof PipelineInputError)) throw err;
          periodErrors.push({ sheet: row.sheet, error: err });
        }
      }
      const map = columnNumbers(row.values);
      if (map) {
        const lacking = lackingColumns(map);
        if (lacking.length > 0) {
          missing = { row: row.number, cols: lacking };
          return 'stop';
        }
        cols = map;
        headerSheet = row.sheet;
      }
      return;
    }
    const map = cols;
    const stt = row.values[map.get(1) ?? 1];
    const name = texts[map.get(2) ?? 2] ?? '';
    const sttText = cellText(stt);
    const hasFigures = unitFigures(row, map);
    const anyText = texts.some(Boolean);
    const label = labelKey(name || sttText);
    let kind: Kind;
    if (!anyText && !hasFigures) kind = 'blank';
    else if (sttNumber(stt) !== null) kind = 'unit';
    else if (hasFigures && TOTAL_LABEL.test(label)) kind = 'total';
    else if (!hasFigures || BAND_MARK.test(sttText)) kind = 'band';
    else kind = 'orphan';
    seq++;

    switch (kind) {
      case 'blank':
        return;
      case 'band': {
        band = name || sttText || texts.find(Boolean) || '';
        openSubtotal = null;
        openBelow = null;
        segment = [];
        if (hasFigures) {
          const { c, problems } = readCounts(row, map);
          openSubtotal = { row, name: band, c, problems, members: [] };
          bandSubtotals.push(openSubtotal);
        }
        lastKind = kind;
        return;
      }
      case 'unit': {
        if (hasFigures) withFigures++;
        const { c, problems } = readCounts(row, map);
        units.push({ row, band, lineNo: sttNumber(stt) ?? 0, name, c, problems, seq });
        openSubtotal?.members.push(units.length - 1);
        openBelow?.push(units.length - 1);
        segment.push(units.length - 1);
        lastKind = kind;
        return;
      }
      case 'orphan':
        orphans.push({ row, seq });
        lastKind = kind;
        return;
      case 'total': {
        const { c, problems } = readCounts(row, map);
        const text = name || sttText;
        // "I. Cấp tỉnh" then "Tổng số" right under it: the band's subtotal placed on top, if unit rows
        // follow it (decided after the read; an empty band's row is then read as a total row).
        const below = lastKind === 'band' && openSubtotal === null ? [] : null;
        totalRows.push({ row, label: text, c, problems, band, segment, seq, below });
        openSubtotal = null;
        openBelow = below;
        segment = [];
        lastKind = kind;
        return;
      }
    }
  });

  const another = second as { sheet: string; row: number } | null;
  // The first table held no unit with a figure (a template tab before the report): the report is the later one.
  if (another && withFigures === 0) return readBieu06Xlsx(path, { ...opts, skipSheets: [...skipped, String(headerSheet as string | null)] });
  const unreadablePeriod = periodErrors.find((e) => e.sheet === headerSheet) ?? (period === null ? periodErrors[0] : undefined);
  if (unreadablePeriod) throw unreadablePeriod.error;
  const lacking = missing as { row: number; cols: number[] } | null;
  if (lacking) {
    throw new PipelineInputError(SCOPE, file, `the column-number row lacks column(s) ${lacking.cols.join(', ')} of the Biểu 06 columns 1–13`, { row: lacking.row, code: 'layout' });
  }
  if (cols === null) {
    throw new PipelineInputError(SCOPE, file, 'no column-number row "1 2 3 … 13" found under the header (is this a Biểu 06/VPCP/KSTT sheet?)', { code: 'layout' });
  }
  if (another) {
    throw new PipelineInputError(
      SCOPE,
      file,
      `holds a second Biểu 06 table, on the sheet ${JSON.stringify(another.sheet)} (its column-number row is row ${another.row}) after the one on ${JSON.stringify(headerSheet)}: a workbook is one report, so save each table as a workbook of its own and file them apart`,
      { row: another.row, code: 'layout' },
    );
  }
  const finalPeriod: ViPeriod | null = period ?? opts.period ?? null;
  if (finalPeriod === null) {
    throw new PipelineInputError(SCOPE, file, 'no "Kỳ báo cáo: …" line above the table, so the report period is unknown', { code: 'layout' });
  }
  // The lake's years start in EARLIEST_RECEIPT_YEAR (the dossiers' too): a period before it is a typo in
  // the title, said once for the file, not as a schema message on every unit row.
  if (finalPeriod.year < EARLIEST_RECEIPT_YEAR) {
    throw new PipelineInputError(SCOPE, file, `the report period (${formatViPeriod(finalPeriod.periodType, finalPeriod.year, finalPeriod.periodNo)}) is before ${EARLIEST_RECEIPT_YEAR}, the first year the lake accepts: is the year in "Kỳ báo cáo: …" mistyped?`, { code: 'period_too_early' });
  }
  const colMap: Map<number, number> = cols;
  const rawHash = opts.rawHash ?? (await sha256File(path));
  const extraColumns = [...colMap.keys()].filter((n) => n > 13).sort((a, b) => a - b);

  const record = (row: SheetRow, p: CellProblem, reasons: string): QuarantineRecord => ({
    dataset: DATASET,
    source_file: file,
    raw_hash: rawHash,
    row_no: row.number,
    field: p.field,
    reason: reasons,
    raw_value: p.raw,
    raw_record: rawRecord(row),
  });

  const rows: Bieu06Row[] = [];
  const sheetRows: number[] = [];
  const quarantine: QuarantineRecord[] = [];
  const unmatched = new Set<string>();
  for (const u of units) {
    const problems = u.problems.length > 0 ? u.problems : identityProblems(u.c);
    if (u.name === '') problems.unshift({ field: 'c2', reason: 'the unit name (column 2) is empty', raw: null });
    let code: string | null = null;
    if (opts.registry && u.name !== '') {
      code = matchAgency(u.name, opts.registry, { from: finalPeriod.start, to: finalPeriod.end })?.agency_code ?? null;
      if (code === null) unmatched.add(u.name);
    }
    const candidate = {
      period_type: finalPeriod.periodType,
      year: finalPeriod.year,
      period_no: finalPeriod.periodNo,
      period_start: finalPeriod.start,
      period_end: finalPeriod.end,
      band: u.band,
      line_no: u.lineNo,
      unit_name: u.name,
      agency_code: code,
      ...toCounts(u.c),
    };
    const parsed = problems.length === 0 ? Bieu06Row.safeParse(candidate) : null;
    if (parsed?.success) {
      rows.push(parsed.data);
      sheetRows.push(u.row.number);
      continue;
    }
    if (parsed && !parsed.success) {
      const issue = parsed.error.issues[0];
      problems.push({ field: String(issue?.path[0] ?? 'row'), reason: `${String(issue?.path[0] ?? 'row')}: ${issue?.message ?? 'invalid'}`, raw: null });
    }
    const first = problems[0] ?? { field: 'row', reason: 'invalid row', raw: null };
    quarantine.push(record(u.row, first, `sheet row ${u.row.number}: ${problems.map((p) => p.reason).join('; ')}`));
  }
  // Rows with figures but no STT after the last total row and the last unit row are notes under
  // the table (e.g. "Ghi chú: …"), not data; before that they are quarantined.
  const lastTotal = Math.max(-1, ...totalRows.map((t) => t.seq));
  const lastUnit = Math.max(-1, ...units.map((u) => u.seq));
  const read = orphans.filter((o) => lastTotal < 0 || o.seq < lastTotal || o.seq < lastUnit);
  for (const { row: o } of read) {
    quarantine.push(
      record(o, { field: 'c1', reason: '', raw: cellText(o.values[colMap.get(1) ?? 1]) || null }, `sheet row ${o.number}: the row has figures but no STT number, so it is neither a unit line nor a band line`),
    );
  }

  // Totals and band subtotals are checks: identities on them follow from "subtotal = column sums"
  // plus the row checks, so only the sums are compared. Columns with an unreadable cell are skipped.
  const checks: QuarantineRecord[] = [];
  const sumOf = (members: readonly number[], i: number): number => members.reduce((a, m) => a + (units[m]?.c[i] ?? 0), 0);
  const compareSums = (row: SheetRow, label: string, c: readonly number[], members: readonly number[], what: string): void => {
    c.forEach((x, i) => {
      const sum = sumOf(members, i);
      if (!Number.isNaN(x) && !Number.isNaN(sum) && x !== sum) {
        checks.push(record(row, { field: `c${i + 3}`, reason: '', raw: String(x) }, `sheet row ${row.number}: ${label} c${i + 3} (${x}) ≠ ${what} (${sum})`));
      }
    });
  };
  const cellChecks = (row: SheetRow, label: string, problems: readonly CellProblem[]): void => {
    for (const p of problems) checks.push(record(row, p, `sheet row ${row.number}: ${label} ${p.reason}`));
  };
  const rowsText = (members: readonly number[]): string => {
    const first = units[members[0] ?? -1]?.row.number;
    const last = units[members[members.length - 1] ?? -1]?.row.number;
    return first === undefined ? 'no unit rows' : first === last ? `sheet row ${first}` : `sheet rows ${first}–${last}`;
  };
  for (const b of bandSubtotals) {
    cellChecks(b.row, `band "${b.name}" subtotal`, b.problems);
    compareSums(b.row, `band "${b.name}" subtotal`, b.c, b.members, 'sum of its unit rows');
  }

  // The role of each total row (docs/data-contracts.md §2.6): a total row that closes no unit rows
  // (at the top of the table, or after the last subtotal) is the grand total; one followed by more
  // unit rows or by another total row is the subtotal of the unit rows since the last band or total
  // row; the last total row closing unit rows is the grand total when those rows are the whole
  // table, otherwise whichever its figures add up to (all unit rows → grand total, its own rows →
  // subtotal), and when they add up to neither, its label decides ("Tổng cộng", "Tổng số", "Toàn
  // tỉnh" → grand total; "Cộng …" → subtotal), unless a grand total was already read.
  const all = units.map((_, i) => i);
  const equalsSum = (c: readonly number[], members: readonly number[]): boolean => c.every((x, i) => Number.isNaN(x) || x === sumOf(members, i));
  let grand: (typeof totalRows)[number] | null = null;
  const roles = totalRows.filter((t) => !(t.below !== null && t.below.length > 0));
  for (const t of totalRows) {
    if (t.below === null || t.below.length === 0) continue;
    cellChecks(t.row, `band "${t.band}" subtotal`, t.problems);
    compareSums(t.row, `band "${t.band}" subtotal`, t.c, t.below, 'sum of its unit rows');
  }
  roles.forEach((t, k) => {
    const followed = k < roles.length - 1 || units.some((u) => u.seq > t.seq);
    let isGrand: boolean;
    if (t.segment.length === 0) isGrand = true;
    else if (followed) isGrand = false;
    else if (t.segment.length === all.length) isGrand = true;
    else if (grand !== null) isGrand = false;
    else if (equalsSum(t.c, all)) isGrand = true;
    else if (equalsSum(t.c, t.segment)) isGrand = false;
    else isGrand = GRAND_LABEL.test(labelKey(t.label));
    if (isGrand) {
      if (grand === null) grand = t;
      cellChecks(t.row, 'Tổng cộng', t.problems);
      compareSums(t.row, 'Tổng cộng', t.c, all, 'sum of unit rows');
    } else {
      const label = `subtotal "${t.label}"${t.band ? ` of band "${t.band}"` : ''}`;
      cellChecks(t.row, label, t.problems);
      compareSums(t.row, label, t.c, t.segment, `sum of its unit rows, ${rowsText(t.segment)}`);
    }
  });
  let totals: Bieu06Totals | null = null;
  const g = grand as (typeof totalRows)[number] | null;
  // An unreadable totals cell leaves no usable totals (the problem is in `checks`).
  if (g && g.problems.length === 0) totals = { sheetRow: g.row.number, counts: toCounts(g.c) };

  return {
    sourceFile: file,
    rawHash,
    period: finalPeriod,
    rows,
    sheetRows,
    totals,
    quarantine,
    checks,
    rowsRead: units.length + read.length,
    extraColumns,
    unmatchedUnits: [...unmatched],
  };
}
