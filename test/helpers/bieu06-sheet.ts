/** A Biểu 06 worksheet as a unit's clerk fills it, for the reader tests: one builder, not one per test file. */
import ExcelJS from 'exceljs';

/** A cell as the tests write it: a figure, a text, a formula (with or without its cached result), an error value. */
export type Bieu06Cell = string | number | null | { formula: string; result?: unknown } | { error: string };

/** c3…c13 that add up, from (online, offline, carried over, early, on time, late, overdue). */
export function bieu06Counts(online: number, offline: number, carried: number, early: number, onTime: number, late: number, overdue: number): number[] {
  const received = online + offline + carried;
  const resolved = early + onTime + late;
  const pending = received - resolved;
  return [received, online, offline, carried, resolved, early, onTime, late, pending, pending - overdue, overdue];
}

/** Column-wise sums of rows of c3…c13. */
export const bieu06Sum = (...rows: number[][]): number[] => rows[0]!.map((_, i) => rows.reduce((a, r) => a + r[i]!, 0));

/**
 * The workbook's bytes: the header block (form name, reporting period `period`), the column numbers 1…13 at
 * sheet row 5, then `lines` from sheet row 6 (columns A–M; a null cell is left empty).
 */
export async function bieu06Workbook(lines: Bieu06Cell[][], period = 'Quý 2/2025 (Từ ngày 01/04/2025 đến ngày 30/06/2025)'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Biểu 06');
  ws.getCell('A1').value = 'Biểu số 06/VPCP/KSTT';
  ws.getCell('A2').value = `Kỳ báo cáo: ${period}`;
  ws.getCell('A4').value = 'STT';
  ws.getCell('B4').value = 'Đơn vị';
  for (let n = 1; n <= 13; n++) ws.getCell(5, n).value = n;
  lines.forEach((line, r) =>
    line.forEach((v, k) => {
      if (v !== null) ws.getCell(6 + r, k + 1).value = v as ExcelJS.CellValue;
    }),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
