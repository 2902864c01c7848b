/**
 * The landing rules of issue #12 (points 6–10) through the real landing: CSV and JSON files written by
 * the test, stageRaw + landStaged into a temporary lake, the Parquet read back with DuckDB (and, for
 * the portal/NSW rule, the sql/ models run over that lake).
 *
 * - ids: NFC, Unicode spaces / control / format characters cleaned at both ends, quarantined inside;
 * - a portal copy of an NSW dossier: both landed with their lineage, counted once, in either order;
 * - no registry: a clear error naming the dossier file, nothing landed;
 * - every quarantine record has a reason in words (an over-long CSV line included, the whole corpus);
 * - the contract's ranges (supplement_days 0–3650, updated_at, code lengths) quarantined at landing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
import { PipelineInputError } from '../../functions/core/errors.js';
import { NSW_CSV_HEADER, PORTAL_CSV_HEADER } from '../../functions/core/lake/csv-header.js';
import { landStaged } from '../../functions/core/lake/land.js';
import { listManifest, listStaged, stageRaw } from '../../functions/core/lake/raw.js';
import { loadModels, registerLakeSources, runModels } from '../../functions/core/transform/index.js';
import { BAD_INPUT_CASES } from '../fixtures/bad/cases.js';
import { FILES_DIR, portalRow } from '../fixtures/bad/make.js';
import { fixture, lakeFactory, landFiles, landRegistry, MAX_TS, type RawFile, type TestLake } from './lakes.js';
import { recorder } from './record.js';

const rec = recorder('landing-rules');
afterAll(() => rec.flush());

const SQL_DIR = path.resolve(import.meta.dirname, '../../sql');


type Lake = TestLake;

const newLake = lakeFactory('landing-rules');



const withRegistry = (lake: Lake): Promise<void> => landRegistry(lake, 'drop');

async function parquetRows(lake: Lake, prefix: string, sql: (files: string) => string): Promise<Record<string, unknown>[]> {
  const files = (await lake.storage.list(prefix)).filter((o) => o.key.endsWith('.parquet'));
  if (files.length === 0) return [];
  return withDuckDb((db) => db.all(sql(`read_parquet(${literal(`${lake.root}/${prefix}**/*.parquet`)}, hive_partitioning = true)`)));
}

const quarantined = (lake: Lake) =>
  parquetRows(lake, 'quarantine/', (f) => `SELECT dataset, source_file, CAST(row_no AS INTEGER) AS row_no, field, reason, raw_value, raw_record FROM ${f} ORDER BY dataset, source_file, row_no`);

const landedDossiers = (lake: Lake) =>
  parquetRows(lake, 'landed/dossiers/', (f) => `SELECT dossier_id, source, procedure_code, agency_code, channel, status, supplement_days, raw_hash, CAST(raw_row AS INTEGER) AS raw_row FROM ${f} ORDER BY dossier_id`);

/** Every manifest entry: rows read = landed + quarantined. */
async function accounted(lake: Lake): Promise<void> {
  for (const e of await listManifest(lake.storage)) expect(e.rows_read, e.original_name).toBe(e.rows_landed + e.rows_quarantined);
}

// --- portal CSV and JSON, NSW CSV builders ------------------------------------------------------


const portalCsv = (...rows: string[]): Buffer => Buffer.from(`\ufeff${PORTAL_CSV_HEADER.join(',')}\r\n${rows.join('\r\n')}\r\n`);

function apiPage(records: Record<string, unknown>[]): Buffer {
  return Buffer.from(JSON.stringify({ page: 1, pageSize: 1000, total: records.length, totalPages: 1, period: { from: '2024-05-01', to: '2024-05-31' }, data: records }));
}

const apiRecord = (maHoSo: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  maHoSo,
  maTTHC: '1.000001',
  maDonVi: 'H99.01',
  kenh: 2,
  ngayTiepNhan: '2024-05-03T08:15:00+07:00',
  ngayHenTra: '2024-05-10T17:00:00+07:00',
  ngayKetThuc: '2024-05-09T10:00:00+07:00',
  trangThai: 'DA_TRA_KET_QUA',
  soNgayChoBoSung: 0,
  coPhi: true,
  thanhToanTrucTuyen: true,
  daSoHoa: true,
  coKetQuaDienTu: true,
  dongBoDVCQG: true,
  coPhanAnh: false,
  ngayCapNhat: '2024-05-09T10:00:00+07:00',
  ...over,
});

