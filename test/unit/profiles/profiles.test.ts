/**
 * Mapping profiles on files written in the vendors' shapes (real XLSX written by exceljs, real CSV),
 * landed by the real landing (DuckDB, Parquet) and inspected by the inspector.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, test } from 'vitest';
import { literal, withDuckDb, DuckDb } from '../../../functions/core/engine/duckdb.js';
import { PORTAL_CSV_HEADER } from '../../../functions/core/lake/csv-header.js';
import { checkInvariants } from '../../../functions/core/lake/invariants.js';
import { landStaged } from '../../../functions/core/lake/land.js';
import { listManifest, stageRaw } from '../../../functions/core/lake/raw.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import { chooseSheet, createProfileTables, loadProfileExport } from '../../../functions/core/profiles/load.js';
import { PipelineInputError } from '../../../functions/core/errors.js';
import { fold, loadProfile, loadProfiles, matchHeaders, parseProfile } from '../../../functions/core/profiles/profile.js';
import { formatInspect, inspectExport } from '../../../functions/core/profiles/inspect.js';
import { textXlsx } from '../../fixtures/bad/make.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'profiles-'));
  dirs.push(d);
  return d;
}

const AGENCIES = [
  'agency_code,name,short_name,kind,parent_code,province_code,valid_from,valid_to,successor_code',
  'H99.01,Sở Tư pháp,Sở TP,so,,H99,2015-01-01,,',
  'H99.02,Sở Y tế,Sở YT,so,,H99,2015-01-01,,',
].join('\r\n');
const PROCEDURES = [
  'procedure_code,name,field,agency_code,online_level,is_fee_bearing,is_nsw,statutory_days,original_statutory_days',
  '1.000001,Cấp phiếu lý lịch tư pháp,Lý lịch tư pháp,H99.01,toan_trinh,true,false,10,10',
  '1.000002,Cấp chứng chỉ hành nghề,Y tế,H99.02,mot_phan,false,false,15,20',
].join('\r\n');

async function lake(): Promise<{ storage: LocalStorage; root: string; work: string; dir: string }> {
  const dir = tmp();
  const storage = new LocalStorage(path.join(dir, 'lake'));
  const work = path.join(dir, 'work');
  await stageRaw(storage, { kind: 'registry-agencies', bytes: Buffer.from(`\ufeff${AGENCIES}\r\n`), period: null, originalName: 'agencies.csv' });
  await stageRaw(storage, { kind: 'registry-procedures', bytes: Buffer.from(`\ufeff${PROCEDURES}\r\n`), period: null, originalName: 'procedures.csv' });
  await landStaged({ storage, workDir: work });
  return { storage, root: path.join(dir, 'lake'), work, dir };
}

/** Local wall time as exceljs stores it (a Date whose UTC fields are the local time). */
const xd = (s: string): Date => new Date(`${s.replace(' ', 'T')}:00.000Z`);

const DVC_HEADER = [
  'STT', 'Mã hồ sơ', 'Mã thủ tục', 'Mã đơn vị', 'Kênh thực hiện', 'Ngày tiếp nhận', 'Ngày hẹn trả', 'Ngày kết thúc xử lý',
  'Ngày trả kết quả', 'Ngày yêu cầu bổ sung', 'Ngày tiếp nhận bổ sung', 'Trạng thái', 'Loại kết quả', 'Ngày xóa', 'Người nộp',
];
type Cell = string | number | Date | null;

/** A dossier list in the vendor system's shape: title rows, the header on row 4, dates as Excel dates or text. */
async function writeDvc(file: string, rows: Cell[][]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Danh sách hồ sơ');
  ws.getCell(1, 1).value = 'DANH SÁCH HỒ SƠ';
  ws.getCell(2, 1).value = 'Từ ngày 01/05/2024 đến ngày 31/05/2024';
  // headers as a vendor writes them: other case, no-break and doubled spaces, a wrapped cell
  ws.getRow(4).values = [undefined, ...DVC_HEADER.map((h, i) => (i === 5 ? 'NGÀY  TIẾP\nNHẬN' : i === 6 ? 'Ngày\u00a0hẹn trả' : h))];
  rows.forEach((r, i) => {
    ws.getRow(5 + i).values = [undefined, i + 1, ...r];
    r.forEach((v, k) => {
      if (v instanceof Date) ws.getCell(5 + i, k + 2).numFmt = 'dd/mm/yyyy hh:mm';
    });
  });
  await wb.xlsx.writeFile(file);
}

const dvcRows: Cell[][] = [
  // id, procedure, agency, channel, received, due (re-set), finished, returned, suppl. req, suppl. recv, status, result, deleted, applicant
  ['000.00.01.H99-240503-0001', '1.000001', 'H99.01', 'Trực tuyến', xd('2024-05-03 08:15'), xd('2024-05-17 17:00'), xd('2024-05-16 10:00'), xd('2024-05-17 09:00'), null, null, '10', 'Kết quả', null, 'Nguyễn Văn A'],
  ['000.00.01.H99-240503-0002', '1.000001', 'H99.01', '1', '03/05/2024 09:00', '20/05/2024 17:00', '16/05/2024 10:00', null, '06/05/2024 08:00', '09/05/2024 08:00', 'Đã xử lý xong', null, null, 'B'],
  ['000.00.01.H99-240503-0003', '1.000002', 'H99.02', '3', '03/05/2024 10:00', '', null, null, null, null, '4', null, null, 'C'],
  ['000.00.01.H99-240503-0004', '1.000001', 'H99.01', '2', '03/05/2024 11:00', '10/05/2024 17:00', null, null, null, null, '1', null, null, 'D'],
  ['000.00.01.H99-240503-0005', '1.000001', 'H99.01', '2', '03/05/2024 11:30', '10/05/2024 17:00', '12/05/2024 08:00', '13/05/2024 08:00', null, null, '10', 'Phiếu xin lỗi', '14/05/2024 08:00', 'E'],
  ['000.00.01.H99-240503-0006', '1.000001', 'H99.01', '2', '03/05/2024 12:00', '10/05/2024 17:00', null, null, null, null, 'Dừng xử lý', null, null, 'F'],
  ['000.00.01.H99-240503-0007', '1.000001', 'H99.01', '2', '03/05/2024 12:30', '10/05/2024 17:00', null, null, null, null, '42', null, null, 'G'],
  ['000.00.01.H99-240503-0008', '1.000001', 'H99.01', 'Fax', '03/05/2024 13:00', '10/05/2024 17:00', null, null, null, null, '4', null, null, 'H'],
  ['000.00.01.H99-240503-0009', '1.000001', 'H99.01', '2', '03/05/2024 13:30', '10/05/2024 17:00', '08/05/2024 08:00', '07/05/2024 08:00', null, null, '10', 'Trả lại', null, 'I'],
];

