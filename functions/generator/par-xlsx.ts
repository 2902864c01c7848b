/**
 * The PAR Index decision table as an XLSX, in the layout functions/core/readers/xlsx/par.ts reads
 * (see there). Only the demo generator and the tests write PAR workbooks, so the writer lives here,
 * outside the pipeline's core.
 */
import {
  documentDate,
  newWorkbook,
  setRow,
  writeWorkbookDeterministic,
} from '../core/readers/xlsx/common.js';

const SCOPE = 'par';
const round2 = (x: number): number => Math.round(x * 100) / 100;

export interface ParTableField {
  readonly no: number;
  readonly name: string;
  readonly max: number;
}

export interface ParTableRow {
  readonly agencyName: string;
  readonly agencyCode: string | null;
  /** aligned with ParTable.fields */
  readonly fields: readonly { readonly self: number; readonly appraised: number }[];
  readonly survey: number;
  readonly total: number;
  readonly rank: number;
  readonly band: string;
}

export interface ParTable {
  readonly year: number;
  readonly provinceName: string;
  readonly decisionNo: string;
  readonly fields: readonly ParTableField[];
  readonly surveyMax: number;
  readonly rows: readonly ParTableRow[];
  /** Optional note printed under the table (e.g. "Số liệu giả lập (synthetic)"). */
  readonly note?: string;
}

/** Write a PAR table; same input → byte-identical file (dates fixed to 31/12 of the year). */
export async function writeParXlsx(path: string, table: ParTable): Promise<void> {
  for (const r of table.rows) {
    if (r.fields.length !== table.fields.length) {
      throw new RangeError(`[pipeline] [${SCOPE}] Failed to write PAR row "${r.agencyName}": ${r.fields.length} field scores for ${table.fields.length} fields`);
    }
  }
  const when = documentDate(`${table.year}-12-31`);
  const wb = newWorkbook(when);
  wb.title = `Chỉ số cải cách hành chính năm ${table.year}`;
  const ws = wb.addWorksheet('PAR', { pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  const nf = table.fields.length;
  const lastCol = 2 + nf * 3 + 2 + 2 + 2;
  ws.columns = [{ width: 6 }, { width: 44 }, ...Array.from({ length: lastCol - 2 }, () => ({ width: 11 }))];
  const bold = { bold: true };
  const center = { horizontal: 'center', vertical: 'middle', wrapText: true } as const;
  const thin = { style: 'thin' } as const;
  const border = { top: thin, left: thin, bottom: thin, right: thin };

  ws.getCell(1, 1).value = `ỦY BAN NHÂN DÂN ${table.provinceName.toUpperCase()}`;
  ws.getCell(1, 1).font = bold;
  ws.mergeCells(2, 1, 2, lastCol);
  ws.getCell(2, 1).value = `KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM ${table.year} CỦA CÁC SỞ, BAN, NGÀNH`;
  ws.getCell(2, 1).font = { bold: true, size: 13 };
  ws.getCell(2, 1).alignment = center;
  ws.mergeCells(3, 1, 3, lastCol);
  ws.getCell(3, 1).value = `(Kèm theo Quyết định số ${table.decisionNo} của Ủy ban nhân dân ${table.provinceName})`;
  ws.getCell(3, 1).alignment = center;

  const top = 5;
  const sub = 6;
  const put = (r1: number, c1: number, r2: number, c2: number, text: string): void => {
    if (r1 !== r2 || c1 !== c2) ws.mergeCells(r1, c1, r2, c2);
    ws.getCell(r1, c1).value = text;
  };
  put(top, 1, sub, 1, 'STT');
  put(top, 2, sub, 2, 'Đơn vị');
  let col = 3;
  for (const f of table.fields) {
    put(top, col, top, col + 2, `${f.no}. ${f.name}`);
    put(sub, col, sub, col, 'Điểm tối đa');
    put(sub, col + 1, sub, col + 1, 'Tự đánh giá');
    put(sub, col + 2, sub, col + 2, 'Thẩm định');
    col += 3;
  }
  put(top, col, top, col + 1, 'Điểm điều tra xã hội học');
  put(sub, col, sub, col, 'Điểm tối đa');
  put(sub, col + 1, sub, col + 1, 'Đạt được');
  col += 2;
  put(top, col, top, col + 1, 'Tổng điểm');
  put(sub, col, sub, col, 'Điểm tối đa');
  put(sub, col + 1, sub, col + 1, 'Đạt được');
  col += 2;
  put(top, col, sub, col, 'Xếp hạng');
  put(top, col + 1, sub, col + 1, 'Xếp loại');
  for (const r of [top, sub]) {
    for (let c = 1; c <= lastCol; c++) {
      const cell = ws.getCell(r, c);
      cell.font = bold;
      cell.alignment = center;
      cell.border = border;
    }
  }
  ws.getRow(top).height = 48;

  const fieldMax = round2(table.fields.reduce((a, f) => a + f.max, 0));
  table.rows.forEach((row, i) => {
    const r = sub + 1 + i;
    const values: (string | number | undefined)[] = [i + 1, row.agencyName];
    table.fields.forEach((f, k) => {
      const s = row.fields[k];
      values.push(f.max, s?.self ?? 0, s?.appraised ?? 0);
    });
    values.push(table.surveyMax, row.survey, round2(fieldMax + table.surveyMax), row.total, row.rank, row.band);
    setRow(ws, r, values);
    for (let c = 1; c <= lastCol; c++) {
      const cell = ws.getCell(r, c);
      cell.border = border;
      if (c >= 3 && c <= lastCol - 2) cell.numFmt = '#,##0.00';
      if (c === 1 || c >= lastCol - 1) cell.alignment = { horizontal: 'center' };
    }
  });
  if (table.note) ws.getCell(sub + table.rows.length + 2, 1).value = table.note;
  await writeWorkbookDeterministic(wb, path, when);
}
