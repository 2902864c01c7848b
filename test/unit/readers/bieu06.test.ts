import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { PipelineInputError } from '../../../functions/core/errors.js';
import { readBieu06Xlsx, writeBieu06Xlsx, type Bieu06Sheet } from '../../../functions/core/readers/xlsx/bieu06.js';
import { Bieu06Row, QuarantineRecord, type Agency } from '../../../functions/core/schemas/index.js';

const agency = (code: string, name: string, short: string, from = '2019-01-01', to: string | null = null): Agency => ({
  agency_code: code,
  name,
  short_name: short,
  kind: 'so',
  parent_code: null,
  province_code: 'H99',
  valid_from: from,
  valid_to: to,
  successor_code: null,
});
const REGISTRY: Agency[] = [
  agency('H99.05', 'Sở Tư pháp', 'Tư pháp'),
  agency('H99.06', 'Sở Y tế', 'Y tế'),
  agency('H99.12', 'Sở Văn hóa, Thể thao và Du lịch', 'VHTTDL'),
  agency('H99.16', 'Sở Nông nghiệp và Phát triển nông thôn', 'NN&PTNT', '2019-01-01', '2025-02-28'),
  agency('H99.22', 'Sở Nông nghiệp và Môi trường', 'NN&MT', '2025-03-01'),
  agency('H99.09.01', 'Chi cục Tiêu chuẩn Đo lường Chất lượng', 'Chi cục TĐC'),
];

/** c3..c13 from received split and results, consistent by construction. */
function counts(online: number, offline: number, carried: number, early: number, onTime: number, late: number, inTime: number, overdue: number): number[] {
  const received = online + offline + carried;
  const resolved = early + onTime + late;
  const pending = inTime + overdue;
  if (received !== resolved + pending) throw new Error('test data: received ≠ resolved + pending');
  return [received, online, offline, carried, resolved, early, onTime, late, pending, inTime, overdue];
}

