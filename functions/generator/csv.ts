/**
 * CSV text helpers and the exact header constants of every CSV the generator writes. The headers are
 * binding (docs/data-contracts.md lists them and test/unit/contracts.test.ts checks the doc).
 */
export const BOM = '\ufeff';
export const CRLF = '\r\n';

/** Portal dossier export (FORMATS §1), in this order. */
export const PORTAL_DOSSIER_HEADER = [
  'Mã hồ sơ',
  'Mã TTHC',
  'Mã đơn vị',
  'Kênh nộp',
  'Ngày tiếp nhận',
  'Ngày hẹn trả',
  'Ngày kết thúc',
  'Trạng thái',
  'Số ngày chờ bổ sung',
  'Có phí',
  'Thanh toán trực tuyến',
  'Đã số hóa',
  'Có kết quả điện tử',
  'Đồng bộ DVCQG',
  'Có phản ánh',
  'Ngày cập nhật',
] as const;

/** NSW export (FORMATS §3), semicolon separated. */
export const NSW_DOSSIER_HEADER = [
  'STT',
  'Số hồ sơ',
  'Mã thủ tục',
  'Tên thủ tục',
  'Mã cơ quan xử lý',
  'Ngày nộp',
  'Ngày tiếp nhận',
  'Ngày hẹn trả',
  'Ngày hoàn thành',
  'Trạng thái',
  'Thanh toán trực tuyến',
  'Có kết quả điện tử',
] as const;

/** registry/agencies.csv: the zod Agency fields. */
export const AGENCY_HEADER = [
  'agency_code',
  'name',
  'short_name',
  'kind',
  'parent_code',
  'province_code',
  'valid_from',
  'valid_to',
  'successor_code',
] as const;

/** registry/procedures.csv: the zod Procedure fields. */
export const PROCEDURE_HEADER = [
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

/** Parse RFC 4180 text (small files only: seeds, registries in tests). Strips a leading BOM. */
export function parseCsv(text: string, sep = ','): string[][] {
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
