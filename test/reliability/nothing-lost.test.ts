/**
 * Nothing lost (issue #12, points 1, 2 and 5, and `verify` against the lake itself): every row a
 * manifest counts as landed is found in the lake, current or superseded; a correction wins over the
 * file it corrects whatever the hashes; one bad file blocks nothing. Real files written by the test,
 * real DuckDB, real Parquet.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { localContext } from '../../functions/core/local-context.js';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
import { PipelineInputError } from '../../functions/core/errors.js';
import { checkInvariants } from '../../functions/core/lake/invariants.js';
import { DATASET_SPECS } from '../../functions/core/lake/datasets.js';
import { landStaged, RejectedFilesError, type LandSummary } from '../../functions/core/lake/land.js';
import { publishRejectedFiles, REJECTED_FILES_INDEX_KEY, REJECTED_FILES_KEY } from '../../functions/core/lake/land.js';
import { REJECTED_FILES_COLUMNS } from '../../functions/core/lake/datasets.js';
import { discardRejected, listManifest, listRejected, listStaged, rejectedKey, retryRejected, sha256, stageRaw } from '../../functions/core/lake/raw.js';
import type { RawKind } from '../../functions/core/lake/sources.js';
import { writeBieu06Xlsx, type Bieu06Sheet } from '../../functions/core/readers/xlsx/bieu06.js';
import { ingestDropDir, runAll, type PipelineContext, type RunSummary } from '../../functions/core/pipeline.js';
import { FILES_DIR } from '../fixtures/bad/make.js';
import { fixture, lakeFactory, rejectedReasons, stageRegistry, type TestLake } from './lakes.js';
import { recorder } from './record.js';

const rec = recorder('nothing-lost');
afterAll(() => rec.flush());


type Lake = TestLake;

const newLake = lakeFactory('nothing-lost');

const MAX_TS = '2026-01-05 23:59:59';

async function stage(lake: Lake, f: { name: string; bytes: Buffer; kind: RawKind; period?: string | null; at: string }): Promise<void> {
  await stageRaw(lake.storage, { kind: f.kind, bytes: f.bytes, period: f.period === undefined ? '2024-05' : f.period, originalName: f.name, pulledAt: f.at });
}

async function land(lake: Lake): Promise<LandSummary> {
  return landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
}

/** landed/rejected_files/ as the models read it: name, kind, status, whether the error names the file, the class recorded. */
async function rejectedTable(lake: Lake): Promise<[string, string, string, boolean, string][]> {
  const rows = await withDuckDb((db) =>
    db.all(`SELECT original_name, raw_kind, CASE WHEN discarded_at IS NULL THEN 'waiting' ELSE 'discarded' END AS status, error, reason
            FROM read_parquet(${literal(path.join(lake.root, REJECTED_FILES_KEY))})`),
  );
  return rows.map((r) => [String(r.original_name), String(r.raw_kind), String(r.status), String(r.error).includes(path.basename(String(r.original_name))), String(r.reason)]);
}

async function withRegistry(lake: Lake): Promise<void> {
  await stageRegistry(lake);
  await land(lake);
}

async function query(lake: Lake, glob: string, sql: (from: string) => string): Promise<Record<string, unknown>[]> {
  const files = (await lake.storage.list(glob.replace(/\*.*$/, ''))).filter((o) => o.key.endsWith('.parquet'));
  if (files.length === 0) return [];
  return withDuckDb((db) => db.all(sql(`read_parquet(${literal(`${lake.root}/${glob}`)}, hive_partitioning = true, union_by_name = true)`)));
}

/** c3…c13 that satisfy every identity of the form: c3 = c4+c5+c6 = c7+c11, c7 = c8+c9+c10, c11 = c12+c13. */
function counts(received: number, resolvedLate = 1): number[] {
  const online = Math.floor(received / 2);
  const carried = 1;
  const offline = received - online - carried;
  const pending = 2;
  const resolved = received - pending;
  return [received, online, offline, carried, resolved, 1, resolved - 1 - resolvedLate, resolvedLate, pending, 1, 1];
}

function bieu06(bands: { name: string; rows: { unitName: string; c: number[] }[] }[]): Bieu06Sheet {
  return {
    provinceName: 'Sông Xanh',
    periodType: 'month',
    year: 2024,
    periodNo: 5,
    periodStart: '2024-05-01',
    periodEnd: '2024-05-31',
    bands: bands.map((b) => ({ name: b.name, rows: b.rows.map((r) => ({ unitName: r.unitName, agencyCode: null, c: r.c })) })),
  };
}

async function xlsxBytes(lake: Lake, name: string, sheet: Bieu06Sheet): Promise<Buffer> {
  const p = path.join(lake.tmp, name);
  await writeBieu06Xlsx(p, sheet);
  return readFileSync(p);
}