describe('mapping profiles', () => {
  test('should ship valid profiles whose names are their files', async () => {
    const all = await loadProfiles();
    expect([...all.keys()].sort()).toEqual(['dvc-xlsx', 'own-csv', 'so-theo-doi']);
  });

  test('should refuse a profile that cannot map a dossier, naming what is missing', () => {
    expect(() => parseProfile({ name: 'x', title: 'x', format: 'xlsx', columns: { dossier_id: ['Mã'] } }, 'x.json')).toThrow(/procedure_code or procedure_name.*agency_code or agency_name.*received_at/s);
  });

  test('should match headers after NFC, case and diacritic folding and collapsed spaces', async () => {
    expect(fold('  NGÀY  TIẾP\nNHẬN ')).toBe('ngay tiep nhan');
    expect(fold('Ðơn vị'.replace('Ð', 'Đ'))).toBe('don vi');
    // decomposed (NFD) text folds like the composed one
    expect(fold('Mã hồ sơ'.normalize('NFD'))).toBe(fold('Mã hồ sơ'));
    const p = await loadProfile('dvc-xlsx');
    const m = matchHeaders(p, ['MAHOSO', 'mã thủ tục', 'Mã  đơn vị', 'Kênh thực hiện', 'ngay tiep nhan', 'Trạng thái', 'Ghi chú']);
    expect(m.missing).toEqual([]);
    expect(m.columns).toMatchObject({ dossier_id: 0, procedure_code: 1, agency_code: 2, channel: 3, received_at: 4, status: 5 });
    expect(m.unmapped).toEqual(['Ghi chú']);
  });

  test('should land a vendor dossier list (XLSX) with its statuses, dates and result types, and quarantine what it cannot map', async () => {
    const l = await lake();
    const file = path.join(l.dir, 'DanhSachHoSo_05-2024.xlsx');
    await writeDvc(file, dvcRows);
    const { readFileSync } = await import('node:fs');
    await stageRaw(l.storage, { kind: 'dossier-export', bytes: readFileSync(file), period: '2024-05', originalName: 'DanhSachHoSo_05-2024.xlsx', profile: 'dvc-xlsx' });
    const summary = await landStaged({ storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    const entry = summary.files.find((f) => f.kind === 'dossier-export')!;
    expect(entry).toMatchObject({ rows_read: 9, rows_landed: 6, rows_quarantined: 3, profile: 'dvc-xlsx', source: 'portal' });
    const rows = await withDuckDb((db) =>
      db.all(
        `SELECT dossier_id, channel, strftime(received_at, '%d/%m/%Y %H:%M') AS received, strftime(due_at, '%d/%m/%Y') AS due,
                strftime(due_at_reset, '%d/%m/%Y') AS due_reset, strftime(finished_at, '%d/%m/%Y') AS finished,
                strftime(returned_at, '%d/%m/%Y') AS returned, status, supplement_days, result_type, deleted_at IS NOT NULL AS deleted,
                strftime(supplement_requested_at, '%d/%m/%Y') AS s_req, is_fee_bearing
         FROM read_parquet(${literal(`${l.root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY dossier_id`,
      ),
    );
    expect(rows.map((r) => String(r.dossier_id).slice(-4))).toEqual(['0001', '0002', '0003', '0004', '0005', '0006']);
    // An Excel date cell and a text date read alike; without a supplement wait the re-set due date is the original one.
    expect(rows[0]).toMatchObject({ channel: 2, received: '03/05/2024 08:15', due: '17/05/2024', due_reset: '17/05/2024', finished: '16/05/2024', returned: '17/05/2024', status: 'DA_TRA_KET_QUA', result_type: 'KET_QUA', supplement_days: 0, is_fee_bearing: true });
    // a re-set due date with the supplement dates: the original is the re-set one less the wait (3 days), subtracted once
    expect(rows[1]).toMatchObject({ status: 'DA_XU_LY', returned: null, s_req: '06/05/2024', supplement_days: 3, due: '17/05/2024', due_reset: '20/05/2024', is_fee_bearing: true });
    expect(rows[2]).toMatchObject({ channel: 3, due: null, status: 'DANG_XU_LY', is_fee_bearing: false }); // no due date
    expect(rows[3]).toMatchObject({ status: 'CHUA_TIEP_NHAN' });
    expect(rows[4]).toMatchObject({ status: 'DA_TRA_KET_QUA', result_type: 'XIN_LOI', deleted: true });
    expect(rows[5]).toMatchObject({ status: 'DUNG_XU_LY' });
    const q = await withDuckDb((db) =>
      db.all(`SELECT row_no, field, reason, raw_value FROM read_parquet(${literal(`${l.root}/quarantine/**/*.parquet`)}, hive_partitioning = true) ORDER BY row_no`),
    );
    expect(q).toEqual([
      { row_no: '11', field: 'status', reason: 'unknown status', raw_value: '42' },
      { row_no: '12', field: 'channel', reason: 'not one of 1 (in person), 2 (online), 3 (postal)', raw_value: 'Fax' },
      { row_no: '13', field: 'returned_at', reason: 'result handed over before the processing finished', raw_value: '07/05/2024 08:00' },
    ]);
    const inv = await checkInvariants(l.storage, l.work);
    expect(inv.accountingErrors).toEqual([]);
    expect(inv.ok).toBe(true);
  });

  test('should land the sổ theo dõi hồ sơ (TT 01/2018) with the procedure and agency by name and the status from its dates', async () => {
    const l = await lake();
    const file = path.join(l.dir, 'so-theo-doi-2024.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sổ theo dõi');
    ws.getCell(1, 1).value = 'SỞ TƯ PHÁP';
    ws.getCell(3, 1).value = 'SỔ THEO DÕI HỒ SƠ';
    ws.getRow(5).values = [undefined, 'STT', 'Mã hồ sơ', 'Tên TTHC', 'Số lượng hồ sơ (bộ)', 'Tên cá nhân, tổ chức', 'Địa chỉ, số điện thoại', 'Cơ quan chủ trì giải quyết',
      'Nhận hồ sơ của cá nhân, tổ chức', 'Hẹn trả kết quả', 'Chuyển hồ sơ đến cơ quan giải quyết', 'Nhận kết quả từ cơ quan giải quyết', 'Trả kết quả cho cá nhân, tổ chức', 'Ghi chú'];
    ws.getRow(6).values = [undefined, '(1)', '(2)', '(3)', '(4)', '(5)', '(6)', '(7)', '(8)', '(9)', '(10)', '(11)', '(12)', '(13)'];
    ws.getRow(7).values = [undefined, 1, 'STD-1', 'Cấp phiếu lý lịch tư pháp', 1, 'Trần B', 'Hà Nội', 'Sở Tư pháp', '02/05/2024 08:00', '16/05/2024', '03/05/2024', '10/05/2024 09:00', '11/05/2024 10:00', ''];
    ws.getRow(8).values = [undefined, 2, 'STD-2', 'cấp  phiếu LÝ LỊCH tư pháp', 1, 'Lê C', '', 'Sở TP', '02/05/2024 09:00', '16/05/2024', '', '12/05/2024 09:00', '', ''];
    ws.getRow(9).values = [undefined, 3, 'STD-3', 'Cấp chứng chỉ hành nghề', 1, 'Phạm D', '', 'Sở Y tế', '02/05/2024 10:00', '20/05/2024', '', '', '', ''];
    ws.getRow(10).values = [undefined, 4, 'STD-4', 'Thủ tục không có trong danh mục', 1, 'E', '', 'Sở Y tế', '02/05/2024 10:00', '20/05/2024', '', '', '', ''];
    await wb.xlsx.writeFile(file);
    const { readFileSync } = await import('node:fs');
    await stageRaw(l.storage, { kind: 'dossier-export', bytes: readFileSync(file), period: '2024', originalName: 'so-theo-doi-2024.xlsx', profile: 'so-theo-doi' });
    const summary = await landStaged({ storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    expect(summary.files.find((f) => f.kind === 'dossier-export')).toMatchObject({ rows_read: 4, rows_landed: 3, rows_quarantined: 1 });
    const rows = await withDuckDb((db) =>
      db.all(
        `SELECT dossier_id, procedure_code, agency_code, channel, status, strftime(finished_at, '%d/%m/%Y') AS finished, strftime(returned_at, '%d/%m/%Y') AS returned
         FROM read_parquet(${literal(`${l.root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY dossier_id`,
      ),
    );
    expect(rows).toEqual([
      { dossier_id: 'STD-1', procedure_code: '1.000001', agency_code: 'H99.01', channel: 1, status: 'DA_TRA_KET_QUA', finished: '10/05/2024', returned: '11/05/2024' },
      { dossier_id: 'STD-2', procedure_code: '1.000001', agency_code: 'H99.01', channel: 1, status: 'DA_XU_LY', finished: '12/05/2024', returned: null },
      { dossier_id: 'STD-3', procedure_code: '1.000002', agency_code: 'H99.02', channel: 1, status: 'DANG_XU_LY', finished: null, returned: null },
    ]);
    const q = await withDuckDb((db) => db.all(`SELECT row_no, field, reason, raw_value FROM read_parquet(${literal(`${l.root}/quarantine/**/*.parquet`)}, hive_partitioning = true)`));
    expect(q).toEqual([{ row_no: '10', field: 'procedure_code', reason: 'unknown procedure code', raw_value: 'Thủ tục không có trong danh mục' }]);
    expect((await checkInvariants(l.storage, l.work)).ok).toBe(true);
  });

  test('should read the sổ theo dõi hồ sơ as TT 01/2018 lays it out: "Ngày, tháng, năm" merged over its five dates', async () => {
    const l = await lake();
    const file = path.join(l.dir, 'so-theo-doi-mau-06.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sổ theo dõi');
    ws.getCell(1, 1).value = 'SỞ TƯ PHÁP';
    ws.getCell(3, 1).value = 'SỔ THEO DÕI HỒ SƠ';
    // Rows 5–6: the header over two rows (values from column A); the date group merged across columns 8–12, the others down both rows.
    ws.getRow(5).values = ['STT', 'Mã hồ sơ', 'Tên TTHC', 'Số lượng hồ sơ (bộ)', 'Tên cá nhân, tổ chức', 'Địa chỉ, số điện thoại', 'Cơ quan chủ trì giải quyết', 'Ngày, tháng, năm', '', '', '', '', 'Ghi chú'];
    ws.getRow(6).values = ['', '', '', '', '', '', '', 'Nhận hồ sơ của cá nhân, tổ chức', 'Hẹn trả kết quả', 'Chuyển hồ sơ đến cơ quan giải quyết', 'Nhận kết quả từ cơ quan giải quyết', 'Trả kết quả cho cá nhân, tổ chức', ''];
    for (const c of [1, 2, 3, 4, 5, 6, 7, 13]) ws.mergeCells(5, c, 6, c);
    ws.mergeCells(5, 8, 5, 12);
    ws.getRow(7).values = ['(1)', '(2)', '(3)', '(4)', '(5)', '(6)', '(7)', '(8)', '(9)', '(10)', '(11)', '(12)', '(13)'];
    ws.getRow(8).values = [1, 'STD-1', 'Cấp phiếu lý lịch tư pháp', 1, 'Trần B', 'Hà Nội', 'Sở Tư pháp', '02/05/2024 08:00', '16/05/2024', '03/05/2024', '10/05/2024 09:00', '11/05/2024 10:00', ''];
    ws.getRow(9).values = [2, 'STD-3', 'Cấp chứng chỉ hành nghề', 1, 'Phạm D', '', 'Sở Y tế', '02/05/2024 10:00', '20/05/2024', '', '', '', ''];
    await wb.xlsx.writeFile(file);
    const { readFileSync } = await import('node:fs');
    // Read as one row, neither row of the header held the dossier id and the dates together: the file was refused.
    const r = await inspectExport({ path: file, storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    expect(r).toMatchObject({ profile: 'so-theo-doi', headerRow: 6, rows: 2, landed: 2, missing: [] });
    // The row inspect prints is the one a profile's header_row names.
    const named = await withDuckDb(async (db) => {
      await createProfileTables(db);
      const profile = { ...(await loadProfile('so-theo-doi')), header_row: 6 };
      const loaded = await loadProfileExport(db, { fileNo: 0, localPath: file, file: 'so-theo-doi-mau-06.xlsx', profile, workDir: l.work });
      return { headerRow: loaded.headerRow, rows: loaded.rowsRead };
    });
    expect(named).toEqual({ headerRow: 6, rows: 2 });
    await stageRaw(l.storage, { kind: 'dossier-export', bytes: readFileSync(file), period: '2024', originalName: 'so-theo-doi-mau-06.xlsx', profile: 'so-theo-doi' });
    const summary = await landStaged({ storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    expect(summary.files.find((f) => f.kind === 'dossier-export')).toMatchObject({ rows_read: 2, rows_landed: 2, rows_quarantined: 0 });
    const rows = await withDuckDb((db) =>
      db.all(
        `SELECT dossier_id, strftime(received_at, '%d/%m/%Y %H:%M') AS received, strftime(finished_at, '%d/%m/%Y') AS finished, status
         FROM read_parquet(${literal(`${l.root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY dossier_id`,
      ),
    );
    expect(rows).toEqual([
      { dossier_id: 'STD-1', received: '02/05/2024 08:00', finished: '10/05/2024', status: 'DA_TRA_KET_QUA' },
      { dossier_id: 'STD-3', received: '02/05/2024 10:00', finished: null, status: 'DANG_XU_LY' },
    ]);
  });

  test('should join a group header to the sub-headers under it when the profile names them whole', async () => {
    const dir = tmp();
    const file = path.join(dir, 'grouped.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Hồ sơ');
    // "Ngày" over "tiếp nhận | hẹn trả": the dvc-xlsx profile knows "Ngày tiếp nhận" and "Ngày hẹn trả".
    ws.getRow(1).values = ['Mã hồ sơ', 'Mã thủ tục', 'Mã đơn vị', 'Kênh thực hiện', 'Ngày', '', 'Trạng thái'];
    ws.getRow(2).values = ['', '', '', '', 'tiếp nhận', 'hẹn trả', ''];
    ws.mergeCells(1, 5, 1, 6);
    ws.getRow(3).values = ['G-1', '1.000001', 'H99.01', '2', '03/05/2024 08:00', '10/05/2024 17:00', '4'];
    await wb.xlsx.writeFile(file);
    const profile = await loadProfile('dvc-xlsx');
    const got = await withDuckDb(async (db) => {
      await createProfileTables(db);
      const loaded = await loadProfileExport(db, { fileNo: 0, localPath: file, file: 'grouped.xlsx', profile, workDir: dir });
      return { headerRow: loaded.headerRow, rows: await db.all('SELECT row_no, dossier_id_src, received_at_src, due_at_src FROM profile_raw') };
    });
    expect(got).toEqual({ headerRow: 2, rows: [{ row_no: '3', dossier_id_src: 'G-1', received_at_src: '03/05/2024 08:00', due_at_src: '10/05/2024 17:00' }] });
  });

  test('should end the header on a row holding only the sub-headers of a group cell, though they map no field', async () => {
    const dir = tmp();
    const file = path.join(dir, 'applicant.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Hồ sơ');
    // The seven mapped headers merged down rows 1–2; "Người nộp" merged over "Họ tên | Số điện thoại".
    ws.getRow(1).values = ['Mã hồ sơ', 'Mã thủ tục', 'Mã đơn vị', 'Kênh thực hiện', 'Ngày tiếp nhận', 'Ngày hẹn trả', 'Trạng thái', 'Người nộp', ''];
    ws.getRow(2).values = ['', '', '', '', '', '', '', 'Họ tên', 'Số điện thoại'];
    for (let c = 1; c <= 7; c++) ws.mergeCells(1, c, 2, c);
    ws.mergeCells(1, 8, 1, 9);
    ws.getRow(3).values = ['G-1', '1.000001', 'H99.01', '2', '03/05/2024 08:00', '10/05/2024 17:00', '4', 'Trần B', '0912345678'];
    await wb.xlsx.writeFile(file);
    const profile = await loadProfile('dvc-xlsx');
    const got = await withDuckDb(async (db) => {
      await createProfileTables(db);
      const loaded = await loadProfileExport(db, { fileNo: 0, localPath: file, file: 'applicant.xlsx', profile, workDir: dir });
      return { headerRow: loaded.headerRow, ids: (await db.all('SELECT dossier_id_src FROM profile_raw ORDER BY row_no')).map((r) => r.dossier_id_src) };
    });
    // The sub-header row was read as a record with no dossier id (to be quarantined).
    expect(got).toEqual({ headerRow: 2, ids: ['G-1'] });
  });

  test('should inspect the project\'s own CSV (guessing its profile) and land nothing', async () => {
    const l = await lake();
    const file = path.join(l.dir, 'export.csv');
    const line = (id: string, status: string, agency = 'H99.01'): string =>
      [id, '1.000001', agency, '2', '03/05/2024 08:15', '10/05/2024 17:00', status === 'DA_TRA_KET_QUA' ? '09/05/2024 10:00' : '', status, '0', 'Có', 'Không', 'Có', 'Có', 'Có', 'Không', '09/05/2024 10:00'].join(',');
    writeFileSync(file, `\ufeff${PORTAL_CSV_HEADER.join(',')}\r\n${[line('A1', 'DA_TRA_KET_QUA'), line('A2', 'DANG_XU_LY'), line('A3', 'XYZ'), line('A4', 'DANG_XU_LY', 'H77')].join('\r\n')}\r\n`);
    const before = await listManifest(l.storage);
    const r = await inspectExport({ path: file, storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    expect(r).toMatchObject({ profile: 'own-csv', guessed: true, headerRow: 1, rows: 4, landed: 2, quarantined: 2, registryChecked: true, missing: [] });
    expect(r.reasons.map((x) => [x.field, x.reason, x.firstRow, x.example])).toEqual([
      ['agency_code', 'unknown agency code', 4, 'H77'],
      ['status', 'unknown status', 3, 'XYZ'],
    ]);
    expect(r.columns.find((c) => c.field === 'dossier_id')).toMatchObject({ header: 'Mã hồ sơ', filled: 4, examples: ['A1', 'A2', 'A3'] });
    expect(r.columns.find((c) => c.header === 'Ngày kết thúc')).toMatchObject({ filled: 1 });
    const text = formatInspect(r);
    expect(text).toMatch(/Profile: own-csv \(guessed from the headers\)/);
    expect(text).toMatch(/Rows: 4; would land 2, would be quarantined 2/);
    expect(await listManifest(l.storage)).toEqual(before); // nothing staged or landed
  });

  test('should say which columns it cannot map in an export no profile reads', async () => {
    const l = await lake();
    const file = path.join(l.dir, 'bao-cao.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.getRow(1).values = [undefined, 'Mã hồ sơ', 'Tên người nộp', 'Ngày tiếp nhận', 'Trạng thái'];
    ws.getRow(2).values = [undefined, 'X-1', 'A', '03/05/2024', '4'];
    await wb.xlsx.writeFile(file);
    const r = await inspectExport({ path: file, storage: l.storage, workDir: l.work });
    expect(r.profile).toBeNull();
    const dvc = r.candidates.find((c) => c.profile === 'dvc-xlsx')!;
    expect(dvc.missing).toEqual(['procedure_code or procedure_name', 'agency_code or agency_name', 'channel']);
    expect(formatInspect(r)).toMatch(/No mapping profile can read it\.\n.*dvc-xlsx: 3 column\(s\) matched \(header row 1\); no column for procedure_code or procedure_name, agency_code or agency_name, channel/);
  });

  test("should list the file's headers when no column matches any profile, below a title row", async () => {
    const l = await lake();
    const file = path.join(l.dir, 'khac.csv');
    writeFileSync(file, 'DANH SÁCH\nma,ten,ngay\nX-1,A,03/05/2024\n');
    const r = await inspectExport({ path: file, storage: l.storage, workDir: l.work });
    expect(r.profile).toBeNull();
    expect(r.candidates.every((c) => c.matched === 0)).toBe(true);
    expect(formatInspect(r)).toContain('Columns of the file: ma | ten | ngay');
  });

  test('should stream a 100 000-row dossier list to DuckDB in batches of 50 000 rows, every row accounted for', async () => {
    const dir = tmp();
    const file = path.join(dir, 'big.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
    const ws = wb.addWorksheet('Danh sách hồ sơ');
    ws.addRow(['Mã hồ sơ', 'Mã thủ tục', 'Mã đơn vị', 'Kênh thực hiện', 'Ngày tiếp nhận', 'Ngày hẹn trả', 'Trạng thái']).commit();
    for (let i = 1; i <= 100_000; i++) ws.addRow([`D-${i}`, '1.000001', 'H99.01', i % 2 ? '1' : '2', '03/05/2024 08:00', '10/05/2024 17:00', i % 1000 === 0 ? '99' : '4']).commit();
    await ws.commit();
    await wb.commit();
    const db = await DuckDb.open();
    try {
      await createProfileTables(db);
      const loaded = await loadProfileExport(db, { fileNo: 0, localPath: file, file: 'big.xlsx', profile: await loadProfile('dvc-xlsx'), workDir: dir });
      expect(loaded).toMatchObject({ rowsRead: 100_000, headerRow: 1, batches: 2, maxBatchRows: 50_000 });
      expect(await db.scalarNumber('SELECT count(*) FROM profile_raw')).toBe(100_000);
      expect(await db.scalarNumber('SELECT count(DISTINCT dossier_id_src) FROM profile_raw')).toBe(100_000);
      expect(await db.scalarNumber('SELECT max(row_no) FROM profile_raw')).toBe(100_001);
    } finally {
      db.close();
    }
  }, 180_000);
});

describe('a lake landed before the vendor fields existed', () => {
  test('should keep landing into partitions whose files lack the new columns, reading them as null', async () => {
    const l = await lake();
    const line = (id: string): string =>
      [id, '1.000001', 'H99.01', '2', '03/05/2024 08:15', '10/05/2024 17:00', '09/05/2024 10:00', 'DA_TRA_KET_QUA', '0', 'Có', 'Không', 'Có', 'Có', 'Có', 'Không', '09/05/2024 10:00'].join(',');
    const csv = (...ids: string[]): Buffer => Buffer.from(`\ufeff${PORTAL_CSV_HEADER.join(',')}\r\n${ids.map(line).join('\r\n')}\r\n`);
    await stageRaw(l.storage, { kind: 'portal-csv', bytes: csv('A1'), period: '2024-05', originalName: '2024-05.csv' });
    await landStaged({ storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    // Rewrite the partition as an earlier version wrote it: without the vendor columns.
    const file = path.join(l.root, 'landed/dossiers/source=portal/year=2024/month=5/data.parquet');
    await withDuckDb(async (db) => {
      await db.run(`COPY (SELECT * EXCLUDE (returned_at, supplement_requested_at, supplement_received_at, due_at_reset, result_type, deleted_at) FROM read_parquet(${literal(file)})) TO ${literal(`${file}.old`)} (FORMAT PARQUET)`);
    });
    const { renameSync } = await import('node:fs');
    renameSync(`${file}.old`, file);
    await stageRaw(l.storage, { kind: 'portal-csv', bytes: csv('A1', 'A2'), period: '2024-05', originalName: '2024-05_v2.csv' });
    await landStaged({ storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    const rows = await withDuckDb((db) => db.all(`SELECT dossier_id, returned_at, result_type FROM read_parquet(${literal(file)}) ORDER BY dossier_id`));
    expect(rows).toEqual([
      { dossier_id: 'A1', returned_at: null, result_type: null },
      { dossier_id: 'A2', returned_at: null, result_type: null },
    ]);
    expect((await checkInvariants(l.storage, l.work)).ok).toBe(true);
  });
});

/**
 * A DuckDb whose counts of what a reader returned (the vendor-export checks of profiles/load.ts) come
 * back one short, as if the reader had lost a row between the file and profile_raw.
 */
function losingOneRow(db: DuckDb, lost: (sql: string) => boolean): DuckDb {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'scalarNumber') {
        return async (sql: string, params?: Record<string, string | number | boolean | null>) => {
          const n = await target.scalarNumber(sql, params);
          return lost(sql) ? n - 1 : n;
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('a vendor export the reader does not return whole', () => {
  test('should refuse a CSV export when the reader returns fewer lines than the file holds, naming it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'export.csv');
    const line = (id: string): string =>
      [id, '1.000001', 'H99.01', '2', '03/05/2024 08:15', '10/05/2024 17:00', '', 'DANG_XU_LY', '0', 'Có', 'Không', 'Có', 'Có', 'Có', 'Không', '09/05/2024 10:00'].join(',');
    // Blank lines and a CR LF layout: the count skips what the reader skips.
    writeFileSync(file, `\ufeff${PORTAL_CSV_HEADER.join(',')}\r\n${line('A1')}\r\n\r\n${line('A2')}\r\n${line('A3')}\r\n\r\n`);
    const profile = await loadProfile('own-csv');
    await withDuckDb(async (db) => {
      await createProfileTables(db);
      const loaded = await loadProfileExport(db, { fileNo: 0, localPath: file, file: 'export.csv', profile, workDir: dir });
      expect(loaded.rowsRead).toBe(3);
      await createProfileTables(db);
      const short = losingOneRow(db, (sql) => sql.startsWith('SELECT count(*) FROM read_csv('));
      await expect(loadProfileExport(short, { fileNo: 0, localPath: file, file: 'export.csv', profile, workDir: dir })).rejects.toThrow(
        /Failed to read export\.csv: the CSV reader returned 3 line\(s\), but the file holds 4 non-empty line\(s\); nothing of the file was landed/,
      );
    });
  });

  test('should refuse a CSV export holding a byte that is not UTF-8, in its first rows or far past them, classed `encoding` (not a failed land)', async () => {
    const dir = tmp();
    const line = (id: string): string =>
      [id, '1.000001', 'H99.01', '2', '03/05/2024 08:15', '10/05/2024 17:00', '', 'DANG_XU_LY', '0', 'Có', 'Không', 'Có', 'Có', 'Có', 'Không', '09/05/2024 10:00'].join(',');
    const windows1258 = Buffer.from([0x48, 0xe0, 0x20, 0x4e, 0xe9, 0x69]); // "Hà Nội" as Windows-1258 bytes, not UTF-8
    const profile = await loadProfile('own-csv');
    for (const [name, before] of [['early.csv', 2], ['late.csv', 60_000]] as const) {
      const rows = Array.from({ length: before }, (_, i) => line(`A${i}`));
      const file = path.join(dir, name);
      writeFileSync(file, Buffer.concat([Buffer.from(`${PORTAL_CSV_HEADER.join(',')}\n${rows.join('\n')}\n`), Buffer.from(`${line('B1').replace('H99.01', '')}`), windows1258, Buffer.from('\n')]));
      const err = await withDuckDb(async (db) => {
        await createProfileTables(db);
        return loadProfileExport(db, { fileNo: 0, localPath: file, file: name, profile, workDir: dir }).then(() => undefined, (e: unknown) => e);
      });
      expect(err, name).toBeInstanceOf(PipelineInputError);
      expect((err as PipelineInputError).code, name).toBe('encoding');
      expect((err as Error).message, name).toContain(`Failed to read ${name}: cannot be read as CSV`);
    }
  });

  test('should refuse a workbook when fewer rows reach the landing than were read from it, naming it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'dvc.xlsx');
    await writeDvc(file, dvcRows.slice(0, 3));
    const profile = await loadProfile('dvc-xlsx');
    await withDuckDb(async (db) => {
      await createProfileTables(db);
      const short = losingOneRow(db, (sql) => sql.startsWith('SELECT count(*) FROM profile_raw WHERE file_no'));
      await expect(loadProfileExport(short, { fileNo: 0, localPath: file, file: 'dvc.xlsx', profile, workDir: dir })).rejects.toThrow(
        /Failed to read dvc\.xlsx: 3 data row\(s\) were read from the workbook, but 2 reached the landing; nothing of the file was landed/,
      );
    });
  });
});

describe('the sheet a profile names', () => {
  /** A workbook of `sheets` in tab order: each a name and its rows (none: an empty sheet). */
  async function workbook(file: string, sheets: [string, Cell[][]][]): Promise<void> {
    const wb = new ExcelJS.Workbook();
    for (const [name, rows] of sheets) {
      const ws = wb.addWorksheet(name);
      rows.forEach((r, i) => (ws.getRow(i + 1).values = [undefined, ...r]));
    }
    await wb.xlsx.writeFile(file);
  }
  const header: Cell[] = ['Mã hồ sơ', 'Mã thủ tục', 'Mã đơn vị', 'Kênh thực hiện', 'Ngày tiếp nhận', 'Ngày hẹn trả', 'Trạng thái'];
  const row = (id: string): Cell[] => [id, '1.000001', 'H99.01', '2', '03/05/2024 08:00', '10/05/2024 17:00', '4'];
  const load = async (file: string, sheet: string | number | undefined): Promise<{ ids: string[] } | PipelineInputError> => {
    const profile = { ...(await loadProfile('dvc-xlsx')), sheet };
    return withDuckDb(async (db) => {
      await createProfileTables(db);
      try {
        await loadProfileExport(db, { fileNo: 0, localPath: file, file: path.basename(file), profile, workDir: path.dirname(file) });
      } catch (err) {
        if (err instanceof PipelineInputError) return err;
        throw err;
      }
      return { ids: (await db.all('SELECT dossier_id_src FROM profile_raw ORDER BY row_no')).map((r) => String(r.dossier_id_src)) };
    });
  };

  test('should read the sheet at a tab position by the workbook\'s tabs, an empty tab counted', async () => {
    const file = path.join(tmp(), 'tabs.xlsx');
    await workbook(file, [['Bìa', []], ['Hồ sơ', [header, row('B-1')]], ['Ghi chú', [header, row('C-1')]]]);
    // Tab 2 is "Hồ sơ"; the first tab is empty, so counting only the tabs that have rows read "Ghi chú".
    expect(await load(file, 2)).toEqual({ ids: ['B-1'] });
    expect(await load(file, 'HỒ SƠ')).toEqual({ ids: ['B-1'] });
    const none = await load(file, 4);
    expect(none).toBeInstanceOf(PipelineInputError);
    expect((none as PipelineInputError).code).toBe('layout');
    expect((none as Error).message).toMatch(/no sheet at position 4; the workbook's sheets: "Bìa", "Hồ sơ", "Ghi chú"/);
  });

  test('should find the sheet by the name the workbook gives it, written with character references or reached by an absolute path', async () => {
    const dir = tmp();
    const rows = [header, row('E-1')].map((r) => r.map((v) => String(v)));
    // "Dữ liệu" as &#7919; and &#x1EC7; in workbook.xml: exceljs decodes them, the zip's sheet list did not.
    const refs = path.join(dir, 'refs.xlsx');
    writeFileSync(refs, textXlsx(rows, { nameXml: 'D&#7919; li&#x1EC7;u' }));
    expect(await load(refs, 'Dữ liệu')).toEqual({ ids: ['E-1'] });
    expect(await load(refs, 1)).toEqual({ ids: ['E-1'] });
    // An absolute Target: exceljs calls the sheet "Sheet1"; the workbook calls it "Hồ sơ".
    const absolute = path.join(dir, 'absolute.xlsx');
    writeFileSync(absolute, textXlsx(rows, { nameXml: 'Hồ sơ', target: '/xl/worksheets/sheet1.xml' }));
    expect(await load(absolute, 'Hồ sơ')).toEqual({ ids: ['E-1'] });
    expect(await load(absolute, 1)).toEqual({ ids: ['E-1'] });
    // A relative Target that takes a detour ("./worksheets/…"): the same part.
    const dotted = path.join(dir, 'dotted.xlsx');
    writeFileSync(dotted, textXlsx(rows, { nameXml: 'Hồ sơ', target: './worksheets/sheet1.xml' }));
    expect(await load(dotted, 'Hồ sơ')).toEqual({ ids: ['E-1'] });
  });

  test('should read, with no sheet named, the one sheet whose header maps the profile, past a cover sheet with rows', async () => {
    const file = path.join(tmp(), 'cover.xlsx');
    const cover: Cell[][] = [['DANH SÁCH HỒ SƠ'], ['Đơn vị: Sở Tư pháp'], ['Từ ngày 01/05/2024 đến ngày 31/05/2024']];
    await workbook(file, [['Bìa', cover], ['Hồ sơ', [header, row('B-1'), row('B-2')]], ['Ghi chú', [['Số liệu trích xuất từ hệ thống một cửa']]]]);
    // The first sheet with rows was read, and the file refused as having no header.
    expect(await load(file, undefined)).toEqual({ ids: ['B-1', 'B-2'] });
    const r = await inspectExport({ path: file, profile: 'dvc-xlsx', storage: new LocalStorage(path.join(path.dirname(file), 'lake')), workDir: path.join(path.dirname(file), 'work') });
    expect(r).toMatchObject({ profile: 'dvc-xlsx', headerRow: 1, rows: 2 });
  });

  test('should refuse, with no sheet named, a workbook whose two sheets each hold a list, rather than land one and lose the other', async () => {
    const file = path.join(tmp(), 'months.xlsx');
    await workbook(file, [['Tháng 4', [header, row('A-1')]], ['Tháng 5', [['Danh sách hồ sơ tháng 5'], header, row('B-1'), row('B-2')]]]);
    // The first list was landed and the second's two dossiers were neither landed nor quarantined.
    const both = await load(file, undefined);
    expect(both).toBeInstanceOf(PipelineInputError);
    expect((both as PipelineInputError).code).toBe('layout');
    expect((both as Error).message).toMatch(/2 sheets hold a list with the profile's columns \("Tháng 4", "Tháng 5"\): name the one to land in the profile's "sheet"/);
    // Named, either is read.
    expect(await load(file, 'Tháng 5')).toEqual({ ids: ['B-1', 'B-2'] });
    const dir = path.dirname(file);
    const r = await inspectExport({ path: file, profile: 'dvc-xlsx', storage: new LocalStorage(path.join(dir, 'lake')), workDir: path.join(dir, 'work') });
    expect(r.profile).toBeNull();
    expect(r.candidates).toMatchObject([{ profile: 'dvc-xlsx', sheet: expect.stringMatching(/^2 sheets hold a list/) }]);
    expect(formatInspect(r)).toContain('  dvc-xlsx: 2 sheets hold a list with the profile\'s columns ("Tháng 4", "Tháng 5")');
    expect(formatInspect(r)).toContain('Name the sheet to land in the profile\'s "sheet"');
    // Guessing the profile: the one whose columns all map comes first, with what keeps it from landing the file.
    const guessed = await inspectExport({ path: file, storage: new LocalStorage(path.join(dir, 'lake')), workDir: path.join(dir, 'work') });
    expect(guessed.profile).toBeNull();
    expect(guessed.candidates[0]).toMatchObject({ profile: 'dvc-xlsx', missing: [], sheet: expect.stringMatching(/^2 sheets hold a list/) });
  });

  test('should pass over, with no sheet named, a tab holding the header alone, before or after the list', async () => {
    const dir = tmp();
    for (const [name, sheets] of [
      ['template-first.xlsx', [['Mẫu', [header]], ['Hồ sơ', [header, row('B-1'), row('B-2')]]]],
      ['template-last.xlsx', [['Hồ sơ', [header, row('B-1'), row('B-2')]], ['Mẫu', [header]]]],
    ] as [string, [string, Cell[][]][]][]) {
      const file = path.join(dir, name);
      await workbook(file, sheets);
      // A header-only tab counted as a second list refused the file.
      expect(await load(file, undefined)).toEqual({ ids: ['B-1', 'B-2'] });
      const r = await inspectExport({ path: file, profile: 'dvc-xlsx', storage: new LocalStorage(path.join(dir, 'lake')), workDir: path.join(dir, 'work') });
      expect(r).toMatchObject({ profile: 'dvc-xlsx', rows: 2 });
    }
    // Only templates: none holds a dossier.
    const only = path.join(dir, 'templates.xlsx');
    await workbook(only, [['Mẫu 1', [header]], ['Mẫu 2', [header]]]);
    expect(await load(only, undefined)).toEqual({ ids: [] });
  });

  test('should look for the header down to the header row a profile names, in inspect as in the land', async () => {
    const dir = tmp();
    const file = path.join(dir, 'deep.xlsx');
    const title: Cell[][] = Array.from({ length: 34 }, (_, i) => [`Dòng tiêu đề ${i + 1}`]);
    await workbook(file, [['Bìa', [['DANH SÁCH HỒ SƠ']]], ['Hồ sơ', [...title, header, row('D-1')]]]);
    const profileFile = path.join(dir, 'dvc-deep.json');
    writeFileSync(profileFile, JSON.stringify({ ...(await loadProfile('dvc-xlsx')), name: 'dvc-deep', header_row: 35 }));
    const profile = await loadProfile(profileFile);
    const landed = await withDuckDb(async (db) => {
      await createProfileTables(db);
      await loadProfileExport(db, { fileNo: 0, localPath: file, file: 'deep.xlsx', profile, workDir: dir });
      return (await db.all('SELECT dossier_id_src FROM profile_raw')).map((r) => String(r.dossier_id_src));
    });
    expect(landed).toEqual(['D-1']);
    // inspect kept 30 rows of each sheet and found no header.
    const r = await inspectExport({ path: file, profile: profileFile, storage: new LocalStorage(path.join(dir, 'lake')), workDir: path.join(dir, 'work') });
    expect(r).toMatchObject({ profile: 'dvc-deep', headerRow: 35, rows: 1 });
  });

  test('should choose from the rows a profile looks at, however many a pass kept for other profiles', async () => {
    // inspect keeps, for every profile, as many rows as the one with the deepest header_row needs.
    const deep = [...Array.from({ length: 32 }, (_, i) => ({ row: i + 1, cells: [`Dòng ${i + 1}`] })), { row: 33, cells: header.map(String) }, { row: 34, cells: row('D-1').map(String) }];
    const peeks = new Map([['Hồ sơ', { rows: deep, lastFilled: 34 }]]);
    // dvc-xlsx looks at the first 30 rows, as the land does: no header there.
    expect(chooseSheet(await loadProfile('dvc-xlsx'), peeks)).toEqual({});
    expect(chooseSheet({ ...(await loadProfile('dvc-xlsx')), header_row: 33 }, peeks)).toMatchObject({ sheet: 'Hồ sơ', header: { row: 33 } });
  });

  test('should refuse at once a named sheet without a header in its first rows, whatever the other tabs hold', async () => {
    const file = path.join(tmp(), 'named-no-header.xlsx');
    const wide: Cell[] = [];
    wide[299] = 'ghi chú';
    await workbook(file, [['Hồ sơ', [['Không có tiêu đề'], ['A-1']]], ['Ghi chú', [['Ghi chú'], wide]]]);
    const err = await load(file, 'Hồ sơ');
    // Reading on to the end met the note in column 300 and said the file was too large.
    expect((err as PipelineInputError).code).toBe('columns');
    expect((err as Error).message).toMatch(/no header row of the profile "dvc-xlsx" found \(first 2 rows of the sheet "Hồ sơ"\)/);
  });

  test('should skip after the header only a column-number row, and swallow no note as a sub-header', async () => {
    const dir = tmp();
    const load = async (file: string, name: string): Promise<{ headerRow: number; ids: unknown[] }> =>
      withDuckDb(async (db) => {
        await createProfileTables(db);
        const loaded = await loadProfileExport(db, { fileNo: 0, localPath: file, file: path.basename(file), profile: await loadProfile(name), workDir: dir });
        return { headerRow: loaded.headerRow, ids: (await db.all('SELECT dossier_id_src FROM profile_raw ORDER BY row_no')).map((r) => r.dossier_id_src) };
      });
    // The book flattened into one row with a "Người nộp" group over two columns, and no column-number row:
    // so-theo-doi skips one row after the header, and that row was the first dossier.
    const book = path.join(dir, 'book.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sổ theo dõi');
    ws.getRow(3).values = ['STT', 'Mã hồ sơ', 'Tên TTHC', 'Người nộp', '', 'Cơ quan chủ trì giải quyết', 'Nhận hồ sơ của cá nhân, tổ chức', 'Hẹn trả kết quả', 'Nhận kết quả từ cơ quan giải quyết', 'Trả kết quả cho cá nhân, tổ chức'];
    ws.getRow(4).values = ['', '', '', 'Họ tên', 'Địa chỉ, số điện thoại', '', '', '', '', ''];
    ws.mergeCells(3, 4, 3, 5);
    ws.getRow(5).values = [1, 'STD-1', 'Cấp phiếu lý lịch tư pháp', 'Trần B', 'Hà Nội', 'Sở Tư pháp', '02/05/2024 08:00', '16/05/2024', '', ''];
    ws.getRow(6).values = [2, 'STD-2', 'Cấp phiếu lý lịch tư pháp', 'Lê C', '', 'Sở Tư pháp', '02/05/2024 09:00', '16/05/2024', '', ''];
    await wb.xlsx.writeFile(book);
    expect(await load(book, 'so-theo-doi')).toEqual({ headerRow: 4, ids: ['STD-1', 'STD-2'] });
    // A note in an unlabelled column right under the header is a row to read (and quarantine), not a sub-header.
    const noted = path.join(dir, 'noted.xlsx');
    const nb = new ExcelJS.Workbook();
    const ns = nb.addWorksheet('Hồ sơ');
    ns.getRow(1).values = ['', ...header];
    ns.getRow(2).values = ['hồ sơ giấy, chưa nhập mã'];
    ns.getRow(3).values = ['', ...row('N-1')];
    await nb.xlsx.writeFile(noted);
    expect(await load(noted, 'dvc-xlsx')).toEqual({ headerRow: 1, ids: [null, 'N-1'] });
  });

  test('should skip after a CSV header only a column-number line, numbering the records alike', async () => {
    const dir = tmp();
    const profileFile = path.join(dir, 'csv-numbered.json');
    writeFileSync(profileFile, JSON.stringify({ ...(await loadProfile('own-csv')), name: 'csv-numbered', skip_after_header: 1 }));
    const profile = await loadProfile(profileFile);
    const line = (id: string): string => [id, '1.000001', 'H99.01', '2', '03/05/2024 08:15', '10/05/2024 17:00', '', 'DANG_XU_LY', '0', 'Có', 'Không', 'Có', 'Có', 'Có', 'Không', '09/05/2024 10:00'].join(',');
    const read = async (name: string, body: string[]): Promise<unknown[]> => {
      const file = path.join(dir, name);
      writeFileSync(file, `${PORTAL_CSV_HEADER.join(',')}\n${body.join('\n')}\n`);
      return withDuckDb(async (db) => {
        await createProfileTables(db);
        await loadProfileExport(db, { fileNo: 0, localPath: file, file: name, profile, workDir: dir });
        return (await db.all('SELECT row_no, dossier_id_src FROM profile_raw ORDER BY row_no')).map((r) => `${r.row_no}:${r.dossier_id_src}`);
      });
    };
    const numbers = PORTAL_CSV_HEADER.map((_, i) => `(${i + 1})`).join(',');
    expect(await read('with-numbers.csv', [numbers, line('C-1'), line('C-2')])).toEqual(['1:C-1', '2:C-2']);
    // Without its column-number line, the first record was skipped in its place.
    expect(await read('without-numbers.csv', [line('C-1'), line('C-2')])).toEqual(['1:C-1', '2:C-2']);
  });

  test('should name the missing columns of the best header when no sheet holds the whole list', async () => {
    const file = path.join(tmp(), 'partial.xlsx');
    await workbook(file, [['Bìa', [['DANH SÁCH HỒ SƠ']]], ['Hồ sơ', [header.slice(0, 3), ['X-1', '1.000001', 'H99.01']]]]);
    const partial = await load(file, undefined);
    expect((partial as PipelineInputError).code).toBe('columns');
    expect((partial as Error).message).toMatch(/the profile "dvc-xlsx" cannot map it: no column for received_at, channel, status/);
    const none = path.join(tmp(), 'none.xlsx');
    await workbook(none, [['Bìa', [['DANH SÁCH HỒ SƠ']]], ['Ghi chú', [['Không có số liệu']]]]);
    const noHeader = await load(none, undefined);
    expect((noHeader as PipelineInputError).code).toBe('columns');
    expect((noHeader as Error).message).toMatch(/no header row of the profile "dvc-xlsx" found \(first rows of the sheet\(s\) "Bìa", "Ghi chú"\)/);
  });

  test('should class a named sheet the workbook lacks as its layout, and a named sheet that is empty as an empty file', async () => {
    const file = path.join(tmp(), 'named.xlsx');
    await workbook(file, [['Danh sách', [header, row('A-1')]], ['Tổng hợp', []]]);
    const missing = await load(file, 'Hồ sơ');
    expect((missing as PipelineInputError).code).toBe('layout');
    expect((missing as Error).message).toMatch(/no sheet "Hồ sơ"; the workbook's sheets: "Danh sách", "Tổng hợp"/);
    const empty = await load(file, 'tong hop');
    expect((empty as PipelineInputError).code).toBe('empty_file');
    expect((empty as Error).message).toMatch(/the sheet "Tổng hợp" is empty/);
    // `inspect` with a profile naming the missing sheet says so, not that every column is missing.
    const dir = path.dirname(file);
    const profileFile = path.join(dir, 'dvc-ho-so.json');
    writeFileSync(profileFile, JSON.stringify({ ...(await loadProfile('dvc-xlsx')), name: 'dvc-ho-so', sheet: 'Hồ sơ' }));
    const r = await inspectExport({ path: file, profile: profileFile, storage: new LocalStorage(path.join(dir, 'lake')), workDir: path.join(dir, 'work') });
    expect(r.profile).toBeNull();
    expect(r.candidates).toMatchObject([{ profile: 'dvc-ho-so', sheet: 'no sheet "Hồ sơ"; the workbook\'s sheets: "Danh sách", "Tổng hợp"' }]);
    expect(formatInspect(r)).toContain('  dvc-ho-so: no sheet "Hồ sơ"; the workbook\'s sheets: "Danh sách", "Tổng hợp"');
  });
});
