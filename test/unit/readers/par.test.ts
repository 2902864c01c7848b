import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { PipelineInputError } from '../../../functions/core/errors.js';
import { readParXlsx } from '../../../functions/core/readers/xlsx/par.js';
import { writeParXlsx, type ParTable } from '../../../functions/generator/par-xlsx.js';
import { ParField, ParTotal, QuarantineRecord, type Agency } from '../../../functions/core/schemas/index.js';

const agency = (code: string, name: string, short: string): Agency => ({
  agency_code: code,
  name,
  short_name: short,
  kind: 'so',
  parent_code: null,
  province_code: 'H99',
  valid_from: '2019-01-01',
  valid_to: null,
  successor_code: null,
});
const REGISTRY = [agency('H99.05', 'Sở Tư pháp', 'Tư pháp'), agency('H99.06', 'Sở Y tế', 'Y tế'), agency('H99.04', 'Sở Tài chính', 'Tài chính')];

const FIELDS = [
  { no: 1, name: 'Công tác chỉ đạo, điều hành cải cách hành chính', max: 10 },
  { no: 2, name: 'Cải cách thể chế', max: 6.5 },
  { no: 3, name: 'Cải cách thủ tục hành chính', max: 13.5 },
];
const TABLE: ParTable = {
  year: 2024,
  provinceName: 'tỉnh Sông Xanh',
  decisionNo: '123/QĐ-UBND',
  fields: FIELDS,
  surveyMax: 70,
  rows: [
    { agencyName: 'Sở Tư pháp', agencyCode: 'H99.05', fields: [{ self: 9.5, appraised: 9.25 }, { self: 6.5, appraised: 6.5 }, { self: 13, appraised: 12.75 }], survey: 58.27, total: 86.77, rank: 1, band: 'Tốt' },
    { agencyName: 'Sở Y tế', agencyCode: 'H99.06', fields: [{ self: 9, appraised: 8.5 }, { self: 6, appraised: 5.75 }, { self: 12, appraised: 11.5 }], survey: 57.7, total: 83.45, rank: 2, band: 'Khá' },
    { agencyName: 'Sở Tài chính', agencyCode: 'H99.04', fields: [{ self: 8, appraised: 7 }, { self: 5, appraised: 4.5 }, { self: 10, appraised: 9 }], survey: 50.33, total: 70.83, rank: 3, band: 'Trung bình' },
  ],
  note: 'Số liệu giả lập (synthetic).',
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'par-'));
});
afterAll(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('PAR writer and reader round trip', () => {
  test('should read back every field score and total that was written', async () => {
    const path = join(dir, 'par_2024.xlsx');
    await writeParXlsx(path, TABLE);
    const got = await readParXlsx(path, { registry: REGISTRY });
    expect(got.quarantine).toEqual([]);
    expect(got.year).toBe(2024);
    expect(got.decisionNo).toBe('123/QĐ-UBND');
    expect(got.rowsRead).toBe(3);
    const expectedFields: ParField[] = TABLE.rows.flatMap((r) =>
      r.fields.map((s, i) => ({
        year: 2024,
        agency_code: r.agencyCode,
        agency_name: r.agencyName,
        field_no: FIELDS[i]!.no,
        field_name: FIELDS[i]!.name,
        max_points: FIELDS[i]!.max,
        self_points: s.self,
        appraised_points: s.appraised,
      })),
    );
    expect(got.fields).toEqual(expectedFields);
    expect(got.totals.map((t) => [t.agency_code, t.total_points, t.total_max, t.survey_points, t.rank, t.band])).toEqual([
      ['H99.05', 86.77, 100, 58.27, 1, 'Tốt'],
      ['H99.06', 83.45, 100, 57.7, 2, 'Khá'],
      ['H99.04', 70.83, 100, 50.33, 3, 'Trung bình'],
    ]);
    expect(got.totals[1]).toEqual({
      year: 2024,
      agency_code: 'H99.06',
      agency_name: 'Sở Y tế',
      appraised_points: 25.75,
      appraised_max: 30,
      survey_points: 57.7,
      survey_max: 70,
      total_points: 83.45,
      total_max: 100,
      rank: 2,
      band: 'Khá',
    } satisfies ParTotal);
  });
});

describe('PAR writer run twice at different clock times', () => {
  test('should write byte-identical files', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2030-01-02T03:04:05Z'));
      await writeParXlsx(join(dir, 'a.xlsx'), TABLE);
      vi.setSystemTime(new Date('2033-11-12T13:14:15Z'));
      await writeParXlsx(join(dir, 'b.xlsx'), TABLE);
    } finally {
      vi.useRealTimers();
    }
    expect((await readFile(join(dir, 'a.xlsx'))).equals(await readFile(join(dir, 'b.xlsx')))).toBe(true);
  });
});