describe('Rows counted as landed are in the lake (point 1)', () => {
  test('should land two units of one name in two bands of one Biểu 06 sheet as two rows', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const sheet = bieu06([
      { name: 'Sở, ban, ngành', rows: [{ unitName: 'Sở Tư pháp', c: counts(20) }, { unitName: 'Văn phòng', c: counts(12) }] },
      { name: 'UBND cấp xã', rows: [{ unitName: 'Xã Đông', c: counts(9) }, { unitName: 'Văn phòng', c: counts(7) }] },
    ]);
    await stage(lake, { kind: 'bieu06-xlsx', bytes: await xlsxBytes(lake, 'bieu06_2024.xlsx', sheet), name: 'bieu06_2024.xlsx', period: '2024', at: '2026-01-02T00:00:00.000Z' });
    const s = await land(lake);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([4, 4, 0]);
    const rows = await query(lake, 'landed/bieu06/**/*.parquet', (f) => `SELECT band, unit_name, CAST(received_total AS INTEGER) AS c3, CAST(raw_row AS INTEGER) AS raw_row FROM ${f} ORDER BY raw_row`);
    expect(rows.map((r) => [r.band, r.unit_name, r.c3])).toEqual([
      ['Sở, ban, ngành', 'Sở Tư pháp', 20],
      ['Sở, ban, ngành', 'Văn phòng', 12],
      ['UBND cấp xã', 'Xã Đông', 9],
      ['UBND cấp xã', 'Văn phòng', 7],
    ]);
    // Lineage is the sheet row, unique in the file (STT numbers restart in every band).
    expect(new Set(rows.map((r) => r.raw_row)).size).toBe(4);
    expect((await checkInvariants(lake.storage, lake.work)).accountingErrors).toEqual([]);
    rec.add({
      id: 'same-name-two-bands',
      area: 'Invariants',
      tried: 'a Biểu 06 sheet with a unit "Văn phòng" under "Sở, ban, ngành" and another "Văn phòng" under "UBND cấp xã"',
      happened: 'read 4 = landed 4 + quarantined 0; the key holds the band, so both units are rows of the lake',
      kept: '4 unit rows (12 and 7 dossiers for the two "Văn phòng"), each with its own sheet row as lineage',
    });
  });

  test('should quarantine a unit listed twice in one 766 answer, naming the first listing, and land the rest', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const unit = (id: string, name: string, total: number): Record<string, unknown> => ({
      ID: id, TEN: name, MA_COQUAN: 'H99.01', LOAI_COQUAN: 2, CAPDONVIID: null, CKMB: 18, TDGQ: 18, CLGQ: 18, TTTT: 9, MDHL: 9, MDSH: 9, TONG_SCORE: total,
    });
    const body = { data: [unit('u1', 'Sở Tư pháp', 81), unit('u2', 'Sở Công Thương', 77), unit('u1', 'Sở Tư pháp', 81)] };
    await stage(lake, { kind: 'score766-legacy', bytes: Buffer.from(JSON.stringify(body)), name: '2024-05.json', at: '2026-01-02T00:00:00.000Z' });
    const s = await land(lake);
    expect([s.rowsRead, s.rowsLanded, s.rowsQuarantined]).toEqual([3, 2, 1]);
    const q = await query(lake, 'quarantine/**/*.parquet', (f) => `SELECT dataset, CAST(row_no AS INTEGER) AS row_no, field, reason, raw_value FROM ${f}`);
    expect(q).toEqual([{ dataset: 'score766', row_no: 3, field: 'unit_id', reason: 'listed twice in the file: the same unit in the same 766 answer as row 1 (that first row is kept)', raw_value: 'u1' }]);
    const landed = await query(lake, 'landed/score766/**/*.parquet', (f) => `SELECT unit_id FROM ${f} ORDER BY unit_id`);
    expect(landed.map((r) => r.unit_id)).toEqual(['u1', 'u2']);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    rec.add({
      id: 'unit-twice-in-766-answer',
      area: 'Invariants',
      tried: 'a 766 report answer listing unit u1 at rows 1 and 3',
      happened: `read 3 = landed 2 + quarantined 1: row 3 unit_id: ${String(q[0]!.reason)}`,
      kept: 'u1 (row 1) and u2; the manifest\'s landed count equals the rows in the lake',
    });
  });
});