/** One NSW export line (`;`, dd-mm-yyyy HH:mm:ss): an NSW procedure of Sở Công Thương (H99.04). */
function nswRow(stt: number, soHoSo: string, over: Partial<Record<'finished' | 'status', string>> = {}): string {
  const v = { finished: '09-05-2024 10:00:00', status: 'Đã cấp phép', ...over };
  return [stt, soHoSo, '1.000002', 'Cấp giấy chứng nhận xuất xứ hàng hóa', 'H99.04', '03-05-2024 07:00:00', '03-05-2024 08:15:00', '10-05-2024 17:00:00', v.finished, v.status, 'x', 'x'].join(';');
}

const nswCsv = (...rows: string[]): Buffer => Buffer.from(`\ufeff${NSW_CSV_HEADER.join(';')}\r\n${rows.join('\r\n')}\r\n`);

// --- point 6: ids -------------------------------------------------------------------------------

describe('Dossier ids with invisible characters', () => {
  test('should clean the ends of ids and codes in the portal CSV, so the same dossier is not landed twice, and quarantine what stays inside', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const s = await landFiles(lake, [
      {
        name: 'portal-2024-05.csv',
        kind: 'portal-csv',
        bytes: portalCsv(
          portalRow('P-1'),
          portalRow('P-1\u200b'), // zero-width space after: the same dossier, twice in the file
          portalRow('P-2\r\n'), // a quoted line break after
          portalRow('\ufeffP-3\u00a0'), // BOM before, NBSP after
          portalRow('\t P-4\u3000\u2028'), // tab and space before, ideographic space and line separator after
          portalRow('P-5\u200c\u200d', { agency: 'H99.01\u200b', proc: '\u00a01.000001\r' }), // ZWNJ + ZWJ; codes too
          portalRow('HS-O\u0302'), // decomposed Ô: NFC makes it HS-Ô
          portalRow('HS-\u00d4'), // the same id, composed: a duplicate
          portalRow('P\u200b-6'), // zero-width space inside
          portalRow('P-7\nX'), // a line break inside
          portalRow('P-8', { agency: 'H99\u200b.01' }), // an invisible character inside a code
        ),
      },
    ]);
    const [entry] = s.files;
    expect([entry!.rows_read, entry!.rows_landed, entry!.rows_quarantined]).toEqual([11, 6, 5]);
    const landed = await landedDossiers(lake);
    expect(landed.map((d) => [d.dossier_id, d.agency_code, d.procedure_code, d.raw_row])).toEqual([
      ['HS-\u00d4', 'H99.01', '1.000001', 7],
      ['P-1', 'H99.01', '1.000001', 1],
      ['P-2', 'H99.01', '1.000001', 3],
      ['P-3', 'H99.01', '1.000001', 4],
      ['P-4', 'H99.01', '1.000001', 5],
      ['P-5', 'H99.01', '1.000001', 6],
    ]);
    const q = await quarantined(lake);
    expect(q.map((r) => [r.row_no, r.field, r.reason])).toEqual([
      [2, 'dossier_id', 'duplicate dossier id in the file (first at row 1)'],
      [8, 'dossier_id', 'duplicate dossier id in the file (first at row 7)'],
      [9, 'dossier_id', 'holds an invisible character (zero-width or non-breaking space…) inside the id'],
      [10, 'dossier_id', 'holds a control character (line break, tab…) inside the id'],
      [11, 'agency_code', 'holds an invisible character (zero-width or non-breaking space…) inside the code'],
    ]);
    // The raw value is kept as the file had it (NFC), invisible characters included.
    expect(q.find((r) => r.row_no === 2)!.raw_value).toBe('P-1\u200b');
    await accounted(lake);
    rec.add({
      id: 'id-invisible-characters',
      area: 'Bad input',
      tried: 'portal CSV ids with a trailing zero-width space, CR/LF, BOM, NBSP, tab, ideographic space, U+2028, ZWNJ/ZWJ, a decomposed "Ô"; codes with NBSP/ZWSP/CR at the ends; ids with a ZWSP or a line break inside',
      happened: 'ids and codes NFC-normalised and cleaned at both ends (P-1 + U+200B is P-1: "duplicate dossier id in the file"); an invisible or control character left inside is quarantined ("holds an invisible character … inside the id")',
      kept: `read ${entry!.rows_read} = landed ${entry!.rows_landed} + quarantined ${entry!.rows_quarantined}; 6 distinct dossiers, none twice`,
    });
  });

  test('should read every field as its trimmed NFC text, however the value is padded, and take a plain value as it is', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const s = await landFiles(lake, [
      {
        name: 'portal-2024-05.csv',
        kind: 'portal-csv',
        bytes: portalCsv(
          portalRow('T-1'), // every field plain ASCII, no space at either end: taken as read
          portalRow(' T-2 ', { received: ' 03/05/2024 08:15', due: '10/05/2024 17:00 ', channel: ' 2', supplement: '3 ' }), // ASCII spaces
          portalRow('T-3', { received: '\u00a003/05/2024 08:15', due: '10/05/2024 17:00\u3000', updated: '\u2007 09/05/2024 10:00' }), // NBSP, ideographic, figure space
          portalRow('T-4', { status: 'DA_TRA_KET_QUA\t' }), // a tab is not a space: the status is unknown
        ),
      },
      {
        name: 'nsw-H99.04-2024-05.csv',
        kind: 'nsw-csv',
        bytes: nswCsv(nswRow(1, ' H990424050300021\u00a0'), nswRow(2, 'H990424050300022', { finished: ' 09-05-2024 10:00:00\u3000' })),
      },
    ]);
    expect(s.files.map((e) => [e.original_name, e.rows_read, e.rows_landed, e.rows_quarantined])).toEqual([
      ['portal-2024-05.csv', 4, 3, 1],
      ['nsw-H99.04-2024-05.csv', 2, 2, 0],
    ]);
    const landed = await parquetRows(lake, 'landed/dossiers/', (f) =>
      `SELECT dossier_id, channel, supplement_days, CAST(received_at AS VARCHAR) AS received_at, CAST(due_at AS VARCHAR) AS due_at, CAST(finished_at AS VARCHAR) AS finished_at, CAST(updated_at AS VARCHAR) AS updated_at FROM ${f} ORDER BY dossier_id`,
    );
    expect(landed.map((d) => [d.dossier_id, d.channel, d.supplement_days, d.received_at, d.due_at])).toEqual([
      ['NSW-H990424050300021', 2, 0, '2024-05-03 08:15:00', '2024-05-10 17:00:00'],
      ['NSW-H990424050300022', 2, 0, '2024-05-03 08:15:00', '2024-05-10 17:00:00'],
      ['T-1', 2, 0, '2024-05-03 08:15:00', '2024-05-10 17:00:00'],
      ['T-2', 2, 3, '2024-05-03 08:15:00', '2024-05-10 17:00:00'],
      ['T-3', 2, 0, '2024-05-03 08:15:00', '2024-05-10 17:00:00'],
    ]);
    expect(landed.find((d) => d.dossier_id === 'T-3')!.updated_at).toBe('2024-05-09 10:00:00');
    expect(landed.find((d) => d.dossier_id === 'NSW-H990424050300022')!.finished_at).toBe('2024-05-09 10:00:00');
    const q = await quarantined(lake);
    expect(q.map((r) => [r.row_no, r.field, r.reason, r.raw_value])).toEqual([[4, 'status', 'unknown status', 'DA_TRA_KET_QUA\t']]);
    await accounted(lake);
  });

  test('should clean API and NSW ids the same way, across files', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const s = await landFiles(lake, [
      { name: '/api/v1/dossiers?page=1', kind: 'portal-api', bytes: apiPage([apiRecord('\u200bJ-1\r\n'), apiRecord('J-2', { maDonVi: 'H99.01\u00a0' })]) },
      { name: '/api/v1/dossiers?page=2', kind: 'portal-api', bytes: apiPage([apiRecord('J-1\ufeff', { ngayCapNhat: '2024-05-09T11:00:00+07:00' }), apiRecord('J\u2060-3')]) },
      { name: 'nsw-H99.04-2024-05.csv', kind: 'nsw-csv', bytes: nswCsv(nswRow(1, '\u200bH990424050300012'), nswRow(2, 'H990424050300013\u00a0')) },
    ]);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([6, 5, 1]);
    expect((await landedDossiers(lake)).map((d) => [d.dossier_id, d.agency_code])).toEqual([
      // J-1 of page 2 is a newer version of J-1 of page 1: one row in the lake
      ['J-1', 'H99.01'],
      ['J-2', 'H99.01'],
      ['NSW-H990424050300012', 'H99.04'],
      ['NSW-H990424050300013', 'H99.04'],
    ]);
    expect((await quarantined(lake)).map((r) => [r.row_no, r.field, r.reason])).toEqual([[2, 'dossier_id', 'holds an invisible character (zero-width or non-breaking space…) inside the id']]);
    await accounted(lake);
    rec.add({
      id: 'id-invisible-characters-api-nsw',
      area: 'Bad input',
      tried: 'API ids "\\u200BJ-1\\r\\n" and "J-1\\uFEFF" on two pages, an agency code with NBSP, an id with a word joiner inside; NSW Số hồ sơ with a leading ZWSP and a trailing NBSP',
      happened: 'the same cleaning for every source (sql/landing/dossiers_checked.sql): J-1 is one dossier (the newer version wins), NSW ids become NSW-<number>; the word joiner inside is quarantined',
      kept: `read ${s.rowsRead} = landed ${s.rowsLanded} + quarantined ${s.rowsQuarantined}; 4 dossiers in the lake`,
    });
  });
});