const SHEET: Bieu06Sheet = {
  provinceName: 'tỉnh Sông Xanh',
  periodType: 'quarter',
  year: 2025,
  periodNo: 1,
  periodStart: '2025-01-01',
  periodEnd: '2025-03-31',
  bands: [
    {
      name: 'Sở, ban, ngành',
      rows: [
        { unitName: 'Sở Tư pháp', agencyCode: 'H99.05', c: counts(682, 800, 10, 1000, 390, 10, 90, 2) },
        { unitName: 'Sở Y tế', agencyCode: 'H99.06', c: counts(5, 5, 0, 5, 5, 0, 0, 0) },
        { unitName: 'Sở Văn hoá, Thể thao và Du lịch', agencyCode: 'H99.12', c: counts(0, 0, 0, 0, 0, 0, 0, 0) },
      ],
    },
    { name: 'Chi cục', rows: [{ unitName: 'Chi cục Tiêu chuẩn Đo lường Chất lượng', agencyCode: 'H99.09.01', c: counts(810, 0, 3, 700, 100, 0, 13, 0) }] },
  ],
  note: 'Số liệu giả lập (synthetic).',
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bieu06-'));
});
afterAll(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

/** Sheet row numbers of the writer's layout: header ends at row 11, each band adds one row. */
function expectedRows(sheet: Bieu06Sheet): Bieu06Row[] {
  const out: Bieu06Row[] = [];
  for (const band of sheet.bands) {
    // STT restarts in each band
    let line = 0;
    for (const r of band.rows) {
      line++;
      const [c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13] = r.c as [number, number, number, number, number, number, number, number, number, number, number];
      out.push({
        period_type: sheet.periodType,
        year: sheet.year,
        period_no: sheet.periodNo,
        period_start: sheet.periodStart,
        period_end: sheet.periodEnd,
        band: band.name,
        line_no: line,
        unit_name: r.unitName,
        agency_code: r.agencyCode,
        received_total: c3,
        received_online: c4,
        received_offline: c5,
        received_carried_over: c6,
        resolved_total: c7,
        resolved_early: c8,
        resolved_on_time: c9,
        resolved_late: c10,
        pending_total: c11,
        pending_in_time: c12,
        pending_overdue: c13,
      });
    }
  }
  return out;
}

describe('Bieu06 writer and reader round trip', () => {
  test('should read back exactly the rows, totals and period that were written', async () => {
    const path = join(dir, 'bieu06_2025_q1.xlsx');
    await writeBieu06Xlsx(path, SHEET);
    const got = await readBieu06Xlsx(path, { registry: REGISTRY });
    expect(got.rows).toEqual(expectedRows(SHEET));
    expect(got.rows.every((r) => Bieu06Row.safeParse(r).success)).toBe(true);
    expect(got.period).toEqual({ periodType: 'quarter', year: 2025, periodNo: 1, start: '2025-01-01', end: '2025-03-31' });
    expect(got.totals?.counts.received_total).toBe(1492 + 10 + 0 + 813);
    expect(got.totals?.counts.pending_overdue).toBe(2);
    expect(got.quarantine).toEqual([]);
    expect(got.checks).toEqual([]);
    expect(got.rowsRead).toBe(4);
    expect(got.unmatchedUnits).toEqual([]);
    expect(got.sourceFile).toBe('bieu06_2025_q1.xlsx');
    expect(got.rawHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('should number the lines within each band (I, II… number the bands), as the form does', async () => {
    const path = join(dir, 'stt.xlsx');
    await writeBieu06Xlsx(path, SHEET);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const ws = wb.worksheets[0]!;
    const column: string[] = [];
    for (let r = 12; r <= 12 + 2 + 4; r++) column.push(`${String(ws.getCell(r, 1).value ?? '')}|${String(ws.getCell(r, 2).value ?? '')}`);
    expect(column).toEqual([
      'I|Sở, ban, ngành',
      '1|Sở Tư pháp',
      '2|Sở Y tế',
      '3|Sở Văn hoá, Thể thao và Du lịch',
      'II|Chi cục',
      '1|Chi cục Tiêu chuẩn Đo lường Chất lượng',
      '|Tổng cộng',
    ]);
  });

  test('should leave agency codes null without a registry', async () => {
    const path = join(dir, 'noreg.xlsx');
    await writeBieu06Xlsx(path, SHEET);
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows.map((r) => r.agency_code)).toEqual([null, null, null, null]);
  });

  test('should list a unit the registry does not know and keep its row', async () => {
    const path = join(dir, 'unknown-unit.xlsx');
    await writeBieu06Xlsx(path, { ...SHEET, bands: [{ name: 'Sở, ban, ngành', rows: [{ unitName: 'Sở Ngoại vụ', agencyCode: null, c: counts(1, 1, 0, 1, 1, 0, 0, 0) }] }] });
    const got = await readBieu06Xlsx(path, { registry: REGISTRY });
    expect(got.rows).toHaveLength(1);
    expect(got.rows[0]?.agency_code).toBeNull();
    expect(got.unmatchedUnits).toEqual(['Sở Ngoại vụ']);
  });
});

describe('Bieu06 writer run twice at different clock times', () => {
  test('should write byte-identical files with dates fixed to the period end', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2030-01-02T03:04:05Z'));
      await writeBieu06Xlsx(join(dir, 'a.xlsx'), SHEET);
      vi.setSystemTime(new Date('2031-07-08T09:10:11Z'));
      await writeBieu06Xlsx(join(dir, 'b.xlsx'), SHEET);
    } finally {
      vi.useRealTimers();
    }
    const a = await readFile(join(dir, 'a.xlsx'));
    const b = await readFile(join(dir, 'b.xlsx'));
    expect(a.equals(b)).toBe(true);
    // Local file header of the first entry: DOS date at offset 12 = 2025-03-31.
    const dosDate = a.readUInt16LE(12);
    expect([(dosDate >> 9) + 1980, (dosDate >> 5) & 0x0f, dosDate & 0x1f]).toEqual([2025, 3, 31]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(a as unknown as ArrayBuffer);
    expect(wb.created.toISOString()).toBe('2025-03-31T12:00:00.000Z');
  });
});

describe('Bieu06 reader with a row whose c3 differs from c4+c5+c6', () => {
  test('should quarantine exactly that row naming the sheet row and field, and land the others', async () => {
    const bad = [120, 60, 59, 0, 100, 50, 50, 0, 20, 20, 0];
    const sheet: Bieu06Sheet = {
      ...SHEET,
      bands: [{ name: 'Sở, ban, ngành', rows: [SHEET.bands[0]!.rows[0]!, { unitName: 'Sở Y tế', agencyCode: 'H99.06', c: bad }, SHEET.bands[0]!.rows[1]!] }],
    };
    const path = join(dir, 'bad-row.xlsx');
    await writeBieu06Xlsx(path, sheet);
    const got = await readBieu06Xlsx(path, { registry: REGISTRY });
    expect(got.quarantine).toHaveLength(1);
    const q = got.quarantine[0]!;
    expect(QuarantineRecord.safeParse(q).success).toBe(true);
    // Row 12 is the band line, 13 the first unit, 14 the bad one.
    expect(q).toMatchObject({ dataset: 'bieu06', source_file: 'bad-row.xlsx', row_no: 14, field: 'c3', raw_value: '120' });
    expect(q.reason).toBe('sheet row 14: c3 (120) ≠ c4+c5+c6 (119)');
    expect(JSON.parse(q.raw_record)).toMatchObject({ sheet_row: 14, cells: { col2: 'Sở Y tế', col3: 120 } });
    expect(got.rows.map((r) => r.unit_name)).toEqual(['Sở Tư pháp', 'Sở Y tế']);
    expect(got.rows.map((r) => r.line_no)).toEqual([1, 3]);
    expect(got.rowsRead).toBe(got.rows.length + got.quarantine.length);
    expect(got.checks).toEqual([]);
  });
});

/** A sheet as another province's tool exports it, built cell by cell. */
async function writeForeignSheet(path: string, opts: { numberRow?: (string | number)[]; bandA?: (string | number)[]; totals?: (string | number)[]; extraRows?: (string | number | null)[][] } = {}): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Báo cáo');
  ws.columns = [{ width: 3 }, { width: 8 }, { width: 60 }, ...Array.from({ length: 12 }, () => ({ width: 9 }))];
  const put = (r: number, values: (string | number | null)[]): void => {
    values.forEach((v, i) => {
      if (v !== null) ws.getCell(r, i + 2).value = v; // table starts in column B
    });
  };
  put(1, ['ỦY BAN NHÂN DÂN TỈNH GIA LAI']);
  put(2, ['VĂN PHÒNG']);
  put(3, ['Biểu số 06/VPCP/KSTT']);
  put(5, ['TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH']);
  put(6, ['Kỳ báo cáo:   Quý I/2025 (Từ ngày 15/12/2024 đến ngày 14/3/2025)']);
  put(7, [null, null, null, null, null, null, null, null, null, null, null, 'Đơn vị tính: hồ sơ']);
  put(8, ['STT', 'Tên đơn vị', 'Số hồ sơ nhận giải quyết', null, null, null, 'Kết quả giải quyết', null, null, null, 'Đang giải quyết', null, null, 'Chờ bổ sung']);
  put(9, [null, null, 'Tổng số', 'Trực tuyến', 'Trực tiếp, BCCI', 'Kỳ trước', 'Tổng số', 'Trước hạn', 'Đúng hạn', 'Quá hạn', 'Tổng số', 'Trong hạn', 'Quá hạn']);
  put(10, opts.numberRow ?? Array.from({ length: 14 }, (_, i) => `(${i + 1})`));
  put(11, opts.bandA ?? ['A', 'CẤP TỈNH', '1.502', 687, 805, 10, 1410, 1005, 395, 10, 92, 90, 2]);
  put(12, ['1.', 'Sở Tư pháp - tỉnh Gia Lai', '1.492', '682', '800', '10', '1.400', '1.000', '390', '10', '92', '90', '2', '7']);
  put(13, ['2', 'Sở Y tế'.normalize('NFD'), 10, 5, 5, null, 10, 5, 5, null, null, null, null, 0]);
  put(14, []);
  put(15, ['B', 'Chi cục']);
  put(16, [3, 'Chi cục Tiêu chuẩn Đo lường Chất lượng', { formula: 'E16+F16+G16', result: 813 } as never, 810, 0, 3, 800, 700, 100, 0, 13, 13, 0, 1]);
  for (const [i, row] of (opts.extraRows ?? []).entries()) put(17 + i, row);
  const t = 17 + (opts.extraRows?.length ?? 0);
  put(t, opts.totals ?? ['', 'Tổng số', 2315, 1497, 805, 13, 2210, 1705, 495, 10, 105, 103, 2, 8]);
  put(t + 2, ['Ghi chú: số liệu năm 2025 tổng hợp từ Hệ thống thông tin giải quyết TTHC', null, 99]);
  await wb.xlsx.writeFile(path);
}

describe('Bieu06 reader with a foreign-style sheet', () => {
  test('should find the table by content and read text numbers, bands, NFD and suffixed names', async () => {
    const path = join(dir, 'foreign.xlsx');
    await writeForeignSheet(path);
    const got = await readBieu06Xlsx(path, { registry: REGISTRY });
    expect(got.quarantine).toEqual([]);
    expect(got.checks).toEqual([]);
    expect(got.extraColumns).toEqual([14]);
    expect(got.period).toEqual({ periodType: 'quarter', year: 2025, periodNo: 1, start: '2024-12-15', end: '2025-03-14' });
    expect(got.rows.map((r) => [r.line_no, r.band, r.unit_name, r.agency_code, r.received_total, r.resolved_early])).toEqual([
      [1, 'CẤP TỈNH', 'Sở Tư pháp - tỉnh Gia Lai', 'H99.05', 1492, 1000],
      [2, 'CẤP TỈNH', 'Sở Y tế', 'H99.06', 10, 5],
      [3, 'Chi cục', 'Chi cục Tiêu chuẩn Đo lường Chất lượng', 'H99.09.01', 813, 700],
    ]);
    expect(got.rows[1]?.received_carried_over).toBe(0);
    expect(got.totals?.sheetRow).toBe(17);
    expect(got.rowsRead).toBe(3);
  });

  test('should report a wrong totals row and a wrong band subtotal as checks while rows land', async () => {
    const path = join(dir, 'foreign-totals.xlsx');
    await writeForeignSheet(path, {
      bandA: ['A', 'CẤP TỈNH', '1.503', 687, 805, 10, 1410, 1005, 395, 10, 92, 90, 2],
      totals: ['', 'Tổng cộng', 2316, 1498, 805, 13, 2211, 1706, 495, 10, 105, 103, 2],
    });
    const got = await readBieu06Xlsx(path, {});
    expect(got.rows).toHaveLength(3);
    expect(got.quarantine).toEqual([]);
    expect(got.checks.map((c) => [c.row_no, c.field])).toEqual([
      [11, 'c3'],
      [17, 'c3'],
      [17, 'c4'],
      [17, 'c7'],
      [17, 'c8'],
    ]);
    expect(got.checks[0]?.reason).toBe('sheet row 11: band "CẤP TỈNH" subtotal c3 (1503) ≠ sum of its unit rows (1502)');
    expect(got.checks[1]?.reason).toBe('sheet row 17: Tổng cộng c3 (2316) ≠ sum of unit rows (2315)');
  });

  test('should return no totals and a check when a totals cell is unreadable', async () => {
    const path = join(dir, 'foreign-bad-totals.xlsx');
    await writeForeignSheet(path, { totals: ['', 'Tổng cộng', 2315, 1497, 805, 13, 2210, 1705, 495, 10, 105, 103, 'hai'] });
    const got = await readBieu06Xlsx(path, {});
    expect(got.totals).toBeNull();
    expect(got.checks.map((c) => [c.row_no, c.field, c.reason])).toEqual([[17, 'c13', 'sheet row 17: Tổng cộng c13 "hai" is not a vi-VN whole number']]);
    expect(got.rows).toHaveLength(3);
  });

  test('should quarantine an unreadable cell and a row with figures but no STT', async () => {
    const path = join(dir, 'foreign-cells.xlsx');
    await writeForeignSheet(path, {
      extraRows: [
        [4, 'Sở Xây dựng', 5, 5, '0x', 0, 5, 5, 0, 0, 0, 0, 0],
        [null, 'Sở Công Thương', 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0],
      ],
      totals: ['', 'Tổng cộng', 2320, 1502, 805, 13, 2215, 1710, 495, 10, 105, 103, 2],
    });
    const got = await readBieu06Xlsx(path, {});
    expect(got.quarantine.map((q) => [q.row_no, q.field])).toEqual([
      [17, 'c5'],
      [18, 'c1'],
    ]);
    expect(got.quarantine[0]?.reason).toContain('c5 "0x" is not a vi-VN whole number');
    expect(got.rowsRead).toBe(got.rows.length + got.quarantine.length);
    expect(got.rows).toHaveLength(3);
    // c5 cannot be summed (unreadable cell), every other column matches the totals row.
    expect(got.checks).toEqual([]);
  });
});

describe('Bieu06 reader with an unreadable file', () => {
  test('should reject a CSV saved as .xlsx, naming the file', async () => {
    const path = join(dir, 'bieu06_2025_q2.xlsx');
    await writeFile(path, 'STT,Đơn vị,Tổng số\r\n1,Sở Tư pháp,1.492\r\n');
    const err = await readBieu06Xlsx(path, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as PipelineInputError).file).toBe('bieu06_2025_q2.xlsx');
    expect((err as Error).message).toMatch(/Failed to read bieu06_2025_q2\.xlsx: not an XLSX file/);
  });

  test('should reject a truncated workbook', async () => {
    const path = join(dir, 'whole.xlsx');
    await writeBieu06Xlsx(path, SHEET);
    const bytes = await readFile(path);
    const cut = join(dir, 'truncated.xlsx');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readBieu06Xlsx(cut, {})).rejects.toThrow(/Failed to read truncated\.xlsx: not a complete XLSX file/);
  });

  test('should reject a sheet whose column-number row lacks column 13', async () => {
    const path = join(dir, 'no-col-13.xlsx');
    await writeForeignSheet(path, { numberRow: Array.from({ length: 12 }, (_, i) => i + 1) });
    const err = await readBieu06Xlsx(path, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as Error).message).toBe(
      '[pipeline] [bieu06] Failed to read no-col-13.xlsx (row 10): the column-number row lacks column(s) 13 of the Biểu 06 columns 1–13',
    );
  });

  test('should refuse a workbook with a second Biểu 06 table on a later sheet, whose units would be left unread', async () => {
    // Two months filed in one workbook, a tab each (and a notes tab after them, which is no table).
    const may = join(dir, 'two-may.xlsx');
    const june = join(dir, 'two-june.xlsx');
    await writeBieu06Xlsx(may, { ...SHEET, periodType: 'month', periodNo: 5, periodStart: '2025-05-01', periodEnd: '2025-05-31' });
    await writeBieu06Xlsx(june, { ...SHEET, periodType: 'month', periodNo: 6, periodStart: '2025-06-01', periodEnd: '2025-06-30' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(may);
    wb.worksheets[0]!.name = 'Tháng 5';
    const other = new ExcelJS.Workbook();
    await other.xlsx.readFile(june);
    const notes = wb.addWorksheet('Ghi chú');
    notes.getRow(1).values = [undefined, 'Số liệu trích xuất từ hệ thống một cửa'];
    const copy = wb.addWorksheet('Tháng 6');
    other.worksheets[0]!.eachRow((row, n) => (copy.getRow(n).values = row.values));
    const both = join(dir, 'two-months.xlsx');
    await wb.xlsx.writeFile(both);
    const err = await readBieu06Xlsx(both, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as PipelineInputError).code).toBe('layout');
    expect((err as Error).message).toMatch(/Failed to read two-months\.xlsx \(row 11\): holds a second Biểu 06 table, on the sheet "Tháng 6" \(its column-number row is row 11\) after the one on "Tháng 5"/);
    // A notes tab after the table is no second table, nor a template tab or a legend holding the column
    // numbers with no unit row under them.
    wb.removeWorksheet(copy.id);
    const template = wb.addWorksheet('Mẫu');
    other.worksheets[0]!.eachRow((row, n) => {
      if (n <= 11) template.getRow(n).values = row.values;
    });
    template.getRow(12).values = [undefined, '', 'Tổng cộng'];
    template.getCell(13, 1).value = 1;
    template.getCell(13, 2).value = 'Số liệu tạm tính, chưa có số liệu của các đơn vị';
    wb.addWorksheet('Chú giải').getRow(2).values = [undefined, ...Array.from({ length: 13 }, (_, i) => `(${i + 1})`)];
    await wb.xlsx.writeFile(both);
    expect((await readBieu06Xlsx(both, {})).rows).toHaveLength(4);
    // A template tab BEFORE the report (its title, period line and column numbers, a blank total): the report is read.
    const first = new ExcelJS.Workbook();
    const blank = first.addWorksheet('Mẫu');
    other.worksheets[0]!.eachRow((row, n) => {
      if (n <= 11) blank.getRow(n).values = row.values;
    });
    blank.getCell(12, 1).value = 1;
    blank.getCell(12, 2).value = 'Sở Tư pháp';
    const report = first.addWorksheet('Tháng 5');
    wb.worksheets[0]!.eachRow((row, n) => (report.getRow(n).values = row.values));
    const templateFirst = join(dir, 'template-first.xlsx');
    await first.xlsx.writeFile(templateFirst);
    const read = await readBieu06Xlsx(templateFirst, {});
    expect(read.rows).toHaveLength(4);
    // The period is the report's (May), not the template's (June).
    expect(read.rows[0]).toMatchObject({ period_type: 'month', year: 2025, period_no: 5 });
    // A template whose period line is still blank ("Tháng ...... năm ......") is left too.
    blank.eachRow((row) => row.eachCell((cell) => {
      if (String(cell.value ?? '').includes('Kỳ báo cáo')) cell.value = 'Kỳ báo cáo: Tháng ...... năm ......';
    }));
    await first.xlsx.writeFile(templateFirst);
    expect((await readBieu06Xlsx(templateFirst, {})).rows[0]).toMatchObject({ period_no: 5 });
    // A cover tab (no table) with the unfilled line gives way to the report's own line.
    const covered = new ExcelJS.Workbook();
    covered.addWorksheet('Hướng dẫn').getCell(2, 1).value = 'Ghi rõ Kỳ báo cáo: Tháng ...... năm ......';
    const filed = covered.addWorksheet('Tháng 5');
    wb.worksheets[0]!.eachRow((row, n) => (filed.getRow(n).values = row.values));
    const withCover = join(dir, 'with-cover.xlsx');
    await covered.xlsx.writeFile(withCover);
    expect((await readBieu06Xlsx(withCover, {})).rows[0]).toMatchObject({ period_no: 5 });
    // The report's own line unfilled still refuses it.
    filed.eachRow((row) => row.eachCell((cell) => {
      if (String(cell.value ?? '').includes('Kỳ báo cáo')) cell.value = 'Kỳ báo cáo: Tháng ...... năm ......';
    }));
    await covered.xlsx.writeFile(withCover);
    await expect(readBieu06Xlsx(withCover, {})).rejects.toThrow(/with-cover\.xlsx \(row 6\): the "Kỳ báo cáo" line "Kỳ báo cáo: Tháng \.{6} năm \.{6}.*" has no readable period/);
  });

  test('should reject a workbook without a column-number row', async () => {
    const path = join(dir, 'no-number-row.xlsx');
    await writeForeignSheet(path, { numberRow: ['Cột A', 'Cột B'] });
    await expect(readBieu06Xlsx(path, {})).rejects.toThrow(/Failed to read no-number-row\.xlsx: no column-number row "1 2 3 … 13"/);
  });

  test('should stop at the row limit instead of reading a huge sheet', async () => {
    const path = join(dir, 'limit.xlsx');
    await writeBieu06Xlsx(path, SHEET);
    await expect(readBieu06Xlsx(path, { limits: { maxRows: 12 } })).rejects.toThrow(/Failed to read limit\.xlsx: more than 12 rows/);
  });

  test('should reject a file larger than the byte limit', async () => {
    const path = join(dir, 'big.xlsx');
    await writeBieu06Xlsx(path, SHEET);
    await expect(readBieu06Xlsx(path, { limits: { maxFileBytes: 1000 } })).rejects.toThrow(/above the 1000-byte limit/);
  });
});
