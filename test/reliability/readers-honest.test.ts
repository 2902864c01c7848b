/**
 * Readers that tell the truth about awkward but real exports (issue #12, points 3, 4 and 11): files
 * written by the test (XLSX by exceljs, CSV and JSON as bytes, a CFB header for an encrypted
 * workbook), staged and landed into a real lake (real DuckDB, real Parquet). Each case ends in rows
 * landed and counted, a quarantine record naming the sheet row and cell, or a clear error naming the
 * file and saying how to fix it.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
import { PORTAL_CSV_HEADER } from '../../functions/core/lake/csv-header.js';
import { checkInvariants } from '../../functions/core/lake/invariants.js';
import { cfbFile } from '../fixtures/cfb.js';
import { fixture, lakeFactory, landFiles, landRegistry, type TestLake } from './lakes.js';
import { recorder } from './record.js';
import { bieu06Counts, bieu06Sum, bieu06Workbook, type Bieu06Cell } from '../helpers/bieu06-sheet.js';

const rec = recorder('readers-honest');
afterAll(() => rec.flush());


type Lake = TestLake;

const newLake = lakeFactory('readers-honest');


const withRegistry = (lake: Lake): Promise<void> => landRegistry(lake);

async function quarantined(lake: Lake): Promise<{ dataset: string; row_no: number; field: string | null; reason: string; raw_value: string | null }[]> {
  const files = (await lake.storage.list('quarantine/')).filter((o) => o.key.endsWith('.parquet'));
  if (files.length === 0) return [];
  return (await withDuckDb((db) =>
    db.all(
      `SELECT dataset, CAST(row_no AS INTEGER) AS row_no, field, reason, raw_value
       FROM read_parquet(${literal(`${lake.root}/quarantine/**/*.parquet`)}, hive_partitioning = true) ORDER BY dataset, row_no, field`,
    ),
  )) as never;
}

async function landed(lake: Lake, dataset: string, columns: string, order: string): Promise<Record<string, unknown>[]> {
  const files = (await lake.storage.list(`landed/${dataset}/`)).filter((o) => o.key.endsWith('.parquet'));
  if (files.length === 0) return [];
  return withDuckDb((db) => db.all(`SELECT ${columns} FROM read_parquet(${literal(`${lake.root}/landed/${dataset}/**/*.parquet`)}, hive_partitioning = true) ORDER BY ${order}`));
}

// ---------------------------------------------------------------------------------------------
// Biểu 06 workbooks, written cell by cell as other tools export them

const counts = bieu06Counts;
const sum = bieu06Sum;
/** Header block (year 2024), column numbers 1…13 at sheet row 5, `lines` from sheet row 6. */
const bieu06 = (lines: Bieu06Cell[][]): Promise<Buffer> => bieu06Workbook(lines, 'Năm 2024 (Từ ngày 01/01/2024 đến ngày 31/12/2024)');

const A = counts(10, 5, 1, 8, 4, 1, 1);
const B = counts(3, 2, 0, 2, 2, 0, 0);
const C = counts(7, 0, 2, 5, 2, 1, 0);
const D = counts(1, 1, 1, 1, 1, 0, 1);