describe('PAR reader with rows that break the score rules', () => {
  test('should quarantine a wrong total and a score above its max, one record per row', async () => {
    const rows = [...TABLE.rows];
    rows[0] = { ...rows[0]!, total: 86.8 };
    rows[2] = { ...rows[2]!, fields: [{ self: 8, appraised: 7 }, { self: 7, appraised: 4.5 }, { self: 10, appraised: 9 }] };
    const path = join(dir, 'par-bad.xlsx');
    await writeParXlsx(path, { ...TABLE, rows });
    const got = await readParXlsx(path, {});
    expect(got.quarantine.map((q) => [q.row_no, q.field, q.reason])).toEqual([
      [7, 'total', 'sheet row 7: total (86,8) ≠ sum of appraised + survey (86,77)'],
      [9, 'field 2 self', 'sheet row 9: field 2 self-assessed 7 > max 6,5'],
    ]);
    expect(got.quarantine.every((q) => QuarantineRecord.safeParse(q).success)).toBe(true);
    expect(got.totals.map((t) => t.agency_name)).toEqual(['Sở Y tế']);
    expect(got.fields).toHaveLength(3);
    expect(got.rowsRead).toBe(got.totals.length + got.quarantine.length);
  });

  test('should accept a total within ±0,01 of the sum', async () => {
    const rows = [{ ...TABLE.rows[0]!, total: 86.78 }];
    const path = join(dir, 'par-tolerance.xlsx');
    await writeParXlsx(path, { ...TABLE, rows });
    const got = await readParXlsx(path, {});
    expect(got.quarantine).toEqual([]);
    expect(got.totals[0]?.total_points).toBe(86.78);
  });
});

describe('PAR reader with a foreign-style table', () => {
  test('should read vi-VN text numbers, extra title lines and a shifted table', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('KQ');
    const put = (r: number, values: (string | number | null)[]): void =>
      values.forEach((v, i) => {
        if (v !== null) ws.getCell(r, i + 2).value = v;
      });
    put(1, ['UBND TỈNH GIA LAI']);
    put(2, ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM']);
    put(4, ['BẢNG TỔNG HỢP KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023']);
    put(5, ['(Kèm theo Quyết định số 45/QĐ-UBND ngày 20/02/2024)']);
    put(7, ['STT', 'Tên cơ quan, đơn vị', '1. Cải cách thể chế', null, null, 'Điều tra xã hội học', null, 'Tổng điểm', null, 'Xếp hạng', 'Xếp loại']);
    put(8, [null, null, 'Điểm tối đa', 'Tự đánh giá', 'Thẩm định', 'Điểm tối đa', 'Đạt được', 'Điểm tối đa', 'Đạt được']);
    put(9, ['I', 'Sở, ban, ngành']);
    put(10, ['1', 'Sở Tư pháp - tỉnh Gia Lai', '6,50', '6,5', '6,25', '93,5', '77,2', '100', '83,45', 1, 'Khá']);
    put(11, [2, 'Sở Y tế', 6.5, 6, 6, 93.5, 80, 100, 86, 2, 'Tốt']);
    put(13, ['Ghi chú: năm 2023']);
    await wb.xlsx.writeFile(join(dir, 'foreign-par.xlsx'));
    const got = await readParXlsx(join(dir, 'foreign-par.xlsx'), { registry: REGISTRY });
    expect(got.quarantine).toEqual([]);
    expect(got.year).toBe(2023);
    expect(got.decisionNo).toBe('45/QĐ-UBND');
    expect(got.fields.map((f) => [f.agency_code, f.field_no, f.field_name, f.max_points, f.self_points, f.appraised_points])).toEqual([
      ['H99.05', 1, 'Cải cách thể chế', 6.5, 6.5, 6.25],
      ['H99.06', 1, 'Cải cách thể chế', 6.5, 6, 6],
    ]);
    expect(got.totals.map((t) => t.total_points)).toEqual([83.45, 86]);
  });
});

