/**
 * Header checks for the bulk CSV sources, done in JS on the first line only (the body is DuckDB's):
 * the encoding must be UTF-8 (a BOM is optional), and the columns must be exactly the contract's.
 * A mismatch is an error that shows the difference, so a person can fix the export.
 */
import { open } from 'node:fs/promises';
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

export async function readHead(file: string, bytes = 65536): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Throws PipelineInputError unless `file` is UTF-8 text whose first line is exactly `expected`. */
export async function checkCsvHeader(file: string, displayName: string, expected: readonly string[], delim: string): Promise<void> {
  const head = await readHead(file);
  if (head.length === 0) throw new PipelineInputError('land', displayName, 'the file is empty (expected a header row)', { row: 1 });
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new PipelineInputError('land', displayName, 'the file is UTF-16; export it as UTF-8 (CSV UTF-8 in Excel)', { row: 1 });
  }
  const nl = head.indexOf(0x0a);
  const firstLine = decodeUtf8(head.subarray(0, nl >= 0 ? nl : head.length), displayName);
  const found = firstLine
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(delim)
    .map((h) => h.trim().replace(/^"(.*)"$/, '$1').normalize('NFC'));
  const diff = describeHeaderDiff(expected, found);
  if (diff) throw new PipelineInputError('land', displayName, `unexpected columns: ${diff}`, { row: 1 });
}

function decodeUtf8(bytes: Buffer, displayName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PipelineInputError('land', displayName, 'the header is not valid UTF-8 (Windows-1258 or TCVN3?); export it as UTF-8', { row: 1 });
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
  if (extra.length) parts.push(`unexpected ${extra.map((h) => `"${h}"`).join(', ')}`);
  if (missing.length === 1 && extra.length === 1) parts.push(`("${extra[0]}" looks like a renamed "${missing[0]}")`);
  if (!missing.length && !extra.length) {
    const moved = expected.filter((h, i) => found[i] !== h);
    parts.push(`reordered: expected ${expected.join(' | ')}; found ${found.join(' | ')} (first difference: "${moved[0]}")`);
  }
  return parts.join('; ');
}