describe('Landing a Biểu 06 sheet with a subtotal row after each band', () => {
  test('should land and count the unit rows of every band, and quarantine a wrong subtotal as a check naming its row and column', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const wrong = sum(C, D);
    wrong[8] = wrong[8]! + 2; // c11 of band II's subtotal
    const bytes = await bieu06([
      ['I', 'Cấp tỉnh'],
      [1, 'Sở Tư pháp', ...A],
      [2, 'Sở Công Thương', ...B],
      [null, 'Cộng', ...sum(A, B)],
      ['II', 'Cấp huyện'],
      [3, 'UBND huyện Đông', ...C],
      [4, 'UBND huyện Tây', ...D],
      [null, 'Cộng', ...wrong],
      [null, 'Tổng cộng', ...sum(A, B, C, D)],
    ]);
    const s = await landFiles(lake, [{ name: 'bieu06_2024.xlsx', bytes, kind: 'bieu06-xlsx', period: '2024' }]);
    const entry = s.files.find((f) => f.original_name === 'bieu06_2024.xlsx')!;
    expect([entry.rows_read, entry.rows_landed, entry.rows_quarantined]).toEqual([4, 4, 0]);
    const rows = await landed(lake, 'bieu06', 'line_no, band, unit_name, agency_code', 'line_no');
    expect(rows).toEqual([
      { line_no: 1, band: 'Cấp tỉnh', unit_name: 'Sở Tư pháp', agency_code: 'H99.01' },
      { line_no: 2, band: 'Cấp tỉnh', unit_name: 'Sở Công Thương', agency_code: 'H99.04' },
      { line_no: 3, band: 'Cấp huyện', unit_name: 'UBND huyện Đông', agency_code: null },
      { line_no: 4, band: 'Cấp huyện', unit_name: 'UBND huyện Tây', agency_code: null },
    ]);
    const q = await quarantined(lake);
    expect(q).toEqual([
      {
        dataset: 'bieu06_checks',
        row_no: 13,
        field: 'c11',
        reason: `sheet row 13: subtotal "Cộng" of band "Cấp huyện" c11 (${wrong[8]}) ≠ sum of its unit rows, sheet rows 11–12 (${wrong[8]! - 2})`,
        raw_value: String(wrong[8]),
      },
    ]);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    rec.add({
      id: 'bieu06-subtotal-bands',
      area: 'Bad input',
      tried: 'a Biểu 06 sheet with two bands, each closed by a "Cộng" subtotal row, then "Tổng cộng"; band II\'s subtotal is 2 off in c11',
      happened: `read ${entry.rows_read} = landed ${entry.rows_landed} + quarantined ${entry.rows_quarantined}; the reader reads past each subtotal; check: ${q[0]!.reason.replace(/^sheet row \d+: /, '')}`,
      kept: '4 unit rows (both bands, also the 2 after the first subtotal); the wrong subtotal as a bieu06_checks record (sheet row 13, c11); the grand total agrees',
    });
  });
});

describe('Landing a Biểu 06 sheet saved by a tool that does not calculate formulas', () => {
  test('should quarantine the row with an uncalculated formula, naming the cell, and land the others', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const bytes = await bieu06([
      [1, 'Sở Tư pháp', ...A],
      [2, 'Sở Công Thương', { formula: 'D7+E7+F7' }, ...B.slice(1)],
      [null, 'Tổng cộng', ...A.map((_, i) => ({ formula: `SUM(${String.fromCharCode(67 + i)}6:${String.fromCharCode(67 + i)}7)` }))],
    ]);
    const s = await landFiles(lake, [{ name: 'bieu06_2024.xlsx', bytes, kind: 'bieu06-xlsx', period: '2024' }]);
    const entry = s.files.find((f) => f.original_name === 'bieu06_2024.xlsx')!;
    expect([entry.rows_read, entry.rows_landed, entry.rows_quarantined]).toEqual([2, 1, 1]);
    const rows = await landed(lake, 'bieu06', 'unit_name, received_total', 'line_no');
    expect(rows.map((r) => [r.unit_name, Number(r.received_total)])).toEqual([['Sở Tư pháp', A[0]]]);
    const q = await quarantined(lake);
    const unit = q.filter((r) => r.dataset === 'bieu06');
    expect(unit).toEqual([
      { dataset: 'bieu06', row_no: 7, field: 'c3', reason: 'sheet row 7: C7: formula without a computed value (c3; open the workbook in Excel, let it calculate, and save it again)', raw_value: '=D7+E7+F7' },
    ]);
    // Every cell of the uncalculated totals row is a check, never a zero total.
    const checks = q.filter((r) => r.dataset === 'bieu06_checks');
    expect(checks).toHaveLength(11);
    expect(checks.every((r) => r.reason.includes('formula without a computed value'))).toBe(true);
    expect(checks.find((r) => r.field === 'c3')!.reason).toBe('sheet row 8: Tổng cộng C8: formula without a computed value (c3; open the workbook in Excel, let it calculate, and save it again)');
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    rec.add({
      id: 'bieu06-formula-no-value',
      area: 'Bad input',
      tried: 'a Biểu 06 sheet whose c3 of unit row 7 and whole "Tổng cộng" row are formulas saved without computed values (as a non-calculating tool writes them)',
      happened: `read ${entry.rows_read} = landed ${entry.rows_landed} + quarantined ${entry.rows_quarantined}; row 7: ${unit[0]!.reason.replace(/^sheet row \d+: /, '')}`,
      kept: 'the other unit row; row 7 in quarantine (raw value "=D7+E7+F7", never 0); 11 bieu06_checks records for the uncalculated totals row (no totals taken)',
    });
  });

  test('should quarantine the row whose formula holds a cached error, naming the cell and the error', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const bytes = await bieu06([
      [1, 'Sở Tư pháp', ...A.slice(0, 3), { formula: 'C6/0', result: { error: '#DIV/0!' } }, ...A.slice(4)],
      [2, 'Sở Công Thương', ...B.slice(0, 10), { formula: 'VLOOKUP(B7,X:Y,2,0)', result: { error: '#N/A' } }],
      [3, 'UBND huyện Đông', ...C],
    ]);
    const s = await landFiles(lake, [{ name: 'bieu06_2024.xlsx', bytes, kind: 'bieu06-xlsx', period: '2024' }]);
    const entry = s.files.find((f) => f.original_name === 'bieu06_2024.xlsx')!;
    expect([entry.rows_read, entry.rows_landed, entry.rows_quarantined]).toEqual([3, 1, 2]);
    expect((await landed(lake, 'bieu06', 'unit_name', 'line_no')).map((r) => r.unit_name)).toEqual(['UBND huyện Đông']);
    const q = await quarantined(lake);
    expect(q.map((r) => [r.dataset, r.row_no, r.field, r.reason])).toEqual([
      ['bieu06', 6, 'c6', 'sheet row 6: F6: the cell holds the error #DIV/0! (c6; correct the formula or the figure in the workbook and send it again)'],
      ['bieu06', 7, 'c13', 'sheet row 7: M7: the cell holds the error #N/A (c13; correct the formula or the figure in the workbook and send it again)'],
    ]);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    rec.add({
      id: 'bieu06-formula-cached-error',
      area: 'Bad input',
      tried: 'a Biểu 06 sheet with formulas whose cached values are #DIV/0! (F6) and #N/A (M7)',
      happened: `read ${entry.rows_read} = landed ${entry.rows_landed} + quarantined ${entry.rows_quarantined}; F6: the cell holds the error #DIV/0!; M7: the cell holds the error #N/A`,
      kept: 'the row without errors; rows 6 and 7 in quarantine with the cell and the error named (never read as 0)',
    });
  });
});

