import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { DuckDb, literal, withDuckDb } from '../../../functions/core/engine/duckdb.js';
import { PipelineInputError } from '../../../functions/core/errors.js';
import { EARLIEST_RECEIPT_YEAR } from '../../../functions/core/lake/datasets.js';
import { landStaged } from '../../../functions/core/lake/land.js';
import { listManifest, MANIFEST_INDEX_KEY, sha256, stageRaw } from '../../../functions/core/lake/raw.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import type { Storage } from '../../../functions/core/storage/types.js';
import { AGENCIES_CSV, PORTAL_HEADER, portalRow, PROCEDURES_CSV } from '../../fixtures/bad/make.js';
import { fixture, lakeFactory, landFiles, landRegistry, type RawFile, type TestLake } from '../../reliability/lakes.js';

const newLake = lakeFactory('lake');
type Lake = Pick<TestLake, 'storage' | 'root' | 'work'>;

/** A lake with the bad-input corpus's small registry already landed (in its own run): dossiers are checked against it. */
async function lake(): Promise<Lake> {
  const l = newLake();
  await landRegistry(l);
  return l;
}

const csv = (...rows: string[]): Buffer => Buffer.from(`\ufeff${PORTAL_HEADER}\r\n${rows.join('\r\n')}\r\n`);

const stageAndLand = (storage: Storage, work: string, items: RawFile[]) => landFiles({ storage, work }, items);

async function quarantined(root: string) {
  return withDuckDb((db) =>
    db.all(`SELECT row_no, field, reason, raw_value FROM read_parquet(${literal(`${root}/quarantine/**/*.parquet`)}, hive_partitioning = true) ORDER BY row_no`),
  );
}

/** A dossier row received in June 2024 (the fixture's own rows are May's). */
const inJune = (id: string): string => portalRow(id, { received: '03/06/2024 08:15', due: '10/06/2024 17:00', finished: '09/06/2024 10:00', updated: '09/06/2024 10:00' });