describe('PAR reader with a decision that publishes only final scores', () => {
  test('should load fields without a self-assessment column and units without a band', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Phụ lục');
    const put = (r: number, values: (string | number | null)[]): void =>
      values.forEach((v, i) => {
        if (v !== null) ws.getCell(r, i + 1).value = v;
      });
    put(1, ['ỦY BAN NHÂN DÂN TỈNH SÔNG XANH']);
    put(2, ['KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2022 CỦA CÁC SỞ, BAN, NGÀNH']);
    put(3, ['(Kèm theo Quyết định số 77/QĐ-UBND)']);
    put(5, ['STT', 'Đơn vị', '1. Cải cách thể chế', null, '2. Cải cách TTHC', null, 'Điểm điều tra xã hội học', null, 'Tổng điểm', null, 'Xếp hạng']);
    put(6, [null, null, 'Điểm tối đa', 'Điểm đạt được', 'Điểm tối đa', 'Điểm đạt được', 'Điểm tối đa', 'Đạt được', 'Điểm tối đa', 'Đạt được']);
    put(7, [1, 'Sở Y tế', 6, 5.5, 14, 13, 80, 66.2, 100, 84.7, 1]);
    put(8, [2, 'Sở Tư pháp', '6,00', '4,75', '14,00', '12,50', '80,00', '60,10', '100,00', '77,35', 2]);
    put(9, [3, 'Sở Tài chính', 6, 7, 14, 12, 80, 60, 100, 79, 3]);
    await wb.xlsx.writeFile(join(dir, 'par_2022_final.xlsx'));
    const got = await readParXlsx(join(dir, 'par_2022_final.xlsx'), { registry: REGISTRY });
    expect(got.year).toBe(2022);
    expect(got.rowsRead).toBe(3);
    expect(got.fields.map((f) => [f.agency_code, f.field_no, f.max_points, f.self_points, f.appraised_points])).toEqual([
      ['H99.06', 1, 6, null, 5.5],
      ['H99.06', 2, 14, null, 13],
      ['H99.05', 1, 6, null, 4.75],
      ['H99.05', 2, 14, null, 12.5],
    ]);
    expect(got.totals.map((t) => [t.agency_code, t.appraised_points, t.appraised_max, t.survey_points, t.total_points, t.rank, t.band])).toEqual([
      ['H99.06', 18.5, 20, 66.2, 84.7, 1, null],
      ['H99.05', 17.25, 20, 60.1, 77.35, 2, null],
    ]);
    for (const f of got.fields) expect(ParField.parse(f)).toEqual(f);
    for (const t of got.totals) expect(ParTotal.parse(t)).toEqual(t);
    // The score rules still hold: a field above its maximum is quarantined with the sheet row.
    expect(got.quarantine.map((q) => [q.row_no, q.reason])).toEqual([[9, 'sheet row 9: field 1 appraised 7 > max 6']]);
  });
});

describe('PAR reader with an unreadable file', () => {
  test('should reject a file that is not an XLSX, naming it', async () => {
    const path = join(dir, 'par_2025.xlsx');
    await writeFile(path, '<html><body>Phiên đăng nhập đã hết hạn</body></html>');
    const err = await readParXlsx(path, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as Error).message).toMatch(/\[par\] Failed to read par_2025\.xlsx: not an XLSX file/);
  });

  test('should reject a header without the survey, total and rank groups, listing them', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('KQ');
    ws.getRow(3).values = ['STT', 'Đơn vị', '1. Cải cách thể chế'];
    ws.getRow(4).values = [null, null, 'Điểm tối đa', 'Tự đánh giá', 'Thẩm định'];
    await wb.xlsx.writeFile(join(dir, 'par-partial.xlsx'));
    await expect(readParXlsx(join(dir, 'par-partial.xlsx'), { year: 2024 })).rejects.toThrow(
      'Failed to read par-partial.xlsx (row 3): the PAR header (sheet rows 3–4) is incomplete: no "Điểm điều tra xã hội học" group with "Điểm tối đa / Đạt được"; no "Tổng điểm" group with "Điểm tối đa / Đạt được"; no "Xếp hạng" column',
    );
  });

  test('should refuse a workbook with a second PAR table on a later sheet, whose units would be left unread', async () => {
    // The departments on one tab, a second group of units on the next.
    const first = join(dir, 'par-departments.xlsx');
    const second = join(dir, 'par-second.xlsx');
    await writeParXlsx(first, TABLE);
    await writeParXlsx(second, { ...TABLE, rows: TABLE.rows.slice(0, 1) });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(first);
    wb.worksheets[0]!.name = 'Sở, ban, ngành';
    const other = new ExcelJS.Workbook();
    await other.xlsx.readFile(second);
    const copy = wb.addWorksheet('Cấp xã');
    other.worksheets[0]!.eachRow((row, n) => (copy.getRow(n).values = row.values));
    const both = join(dir, 'par-two-groups.xlsx');
    await wb.xlsx.writeFile(both);
    const err = await readParXlsx(both, { registry: REGISTRY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as PipelineInputError).code).toBe('layout');
    expect((err as Error).message).toMatch(/Failed to read par-two-groups\.xlsx \(row \d+\): holds a second PAR table, on the sheet "Cấp xã" \(its "STT" header row is row \d+\) after the one on "Sở, ban, ngành"/);
    // Without the second tab the workbook reads; a criteria annex ("STT / Điểm tối đa" and criteria rows)
    // and a template tab (the header, no unit) are no second table.
    wb.removeWorksheet(copy.id);
    const annex = wb.addWorksheet('Phụ lục tiêu chí');
    annex.getRow(1).values = [undefined, 'STT', 'Lĩnh vực, tiêu chí', 'Điểm'];
    annex.getRow(2).values = [undefined, '', '', 'Điểm tối đa'];
    annex.getRow(3).values = [undefined, 1, 'Công tác chỉ đạo, điều hành cải cách hành chính', 10];
    const template = wb.addWorksheet('Mẫu');
    let header = 0;
    other.worksheets[0]!.eachRow((row, n) => {
      if (header === 0 && row.values instanceof Array && row.values.some((v) => v === 'STT')) header = n;
      if (header === 0 || n <= header + 1) template.getRow(n).values = row.values;
    });
    // A unit named with no score under the template's header: still no table.
    template.getCell(header + 2, 1).value = 1;
    template.getCell(header + 2, 2).value = 'Sở Tư pháp';
    await wb.xlsx.writeFile(both);
    expect(header).toBeGreaterThan(0);
    expect((await readParXlsx(both, { registry: REGISTRY })).rowsRead).toBe(3);
    // A template tab BEFORE the decision's table (the header, a unit without scores): the table is read.
    const templated = new ExcelJS.Workbook();
    const blank = templated.addWorksheet('Mẫu');
    other.worksheets[0]!.eachRow((row, n) => {
      if (n <= header + 1) blank.getRow(n).values = row.values;
    });
    blank.getCell(header + 2, 1).value = 1;
    blank.getCell(header + 2, 2).value = 'Sở Tư pháp';
    const table = templated.addWorksheet('Sở, ban, ngành');
    wb.worksheets[0]!.eachRow((row, n) => (table.getRow(n).values = row.values));
    const templateFirst = join(dir, 'par-template-first.xlsx');
    await templated.xlsx.writeFile(templateFirst);
    const read = await readParXlsx(templateFirst, { registry: REGISTRY });
    expect(read.rowsRead).toBe(3);
    expect(read.quarantine).toEqual([]);
  });

  test('should reject a workbook without a PAR header', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('x').getCell('A1').value = 'Chỉ số cải cách hành chính năm 2024';
    await wb.xlsx.writeFile(join(dir, 'par-empty.xlsx'));
    await expect(readParXlsx(join(dir, 'par-empty.xlsx'), {})).rejects.toThrow(/Failed to read par-empty\.xlsx: no PAR header found/);
  });
});