// --- point 7: portal copy of an NSW dossier -----------------------------------------------------

const NSW_NO = 'H990424050300012';
const nswFile: RawFile = { name: 'nsw-H99.04-2024-05.csv', kind: 'nsw-csv', bytes: nswCsv(nswRow(1, NSW_NO)) };
// The portal's copy: Mã hồ sơ = the NSW Số hồ sơ; the portal still shows it pending, received in person.
const portalFile: RawFile = {
  name: 'portal-2024-05.csv',
  kind: 'portal-csv',
  bytes: portalCsv(
    portalRow(NSW_NO, { proc: '1.000002', agency: 'H99.04', channel: '1', finished: '', status: 'DANG_XU_LY', updated: '03/05/2024 08:15' }),
    portalRow('H99.01-240503-000001'),
    portalRow(`NSW-${NSW_NO}`, { proc: '1.000002', agency: 'H99.04' }),
  ),
};

/** Runs every sql/ model over the landed lake (no Parquet written) and returns what the test reads. */
async function countsOf(lake: Lake): Promise<{ staged: Record<string, unknown>[]; counted: Record<string, unknown>[]; month: Record<string, unknown>[] }> {
  const engine = await DuckDbEngine.create({ lakeRoot: lake.root, writeParquet: false, duckdb: { threads: 1 } });
  try {
    await registerLakeSources(engine, lake.root);
    await runModels(engine, loadModels(SQL_DIR));
    return {
      staged: await engine.query(`SELECT dossier_id, source, duplicate_of_dossier_id FROM stg_lake__dossiers ORDER BY dossier_id`),
      counted: await engine.query(`SELECT dossier_id, source, channel, status FROM int_dossiers_classified ORDER BY dossier_id`),
      month: await engine.query(
        `SELECT agency_code, CAST(received_total AS INTEGER) AS received_total, CAST(received_nsw AS INTEGER) AS received_nsw,
                CAST(received_in_person AS INTEGER) AS received_in_person, CAST(resolved_total AS INTEGER) AS resolved_total
         FROM agency_periods WHERE period_type = 'month' AND year = 2024 AND period_no = 5 AND received_total > 0 ORDER BY agency_code`,
      ),
    };
  } finally {
    await engine.close();
  }
}