describe('landStaged with a portal CSV export holding bad rows', () => {
  test('should land the good rows, quarantine each bad one with its row, field and reason, and account for all', async () => {
    const { storage, root, work } = await lake();
    const summary = await stageAndLand(storage, work, [
      {
        kind: 'portal-csv',
        name: 'portal/dossiers/2024/2024-05.csv',
        bytes: csv(
          portalRow('A1'),
          portalRow('A2', { channel: '9' }),
          portalRow('A3', { finished: '01/05/2024 08:00', updated: '01/05/2024 08:00' }),
          'A4,1.000001,H99.01,2,03/05/2024 08:15',
          portalRow('A5', { received: '31/02/2024 08:00' }),
          portalRow('A1'),
          portalRow('A6', { finished: '', status: 'DANG_XU_LY', updated: '3/5/2024 8:15' }),
          portalRow('A7', { received: '03/05/2031 08:15', due: '10/05/2031 17:00', finished: '', status: 'DANG_XU_LY', updated: '03/05/2031 08:15' }),
          portalRow('A8', { paid: 'Có', fee: 'Không' }),
        ),
      },
    ]);
    expect(summary.files).toHaveLength(1);
    expect(summary.rowsRead).toBe(9);
    expect(summary.rowsLanded).toBe(2);
    expect(summary.rowsQuarantined).toBe(7);
    expect(await quarantined(root)).toEqual([
      { row_no: '2', field: 'channel', reason: 'not one of 1 (in person), 2 (online), 3 (postal)', raw_value: '9' },
      { row_no: '3', field: 'finished_at', reason: 'finished before received', raw_value: '01/05/2024 08:00' },
      { row_no: '4', field: null, reason: expect.stringContaining('malformed CSV record'), raw_value: null },
      { row_no: '5', field: 'received_at', reason: 'not a valid date and time', raw_value: '31/02/2024 08:00' },
      { row_no: '6', field: 'dossier_id', reason: 'duplicate dossier id in the file (first at row 1)', raw_value: 'A1' },
      { row_no: '8', field: 'received_at', reason: 'in the future', raw_value: '03/05/2031 08:15' },
      { row_no: '9', field: 'is_paid_online', reason: 'paid online but not fee-bearing', raw_value: 'Có' },
    ]);
    const landed = await withDuckDb((db) =>
      db.all(`SELECT dossier_id, channel, CAST(received_at AS VARCHAR) AS received_at, CAST(finished_at AS VARCHAR) AS finished_at, raw_row, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month
              FROM read_parquet(${literal(`${root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY dossier_id`),
    );
    expect(landed).toEqual([
      { dossier_id: 'A1', channel: 2, received_at: '2024-05-03 08:15:00', finished_at: '2024-05-09 10:00:00', raw_row: '1', year: 2024, month: 5 },
      { dossier_id: 'A6', channel: 2, received_at: '2024-05-03 08:15:00', finished_at: null, raw_row: '7', year: 2024, month: 5 },
    ]);
    // The quarantined row is kept whole, as its file had it (header → value), with its row number.
    const [kept] = await withDuckDb((db) =>
      db.all(`SELECT raw_record FROM read_parquet(${literal(`${root}/quarantine/**/*.parquet`)}, hive_partitioning = true) WHERE row_no = 2`),
    );
    expect(JSON.parse(String(kept!.raw_record))).toEqual({
      row_no: 2,
      'Mã hồ sơ': 'A2', 'Mã TTHC': '1.000001', 'Mã đơn vị': 'H99.01', 'Kênh nộp': '9', 'Ngày tiếp nhận': '03/05/2024 08:15',
      'Ngày hẹn trả': '10/05/2024 17:00', 'Ngày kết thúc': '09/05/2024 10:00', 'Trạng thái': 'DA_TRA_KET_QUA', 'Số ngày chờ bổ sung': '0',
      'Có phí': 'Có', 'Thanh toán trực tuyến': 'Có', 'Đã số hóa': 'Có', 'Có kết quả điện tử': 'Có', 'Đồng bộ DVCQG': 'Có',
      'Có phản ánh': 'Không', 'Ngày cập nhật': '09/05/2024 10:00',
    });
    const [entry] = await listManifest(storage);
    expect(entry).toMatchObject({ kind: 'portal-csv', period: '2024-05', rows_read: 9, rows_landed: 2, rows_quarantined: 7, original_name: 'dossiers/2024/2024-05.csv' });
  });
});

describe('landStaged and the earliest year of receipt', () => {
  test('should land a dossier received on 1 January of EARLIEST_RECEIPT_YEAR in that year and quarantine one received the minute before', async () => {
    // The first `year=` partition a reader can meet: Athena's partition projection starts there (infra/lib/query).
    // The corpus's registry with its agencies in place since 1990 (they open in 2019 there).
    const { root, storage, work } = newLake();
    const since1990 = AGENCIES_CSV.replaceAll(',2019-01-01,', ',1990-01-01,');
    await stageRaw(storage, { kind: 'registry-agencies', bytes: Buffer.from(`${since1990}\r\n`), period: null, originalName: 'agencies.csv' });
    await stageRaw(storage, { kind: 'registry-procedures', bytes: Buffer.from(`${PROCEDURES_CSV}\r\n`), period: null, originalName: 'procedures.csv' });
    await landStaged({ storage, workDir: work });
    const y = EARLIEST_RECEIPT_YEAR;
    const at = (d: string) => ({ received: d, due: `10/01/${y} 17:00`, finished: `09/01/${y} 10:00`, updated: `09/01/${y} 10:00` });
    // E2: received in 2012 under an agency the registry lacks. A file pulled for no period puts a rejected
    // row in its own month of receipt when that lies from EARLIEST_RECEIPT_YEAR to the landing year, else
    // (E0) in the landing month.
    const e2 = { received: '05/03/2012 08:00', due: '12/03/2012 17:00', finished: '09/03/2012 10:00', updated: '09/03/2012 10:00' };
    const bytes = csv(portalRow('E1', at(`01/01/${y} 00:00`)), portalRow('E0', at(`31/12/${y - 1} 23:59`)), portalRow('E2', { ...e2, agency: 'H99.77' }));
    await stageRaw(storage, { kind: 'portal-csv', bytes, period: null, originalName: 'old.csv' });
    const summary = await landStaged({ storage, workDir: work });
    expect([summary.rowsLanded, summary.rowsQuarantined]).toEqual([1, 2]);
    expect((await quarantined(root)).map((q) => [q.field, q.reason])).toEqual([
      ['received_at', `before ${y}`],
      ['agency_code', 'unknown agency code'],
    ]);
    const now = new Date();
    const partitions = await withDuckDb((db) =>
      db.all(
        `SELECT row_no, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month FROM read_parquet(${literal(`${root}/quarantine/**/*.parquet`)}, hive_partitioning = true) ORDER BY row_no`,
      ),
    );
    expect(partitions).toEqual([
      { row_no: '2', year: now.getFullYear(), month: now.getMonth() + 1 },
      { row_no: '3', year: 2012, month: 3 },
    ]);
    const landed = await withDuckDb((db) =>
      db.all(`SELECT dossier_id, CAST(year AS INTEGER) AS year FROM read_parquet(${literal(`${root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true)`),
    );
    expect(landed).toEqual([{ dossier_id: 'E1', year: y }]);
  });
});

describe('landStaged with an API page whose records have wrong types', () => {
  test('should quarantine the record and land the rest of the page', async () => {
    const { storage, root, work } = await lake();
    const good = { maHoSo: 'J1', maTTHC: '1.000001', maDonVi: 'H99.01', kenh: 1, ngayTiepNhan: '2024-05-03T08:15:00+07:00', ngayHenTra: '2024-05-10T17:00:00+07:00', ngayKetThuc: null, trangThai: 'DANG_XU_LY', soNgayChoBoSung: 0, coPhi: false, thanhToanTrucTuyen: false, daSoHoa: true, coKetQuaDienTu: false, dongBoDVCQG: true, coPhanAnh: false, ngayCapNhat: '2024-05-03T08:15:00+07:00' };
    const page = { page: 1, data: [good, { ...good, maHoSo: 'J2', kenh: 'hai' }, { ...good, maHoSo: 'J3', coPhi: 'maybe' }] };
    const s = await stageAndLand(storage, work, [{ kind: 'portal-api', name: '/api/v1/dossiers?page=1', bytes: Buffer.from(JSON.stringify(page)) }]);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([3, 1, 2]);
    expect((await quarantined(root)).map((q) => [q.row_no, q.field])).toEqual([
      ['2', 'channel'],
      ['3', 'is_fee_bearing'],
    ]);
  });
});

describe('landStaged recording the versions a later file replaced', () => {
  test('should name the version that holds the key now, the same ledger bytes however the files were grouped', async () => {
    // B1 updated on 9, 10 and 11 May in three files pulled a second apart (one land, one flush, and one run each).
    const files = ['09', '10', '11'].map((d, i) => ({
      kind: 'portal-csv' as const,
      bytes: csv(portalRow('B1', { updated: `${d}/05/2024 10:00` }), portalRow(`K${i}`)),
      period: '2024-05',
      originalName: `v${i + 1}.csv`,
      pulledAt: `2026-01-02T00:00:0${i}.000Z`,
    }));
    const land = (l: Lake) => landStaged({ storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    const one = await lake();
    for (const f of files) await stageRaw(one.storage, f);
    await land(one);
    const three = await lake();
    for (const f of files) {
      await stageRaw(three.storage, f);
      await land(three);
    }
    const ledgerKey = 'landed/_superseded/dossiers/source=portal/year=2024/month=5/data.parquet';
    const ledger = (root: string) =>
      withDuckDb((db) => db.all(`SELECT raw_hash, superseded_by_hash, CAST(superseded_at AS VARCHAR) AS at FROM read_parquet(${literal(path.join(root, ledgerKey))}) ORDER BY raw_hash`));
    const [v1, v2, v3] = files.map((f) => sha256(f.bytes));
    expect(await ledger(three.root)).toEqual(
      [v1, v2].map((h) => ({ raw_hash: h, superseded_by_hash: v3, at: '2026-01-02 00:00:02' })).sort((a, b) => a.raw_hash!.localeCompare(b.raw_hash!)),
    );
    expect(readFileSync(path.join(three.root, ledgerKey)).equals(readFileSync(path.join(one.root, ledgerKey)))).toBe(true);
    expect(readFileSync(path.join(three.root, 'landed/dossiers/source=portal/year=2024/month=5/data.parquet')).equals(readFileSync(path.join(one.root, 'landed/dossiers/source=portal/year=2024/month=5/data.parquet')))).toBe(true);
  });
});

describe('landStaged placing an id that a CSV export and a later API page put in two months', () => {
  test('should land the files in the order they arrived, across kinds, so one land and two give the same lake', async () => {
    const record = { maHoSo: 'X1', maTTHC: '1.000001', maDonVi: 'H99.01', kenh: 2, ngayTiepNhan: '2024-06-03T08:15:00+07:00', ngayHenTra: '2024-06-10T17:00:00+07:00', ngayKetThuc: null, trangThai: 'DANG_XU_LY', soNgayChoBoSung: 0, coPhi: false, thanhToanTrucTuyen: false, daSoHoa: true, coKetQuaDienTu: false, dongBoDVCQG: true, coPhanAnh: false, ngayCapNhat: '2024-06-03T08:15:00+07:00' };
    // X1 received in May by the export pulled first, in June by the page pulled a second later.
    const csvFile = { kind: 'portal-csv' as const, bytes: csv(portalRow('X1'), portalRow('X2')), period: '2024-05', originalName: 'may.csv', pulledAt: '2026-01-02T00:00:00.000Z' };
    const page = { kind: 'portal-api' as const, bytes: Buffer.from(JSON.stringify({ page: 1, data: [record, { ...record, maHoSo: 'X3' }] })), period: '2024-06', originalName: 'api/v1/dossiers?page=1', pulledAt: '2026-01-02T00:00:01.000Z' };
    const land = (l: Lake) => landStaged({ storage: l.storage, workDir: l.work, maxTimestamp: '2026-01-05 23:59:59' });
    const one = await lake();
    await stageRaw(one.storage, csvFile);
    await stageRaw(one.storage, page);
    const s = await land(one);
    const two = await lake();
    await stageRaw(two.storage, csvFile);
    await land(two);
    await stageRaw(two.storage, page);
    await land(two);
    // X1 stays where the export that came first put it; the page's X1 is quarantined, in both lakes.
    expect(s.files.map((f) => [f.original_name, f.rows_read, f.rows_landed, f.rows_quarantined])).toEqual([
      ['may.csv', 2, 2, 0],
      ['api/v1/dossiers?page=1', 2, 1, 1],
    ]);
    const rows = (root: string) =>
      withDuckDb((db) => db.all(`SELECT dossier_id, CAST(month AS INTEGER) AS month FROM read_parquet(${literal(`${root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY 1`));
    expect(await rows(one.root)).toEqual([
      { dossier_id: 'X1', month: 5 },
      { dossier_id: 'X2', month: 5 },
      { dossier_id: 'X3', month: 6 },
    ]);
    expect((await quarantined(one.root)).map((q) => [Number(q.row_no), q.field])).toEqual([[1, 'dossier_id']]);
    const files = (root: string) => readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /^(landed\/dossiers|quarantine)\/.*\.parquet$/.test(f)).sort();
    expect(files(two.root)).toEqual(files(one.root));
    for (const f of files(one.root)) expect(readFileSync(path.join(two.root, f)).equals(readFileSync(path.join(one.root, f))), f).toBe(true);
  });
});

describe('landStaged with API pages written on one line or pretty-printed', () => {
  test('should land the same rows and quarantine the same records either way, and both in one chunk', async () => {
    const good = { maHoSo: 'K1', maTTHC: '1.000001', maDonVi: 'H99.01', kenh: 1, ngayTiepNhan: '2024-05-03T08:15:00+07:00', ngayHenTra: '2024-05-10T17:00:00+07:00', ngayKetThuc: null, trangThai: 'DANG_XU_LY', soNgayChoBoSung: 0, coPhi: false, thanhToanTrucTuyen: false, daSoHoa: true, coKetQuaDienTu: false, dongBoDVCQG: true, coPhanAnh: false, ngayCapNhat: '2024-05-03T08:15:00+07:00' };
    const page = (n: number) => ({ page: n, data: [{ ...good, maHoSo: `K${n}-1` }, { ...good, maHoSo: `K${n}-2`, kenh: 'hai' }] });
    const landedOf = async (root: string) =>
      withDuckDb((db) => db.all(`SELECT dossier_id, CAST(raw_row AS INTEGER) AS raw_row FROM read_parquet(${literal(`${root}/landed/dossiers/**/*.parquet`)}) ORDER BY dossier_id`));
    const runs: Record<string, unknown>[] = [];
    for (const [compact, pretty] of [[[1, 2], []], [[], [1, 2]], [[1], [2]]] as const) {
      const { storage, root, work } = await lake();
      const files = [
        ...compact.map((n) => ({ kind: 'portal-api' as const, name: `/api/v1/dossiers?page=${n}`, bytes: Buffer.from(JSON.stringify(page(n))) })),
        ...pretty.map((n) => ({ kind: 'portal-api' as const, name: `/api/v1/dossiers?page=${n}`, bytes: Buffer.from(JSON.stringify(page(n), null, 2)) })),
      ];
      const s = await stageAndLand(storage, work, files);
      expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([4, 2, 2]);
      const q = await withDuckDb((db) =>
        db.all(`SELECT source_file, CAST(row_no AS INTEGER) AS row_no, field, raw_record FROM read_parquet(${literal(`${root}/quarantine/**/*.parquet`)}, hive_partitioning = true) ORDER BY source_file, row_no`),
      );
      runs.push({ landed: await landedOf(root), quarantined: q.map((r) => [r.source_file, r.row_no, r.field, JSON.parse(String(r.raw_record)).maHoSo, String(r.raw_record)]) });
    }
    expect(runs[0]).toEqual({
      landed: [
        { dossier_id: 'K1-1', raw_row: 1 },
        { dossier_id: 'K2-1', raw_row: 1 },
      ],
      quarantined: [
        ['api/v1/dossiers?page=1', 2, 'channel', 'K1-2', expect.stringContaining('"kenh":"hai"')],
        ['api/v1/dossiers?page=2', 2, 'channel', 'K2-2', expect.stringContaining('"kenh":"hai"')],
      ],
    });
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });
});

describe('landStaged with a CSV whose columns differ from the contract', () => {
  test('should fail naming the file and the difference, and land nothing', async () => {
    const { storage, work } = await lake();
    const renamed = Buffer.from(`\ufeff${PORTAL_HEADER.replace('Kênh nộp', 'Kênh')}\r\n${portalRow('A1')}\r\n`);
    await stageRaw(storage, { kind: 'portal-csv', bytes: renamed, period: '2024-05', originalName: 'export.csv' });
    const err = await landStaged({ storage, workDir: work }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as Error).message).toContain('export.csv');
    expect((err as Error).message).toContain('"Kênh" looks like a renamed "Kênh nộp"');
    // Only the registry landed before: nothing of the export.
    expect((await listManifest(storage)).filter((e) => e.dataset === 'dossiers')).toEqual([]);
    expect(await storage.list('landed/dossiers/')).toEqual([]);
  });

  test('should refuse a UTF-16 export with a message saying how to export it', async () => {
    const { storage, work } = await lake();
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${PORTAL_HEADER}\r\n${portalRow('A1')}\r\n`, 'utf16le')]);
    await stageRaw(storage, { kind: 'portal-csv', bytes: utf16, period: '2024-05', originalName: 'utf16.csv' });
    await expect(landStaged({ storage, workDir: work })).rejects.toThrow(/utf16\.csv.*UTF-16; export it as UTF-8/);
  });
});

describe('landStaged run again or in another order', () => {
  const v1 = csv(portalRow('B1', { finished: '', status: 'DANG_XU_LY', updated: '03/05/2024 08:15' }), portalRow('B2'));
  const v2 = csv(portalRow('B1', { updated: '09/05/2024 10:00' }), portalRow('B3'));

  test('should land nothing new on a rerun and keep the partition bytes', async () => {
    const { storage, root, work } = await lake();
    await stageAndLand(storage, work, [{ kind: 'portal-csv', bytes: v1, name: 'a.csv' }]);
    const file = path.join(root, 'landed/dossiers/source=portal/year=2024/month=5/data.parquet');
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    const again = await stageAndLand(storage, work, [{ kind: 'portal-csv', bytes: v1, name: 'a.csv' }]);
    expect(again.files).toHaveLength(0);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
  });

  test('should keep the newest version of a dossier whatever order the files land in', async () => {
    const a = await lake();
    const b = await lake();
    await stageAndLand(a.storage, a.work, [{ kind: 'portal-csv', bytes: v1, name: 'v1.csv' }]);
    await stageAndLand(a.storage, a.work, [{ kind: 'portal-csv', bytes: v2, name: 'v2.csv' }]);
    await stageAndLand(b.storage, b.work, [{ kind: 'portal-csv', bytes: v2, name: 'v2.csv' }]);
    await stageAndLand(b.storage, b.work, [{ kind: 'portal-csv', bytes: v1, name: 'v1.csv' }]);
    const part = 'landed/dossiers/source=portal/year=2024/month=5/data.parquet';
    const bytesA = readFileSync(path.join(a.root, part));
    expect(bytesA.equals(readFileSync(path.join(b.root, part)))).toBe(true);
    const rows = await withDuckDb((db) => db.all(`SELECT dossier_id, status FROM read_parquet(${literal(path.join(a.root, part))}) ORDER BY 1`));
    expect(rows).toEqual([
      { dossier_id: 'B1', status: 'DA_TRA_KET_QUA' },
      { dossier_id: 'B2', status: 'DA_TRA_KET_QUA' },
      { dossier_id: 'B3', status: 'DA_TRA_KET_QUA' },
    ]);
  });
  test('should write a partition larger than one row group with the same bytes whatever else its batch holds', async () => {
    // 123 500 dossiers in May: more than one Parquet row group (ROW_GROUP_ROWS). The correction file
    // puts an April dossier before them in the batch that picks B1's version in one lake, and nothing
    // in the other: a partition written in the order the batch's table is scanned got its row groups
    // cut where the table's were (122 878 + 622 rows against 122 880 + 620), so two lakes holding
    // the same rows differed.
    const big = Buffer.from(`\ufeff${PORTAL_HEADER}\r\n${Array.from({ length: 123_500 }, (_, i) => `${portalRow(`B${String(i).padStart(6, '0')}`)}\r\n`).join('')}`);
    const fix = csv(
      portalRow('A0', { received: '03/04/2024 08:15', due: '10/04/2024 17:00', finished: '09/04/2024 10:00', updated: '09/04/2024 10:00' }),
      portalRow('B000001', { updated: '10/05/2024 10:00', status: 'DA_TRA_KET_QUA', supplement: '1' }),
    );
    const a = await lake();
    const b = await lake();
    await stageAndLand(a.storage, a.work, [{ kind: 'portal-csv', bytes: big, name: 'big.csv' }]);
    await stageAndLand(a.storage, a.work, [{ kind: 'portal-csv', bytes: fix, name: 'fix.csv' }]);
    await stageAndLand(b.storage, b.work, [{ kind: 'portal-csv', bytes: fix, name: 'fix.csv' }]);
    await stageAndLand(b.storage, b.work, [{ kind: 'portal-csv', bytes: big, name: 'big.csv' }]);
    const part = 'landed/dossiers/source=portal/year=2024/month=5/data.parquet';
    const groups = (root: string) =>
      withDuckDb((db) => db.all(`SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${literal(path.join(root, part))}) ORDER BY 1`));
    expect(await groups(a.root)).toEqual([
      { row_group_id: '0', row_group_num_rows: '122880' },
      { row_group_id: '1', row_group_num_rows: '620' },
    ]);
    expect(readFileSync(path.join(a.root, part)).equals(readFileSync(path.join(b.root, part)))).toBe(true);
    const fixed = await withDuckDb((db) => db.all(`SELECT count(*) AS n, max(supplement_days) AS s FROM read_parquet(${literal(path.join(a.root, part))})`));
    expect(fixed).toEqual([{ n: '123500', s: 1 }]);
  }, 120_000);
});

describe('landStaged publishing in several rounds (bounded memory)', () => {
  test('should give the same partitions, quarantine and accounting as one round', async () => {
    const files = [
      { kind: 'portal-csv' as const, name: 'v1.csv', bytes: csv(portalRow('B1', { finished: '', status: 'DANG_XU_LY', updated: '03/05/2024 08:15' }), portalRow('B2'), portalRow('B2')) },
      { kind: 'portal-csv' as const, name: 'v2.csv', bytes: csv(portalRow('B1', { updated: '09/05/2024 10:00' }), portalRow('B3')) },
      // B2 again, received in June: it already lives in May, so it is quarantined.
      { kind: 'portal-csv' as const, name: 'june.csv', period: '2024-06', bytes: csv(portalRow('B2', { received: '03/06/2024 08:15', due: '10/06/2024 17:00', finished: '09/06/2024 10:00', updated: '09/06/2024 10:00' }), portalRow('B4', { received: '04/06/2024 08:15', due: '10/06/2024 17:00', finished: '09/06/2024 10:00', updated: '09/06/2024 10:00' })) },
    ];
    const one = await lake();
    const many = await lake();
    for (const l of [one, many]) for (const f of files) await stageRaw(l.storage, { kind: f.kind, bytes: f.bytes, period: f.period ?? '2024-05', originalName: f.name });
    const a = await landStaged({ storage: one.storage, workDir: one.work, maxTimestamp: '2026-01-05 23:59:59' });
    // One file per chunk, publish after every chunk.
    const b = await landStaged({ storage: many.storage, workDir: many.work, maxTimestamp: '2026-01-05 23:59:59', chunkFiles: 1, flushRows: 1 });
    expect([b.rowsRead, b.rowsLanded, b.rowsQuarantined]).toEqual([a.rowsRead, a.rowsLanded, a.rowsQuarantined]);
    expect([a.rowsRead, a.rowsLanded, a.rowsQuarantined]).toEqual([7, 5, 2]);
    const byFile = (s: typeof a) => s.files.map((f) => [f.original_name, f.rows_read, f.rows_landed, f.rows_quarantined]).sort();
    expect(byFile(b)).toEqual(byFile(a));
    for (const part of ['landed/dossiers/source=portal/year=2024/month=5/data.parquet', 'landed/dossiers/source=portal/year=2024/month=6/data.parquet']) {
      expect(readFileSync(path.join(many.root, part)).equals(readFileSync(path.join(one.root, part))), part).toBe(true);
    }
    expect(await quarantined(many.root)).toEqual(await quarantined(one.root));
    expect((await quarantined(one.root)).map((q) => q.reason).sort()).toEqual([
      'already landed under source portal, received 2024-05 (a dossier keeps its source and month of receipt)',
      'duplicate dossier id in the file (first at row 2)',
    ]);
  });
});

describe('landStaged merging only the partitions that need it', () => {
  const july = (id: string, updated: string) => portalRow(id, { received: '03/07/2024 08:15', due: '10/07/2024 17:00', finished: '09/07/2024 10:00', updated });
  const first = { kind: 'portal-csv' as const, name: 'first.csv', bytes: csv(portalRow('B1'), portalRow('B2')) };
  // May meets its published file, July holds a key twice (two files), June is new and each key once.
  const second = [
    { kind: 'portal-csv' as const, name: 'second-a.csv', bytes: csv(portalRow('B3'), inJune('C2'), inJune('C1'), july('D1', '10/07/2024 10:00')) },
    { kind: 'portal-csv' as const, name: 'second-b.csv', bytes: csv(july('D1', '20/07/2024 10:00'), july('D2', '11/07/2024 10:00')) },
  ];

  test("should rebuild through the merge only the partitions with a published file or a key seen twice, with the bytes of one land of every file", async () => {
    const split = await lake();
    await stageAndLand(split.storage, split.work, [first]);
    // What the merge table holds when it is built: the rows of the partitions it merges, no other.
    const merged: Record<string, unknown>[][] = [];
    const run = DuckDb.prototype.run;
    const spy = vi.spyOn(DuckDb.prototype, 'run').mockImplementation(async function (this: DuckDb, sql, params) {
      await run.call(this, sql, params);
      if (/^CREATE OR REPLACE TABLE _publish AS/.test(sql)) merged.push(await this.all('SELECT month, count(*) AS n FROM _publish GROUP BY ALL ORDER BY ALL'));
    });
    try {
      await stageAndLand(split.storage, split.work, second);
    } finally {
      spy.mockRestore();
    }
    // May: B1, B2 from its file and B3; July: D1's two versions and D2. June's C1 and C2 are not there.
    expect(merged).toEqual([[{ month: 5, n: '3' }, { month: 7, n: '3' }]]);
    const whole = await lake();
    await stageAndLand(whole.storage, whole.work, [first, ...second]);
    for (const part of [5, 6, 7].map((m) => `landed/dossiers/source=portal/year=2024/month=${m}/data.parquet`)) {
      expect(readFileSync(path.join(split.root, part)).equals(readFileSync(path.join(whole.root, part))), part).toBe(true);
    }
    // D1's older version in the ledger of both (superseded_at is the winner's pull time, which differs).
    const ledger = (root: string) =>
      withDuckDb((db) => db.all(`SELECT dossier_id, raw_hash, superseded_by_hash FROM read_parquet(${literal(`${root}/landed/_superseded/dossiers/**/*.parquet`)})`));
    expect(await ledger(split.root)).toEqual([{ dossier_id: 'D1', raw_hash: sha256(second[0]!.bytes), superseded_by_hash: sha256(second[1]!.bytes) }]);
    expect(await ledger(whole.root)).toEqual(await ledger(split.root));
    // June, written straight from the batch while other partitions were merged with versions picked, is
    // sorted by the key (its file came C2, C1), as every partition is.
    const juneIds = await withDuckDb((db) => db.all(`SELECT dossier_id FROM read_parquet(${literal(`${split.root}/landed/dossiers/source=portal/year=2024/month=6/data.parquet`)})`));
    expect(juneIds.map((r) => r.dossier_id)).toEqual(['C1', 'C2']);
    const ids = await withDuckDb((db) => db.all(`SELECT month, dossier_id, CAST(updated_at AS VARCHAR) AS at FROM read_parquet(${literal(`${split.root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY ALL`));
    expect(ids.map((r) => `${String(r.month)} ${String(r.dossier_id)} ${String(r.at)}`)).toEqual([
      '5 B1 2024-05-09 10:00:00',
      '5 B2 2024-05-09 10:00:00',
      '5 B3 2024-05-09 10:00:00',
      '6 C1 2024-06-09 10:00:00',
      '6 C2 2024-06-09 10:00:00',
      '7 D1 2024-07-20 10:00:00',
      '7 D2 2024-07-11 10:00:00',
    ]);
  });
});

describe('landStaged finding where an id already lives (one partition per dossier id)', () => {
  test('should see the partitions landed before the run and those each round of the run publishes', async () => {
    const base = { kind: 'portal-csv' as const, name: 'base.csv', bytes: csv(portalRow('B5'), portalRow('B6', { received: '03/04/2024 08:15', due: '10/04/2024 17:00', finished: '09/04/2024 10:00', updated: '09/04/2024 10:00' })) };
    const files = [
      // B5 again in May (its partition: the newer version wins), B7 new in May.
      { kind: 'portal-csv' as const, name: 'r1.csv', bytes: csv(portalRow('B5', { updated: '20/05/2024 10:00' }), portalRow('B7')) },
      // Received in June: B5 (landed in May before the run), B6 (in April before the run), B7 (published in May by
      // the round before, in the run of many rounds): each quarantined. B8 is new.
      { kind: 'portal-csv' as const, name: 'r2.csv', period: '2024-06', bytes: csv(inJune('B5'), inJune('B6'), inJune('B7'), inJune('B8')) },
    ];
    const one = await lake();
    const many = await lake();
    for (const l of [one, many]) {
      await stageAndLand(l.storage, l.work, [base]);
      for (const f of files) await stageRaw(l.storage, { kind: f.kind, bytes: f.bytes, period: f.period ?? '2024-05', originalName: f.name });
    }
    const a = await landStaged({ storage: one.storage, workDir: one.work, maxTimestamp: '2026-01-05 23:59:59' });
    const b = await landStaged({ storage: many.storage, workDir: many.work, maxTimestamp: '2026-01-05 23:59:59', chunkFiles: 1, flushRows: 1 });
    expect([a.rowsRead, a.rowsLanded, a.rowsQuarantined]).toEqual([6, 3, 3]);
    expect([b.rowsRead, b.rowsLanded, b.rowsQuarantined]).toEqual([6, 3, 3]);
    expect(await quarantined(many.root)).toEqual(await quarantined(one.root));
    expect((await quarantined(one.root)).map((q) => q.reason).sort()).toEqual([
      'already landed under source portal, received 2024-04 (a dossier keeps its source and month of receipt)',
      'already landed under source portal, received 2024-05 (a dossier keeps its source and month of receipt)',
      'already landed under source portal, received 2024-05 (a dossier keeps its source and month of receipt)',
    ]);
    for (const part of ['landed/dossiers/source=portal/year=2024/month=5/data.parquet', 'landed/dossiers/source=portal/year=2024/month=6/data.parquet']) {
      expect(readFileSync(path.join(many.root, part)).equals(readFileSync(path.join(one.root, part))), part).toBe(true);
    }
    const ids = await withDuckDb((db) => db.all(`SELECT dossier_id, CAST(month AS INTEGER) AS month FROM read_parquet(${literal(`${one.root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY 1`));
    expect(ids).toEqual([
      { dossier_id: 'B5', month: 5 },
      { dossier_id: 'B6', month: 4 },
      { dossier_id: 'B7', month: 5 },
      { dossier_id: 'B8', month: 6 },
    ]);
  });
});

describe('landStaged keeping only the rows that pass in a batch of several chunks', () => {
  // The checks write every row of a chunk into the batch with its verdict; the rows that fail are
  // quarantined and deleted before the next chunk (dossiers_landed.sql, dossiers_batch_checked.sql).
  const june = (id: string, over: Parameters<typeof portalRow>[1] = {}) =>
    portalRow(id, { received: '03/06/2024 08:15', due: '10/06/2024 17:00', finished: '09/06/2024 10:00', updated: '09/06/2024 10:00', ...over });
  test('should neither publish a failed row nor let it place its id, and count each chunk apart', async () => {
    const files = [
      // D1 fails (an unknown status) in May; D2 lands in May.
      { kind: 'portal-csv' as const, name: 'k1.csv', bytes: csv(portalRow('D1', { status: 'KHONG_RO' }), portalRow('D2')) },
      // D1 again, received in June and valid: nothing of it has landed, so June is its partition. D3 fails.
      { kind: 'portal-csv' as const, name: 'k2.csv', period: '2024-06', bytes: csv(june('D1'), june('D3', { channel: '9' }), june('D4')) },
      // D2 again in June: it lives in May (landed by the first file), so it is quarantined.
      { kind: 'portal-csv' as const, name: 'k3.csv', period: '2024-06', bytes: csv(june('D2'), june('D5')) },
    ];
    const one = await lake();
    const many = await lake();
    for (const l of [one, many]) for (const f of files) await stageRaw(l.storage, { kind: f.kind, bytes: f.bytes, period: f.period ?? '2024-05', originalName: f.name });
    const a = await landStaged({ storage: one.storage, workDir: one.work, maxTimestamp: '2026-01-05 23:59:59' });
    // A chunk a file, all three in one batch (published once, at the end).
    const b = await landStaged({ storage: many.storage, workDir: many.work, maxTimestamp: '2026-01-05 23:59:59', chunkFiles: 1 });
    const byFile = (s: typeof a) => s.files.map((f) => [f.original_name, f.rows_read, f.rows_landed, f.rows_quarantined]).sort();
    expect(byFile(a)).toEqual([
      ['k1.csv', 2, 1, 1],
      ['k2.csv', 3, 2, 1],
      ['k3.csv', 2, 1, 1],
    ]);
    expect(byFile(b)).toEqual(byFile(a));
    for (const l of [one, many]) {
      const ids = await withDuckDb((db) =>
        db.all(`SELECT dossier_id, CAST(month AS INTEGER) AS month FROM read_parquet(${literal(`${l.root}/landed/dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY 1`),
      );
      expect(ids).toEqual([
        { dossier_id: 'D1', month: 6 },
        { dossier_id: 'D2', month: 5 },
        { dossier_id: 'D4', month: 6 },
        { dossier_id: 'D5', month: 6 },
      ]);
      expect((await quarantined(l.root)).map((q) => q.reason).sort()).toEqual([
        'already landed under source portal, received 2024-05 (a dossier keeps its source and month of receipt)',
        'not one of 1 (in person), 2 (online), 3 (postal)',
        'unknown status',
      ]);
    }
    for (const part of ['landed/dossiers/source=portal/year=2024/month=5/data.parquet', 'landed/dossiers/source=portal/year=2024/month=6/data.parquet']) {
      expect(readFileSync(path.join(many.root, part)).equals(readFileSync(path.join(one.root, part))), part).toBe(true);
    }
  });
});

describe('landStaged numbering rows in chunks with and without rejected records', () => {
  test('should number every row of its file, whether its chunk had a record the CSV reader rejected or not', async () => {
    const files = [
      { kind: 'portal-csv' as const, name: 'a.csv', bytes: csv(portalRow('C1'), portalRow('C2')) },
      // Row 2 has too few fields: rejected by the reader; C4 keeps its row number 3.
      { kind: 'portal-csv' as const, name: 'b.csv', bytes: csv(portalRow('C3'), 'C9,1.000001', portalRow('C4'), portalRow('C3')) },
      { kind: 'portal-csv' as const, name: 'c.csv', bytes: csv(portalRow('C5'), portalRow('C5')) },
    ];
    const one = await lake();
    const many = await lake();
    for (const l of [one, many]) for (const f of files) await stageRaw(l.storage, { kind: f.kind, bytes: f.bytes, period: '2024-05', originalName: f.name });
    const a = await landStaged({ storage: one.storage, workDir: one.work, maxTimestamp: '2026-01-05 23:59:59' });
    // A chunk a file: a view of the rows (a), a numbered table (b, with a reject), a view again (c).
    const b = await landStaged({ storage: many.storage, workDir: many.work, maxTimestamp: '2026-01-05 23:59:59', chunkFiles: 1 });
    expect([a.rowsRead, a.rowsLanded, a.rowsQuarantined]).toEqual([8, 5, 3]);
    expect([b.rowsRead, b.rowsLanded, b.rowsQuarantined]).toEqual([8, 5, 3]);
    const sorted = async (root: string) => (await quarantined(root)).map((r) => JSON.stringify([Number(r.row_no), r.field, r.reason])).sort();
    const q = await sorted(one.root);
    expect(await sorted(many.root)).toEqual(q);
    // The reject (no field: the record could not be split) and the two repeated ids, each at its own row.
    expect(q.map((r) => JSON.parse(r).slice(0, 2))).toEqual([
      [2, 'dossier_id'],
      [2, null],
      [4, 'dossier_id'],
    ]);
    const part = 'landed/dossiers/source=portal/year=2024/month=5/data.parquet';
    expect(readFileSync(path.join(many.root, part)).equals(readFileSync(path.join(one.root, part)))).toBe(true);
    const rows = await withDuckDb((db) => db.all(`SELECT dossier_id, CAST(raw_row AS INTEGER) AS raw_row FROM read_parquet(${literal(path.join(one.root, part))}) ORDER BY 1`));
    expect(rows).toEqual([
      { dossier_id: 'C1', raw_row: 1 },
      { dossier_id: 'C2', raw_row: 2 },
      { dossier_id: 'C3', raw_row: 1 },
      { dossier_id: 'C4', raw_row: 3 },
      { dossier_id: 'C5', raw_row: 1 },
    ]);
  });
});

describe('landStaged numbering rows around empty lines', () => {
  test('should number a rejected record and the rows after it by records, the empty lines above them left out', async () => {
    const l = await lake();
    // Data lines: D1, two empty lines, a cut record (row 2), D3 (row 3), an empty line with a CR LF, a
    // quoted value over two lines (one record, row 4), another cut record (row 5), D6 (row 6).
    const text = `\ufeff${PORTAL_HEADER}\r\n${[portalRow('D1'), '', '', 'D2,1.000001', portalRow('D3'), '', portalRow('D4', { status: 'DA_TRA\r\nKET_QUA' }), 'D5,1.000001', portalRow('D6')].join('\r\n')}\r\n`;
    const s = await stageAndLand(l.storage, l.work, [{ kind: 'portal-csv', name: 'blank.csv', bytes: Buffer.from(text) }]);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([6, 3, 3]);
    expect((await quarantined(l.root)).map((q) => [Number(q.row_no), q.field])).toEqual([
      [2, null],
      [4, 'status'],
      [5, null],
    ]);
    const rows = await withDuckDb((db) =>
      db.all(`SELECT dossier_id, CAST(raw_row AS INTEGER) AS raw_row FROM read_parquet(${literal(`${l.root}/landed/dossiers/**/*.parquet`)}) ORDER BY 1`),
    );
    expect(rows).toEqual([
      { dossier_id: 'D1', raw_row: 1 },
      { dossier_id: 'D3', raw_row: 3 },
      { dossier_id: 'D6', raw_row: 6 },
    ]);
  });
});

describe('landStaged with a landed registry', () => {
  test('should quarantine dossiers of unknown agencies and of agencies that no longer existed', async () => {
    const { storage, root, work } = newLake();
    const s = await stageAndLand(storage, work, [
      { kind: 'registry-agencies', bytes: fixture('agencies.csv'), name: 'agencies.csv', period: undefined },
      { kind: 'registry-procedures', bytes: fixture('procedures.csv'), name: 'procedures.csv', period: undefined },
      { kind: 'portal-csv', bytes: csv(portalRow('C1'), portalRow('C2', { agency: 'H99.77' }), portalRow('C3', { agency: 'H99.02' })), name: 'c.csv' },
    ]);
    expect(s.rowsQuarantined).toBe(2);
    const q = await withDuckDb((db) =>
      db.all(`SELECT row_no, reason FROM read_parquet(${literal(`${root}/quarantine/dataset=dossiers/**/*.parquet`)}, hive_partitioning = true) ORDER BY row_no`),
    );
    expect(q).toEqual([
      { row_no: '2', reason: 'unknown agency code' },
      { row_no: '3', reason: 'agency did not exist on the received date' },
    ]);
  });
});

describe('landStaged and the manifest', () => {
  test('should read no manifest entry of the files landed before it, and leave an index that agrees with the entries', async () => {
    const l = await lake();
    await stageAndLand(l.storage, l.work, [{ kind: 'portal-csv', name: 'portal/dossiers/2024/2024-05.csv', bytes: csv(portalRow('B1')) }]);
    const reads: string[] = [];
    const counting = new (class extends LocalStorage {
      override async get(key: string): Promise<Buffer> {
        reads.push(key);
        return super.get(key);
      }
      override async tryGet(key: string): Promise<Buffer | undefined> {
        reads.push(key);
        return super.tryGet(key);
      }
    })(l.root);
    const summary = await stageAndLand(counting, l.work, [{ kind: 'portal-csv', name: 'portal/dossiers/2024/2024-06.csv', bytes: csv(portalRow('B2')), period: '2024-06' }]);
    expect(summary.files).toHaveLength(1);
    // Three files landed before (the registry's two, May's export): their entries come from the index, read once.
    expect(reads.filter((k) => k.startsWith('manifest/raw/'))).toEqual([]);
    expect(reads.filter((k) => k === MANIFEST_INDEX_KEY)).toHaveLength(1);
    const index = (await l.storage.get(MANIFEST_INDEX_KEY)).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
    const entries = await listManifest(l.storage, new Map(), { index: false });
    expect(entries).toHaveLength(4);
    expect(index).toEqual(entries.map((e) => JSON.parse(JSON.stringify(e)) as unknown));
  });
});