describe('Landing a CSV export that holds only a byte-order mark', () => {
  test('should fail saying the file is empty, naming it', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const run = landFiles(lake, [{ name: 'portal/2024-05.csv', bytes: Buffer.from('\ufeff'), kind: 'portal-csv' }]);
    await expect(run).rejects.toThrow('portal/2024-05.csv (row 1): the file is empty: it holds only a byte-order mark (BOM) and no header row');
    const err = (await run.catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain('unexpected');
    expect(await landed(lake, 'dossiers', 'dossier_id', 'dossier_id')).toEqual([]);
    rec.add({
      id: 'csv-bom-only',
      area: 'Bad input',
      tried: 'a portal CSV of 3 bytes: only the UTF-8 byte-order mark',
      happened: 'error: the file is empty: it holds only a byte-order mark (BOM) and no header row; export the data again (CSV UTF-8) with the header row and the rows',
      kept: 'nothing of the file',
    });
  });
});

describe('Landing a CSV export with trailing empty columns from Excel', () => {
  test('should ignore the empty columns in the header and the rows, land the rows, and quarantine a row with a value there', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const row = (id: string, extra: string): string =>
      `${id},1.000001,H99.01,2,03/05/2024 08:15,10/05/2024 17:00,09/05/2024 10:00,DA_TRA_KET_QUA,0,Có,Có,Có,Có,Có,Không,09/05/2024 10:00${extra}`;
    const text = `\ufeff${PORTAL_CSV_HEADER.join(',')},,\r\n${row('T-1', ',,')}\r\n${row('T-2', ',,')}\r\n${row('T-3', ',ghi chú,')}\r\n${row('T-4', ',,')}\r\n`;
    const s = await landFiles(lake, [{ name: 'portal/2024-05.csv', bytes: Buffer.from(text), kind: 'portal-csv' }]);
    const entry = s.files.find((f) => f.original_name === 'portal/2024-05.csv')!;
    expect([entry.rows_read, entry.rows_landed, entry.rows_quarantined]).toEqual([4, 3, 1]);
    expect((await landed(lake, 'dossiers', 'dossier_id', 'dossier_id')).map((r) => r.dossier_id)).toEqual(['T-1', 'T-2', 'T-4']);
    const q = await quarantined(lake);
    expect(q.map((r) => r.row_no)).toEqual([3]);
    expect(q[0]!.reason).toMatch(/column/i);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    rec.add({
      id: 'csv-trailing-empty-columns',
      area: 'Bad input',
      tried: 'a portal CSV saved by Excel with 2 empty columns after "Ngày cập nhật" (header "…,Ngày cập nhật,,", rows ending ",,"); row 3 has "ghi chú" in one of them',
      happened: `the empty columns are ignored (header and rows); read ${entry.rows_read} = landed ${entry.rows_landed} + quarantined ${entry.rows_quarantined}; row 3: ${q[0]!.reason}`,
      kept: '3 dossiers; row 3 in quarantine (a value under an empty heading is not dropped)',
    });
  });
});