describe('The same dossier in the portal export and the NSW export', () => {
  test.each([
    ['NSW first', [nswFile, portalFile]],
    ['portal first', [portalFile, nswFile]],
  ] as const)('should keep both rows with their lineage and count the dossier once, as the NSW has it (%s)', async (order, files) => {
    const lake = newLake();
    await withRegistry(lake);
    for (const f of files) await landFiles(lake, [f]);
    const byName = new Map((await listManifest(lake.storage)).map((e) => [e.original_name, e]));
    expect([byName.get(nswFile.name)!.rows_read, byName.get(nswFile.name)!.rows_landed]).toEqual([1, 1]);
    expect([byName.get(portalFile.name)!.rows_read, byName.get(portalFile.name)!.rows_landed, byName.get(portalFile.name)!.rows_quarantined]).toEqual([3, 2, 1]);
    await accounted(lake);
    const q = await quarantined(lake);
    expect(q.map((r) => [r.row_no, r.field, r.reason])).toEqual([[3, 'dossier_id', 'starts with NSW-, the prefix the pipeline gives National Single Window dossiers: a portal record cannot use it']]);
    const { staged, counted, month } = await countsOf(lake);
    expect(staged).toEqual([
      { dossier_id: 'H99.01-240503-000001', source: 'portal', duplicate_of_dossier_id: null },
      { dossier_id: NSW_NO, source: 'portal', duplicate_of_dossier_id: `NSW-${NSW_NO}` },
      { dossier_id: `NSW-${NSW_NO}`, source: 'nsw', duplicate_of_dossier_id: null },
    ]);
    expect(counted).toEqual([
      { dossier_id: 'H99.01-240503-000001', source: 'portal', channel: 2, status: 'DA_TRA_KET_QUA' },
      { dossier_id: `NSW-${NSW_NO}`, source: 'nsw', channel: 2, status: 'DA_TRA_KET_QUA' },
    ]);
    expect(month).toEqual([
      { agency_code: 'H99.01', received_total: 1, received_nsw: 0, received_in_person: 0, resolved_total: 1 },
      { agency_code: 'H99.04', received_total: 1, received_nsw: 1, received_in_person: 0, resolved_total: 1 },
    ]);
    rec.add({
      id: `nsw-portal-copy-${order.replace(' ', '-').toLowerCase()}`,
      area: 'Bad input',
      tried: `NSW dossier ${NSW_NO} in the NSW export and again in the portal export (Mã hồ sơ = the Số hồ sơ, shown pending and in person), ${order}; a portal row using the NSW- prefix`,
      happened: 'both rows landed with their file and row; stg_lake__dossiers marks the portal row duplicate_of_dossier_id = NSW-…, and the models count the NSW row only; the NSW- portal row is quarantined (the prefix is the NSW\'s)',
      kept: 'per file read = landed + quarantined; H99.04 May 2024: 1 dossier received (NSW), 1 resolved — the same in either order',
    });
  });
});

