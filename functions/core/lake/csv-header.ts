/**
 * Header checks for the bulk CSV sources, done in JS on the first line only (the body is DuckDB's):
 * the encoding must be UTF-8 (a BOM is optional), and the columns must be exactly the contract's
 * (empty columns after the last heading, as Excel saves them, are ignored).
 * A mismatch is an error that shows the difference, so a person can fix the export.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { PipelineInputError } from '../errors.js';

export const PORTAL_CSV_HEADER = [
  'Mã hồ sơ', 'Mã TTHC', 'Mã đơn vị', 'Kênh nộp', 'Ngày tiếp nhận', 'Ngày hẹn trả', 'Ngày kết thúc', 'Trạng thái',
  'Số ngày chờ bổ sung', 'Có phí', 'Thanh toán trực tuyến', 'Đã số hóa', 'Có kết quả điện tử', 'Đồng bộ DVCQG',
  'Có phản ánh', 'Ngày cập nhật',
] as const;

export const NSW_CSV_HEADER = [
  'STT', 'Số hồ sơ', 'Mã thủ tục', 'Tên thủ tục', 'Mã cơ quan xử lý', 'Ngày nộp', 'Ngày tiếp nhận', 'Ngày hẹn trả',
  'Ngày hoàn thành', 'Trạng thái', 'Thanh toán trực tuyến', 'Có kết quả điện tử',
] as const;

/**
 * The first `bytes` of `file`, in one synchronous read: the land reads two heads of each of a chunk's
 * files, and at 100 k dossiers (249 NSW exports of 3 kB) the event loop's round trips of an async read
 * cost more than the reads (bench/history.md, change 89).
 */
export async function readHead(file: string, bytes = 65536): Promise<Buffer> {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The header fields of a first line (BOM and CR dropped, quotes removed, NFC), without the empty
 * fields at its end: Excel writes a separator for every column of the used range, so a sheet once
 * formatted past its last column saves "…,Ngày cập nhật,,". Those trailing empty columns are ignored
 * (their empty values in the data rows too: DuckDB's reader accepts trailing empty fields and rejects
 * a row with a value there, as one with too many fields). `trailingEmpty` counts them.
 */
export function headerFields(line: string, delim: string): { fields: string[]; trailingEmpty: number } {
  const all = line
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(delim)
    .map((h) => h.trim().replace(/^"(.*)"$/, '$1').normalize('NFC'));
  let n = all.length;
  while (n > 0 && all[n - 1] === '') n--;
  return { fields: all.slice(0, n), trailingEmpty: all.length - n };
}

/** What `checkCsvHeader` found, for the landing log. */
export interface CsvHeaderInfo {
  /** Empty columns after the last heading (ignored). */
  readonly trailingEmptyColumns: number;
}

/**
 * Throws PipelineInputError unless `file` is UTF-8 text whose first line is exactly `expected`
 * (trailing empty columns allowed, see `headerFields`). The messages say what is wrong with the file
 * in an official's words: empty (also when it holds only a BOM or blank lines), UTF-16, not UTF-8,
 * or which headings are missing / unexpected / renamed / reordered.
 */
export async function checkCsvHeader(file: string, displayName: string, expected: readonly string[], delim: string): Promise<CsvHeaderInfo> {
  const head = await readHead(file);
  if (head.length === 0) throw new PipelineInputError('land', displayName, 'the file is empty (expected a header row)', { row: 1, code: 'empty_file' });
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new PipelineInputError('land', displayName, 'the file is UTF-16; export it as UTF-8 (CSV UTF-8 in Excel)', { row: 1, code: 'encoding' });
  }
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  if (head.subarray(bom ? 3 : 0).every((b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a)) {
    throw new PipelineInputError(
      'land',
      displayName,
      `the file is empty: it holds ${bom ? 'only a byte-order mark (BOM)' : 'only blank lines'} and no header row; export the data again (CSV UTF-8) with the header row and the rows`,
      { row: 1, code: 'empty_file' },
    );
  }
  const nl = head.indexOf(0x0a);
  const firstLine = decodeUtf8(head.subarray(0, nl >= 0 ? nl : head.length), displayName);
  const { fields: found, trailingEmpty } = headerFields(firstLine, delim);
  if (found.length === 0) {
    throw new PipelineInputError(
      'land',
      displayName,
      `the header row (line 1) is empty: it holds only separators ("${delim}"), as Excel saves empty columns; the first line must be the header ${expected.join(delim)}`,
      { row: 1, code: 'columns' },
    );
  }
  const diff = describeHeaderDiff(expected, found);
  if (diff) throw new PipelineInputError('land', displayName, `unexpected columns: ${diff}`, { row: 1, code: 'columns' });
  return { trailingEmptyColumns: trailingEmpty };
}

function decodeUtf8(bytes: Buffer, displayName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PipelineInputError('land', displayName, 'the header is not valid UTF-8 (Windows-1258 or TCVN3?); export it as UTF-8', { row: 1, code: 'encoding' });
  }
}

/** '' when equal; otherwise what is missing, extra, renamed or reordered. */
export function describeHeaderDiff(expected: readonly string[], found: readonly string[]): string {
  if (expected.length === found.length && expected.every((h, i) => h === found[i])) return '';
  const want = new Set(expected);
  const got = new Set(found);
  const missing = expected.filter((h) => !got.has(h));
  const extra = found.filter((h) => !want.has(h));
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.map((h) => `"${h}"`).join(', ')}`);
  const shown = (h: string): string => (h === '' ? `an empty heading (column ${found.indexOf(h) + 1}; remove the empty column or name it)` : `"${h}"`);
  if (extra.length) parts.push(`unexpected ${extra.map(shown).join(', ')}`);
  if (missing.length === 1 && extra.length === 1) parts.push(`("${extra[0]}" looks like a renamed "${missing[0]}")`);
  if (!missing.length && !extra.length) {
    const moved = expected.filter((h, i) => found[i] !== h);
    parts.push(`reordered: expected ${expected.join(' | ')}; found ${found.join(' | ')} (first difference: "${moved[0]}")`);
  }
  return parts.join('; ');
}