describe('Landing a password-protected workbook', () => {
  test('should fail saying the workbook is password-protected and how to save it without the password', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const run = landFiles(lake, [{ name: 'bieu06_2024.xlsx', bytes: cfbFile(['EncryptionInfo', 'EncryptedPackage']), kind: 'bieu06-xlsx', period: '2024' }]);
    await expect(run).rejects.toThrow('bieu06_2024.xlsx: the workbook is password-protected (encrypted), so it cannot be read; open it in Excel, remove the password');
    expect(await landed(lake, 'bieu06', 'unit_name', 'unit_name')).toEqual([]);
    rec.add({
      id: 'xlsx-password-protected',
      area: 'Bad input',
      tried: 'a Biểu 06 .xlsx saved with a password to open (an OLE compound file with EncryptionInfo / EncryptedPackage, magic D0 CF 11 E0)',
      happened: 'error: the workbook is password-protected (encrypted), so it cannot be read; open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear the box) and save it again as .xlsx',
      kept: 'nothing of the file',
    });
  });
});

describe('Landing a JSON answer saved with a UTF-8 byte-order mark', () => {
  test('should read it as if the mark were not there', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const doc = { data: [{ ID: 'u1', TEN: 'Sở Tư pháp', MA_COQUAN: 'H99.01', LOAI_COQUAN: 2, CAPDONVIID: 2, CKMB: 9, TDGQ: 20, CLGQ: 11, TTTT: 7, MDHL: 18, MDSH: 14, TONG_SCORE: 79 }] };
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(doc))]);
    const page = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('api-page1.json')]);
    const s = await landFiles(lake, [
      { name: 'score766_2024-05.json', bytes, kind: 'score766-legacy' },
      { name: 'api-page1-bom.json', bytes: page, kind: 'portal-api' },
    ]);
    const entry = s.files.find((f) => f.original_name === 'score766_2024-05.json')!;
    expect([entry.rows_read, entry.rows_landed, entry.rows_quarantined]).toEqual([1, 1, 0]);
    // A dossier page of the portal API with a BOM is read by DuckDB, which skips the mark itself.
    const pageEntry = s.files.find((f) => f.original_name === 'api-page1-bom.json')!;
    expect(pageEntry.rows_read).toBeGreaterThan(0);
    expect(pageEntry.rows_landed).toBe(pageEntry.rows_read);
    expect((await landed(lake, 'dossiers', 'dossier_id', 'dossier_id')).map((r) => r.dossier_id)).toContain('DP-1');
    const rows = await landed(lake, 'score766', 'unit_name, agency_code, score_total', 'unit_name');
    expect(rows.map((r) => [r.unit_name, r.agency_code, Number(r.score_total)])).toEqual([['Sở Tư pháp', 'H99.01', 79]]);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    rec.add({
      id: 'json-utf8-bom',
      area: 'Bad input',
      tried: 'a 766 report answer (JSON) and a portal API dossier page, each saved with a UTF-8 byte-order mark (EF BB BF), as Notepad and PowerShell write them',
      happened: `the mark is dropped before parsing; 766: read 1 = landed 1 + quarantined 0; API page: read ${pageEntry.rows_read} = landed ${pageEntry.rows_landed}`,
      kept: `1 score766 row (Sở Tư pháp, 79 points); ${pageEntry.rows_landed} dossiers`,
    });
  });
});