// --- point 8: no registry -----------------------------------------------------------------------

describe('Dossiers landed before any registry', () => {
  test('should fail naming the dossier file, land nothing of it, and land it once the registry is there', async () => {
    const lake = newLake();
    const file: RawFile = { name: 'portal-2024-05.csv', kind: 'portal-csv', bytes: portalCsv(portalRow('R-1'), portalRow('R-2', { agency: 'H99.77' })) };
    const err = await landFiles(lake, [file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as PipelineInputError).file).toBe(file.name);
    expect((err as Error).message).toContain('no agency registry has been landed');
    expect((err as Error).message).toContain('land registry/agencies.csv first');
    expect(await landedDossiers(lake)).toEqual([]);
    expect((await listStaged(lake.storage, ['portal-csv'])).map((m) => m.original_name)).toEqual([file.name]);

    // An agency registry alone is not enough: the procedure codes are checked too.
    await stageRaw(lake.storage, { kind: 'registry-agencies', bytes: fixture('agencies.csv'), period: null, originalName: 'registry/agencies.csv' });
    const err2 = await landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS }).catch((e: unknown) => e);
    expect((err2 as Error).message).toContain('no procedure catalogue has been landed');
    expect((err2 as PipelineInputError).file).toBe(file.name);
    expect(await landedDossiers(lake)).toEqual([]);

    await stageRaw(lake.storage, { kind: 'registry-procedures', bytes: fixture('procedures.csv'), period: null, originalName: 'registry/procedures.csv' });
    const s = await landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
    const entry = s.files.find((e) => e.original_name === file.name)!;
    expect([entry.rows_read, entry.rows_landed, entry.rows_quarantined]).toEqual([2, 1, 1]);
    expect((await quarantined(lake)).map((r) => r.reason)).toEqual(['unknown agency code']);
    rec.add({
      id: 'no-registry',
      area: 'Bad input',
      tried: 'a portal export landed before any registry (then with the agency registry only), one of its rows for an unknown agency H99.77',
      happened: `error: ${(err as Error).message.replace(/^\[pipeline\] \[\w+\] /, '')}`,
      kept: 'nothing of the export until both registry files were landed; then 1 landed, H99.77 quarantined ("unknown agency code")',
    });
  });

  test('should fail the same way when the registry landed with no valid row', async () => {
    const lake = newLake();
    const header = (name: string) => Buffer.from(readFileSync(path.join(FILES_DIR, name), 'utf8').split(/\r?\n/)[0]! + '\r\n');
    await stageRaw(lake.storage, { kind: 'registry-agencies', bytes: header('agencies.csv'), period: null, originalName: 'registry/agencies.csv' });
    await stageRaw(lake.storage, { kind: 'registry-procedures', bytes: fixture('procedures.csv'), period: null, originalName: 'registry/procedures.csv' });
    const err = await landFiles(lake, [{ name: 'export.csv', kind: 'portal-csv', bytes: portalCsv(portalRow('R-1')) }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as PipelineInputError).file).toBe('export.csv');
    expect((err as Error).message).toContain('no agency registry has been landed (none, or none of its rows was valid)');
    expect(await landedDossiers(lake)).toEqual([]);
  });
});