describe('PAR reader with formula cells that hold no usable value', () => {
  test('should quarantine a row whose total is an uncalculated formula or whose rank is an error, naming the cells', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('KQ');
    const put = (r: number, values: unknown[]): void =>
      values.forEach((v, i) => {
        if (v !== null) ws.getCell(r, i + 1).value = v as ExcelJS.CellValue;
      });
    put(1, ['KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA CÁC SỞ, BAN, NGÀNH']);
    put(3, ['STT', 'Đơn vị', '1. Cải cách thể chế', null, null, 'Điều tra xã hội học', null, 'Tổng điểm', null, 'Xếp hạng', 'Xếp loại']);
    put(4, [null, null, 'Điểm tối đa', 'Tự đánh giá', 'Thẩm định', 'Điểm tối đa', 'Đạt được', 'Điểm tối đa', 'Đạt được']);
    put(5, [1, 'Sở Tư pháp', 6.5, 6.5, 6.25, 93.5, 77.2, 100, { formula: 'E5+G5' }, 1, 'Khá']);
    put(6, [2, 'Sở Y tế', 6.5, 6, 6, 93.5, 80, 100, { formula: 'E6+G6', result: 86 }, { formula: 'RANK(I6,I5:I6)', result: { error: '#VALUE!' } }, 'Tốt']);
    put(7, [3, 'Sở Tài chính', 6.5, 6, 0, 93.5, 80, 100, { formula: 'E7+G7', result: 80 }, 3, 'Khá']);
    await wb.xlsx.writeFile(join(dir, 'par-formulas.xlsx'));
    const got = await readParXlsx(join(dir, 'par-formulas.xlsx'), {});
    expect(got.totals.map((t) => t.total_points)).toEqual([80]);
    expect(got.quarantine.map((q) => [q.row_no, q.field])).toEqual([
      [5, 'total'],
      [6, 'rank'],
    ]);
    expect(got.quarantine[0]!.reason).toContain('I5: formula without a computed value (total; open the workbook in Excel, let it calculate, and save it again)');
    expect(got.quarantine[1]!.reason).toContain('J6: the cell holds the error #VALUE! (rank;');
    expect(got.rowsRead).toBe(3);
  });
});