describe('The corrected file wins (point 2)', () => {
  test('should keep the Biểu 06 staged later, whatever the hashes, and keep the old rows traceable', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const a = await xlsxBytes(lake, 'a.xlsx', bieu06([{ name: 'Sở, ban, ngành', rows: [{ unitName: 'Sở Tư pháp', c: counts(20) }, { unitName: 'Sở Công Thương', c: counts(30) }] }]));
    const b = await xlsxBytes(lake, 'b.xlsx', bieu06([{ name: 'Sở, ban, ngành', rows: [{ unitName: 'Sở Tư pháp', c: counts(24) }, { unitName: 'Sở Công Thương', c: counts(30) }] }]));
    // The correction is the version whose hash sorts LOWER: a winner chosen by hash keeps the old figures.
    const [fix, old] = sha256(a) < sha256(b) ? [a, b] : [b, a];
    const fixC3 = fix === a ? 20 : 24;
    const oldC3 = fix === a ? 24 : 20;
    await stage(lake, { kind: 'bieu06-xlsx', bytes: old, name: 'bieu06_2024.xlsx', period: '2024', at: '2026-01-02T08:00:00.000Z' });
    await land(lake);
    await stage(lake, { kind: 'bieu06-xlsx', bytes: fix, name: 'bieu06_2024.xlsx', period: '2024', at: '2026-01-03T08:00:00.000Z' });
    const s = await land(lake);
    expect([s.rowsRead, s.rowsLanded]).toEqual([2, 2]);
    const rows = await query(lake, 'landed/bieu06/**/*.parquet', (f) => `SELECT unit_name, CAST(received_total AS INTEGER) AS c3, raw_hash FROM ${f} ORDER BY unit_name`);
    expect(rows).toEqual([
      { unit_name: 'Sở Công Thương', c3: 30, raw_hash: sha256(fix) },
      { unit_name: 'Sở Tư pháp', c3: fixC3, raw_hash: sha256(fix) },
    ]);
    const ledger = await query(lake, 'landed/_superseded/bieu06/**/*.parquet', (f) =>
      `SELECT unit_name, CAST(received_total AS INTEGER) AS c3, raw_hash, superseded_by_hash, CAST(superseded_at AS VARCHAR) AS at FROM ${f} ORDER BY unit_name`);
    expect(ledger).toEqual([
      { unit_name: 'Sở Công Thương', c3: 30, raw_hash: sha256(old), superseded_by_hash: sha256(fix), at: '2026-01-03 08:00:00' },
      { unit_name: 'Sở Tư pháp', c3: oldC3, raw_hash: sha256(old), superseded_by_hash: sha256(fix), at: '2026-01-03 08:00:00' },
    ]);
    const log = await query(lake, 'landed/landing_log/*.parquet', (f) =>
      `SELECT raw_hash, CAST(rows_superseded AS INTEGER) AS n, superseded_by, CAST(superseded_at AS VARCHAR) AS at FROM ${f} WHERE raw_kind = 'bieu06-xlsx' ORDER BY pulled_at`);
    expect(log).toEqual([
      { raw_hash: sha256(old), n: 2, superseded_by: 'bieu06_2024.xlsx', at: '2026-01-03 08:00:00' },
      { raw_hash: sha256(fix), n: 0, superseded_by: null, at: null },
    ]);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    rec.add({
      id: 'corrected-bieu06-wins',
      area: 'Invariants',
      tried: 'a Biểu 06 for 05/2024 landed, then a corrected one (Sở Tư pháp c3 changed) whose sha256 sorts lower',
      happened: 'the corrected file wins (the later arrival, not the higher hash); the 2 old rows move to landed/_superseded/bieu06/ with the file and row that superseded them',
      kept: `Sở Tư pháp c3 = ${fixC3} from the correction; the landing log says the old file had 2 rows superseded by bieu06_2024.xlsx on 03/01/2026`,
    });
  });

  test('should keep the revised catalogue\'s statutory days, the first catalogue traceable', async () => {
    const lake = newLake();
    const header = 'procedure_code,name,field,agency_code,online_level,is_fee_bearing,is_nsw,statutory_days,original_statutory_days';
    const a = Buffer.from(`${header}\n1.000001,Cấp phiếu lý lịch tư pháp,Lý lịch tư pháp,H99.01,toan_trinh,true,false,10,10\n`);
    const b = Buffer.from(`${header}\n1.000001,Cấp phiếu lý lịch tư pháp,Lý lịch tư pháp,H99.01,toan_trinh,true,false,7,10\n`);
    const [fix, old] = sha256(a) < sha256(b) ? [a, b] : [b, a];
    await stage(lake, { kind: 'registry-agencies', bytes: fixture('agencies.csv'), period: null, name: 'agencies.csv', at: '2026-01-01T00:00:00.000Z' });
    await stage(lake, { kind: 'registry-procedures', bytes: old, period: null, name: 'procedures.csv', at: '2026-01-01T00:00:00.000Z' });
    await land(lake);
    await stage(lake, { kind: 'registry-procedures', bytes: fix, period: null, name: 'procedures.csv', at: '2026-02-01T00:00:00.000Z' });
    await land(lake);
    const rows = await query(lake, 'landed/procedures/**/*.parquet', (f) => `SELECT procedure_code, CAST(statutory_days AS INTEGER) AS days, raw_hash FROM ${f}`);
    expect(rows).toEqual([{ procedure_code: '1.000001', days: fix === a ? 10 : 7, raw_hash: sha256(fix) }]);
    const ledger = await query(lake, 'landed/_superseded/procedures/**/*.parquet', (f) => `SELECT raw_hash, superseded_by_hash FROM ${f}`);
    expect(ledger).toEqual([{ raw_hash: sha256(old), superseded_by_hash: sha256(fix) }]);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
  });

  test('should keep a dossier\'s newer Ngày cập nhật over an older version that arrives later', async () => {
    const lake = newLake();
    await withRegistry(lake);
    const one = JSON.parse(readFileSync(path.join(FILES_DIR, 'api-page1.json'), 'utf8')) as { data: Record<string, unknown>[] };
    const page = (updated: string): Buffer => Buffer.from(JSON.stringify({ ...one, data: [{ ...one.data[0]!, ngayCapNhat: updated }] }));
    const newer = page('2024-05-20T10:00:00+07:00');
    const older = page('2024-05-04T10:00:00+07:00');
    await stage(lake, { kind: 'portal-api', bytes: newer, name: 'p-newer.json', at: '2026-01-02T00:00:00.000Z' });
    await land(lake);
    await stage(lake, { kind: 'portal-api', bytes: older, name: 'p-older.json', at: '2026-01-03T00:00:00.000Z' });
    const s = await land(lake);
    expect([s.rowsRead, s.rowsLanded]).toEqual([1, 1]);
    const rows = await query(lake, 'landed/dossiers/**/*.parquet', (f) => `SELECT dossier_id, CAST(updated_at AS VARCHAR) AS at, raw_hash FROM ${f}`);
    expect(rows).toEqual([{ dossier_id: 'DP-1', at: '2024-05-20 10:00:00', raw_hash: sha256(newer) }]);
    // The older version arrived later and lost on updated_at: it is in the ledger, superseded by the newer.
    const ledger = await query(lake, 'landed/_superseded/dossiers/**/*.parquet', (f) => `SELECT CAST(updated_at AS VARCHAR) AS at, raw_hash, superseded_by_hash FROM ${f}`);
    expect(ledger).toEqual([{ at: '2024-05-04 10:00:00', raw_hash: sha256(older), superseded_by_hash: sha256(newer) }]);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
  });

  test('should write a partition byte for byte the same whether its versions were picked or each key came once', async () => {
    const one = JSON.parse(readFileSync(path.join(FILES_DIR, 'api-page1.json'), 'utf8')) as { data: Record<string, unknown>[] };
    const page = (rows: Record<string, unknown>[]): Buffer => Buffer.from(JSON.stringify({ ...one, data: rows }));
    // Out of key order in the file: the partition holds them sorted by id either way.
    const ids = ['DP-3', 'DP-1', 'DP-2'].map((id, i) => ({ ...one.data[0]!, maHoSo: id, ngayCapNhat: `2024-05-2${i}T10:00:00+07:00` }));
    const current = page(ids);
    // An older version of DP-2 in another file: where it lands with the current page, versions are picked.
    const older = page([{ ...ids[2]!, ngayCapNhat: '2024-05-04T10:00:00+07:00' }]);
    const partition = async (lake: Lake): Promise<Buffer> => {
      const keys = (await lake.storage.list('landed/dossiers/')).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
      expect(keys).toHaveLength(1);
      return lake.storage.get(keys[0]!);
    };
    const once = newLake();
    await withRegistry(once);
    await stage(once, { kind: 'portal-api', bytes: current, name: 'p-current.json', at: '2026-01-02T00:00:00.000Z' });
    await land(once);
    const picked = newLake();
    await withRegistry(picked);
    await stage(picked, { kind: 'portal-api', bytes: older, name: 'p-older.json', at: '2026-01-01T00:00:00.000Z' });
    await stage(picked, { kind: 'portal-api', bytes: current, name: 'p-current.json', at: '2026-01-02T00:00:00.000Z' });
    await land(picked);
    const ledger = await query(picked, 'landed/_superseded/dossiers/**/*.parquet', (f) => `SELECT dossier_id, raw_hash FROM ${f}`);
    expect(ledger).toEqual([{ dossier_id: 'DP-2', raw_hash: sha256(older) }]);
    const rows = await query(once, 'landed/dossiers/**/*.parquet', (f) => `SELECT dossier_id FROM ${f}`);
    expect(rows.map((r) => r.dossier_id)).toEqual(['DP-1', 'DP-2', 'DP-3']);
    expect((await partition(picked)).equals(await partition(once))).toBe(true);
  });

  test('should write a partition byte for byte the same whether it was written from the batch alone or merged with its published file', async () => {
    const one = JSON.parse(readFileSync(path.join(FILES_DIR, 'api-page1.json'), 'utf8')) as { data: Record<string, unknown>[] };
    const page = (rows: Record<string, unknown>[]): Buffer => Buffer.from(JSON.stringify({ ...one, data: rows }));
    const ids = ['DP-3', 'DP-1', 'DP-2'].map((id, i) => ({ ...one.data[0]!, maHoSo: id, ngayCapNhat: `2024-05-2${i}T10:00:00+07:00` }));
    const partition = async (lake: Lake): Promise<Buffer> => {
      const keys = (await lake.storage.list('landed/dossiers/')).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
      expect(keys).toHaveLength(1);
      return lake.storage.get(keys[0]!);
    };
    const files = [
      { kind: 'portal-api' as const, bytes: page(ids.slice(0, 2)), name: 'p-first.json', at: '2026-01-02T00:00:00.000Z' },
      { kind: 'portal-api' as const, bytes: page(ids.slice(2)), name: 'p-second.json', at: '2026-01-03T00:00:00.000Z' },
    ];
    // One land of both files: the partition is written from the batch table (no file yet, each key once).
    const whole = newLake();
    await withRegistry(whole);
    for (const f of files) await stage(whole, f);
    await land(whole);
    // Two lands: the second merges its row with the partition's published file.
    const merged = newLake();
    await withRegistry(merged);
    await stage(merged, files[0]!);
    await land(merged);
    const first = await partition(merged);
    await stage(merged, files[1]!);
    await land(merged);
    const rows = await query(merged, 'landed/dossiers/**/*.parquet', (f) => `SELECT dossier_id FROM ${f}`);
    expect(rows.map((r) => r.dossier_id)).toEqual(['DP-1', 'DP-2', 'DP-3']);
    expect(first.equals(await partition(merged))).toBe(false);
    expect((await partition(merged)).equals(await partition(whole))).toBe(true);
  });
});