// --- point 9: reasons ---------------------------------------------------------------------------

describe('Quarantine reasons', () => {
  test('should give an over-long CSV line a reason in words and keep the rows around it', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const long = portalRow('L-2', { complaint: 'x'.repeat(1_100_000) });
    const s = await landFiles(lake, [{ name: 'portal-2024-05.csv', kind: 'portal-csv', bytes: portalCsv(portalRow('L-1'), long, portalRow('L-3')) }]);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([3, 2, 1]);
    expect((await landedDossiers(lake)).map((d) => [d.dossier_id, d.raw_row])).toEqual([
      ['L-1', 1],
      ['L-3', 3],
    ]);
    const q = await quarantined(lake);
    expect(q.map((r) => [r.row_no, r.field, r.reason])).toEqual([[2, null, 'malformed CSV record: line longer than 1 MiB (max_line_size): probably a missing closing quote or a binary file']]);
    expect(String(q[0]!.raw_record).startsWith('L-2,')).toBe(true);
    rec.add({
      id: 'csv-line-too-long',
      area: 'Bad input',
      tried: 'a portal CSV row of 1.1 MB (above the 1 MiB line limit) between two good rows',
      happened: 'quarantined: "malformed CSV record: line longer than 1 MiB (max_line_size): probably a missing closing quote or a binary file" (no field: the line could not be split)',
      kept: 'read 3 = landed 2 + quarantined 1; the good rows keep their numbers 1 and 3',
    });
  });

  test('should number the rows and rejects of each file of a chunk read many files per statement', async () => {
    const lake = newLake();
    await withRegistry(lake);
    // 130 exports in one chunk (each of the two read lanes takes 65: more than one statement's batch of
    // 64 files), of different lengths: file i has i % 5 good rows, then a record with one field too many,
    // a good row and a negative count.
    const files = Array.from({ length: 130 }, (_, i) => {
      const lead = Array.from({ length: i % 5 }, (_, k) => portalRow(`M-${i}-${k + 1}`));
      const n = lead.length;
      const rows = [...lead, `${portalRow(`M-${i}-${n + 1}`)},x`, portalRow(`M-${i}-${n + 2}`), portalRow(`M-${i}-${n + 3}`, { supplement: '-1' })];
      return { name: `portal-2024-05-${String(i).padStart(3, '0')}.csv`, kind: 'portal-csv' as const, bytes: portalCsv(...rows), n };
    });
    const s = await landFiles(lake, files);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([files.reduce((t, f) => t + f.n + 3, 0), files.reduce((t, f) => t + f.n + 1, 0), 260]);
    await accounted(lake);
    // Every landed id carries its own row number (M-<file>-<row>), and every quarantine record its file's
    // name, row number and line (a reject's raw record is the line: its id is followed by a comma).
    const landed = await landedDossiers(lake);
    expect(landed.filter((d) => !String(d.dossier_id).endsWith(`-${d.raw_row}`)).map((d) => `${d.dossier_id} as row ${d.raw_row}`)).toEqual([]);
    const q = await quarantined(lake);
    const want = files.flatMap((f) => [
      [f.name, f.n + 1, null, `M-${Number(f.name.slice(-7, -4))}-${f.n + 1},`],
      [f.name, f.n + 3, 'supplement_days', `M-${Number(f.name.slice(-7, -4))}-${f.n + 3}`],
    ]);
    expect(q.map((r) => [r.source_file, r.row_no, r.field, String(r.raw_record).match(/M-\d+-\d+,?/)?.[0]])).toEqual(want);
  });

  test('should give every quarantine record of the bad-input corpus a reason', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const files = BAD_INPUT_CASES.filter((c) => !c.error);
    const records = files.reduce((n, c) => n + (c.read ?? 0), 0) + 2;
    // The corpus's files that land, and an over-long line (a reject DuckDB gives no column for).
    const overLong = portalCsv(portalRow('L-1'), portalRow('L-2', { complaint: 'x'.repeat(1_100_000) }));
    const s = await landFiles(lake, [
      ...files.map((c) => ({ name: c.file, bytes: fixture(c.file), kind: c.kind, period: c.period })),
      { name: 'over-long.csv', kind: 'portal-csv', bytes: overLong, period: '2024-06' },
    ]);
    expect(s.files.length).toBeGreaterThanOrEqual(files.length);
    await accounted(lake);
    const q = await quarantined(lake);
    // Each file counts in the shared lake as it does landed alone (bad-input.test.ts): a record lost
    // by a multi-file read would show here (DuckDB dropped an unterminated-quote reject that way).
    const counts = (name: string) => s.files.filter((f) => f.original_name === name).map((f) => [f.rows_read, f.rows_landed, f.rows_quarantined]);
    const csvs = files.filter((f) => f.read !== undefined && f.landed !== undefined && (f.kind === 'portal-csv' || f.kind === 'nsw-csv'));
    expect(csvs.length).toBeGreaterThan(10);
    for (const c of csvs) expect(counts(c.file), c.file).toEqual([[c.read, c.landed, c.read! - c.landed!]]);
    expect(q.length).toBeGreaterThanOrEqual(25);
    expect(q.filter((r) => r.reason === null || String(r.reason).trim() === '').map((r) => `${r.source_file} row ${r.row_no}`)).toEqual([]);
    expect(q.filter((r) => String(r.raw_record ?? '') === '').map((r) => `${r.source_file} row ${r.row_no}`)).toEqual([]);
    rec.add({
      id: 'quarantine-reasons-everywhere',
      area: 'Bad input',
      tried: `every file of the bad-input corpus that lands (${files.length} files, ${records} records) into one lake`,
      happened: `${q.length} quarantine records, each with a non-empty reason and its raw record`,
      kept: 'per file read = landed + quarantined',
    });
  });
});

