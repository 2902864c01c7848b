/**
 * The Biểu 06 reader on total rows (subtotals per band, the grand total wherever it stands) and on
 * cells that hold no usable value (formulas never calculated, cached errors), with workbooks written
 * cell by cell by exceljs as other tools export them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readBieu06Xlsx } from '../../../functions/core/readers/xlsx/bieu06.js';
import { bieu06Counts, bieu06Sum, bieu06Workbook, type Bieu06Cell } from '../../helpers/bieu06-sheet.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bieu06-totals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const c = bieu06Counts;
const sum = bieu06Sum;

/** A sheet with the header block, the column-number row at row 5, then `lines` from row 6 (columns A–M). */
async function sheet(name: string, lines: Bieu06Cell[][]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await bieu06Workbook(lines));
  return path;
}

const A = c(10, 5, 1, 8, 4, 1, 1);
const B = c(3, 2, 0, 2, 2, 0, 0);
const C = c(7, 0, 2, 5, 2, 1, 0);
const D = c(1, 1, 1, 1, 1, 0, 1);

describe('Biểu 06 reader with a subtotal row "Cộng" after each band', () => {
  test('should read every band after a subtotal, check each subtotal against its own rows, and check the grand total against all', async () => {
    const path = await sheet('bands-cong.xlsx', [
      ['I', 'Cấp tỉnh'],
      [1, 'Sở Tư pháp', ...A],
      [2, 'Sở Y tế', ...B],
      [null, 'Cộng', ...sum(A, B)],
      ['II', 'Cấp huyện'],
      [3, 'UBND huyện Đông', ...C],
      [4, 'UBND huyện Tây', ...D],
      [null, 'Cộng', ...sum(C, D)],
      [null, 'Tổng cộng', ...sum(A, B, C, D)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows.map((r) => [r.line_no, r.band, r.unit_name])).toEqual([
      [1, 'Cấp tỉnh', 'Sở Tư pháp'],
      [2, 'Cấp tỉnh', 'Sở Y tế'],
      [3, 'Cấp huyện', 'UBND huyện Đông'],
      [4, 'Cấp huyện', 'UBND huyện Tây'],
    ]);
    expect(got.rowsRead).toBe(4);
    expect(got.quarantine).toEqual([]);
    expect(got.checks).toEqual([]);
    expect(got.totals).toEqual({ sheetRow: 14, counts: expect.objectContaining({ received_total: A[0]! + B[0]! + C[0]! + D[0]! }) });
  });

  test('should name the subtotal row, its column and the rows it sums when it does not add up', async () => {
    const wrong = sum(C, D);
    wrong[0] = wrong[0]! + 1;
    const path = await sheet('bands-cong-wrong.xlsx', [
      ['I', 'Cấp tỉnh'],
      [1, 'Sở Tư pháp', ...A],
      [null, 'Cộng', ...A],
      ['II', 'Cấp huyện'],
      [2, 'UBND huyện Đông', ...C],
      [3, 'UBND huyện Tây', ...D],
      [null, 'Cộng', ...wrong],
      [null, 'Tổng cộng', ...sum(A, C, D)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows).toHaveLength(3);
    expect(got.checks.map((q) => [q.row_no, q.field, q.reason])).toEqual([
      [12, 'c3', `sheet row 12: subtotal "Cộng" of band "Cấp huyện" c3 (${wrong[0]}) ≠ sum of its unit rows, sheet rows 10–11 (${wrong[0]! - 1})`],
    ]);
  });

  test('should read "Toàn tỉnh" at the top as the grand total and the last "Cộng" as the last band\'s subtotal', async () => {
    const path = await sheet('toan-tinh-top.xlsx', [
      [null, 'Toàn tỉnh', ...sum(A, B, C)],
      ['A', 'Cấp tỉnh'],
      [1, 'Sở Tư pháp', ...A],
      [2, 'Sở Y tế', ...B],
      [null, 'Cộng', ...sum(A, B)],
      ['B', 'Cấp huyện'],
      [3, 'UBND huyện Đông', ...C],
      [null, 'Cộng', ...C],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows.map((r) => r.line_no)).toEqual([1, 2, 3]);
    expect(got.checks).toEqual([]);
    expect(got.totals?.sheetRow).toBe(6);
  });

  test('should take the last "Cộng" of a banded table for the grand total when it adds up to all unit rows', async () => {
    const path = await sheet('cong-grand.xlsx', [
      ['I', 'Cấp tỉnh'],
      [1, 'Sở Tư pháp', ...A],
      ['II', 'Cấp huyện'],
      [2, 'UBND huyện Đông', ...C],
      [null, 'Cộng', ...sum(A, C)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.totals?.sheetRow).toBe(10);
    expect(got.checks).toEqual([]);
  });

  test('should read a "Tổng số" row right under a band row as that band\'s subtotal', async () => {
    const path = await sheet('tong-so-under-band.xlsx', [
      ['I', 'Cấp tỉnh'],
      [null, 'Tổng số', ...sum(A, B)],
      [1, 'Sở Tư pháp', ...A],
      [2, 'Sở Y tế', ...B],
      ['II', 'Cấp huyện'],
      [null, 'Tổng số', ...C],
      [3, 'UBND huyện Đông', ...C],
      [null, 'Tổng cộng', ...sum(A, B, C)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows).toHaveLength(3);
    expect(got.checks).toEqual([]);
    expect(got.totals?.sheetRow).toBe(13);
  });

  test('should read "Tổng cộng" right under an empty band row as the grand total, not as that band\'s subtotal', async () => {
    const path = await sheet('empty-band.xlsx', [
      ['I', 'Cấp tỉnh'],
      [1, 'Sở Tư pháp', ...A],
      [2, 'Sở Y tế', ...B],
      ['II', 'Cấp huyện'],
      [null, 'Tổng cộng', ...sum(A, B)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows).toHaveLength(2);
    expect(got.checks).toEqual([]);
    expect(got.totals?.sheetRow).toBe(10);
  });

  test('should keep a unit whose name starts with "Cộng" or "Tổng" (it has its STT) as a unit', async () => {
    const path = await sheet('unit-names.xlsx', [
      [1, 'Cộng đồng dân cư thôn A', ...A],
      [2, 'Tổng công ty Điện lực', ...B],
      [null, 'Cộng đồng các hợp tác xã', ...C],
      [null, 'Tổng cộng', ...sum(A, B)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows.map((r) => r.unit_name)).toEqual(['Cộng đồng dân cư thôn A', 'Tổng công ty Điện lực']);
    // "Cộng đồng …" without an STT is neither a unit nor a total: quarantined, not summed.
    expect(got.quarantine.map((q) => [q.row_no, q.field])).toEqual([[8, 'c1']]);
    expect(got.rowsRead).toBe(3);
    expect(got.checks).toEqual([]);
  });
});

describe('Biểu 06 reader given a report period before 2000', () => {
  test('should refuse the file once, naming the period, not quarantine every row with a schema message', async () => {
    const path = join(dir, 'y1999.xlsx');
    await writeFile(path, await bieu06Workbook([[1, 'Sở A', ...A], [2, 'Sở B', ...B], [null, 'Tổng cộng', ...sum(A, B)]], 'Quý 2/1999 (Từ ngày 01/04/1999 đến ngày 30/06/1999)'));
    await expect(readBieu06Xlsx(path)).rejects.toThrow(
      '[pipeline] [bieu06] Failed to read y1999.xlsx: the report period (Quý 2/1999) is before 2000, the first year the lake accepts: is the year in "Kỳ báo cáo: …" mistyped?',
    );
  });
});

describe('Biểu 06 reader with formula cells', () => {
  test('should quarantine a row with a formula that has no computed value, naming the cell, never reading it as 0', async () => {
    const path = await sheet('formula-no-value.xlsx', [
      [1, 'Sở Tư pháp', ...A],
      [2, 'Sở Y tế', { formula: 'D7+E7+F7' }, ...B.slice(1)],
      [null, 'Tổng cộng', ...sum(A, B)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows.map((r) => r.unit_name)).toEqual(['Sở Tư pháp']);
    expect(got.quarantine).toHaveLength(1);
    expect(got.quarantine[0]).toMatchObject({ row_no: 7, field: 'c3', raw_value: '=D7+E7+F7' });
    expect(got.quarantine[0]!.reason).toBe('sheet row 7: C7: formula without a computed value (c3; open the workbook in Excel, let it calculate, and save it again)');
    expect(got.rowsRead).toBe(2);
    // The uncomputed column is left out of the sums; the others match the total.
    expect(got.checks).toEqual([]);
  });

  test('should quarantine a row whose formula holds a cached error, naming the cell and the error', async () => {
    const path = await sheet('formula-error.xlsx', [
      [1, 'Sở Tư pháp', ...A.slice(0, 3), { formula: 'C6/0', result: { error: '#DIV/0!' } }, ...A.slice(4)],
      [2, 'Sở Y tế', ...B.slice(0, 10), { error: '#N/A' }],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows).toEqual([]);
    expect(got.quarantine.map((q) => [q.row_no, q.field, q.reason])).toEqual([
      [6, 'c6', 'sheet row 6: F6: the cell holds the error #DIV/0! (c6; correct the formula or the figure in the workbook and send it again)'],
      [7, 'c13', 'sheet row 7: M7: the cell holds the error #N/A (c13; correct the formula or the figure in the workbook and send it again)'],
    ]);
  });

  test('should read formulas with cached values, a cached 0 included, as those values', async () => {
    const zero = c(0, 0, 0, 0, 0, 0, 0);
    const path = await sheet('formula-cached.xlsx', [
      [1, 'Sở Tư pháp', { formula: 'D6+E6+F6', result: A[0] }, ...A.slice(1)],
      [2, 'Sở Y tế', { formula: 'D7+E7+F7', result: 0 }, ...zero.slice(1)],
      [null, 'Tổng cộng', ...A.map((x, i) => ({ formula: `${String.fromCharCode(67 + i)}6+${String.fromCharCode(67 + i)}7`, result: x }))],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.quarantine).toEqual([]);
    expect(got.rows.map((r) => r.received_total)).toEqual([A[0], 0]);
    expect(got.checks).toEqual([]);
    expect(got.totals?.counts.received_total).toBe(A[0]);
  });

  test('should report an uncomputed formula in the total row as a check, not as a zero total', async () => {
    const path = await sheet('total-formula.xlsx', [
      [1, 'Sở Tư pháp', ...A],
      [null, 'Tổng cộng', { formula: 'SUM(C6:C6)' }, ...A.slice(1)],
    ]);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows).toHaveLength(1);
    expect(got.totals).toBeNull();
    expect(got.checks.map((q) => q.reason)).toEqual(['sheet row 7: Tổng cộng C7: formula without a computed value (c3; open the workbook in Excel, let it calculate, and save it again)']);
  });
});