describe('verify proves the accounting against the lake (done-when of #12)', () => {
  test('should fail when a row is deleted from a landed partition, and when a superseded row is deleted', async () => {
    const lake = newLake();
    await withRegistry(lake);
    await stage(lake, { kind: 'portal-api', bytes: fixture('api-page1.json'), name: 'api-page1.json', at: '2026-01-02T00:00:00.000Z' });
    await stage(lake, { kind: 'portal-api', bytes: fixture('api-page2-repeats-id.json'), name: 'api-page2.json', at: '2026-01-02T00:00:01.000Z' });
    await land(lake);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    const ledgerKey = (await lake.storage.list('landed/_superseded/dossiers/')).find((o) => o.key.endsWith('.parquet'))!.key;
    const partKey = (await lake.storage.list('landed/dossiers/')).find((o) => o.key.endsWith('.parquet'))!.key;
    const dropOneRow = async (key: string): Promise<void> => {
      const file = lake.storage.locate(key);
      const tmp = `${file}.tmp.parquet`;
      await withDuckDb(async (db) => {
        await db.run(`COPY (SELECT * FROM read_parquet(${literal(file)}, hive_partitioning = false) ORDER BY dossier_id OFFSET 1) TO ${literal(tmp)} (FORMAT PARQUET)`);
      });
      writeFileSync(file, readFileSync(tmp));
      rmSync(tmp);
    };
    const ledgerBytes = readFileSync(lake.storage.locate(ledgerKey));
    await dropOneRow(ledgerKey);
    const r1 = await checkInvariants(lake.storage, lake.work);
    expect(r1.ok).toBe(false);
    expect(r1.accountingErrors.join('\n')).toMatch(/api-page1\.json: the manifest counts 2 row\(s\) landed in dossiers, the lake holds 1 current \+ 0 superseded/);
    writeFileSync(lake.storage.locate(ledgerKey), ledgerBytes);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    await dropOneRow(partKey);
    const r2 = await checkInvariants(lake.storage, lake.work);
    expect(r2.ok).toBe(false);
    expect(r2.accountingErrors.some((e) => /the lake holds/.test(e))).toBe(true);
    rec.add({
      id: 'verify-row-deleted',
      area: 'Invariants',
      tried: 'one row deleted by hand from a landed dossiers partition (and, apart, one from the superseded ledger), manifests untouched',
      happened: `verify fails: ${r2.accountingErrors[0]!}`,
      kept: 'nothing changed; the manifest counts stand and verify names the file whose rows are missing',
    });
  });
});