// --- point 10: the contract's ranges ------------------------------------------------------------

describe('Values the contract forbids', () => {
  test('should quarantine each one with its field and reason, and land the boundary values', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const s = await landFiles(lake, [
      {
        name: 'portal-2024-05.csv',
        kind: 'portal-csv',
        bytes: portalCsv(
          portalRow('V-1', { supplement: '3650' }), // the upper bound lands
          portalRow('V-2', { supplement: '3651' }),
          portalRow('V-3', { finished: '', status: 'DANG_XU_LY', updated: '02/05/2024 08:15' }), // updated before received
          portalRow('V-4', { updated: '08/05/2024 10:00' }), // updated before finished
          portalRow('V-5', { updated: '03/05/2031 08:15' }), // updated in the future
          portalRow('V-6', { updated: '' }),
          portalRow(`V-${'9'.repeat(63)}`), // 65 characters
          portalRow('V-8', { agency: `H99.${'0'.repeat(29)}` }), // 33 characters
          portalRow('V-9', { proc: `1.${'0'.repeat(31)}` }), // 33 characters
          portalRow('V-10', { supplement: '-1' }),
          portalRow('V-11', { due: '02/05/2024 17:00' }), // due before received
        ),
      },
      { name: '/api/v1/dossiers?page=1', kind: 'portal-api', bytes: apiPage([apiRecord('W-1', { soNgayChoBoSung: 99999 }), apiRecord('W-2', { ngayCapNhat: '2024-05-01T08:00:00+07:00' })]) },
    ]);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([13, 1, 12]);
    expect((await landedDossiers(lake)).map((d) => [d.dossier_id, d.supplement_days])).toEqual([['V-1', 3650]]);
    const q = await quarantined(lake);
    const got = q.map((r) => [r.source_file, r.row_no, r.field, r.reason, r.raw_value]);
    expect(got).toEqual([
      ['api/v1/dossiers?page=1', 1, 'supplement_days', "more than 3650 days (ten years): outside the contract's 0–3650", '99999'],
      ['api/v1/dossiers?page=1', 2, 'updated_at', 'last updated before the dossier was received', '2024-05-01T08:00:00+07:00'],
      ['portal-2024-05.csv', 2, 'supplement_days', "more than 3650 days (ten years): outside the contract's 0–3650", '3651'],
      ['portal-2024-05.csv', 3, 'updated_at', 'last updated before the dossier was received', '02/05/2024 08:15'],
      ['portal-2024-05.csv', 4, 'updated_at', 'last updated before the dossier was finished', '08/05/2024 10:00'],
      ['portal-2024-05.csv', 5, 'updated_at', 'in the future', '03/05/2031 08:15'],
      ['portal-2024-05.csv', 6, 'updated_at', 'missing value', null],
      ['portal-2024-05.csv', 7, 'dossier_id', 'longer than 64 characters', `V-${'9'.repeat(63)}`],
      ['portal-2024-05.csv', 8, 'agency_code', 'longer than 32 characters', `H99.${'0'.repeat(29)}`],
      ['portal-2024-05.csv', 9, 'procedure_code', 'longer than 32 characters', `1.${'0'.repeat(31)}`],
      ['portal-2024-05.csv', 10, 'supplement_days', 'negative', '-1'],
      ['portal-2024-05.csv', 11, 'due_at', 'due before received', '02/05/2024 17:00'],
    ]);
    await accounted(lake);
    rec.add({
      id: 'contract-ranges',
      area: 'Bad input',
      tried: 'supplement_days 3650 / 3651 / −1 / 99999 (API), updated_at before received_at, before finished_at, in 2031 or empty, a 65-character id, 33-character agency and procedure codes, due before received',
      happened: 'each quarantined with its field and reason (e.g. supplement_days "more than 3650 days (ten years): outside the contract\'s 0–3650", updated_at "last updated before the dossier was received"); 3650 lands',
      kept: `read ${s.rowsRead} = landed ${s.rowsLanded} + quarantined ${s.rowsQuarantined}`,
    });
  });
});

describe('Timestamps of the portal API', () => {
  test('should store each as Vietnam wall time whatever its offset, the portal\'s +07:00 as written, and quarantine an impossible date', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const at = (received: string, extra: Record<string, unknown> = {}) => ({ ngayTiepNhan: received, ...extra });
    const s = await landFiles(lake, [
      {
        name: '/api/v1/dossiers?page=1',
        kind: 'portal-api',
        bytes: apiPage([
          apiRecord('T-1', at('2024-05-03T08:15:00+07:00')),
          apiRecord('T-2', at('2024-05-03T01:15:00Z')),
          apiRecord('T-3', at('2024-05-03T01:15:00+00:00')),
          apiRecord('T-4', at('2024-05-03T09:15:00+08:00', { ngayHenTra: '2024-05-10T10:00:00Z' })),
          apiRecord('T-5', at('2024-05-02T23:45:00-08:30')),
          apiRecord('T-6', at('2024-05-03T08:15:00+0700')),
          apiRecord('T-7', at('2024-02-30T08:15:00+07:00')),
          apiRecord('T-8', at('2024-05-03 08:15:00+07:00')),
          apiRecord('T-9', at('2024-05-03T08:15:00.250+07:00')),
          apiRecord('T-10', at('2024-05-03T01:15:00.5Z')),
        ]),
      },
    ]);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([10, 8, 2]);
    const rows = await parquetRows(
      lake,
      'landed/dossiers/',
      (f) => `SELECT dossier_id, strftime(received_at, '%Y-%m-%d %H:%M:%S.%f') AS received, strftime(due_at, '%Y-%m-%d %H:%M:%S') AS due,
                     strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished, strftime(updated_at, '%Y-%m-%d %H:%M:%S') AS updated FROM ${f} ORDER BY dossier_id`,
    );
    const rest = ['2024-05-10 17:00:00', '2024-05-09 10:00:00', '2024-05-09 10:00:00'];
    expect(rows.map((r) => [r.dossier_id, r.received, r.due, r.finished, r.updated])).toEqual([
      ['T-1', '2024-05-03 08:15:00.000000', ...rest],
      ['T-10', '2024-05-03 08:15:00.500000', ...rest],
      ['T-2', '2024-05-03 08:15:00.000000', ...rest],
      ['T-3', '2024-05-03 08:15:00.000000', ...rest],
      ['T-4', '2024-05-03 08:15:00.000000', '2024-05-10 17:00:00', ...rest.slice(1)],
      ['T-5', '2024-05-03 15:15:00.000000', ...rest],
      ['T-6', '2024-05-03 08:15:00.000000', ...rest],
      ['T-9', '2024-05-03 08:15:00.250000', ...rest],
    ]);
    const q = await quarantined(lake);
    expect(q.map((r) => [r.row_no, r.field, r.reason, r.raw_value])).toEqual([
      [7, 'received_at', 'not a valid date and time', '2024-02-30T08:15:00+07:00'],
      [8, 'received_at', 'not a valid date and time', '2024-05-03 08:15:00+07:00'],
    ]);
    await accounted(lake);
  });
});