describe('verify refuses a partition Athena does not read', () => {
  test('should fail on a quarantine partition under year=0/month=0 (as registry rows were quarantined before) and on a landed year=1999', async () => {
    const lake = newLake();
    await withRegistry(lake);
    await stage(lake, { kind: 'portal-api', bytes: fixture('api-page1.json'), name: 'api-page1.json', at: '2026-01-02T00:00:00.000Z' });
    await land(lake);
    expect((await checkInvariants(lake.storage, lake.work)).partitionErrors).toEqual([]);
    // An empty file under each: the accounting still holds, only the partition is wrong.
    const emptyOf = async (dataset: 'dossiers' | 'quarantine'): Promise<string> => {
      const file = path.join(lake.tmp, `empty-${dataset}.parquet`);
      const cols = Object.entries(DATASET_SPECS[dataset].columns).map(([c, t]) => `CAST(NULL AS ${t}) AS ${c}`).join(', ');
      await withDuckDb((db) => db.run(`COPY (SELECT ${cols} LIMIT 0) TO ${literal(file)} (FORMAT PARQUET)`));
      return file;
    };
    const planted = ['landed/dossiers/source=portal/year=1999/month=5/data.parquet', 'quarantine/dataset=agencies/source=registry/year=0/month=0/data.parquet'];
    await lake.storage.putFile(planted[0]!, await emptyOf('dossiers'));
    await lake.storage.putFile(planted[1]!, await emptyOf('quarantine'));
    const r = await checkInvariants(lake.storage, lake.work);
    expect(r.ok).toBe(false);
    expect(r.accountingErrors).toEqual([]);
    const unread = ": a partition Athena's projection does not read (year 2000 … the calendar's last + 1, month 1–12)";
    expect(r.partitionErrors).toEqual([
      `${planted[0]}${unread}`,
      `${planted[1]}${unread}; run a land (\`npm run cli -- land\`): it moves the rows of such a quarantine partition where the engines read them, or says in its log why it cannot`,
    ]);
    rec.add({
      id: 'verify-unprojected-partition',
      area: 'Invariants',
      tried: 'an (empty) partition file planted under quarantine/…/year=0/month=0/ and one under landed/dossiers/…/year=1999/',
      happened: `verify fails naming both: ${r.partitionErrors[0]!}`,
      kept: 'nothing changed; a row there would count on DuckDB and never on Athena',
    });
  });
});

describe('One bad file blocks nothing (point 5)', () => {
  test('should land the rest, record the bad file as rejected, skip it in later lands, and let an operator retry or discard it', async () => {
    const lake = newLake();
    await withRegistry(lake);
    await stage(lake, { kind: 'portal-csv', bytes: fixture('portal-extra-column.csv'), name: 'portal/dossiers/2024-05.csv', at: '2026-01-02T00:00:00.000Z' });
    await stage(lake, { kind: 'portal-api', bytes: fixture('api-page1.json'), name: 'api-page1.json', at: '2026-01-02T00:00:01.000Z' });
    await stage(lake, { kind: 'bieu06-xlsx', bytes: fixture('bieu06-truncated.xlsx'), name: 'bieu06_2024.xlsx', period: '2024', at: '2026-01-02T00:00:02.000Z' });
    const err = (await land(lake).catch((e: unknown) => e)) as RejectedFilesError;
    expect(err).toBeInstanceOf(RejectedFilesError);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect(err.rejected.map((r) => r.original_name).sort()).toEqual(['bieu06_2024.xlsx', 'portal/dossiers/2024-05.csv']);
    expect(err.message).toContain('unexpected columns: unexpected "Ghi chú"');
    expect(err.message).toContain('npm run cli -- rejected');
    // The good page landed and is committed.
    expect(err.summary.files.map((f) => f.original_name)).toEqual(['api-page1.json']);
    expect((await listManifest(lake.storage)).some((m) => m.original_name === 'api-page1.json')).toBe(true);
    // Kept in raw/ for inspection, not staged any more: the next land has nothing to do and fails on nothing.
    expect((await listRejected(lake.storage)).length).toBe(2);
    // Listed where the models read them (landed/rejected_files/), typed as the Glue table declares.
    expect(await rejectedTable(lake)).toEqual([
      ['portal/dossiers/2024-05.csv', 'portal-csv', 'waiting', true, 'columns'],
      ['bieu06_2024.xlsx', 'bieu06-xlsx', 'waiting', true, 'xlsx_incomplete'],
    ]);
    expect(await withDuckDb((db) => db.all(`DESCRIBE SELECT * FROM read_parquet(${literal(path.join(lake.root, REJECTED_FILES_KEY))})`))).toEqual(
      Object.entries(REJECTED_FILES_COLUMNS).map(([name, type]) => expect.objectContaining({ column_name: name, column_type: type })),
    );
    expect(await listStaged(lake.storage)).toEqual([]);
    const table = readFileSync(path.join(lake.root, REJECTED_FILES_KEY));
    expect((await land(lake)).files).toEqual([]);
    // Nothing changed: the table is not written again.
    expect(await publishRejectedFiles(lake.storage, lake.work)).toBe(false);
    expect(readFileSync(path.join(lake.root, REJECTED_FILES_KEY)).equals(table)).toBe(true);
    // A corrected export lands as usual.
    await stage(lake, { kind: 'portal-csv', bytes: fixture('portal-header-only.csv'), name: 'portal/dossiers/2024-05.csv', at: '2026-01-03T00:00:00.000Z' });
    expect((await land(lake)).files.map((f) => f.original_name)).toEqual(['portal/dossiers/2024-05.csv']);
    // retry: the same bytes are tried again (and fail again, recorded again).
    const csvHash = sha256(fixture('portal-extra-column.csv'));
    await retryRejected(lake.storage, csvHash.slice(0, 10));
    expect((await listStaged(lake.storage)).map((m) => m.sha256)).toEqual([csvHash]);
    await expect(land(lake)).rejects.toThrow(/unexpected "Ghi chú"/);
    // discard: bytes leave raw/, a record stays, the same bytes dropped again are not staged.
    const gone = await discardRejected(lake.storage, 'bieu06_2024.xlsx');
    expect(gone.discarded_at).not.toBeNull();
    expect(await lake.storage.exists(`raw/bieu06-xlsx/${gone.sha256}.xlsx`)).toBe(false);
    expect((await listRejected(lake.storage)).map((r) => r.original_name)).toEqual(['portal/dossiers/2024-05.csv']);
    expect((await listRejected(lake.storage, { discarded: true })).map((r) => [r.original_name, r.discarded_at !== null]).sort()).toEqual([
      ['bieu06_2024.xlsx', true],
      ['portal/dossiers/2024-05.csv', false],
    ]);
    const again = await stageRaw(lake.storage, { kind: 'bieu06-xlsx', bytes: fixture('bieu06-truncated.xlsx'), period: '2024', originalName: 'bieu06_2024.xlsx' });
    expect(again.alreadyRejected).toBe(true);
    expect(await listStaged(lake.storage)).toEqual([]);
    // The next land, with nothing staged, lists the discarded file as discarded (the retried CSV was
    // rejected again after the workbook: the table is in order of rejection).
    expect(await rejectedTable(lake)).toEqual([
      ['bieu06_2024.xlsx', 'bieu06-xlsx', 'waiting', true, 'xlsx_incomplete'],
      ['portal/dossiers/2024-05.csv', 'portal-csv', 'waiting', true, 'columns'],
    ]);
    expect((await land(lake)).files).toEqual([]);
    expect(await rejectedTable(lake)).toEqual([
      ['bieu06_2024.xlsx', 'bieu06-xlsx', 'discarded', true, 'xlsx_incomplete'],
      ['portal/dossiers/2024-05.csv', 'portal-csv', 'waiting', true, 'columns'],
    ]);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    // A discard interrupted between its two writes leaves both records: the file is listed once, as discarded
    // (twice, the mart's grain test would fail every transform).
    await lake.storage.put(rejectedKey('bieu06-xlsx', gone.sha256), JSON.stringify({ ...gone, discarded_at: null }));
    expect((await listRejected(lake.storage, { discarded: true })).filter((r) => r.sha256 === gone.sha256).length).toBe(2);
    expect(await publishRejectedFiles(lake.storage, lake.work)).toBe(false);
    expect(await rejectedTable(lake)).toEqual([
      ['bieu06_2024.xlsx', 'bieu06-xlsx', 'discarded', true, 'xlsx_incomplete'],
      ['portal/dossiers/2024-05.csv', 'portal-csv', 'waiting', true, 'columns'],
    ]);
    rec.add({
      id: 'bad-file-blocks-nothing',
      area: 'Faults',
      tried: 'a land of three staged files: a portal CSV with an extra column, a good API page, a truncated Biểu 06',
      happened: 'the API page landed; the two bad files were recorded as rejected (manifest/rejected/) with their errors, listed in landed/rejected_files/ (the data-quality page), and the land failed at the end naming both',
      kept: 'the bad files in raw/; later lands skip them until `cli retry <file>` (tried again) or `cli discard <file>` (bytes removed, record kept, not staged again, listed as discarded by the next land)',
    });
  });

  test('should class each rejected file by the class the land recorded, and a file rejected before classes were recorded by its error', async () => {
    const lake = newLake();
    await withRegistry(lake);
    await stage(lake, { kind: 'portal-csv', bytes: fixture('portal-extra-column.csv'), name: 'portal/dossiers/2024-05.csv', at: '2026-01-02T00:00:00.000Z' });
    await stage(lake, { kind: 'bieu06-xlsx', bytes: fixture('bieu06-truncated.xlsx'), name: 'bieu06_2024.xlsx', period: '2024', at: '2026-01-02T00:00:02.000Z' });
    expect(await land(lake).catch((e: unknown) => e)).toBeInstanceOf(RejectedFilesError);
    const recorded = await listRejected(lake.storage);
    expect(recorded.map((r) => [r.original_name, r.reason]).sort()).toEqual([
      ['bieu06_2024.xlsx', 'xlsx_incomplete'],
      ['portal/dossiers/2024-05.csv', 'columns'],
    ]);
    // The lake as a land from before classes left it: records without `reason`, the table without the
    // column, and the index of the lines it was built from, without it too.
    for (const e of recorded) {
      const { reason: _, ...old } = e;
      await lake.storage.put(rejectedKey(e.kind, e.sha256), JSON.stringify(old));
    }
    const oldTable = path.join(lake.tmp, 'old-rejected.parquet');
    await withDuckDb((db) => db.run(`COPY (SELECT * EXCLUDE (reason) FROM read_parquet(${literal(path.join(lake.root, REJECTED_FILES_KEY))})) TO ${literal(oldTable)} (FORMAT PARQUET)`));
    await lake.storage.putFile(REJECTED_FILES_KEY, oldTable);
    const index = (await lake.storage.get(REJECTED_FILES_INDEX_KEY)).toString('utf8');
    const oldIndex = index.split('\n').map((l) => JSON.stringify({ ...JSON.parse(l), reason: undefined })).join('\n');
    expect(oldIndex).not.toContain('"reason"');
    await lake.storage.put(REJECTED_FILES_INDEX_KEY, oldIndex);
    // Read as they are (the missing column reads as NULL): classed by the errors' words.
    const byWords = [
      { file: 'bieu06_2024.xlsx', reason: 'xlsx_incomplete' },
      { file: 'portal/dossiers/2024-05.csv', reason: 'columns' },
    ];
    expect(await rejectedReasons(lake)).toEqual(byWords);
    // The next land (nothing staged) rebuilds the table with the column, null for these records.
    expect((await land(lake)).files).toEqual([]);
    expect((await rejectedTable(lake)).map((r) => [r[0], r[4]])).toEqual([
      ['portal/dossiers/2024-05.csv', 'null'],
      ['bieu06_2024.xlsx', 'null'],
    ]);
    expect(await rejectedReasons(lake)).toEqual(byWords);
    // A recorded class wins over the words: the CSV's record says `encoding`, its error speaks of columns.
    const csv = recorded.find((r) => r.kind === 'portal-csv')!;
    await lake.storage.put(rejectedKey(csv.kind, csv.sha256), JSON.stringify({ ...csv, reason: 'encoding' }));
    expect(await publishRejectedFiles(lake.storage, lake.work)).toBe(true);
    expect(await rejectedReasons(lake)).toEqual([byWords[0], { file: 'portal/dossiers/2024-05.csv', reason: 'encoding' }]);
  });

  test('should run a drop with an unknown name and a bad file to the end: models built, verify passed, no snapshot, then fail naming the file', async () => {
    const lake = newLake();
    const drop = path.join(lake.tmp, 'drop');
    const put = (rel: string, bytes: Buffer): void => {
      mkdirSync(path.dirname(path.join(drop, rel)), { recursive: true });
      writeFileSync(path.join(drop, rel), bytes);
    };
    put('registry/agencies.csv', fixture('agencies.csv'));
    put('registry/procedures.csv', fixture('procedures.csv'));
    put('portal/dossiers/2024-05.csv', fixture('portal-missing-column.csv'));
    put('portal/dossiers/2024-04.csv', fixture('portal-windows-1258.csv'));
    put('par/ghi-chu.txt', Buffer.from('notes'));
    const logs: string[] = [];
    const ctx: PipelineContext = localContext({ lakeDir: lake.root, workDir: lake.work, log: (m) => logs.push(m) });
    const staged = await ingestDropDir(ctx, { dir: drop });
    expect(staged.skipped).toEqual([{ file: 'par/ghi-chu.txt', reason: 'not a known export name under par/ (see docs/data-contracts.md)' }]);
    expect(logs).toContain('skipped par/ghi-chu.txt: not a known export name under par/ (see docs/data-contracts.md)');
    const err = (await runAll(ctx, { drop: { dir: drop }, snapshots: ['2024-05'] }).catch((e: unknown) => e)) as RejectedFilesError;
    expect(err).toBeInstanceOf(RejectedFilesError);
    expect(err.message).toContain('missing "Có kết quả điện tử"');
    const run = err.runSummary as RunSummary;
    expect(run.transformed.models.length).toBeGreaterThan(10);
    // The data-quality page's mart lists the waiting file, with the land's error.
    const mart = await withDuckDb((db) => db.all(`SELECT original_name, dataset, status, error FROM read_parquet(${literal(path.join(lake.root, 'models/marts/rejected_files.parquet'))})`));
    expect(mart.map((r) => [r.original_name, r.dataset, r.status])).toEqual([['portal/dossiers/2024-05.csv', 'dossiers', 'waiting']]);
    expect(String(mart[0]?.error)).toContain('missing "Có kết quả điện tử"');
    expect(run.snapshots).toEqual([]);
    expect(await lake.storage.exists('snapshots/2024-05/manifest.json')).toBe(false);
    expect(logs.some((l) => l.startsWith('snapshot 2024-05 not published: 1 rejected file(s) wait'))).toBe(true);
    // The next run lands nothing new, but the file still waits: no snapshot, and the run fails saying so.
    const again = (await runAll(ctx, { drop: { dir: drop }, snapshots: ['2024-05'] }).catch((e: unknown) => e)) as Error;
    expect(again).toBeInstanceOf(Error);
    expect(again).not.toBeInstanceOf(RejectedFilesError);
    expect(again.message).toContain('Failed to publish snapshot(s) 2024-05: 1 rejected file(s) wait (portal/dossiers/2024-05.csv)');
    expect(await lake.storage.exists('snapshots/2024-05/manifest.json')).toBe(false);
    // Discarded by an operator: the next run (nothing new to land, an incremental transform) lists it as
    // discarded and publishes the snapshot.
    await discardRejected(lake.storage, 'portal/dossiers/2024-05.csv');
    const third = await runAll(ctx, { drop: { dir: drop }, snapshots: ['2024-05'] });
    expect(third.snapshots.length).toBe(1);
    // Frozen without the portal's May, which the operator gave up: the manifest says so.
    expect(JSON.parse((await lake.storage.get('snapshots/2024-05/manifest.json')).toString('utf8')).missing_sources).toEqual([
      { source: 'portal', months: ['2024-05'], cause: 'discarded' },
    ]);
    const after = await withDuckDb((db) => db.all(`SELECT original_name, status FROM read_parquet(${literal(path.join(lake.root, 'models/marts/rejected_files.parquet'))})`));
    expect(after.map((r) => [r.original_name, r.status])).toEqual([['portal/dossiers/2024-05.csv', 'discarded']]);
  }, 180_000);
});
