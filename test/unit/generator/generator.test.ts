import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withDuckDb, literal, type DuckDb } from '../../../functions/core/engine/duckdb.js';
import { readLandingSql } from '../../../functions/core/lake/landing-sql.js';
import { createProfileTables, loadProfileExport } from '../../../functions/core/profiles/load.js';
import { loadProfile } from '../../../functions/core/profiles/profile.js';
import { readBieu06Xlsx } from '../../../functions/core/readers/xlsx/bieu06.js';
import { readParXlsx } from '../../../functions/core/readers/xlsx/par.js';
import { Agency, Procedure, Score766Group } from '../../../functions/core/schemas/index.js';
import { parseCsv } from '../../../functions/core/transform/models.js';
import { generateDemo, type GenerateSummary } from '../../../functions/generator/index.js';
import { round2 } from '../../../functions/generator/score766.js';

const N = 20_000;
let root: string;
let a: GenerateSummary;
let b: GenerateSummary;
let c: GenerateSummary;
let registry: Agency[];

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gen-test-'));
  a = await generateDemo({ outDir: join(root, 'a'), seed: 766, dossiers: N });
  b = await generateDemo({ outDir: join(root, 'b'), seed: 766, dossiers: N });
  c = await generateDemo({ outDir: join(root, 'c'), seed: 767, dossiers: N });
  const rows = parseCsv(readFileSync(join(a.outDir, 'registry', 'agencies.csv'), 'utf8'), 'agencies.csv');
  const header = rows[0] ?? [];
  registry = rows.slice(1).map((r) => Agency.parse(Object.fromEntries(header.map((h, i) => [h, r[i] === '' ? null : r[i]]))));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('generateDemo with the same seed', () => {
  test('should write byte-identical files, XLSX included', () => {
    expect(b.files.map((f) => f.path)).toEqual(a.files.map((f) => f.path));
    const differing = a.files.filter((f) => sha(join(a.outDir, f.path)) !== sha(join(b.outDir, f.path))).map((f) => f.path);
    expect(differing).toEqual([]);
    expect(a.files.some((f) => f.path.endsWith('.xlsx'))).toBe(true);
  });

  test('should write the documented layout', () => {
    const paths = new Set(a.files.map((f) => f.path));
    for (const p of ['meta.json', 'registry/agencies.csv', 'registry/procedures.csv', 'portal/dossiers/2019/2019-01.csv', 'portal/dossiers/2025/2025-12.csv', 'nsw/H99.09.01/2024-05.csv', 'bieu06/bieu06_2025_q1.xlsx', 'bieu06/bieu06_2025.xlsx', 'score766/2022-08.json', 'score766/2025-12.metrics.json', 'par/par_2019.xlsx', 'par/par_2025.xlsx']) {
      expect(paths.has(p), p).toBe(true);
    }
    expect(paths.has('score766/2022-07.json')).toBe(false);
    expect(a.files.filter((f) => f.path.startsWith('portal/dossiers/'))).toHaveLength(84);
    const meta = JSON.parse(readFileSync(join(a.outDir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ synthetic: true, label: 'Dữ liệu mô phỏng (tỉnh demo)', seed: 766, dossiers: N, provinceCode: 'H99', fromYear: 2019, toYear: 2025 });
  });
});

/** DOS dates (YYYY-MM-DD) of every entry in a zip's central directory. */
function zipEntryDates(path: string): string[] {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const date = buf.readUInt16LE(p + 14);
    out.push(`${(date >> 9) + 1980}-${String((date >> 5) & 15).padStart(2, '0')}-${String(date & 31).padStart(2, '0')}`);
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out;
}

describe('generateDemo XLSX files', () => {
  test('should carry data-derived document and zip dates, never the clock', async () => {
    for (const [file, day] of [['bieu06/bieu06_2020_q1.xlsx', '2020-03-31'], ['bieu06/bieu06_2024.xlsx', '2024-12-31'], ['par/par_2022.xlsx', '2022-12-31']] as const) {
      const dates = zipEntryDates(join(a.outDir, file));
      expect(dates.length, file).toBeGreaterThan(3);
      expect(new Set(dates), file).toEqual(new Set([day]));
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(join(a.outDir, file));
      expect(wb.created.toISOString().slice(0, 10), file).toBe(day);
      expect(wb.modified.toISOString().slice(0, 10), file).toBe(day);
    }
  });
});

describe('generateDemo with another seed', () => {
  test('should write different dossiers', () => {
    const p = 'portal/dossiers/2024/2024-05.csv';
    expect(sha(join(c.outDir, p))).not.toBe(sha(join(a.outDir, p)));
    expect(c.dossiers).toBe(N);
  });
});

describe('generateDemo registry', () => {
  test('should write valid agencies with the 01/3/2025 mergers', () => {
    const byCode = new Map(registry.map((r) => [r.agency_code, r]));
    const before = registry.filter((r) => r.kind !== 'chi_cuc' && r.kind !== 'ubnd_tinh' && r.valid_from <= '2025-02-28' && (r.valid_to ?? '9999') >= '2025-02-28');
    expect(before).toHaveLength(18);
    expect(byCode.get('H99.11')).toMatchObject({ name: 'Sở Lao động - Thương binh và Xã hội', valid_to: '2025-02-28', successor_code: 'H99.15' });
    for (const r of registry.filter((x) => x.valid_to !== null)) {
      const s = byCode.get(r.successor_code ?? '');
      expect(s, r.agency_code).toBeDefined();
      expect(s!.valid_from <= '2025-03-01' && (s!.valid_to ?? '9999') >= '2025-03-01').toBe(true);
    }
  });

  test('should write ≈500 valid procedures with NSW ones at a few agencies only', () => {
    const rows = parseCsv(readFileSync(join(a.outDir, 'registry', 'procedures.csv'), 'utf8'), 'procedures.csv');
    const header = rows[0] ?? [];
    const procs = rows.slice(1).map((r) => {
      const o: Record<string, unknown> = Object.fromEntries(header.map((h, i) => [h, r[i]]));
      return Procedure.parse({ ...o, is_fee_bearing: o.is_fee_bearing === 'true', is_nsw: o.is_nsw === 'true', statutory_days: Number(o.statutory_days), original_statutory_days: Number(o.original_statutory_days) });
    });
    expect(procs.length).toBeGreaterThan(450);
    expect(procs.length).toBeLessThan(560);
    expect(new Set(procs.map((p) => p.procedure_code)).size).toBe(procs.length);
    expect(procs.every((p) => p.original_statutory_days >= p.statutory_days)).toBe(true);
    expect(new Set(procs.map((p) => p.online_level))).toEqual(new Set(['toan_trinh', 'mot_phan', 'khong']));
    const nswAgencies = new Set(procs.filter((p) => p.is_nsw).map((p) => p.agency_code));
    expect(nswAgencies.size).toBeGreaterThan(0);
    expect(nswAgencies.size).toBeLessThanOrEqual(4);
  });
});

/**
 * The vendor exports (exports/<profile>/*.xlsx) read by the real profile loader and mapping SQL, as
 * `exported` (the columns of sql/landing/dossiers_profile.sql).
 */
async function loadExports(db: DuckDb, dir: string): Promise<void> {
  await db.run(`create table ref_agencies as select * from read_csv(${literal(join(dir, 'registry/agencies.csv'))}, header = true, all_varchar = true)`);
  await db.run(`create table ref_procedures as select * from read_csv(${literal(join(dir, 'registry/procedures.csv'))}, header = true, all_varchar = true)`);
  await createProfileTables(db);
  let fileNo = 0;
  for (const name of ['dvc-xlsx', 'so-theo-doi']) {
    const profile = await loadProfile(name);
    for (const f of readdirSync(join(dir, 'exports', name)).sort()) {
      await loadProfileExport(db, { fileNo: fileNo++, localPath: join(dir, 'exports', name, f), file: f, profile, workDir: join(dir, '..') });
    }
  }
  await db.run(`create table exported as ${await readLandingSql('dossiers_profile')}`);
}

/** Canonical dossiers from the generated CSVs and vendor exports, typed inside DuckDB (the contract's mapping). */
async function loadDossiers(db: DuckDb, dir: string): Promise<void> {
  await loadExports(db, dir);
  const ts = (col: string, fmt: string): string => `strptime(nullif("${col}", ''), '${fmt}')`;
  await db.run(`
    create table dossiers as
    select "Mã hồ sơ" as dossier_id, 'portal' as source, "Mã TTHC" as procedure_code, "Mã đơn vị" as agency_code,
           cast("Kênh nộp" as integer) as channel,
           ${ts('Ngày tiếp nhận', '%d/%m/%Y %H:%M')} as received_at, ${ts('Ngày hẹn trả', '%d/%m/%Y %H:%M')} as due_at,
           ${ts('Ngày kết thúc', '%d/%m/%Y %H:%M')} as finished_at, "Trạng thái" as status,
           cast("Số ngày chờ bổ sung" as integer) as supplement_days, "Đồng bộ DVCQG" = 'Có' as is_synced
    from read_csv(${literal(join(dir, 'portal/dossiers/*/*.csv'))}, header = true, all_varchar = true, delim = ',')
    union all
    select 'NSW-' || "Số hồ sơ", 'nsw', "Mã thủ tục", "Mã cơ quan xử lý", 2,
           ${ts('Ngày tiếp nhận', '%d-%m-%Y %H:%M:%S')}, ${ts('Ngày hẹn trả', '%d-%m-%Y %H:%M:%S')}, ${ts('Ngày hoàn thành', '%d-%m-%Y %H:%M:%S')},
           case "Trạng thái" when 'Đang xử lý' then 'DANG_XU_LY' when 'Chờ bổ sung' then 'CHO_BO_SUNG' when 'Đã cấp phép' then 'DA_TRA_KET_QUA'
                             when 'Từ chối' then 'TU_CHOI' when 'Đã rút' then 'DA_RUT' end,
           0, true
    from read_csv(${literal(join(dir, 'nsw/*/*.csv'))}, header = true, all_varchar = true, delim = ';')
    union all
    -- a refusal is exported as a result of type "Trả lại" (TRA_LAI)
    select dossier_id_raw, 'portal', procedure_code_raw, agency_code_raw, channel, received_at, due_at, finished_at,
           case when result_type = 'TRA_LAI' then 'TU_CHOI' else status end, supplement_days, is_synced
    from exported`);
  await db.run(`create table agencies as select * from read_csv(${literal(join(dir, 'registry/agencies.csv'))}, header = true, all_varchar = true)`);
  // holder(agency, day): follow successor_code while day > valid_to (one merger step in this registry).
  await db.run(`create macro holder(code, day) as (
      select case when a.valid_to is not null and day > cast(a.valid_to as date) then a.successor_code else a.agency_code end
      from agencies a where a.agency_code = code)`);
}

describe('generateDemo dossier files', () => {
  test('should hold exactly the dossiers of the summary per agency, month and source', async () => {
    await withDuckDb(async (db) => {
      await loadDossiers(db, a.outDir);
      const rows = await db.all(`select agency_code, strftime(received_at, '%Y-%m') as month, source, count(*)::integer as dossiers
                                 from dossiers group by all order by month, agency_code, source`);
      expect(rows).toEqual(a.perAgencyMonth);
      const bad = await db.scalarNumber(`select count(*) from dossiers
        where received_at is null or due_at < received_at or finished_at < received_at or finished_at > timestamp '2026-01-05 23:59:59'
           or (finished_at is null) <> (status in ('DANG_XU_LY', 'CHO_BO_SUNG')) or channel not in (1, 2, 3)`);
      expect(bad).toBe(0);
      expect(await db.scalarNumber('select count(distinct dossier_id) from dossiers')).toBe(N);
    });
  });

  test('should move from in person to online over the years and leave some pending at the end of 2025', async () => {
    await withDuckDb(async (db) => {
      await loadDossiers(db, a.outDir);
      const share = await db.all(`select year(received_at) as y, avg(case when channel = 2 then 1 else 0 end) as online,
                                         avg(case when channel = 3 then 1 else 0 end) as postal
                                  from dossiers group by y order by y`);
      expect(Number(share[0]?.online)).toBeLessThan(0.3);
      expect(Number(share[6]?.online)).toBeGreaterThan(0.6);
      expect(Number(share[3]?.postal)).toBeGreaterThan(0.005);
      expect(a.pendingAsOf).toBeGreaterThan(0);
      const tet = await db.all(`select month(received_at) as m, count(*) as n from dossiers where year(received_at) = 2024 group by m order by m`);
      expect(Number(tet[1]?.n)).toBeLessThan(Number(tet[2]?.n) * 0.9); // Tết 2024 fell in February
    });
  });
});

describe('generateDemo Biểu 06 sheets', () => {
  test('should satisfy the form identities and match the summary on every sheet', async () => {
    for (const s of a.bieu06) {
      const r = await readBieu06Xlsx(join(a.outDir, s.file), { registry });
      expect(r.quarantine, s.file).toEqual([]);
      expect(r.checks, s.file).toEqual([]);
      expect(r.unmatchedUnits, s.file).toEqual([]);
      for (const x of r.rows) {
        expect(x.received_total).toBe(x.received_online + x.received_offline + x.received_carried_over);
        expect(x.resolved_total).toBe(x.resolved_early + x.resolved_on_time + x.resolved_late);
        expect(x.pending_total).toBe(x.pending_in_time + x.pending_overdue);
        expect(x.received_total).toBe(x.resolved_total + x.pending_total);
      }
      const sum = (k: keyof (typeof r.rows)[number]): number => r.rows.reduce((t, x) => t + Number(x[k]), 0);
      expect([sum('received_total'), sum('received_online'), sum('resolved_total'), sum('pending_overdue')]).toEqual([s.totals[0], s.totals[1], s.totals[4], s.totals[10]]);
    }
  });

  test('should carry each quarter’s pending dossiers into the next quarter and add quarters up to the year', () => {
    const q = a.bieu06.filter((s) => s.periodType === 'quarter');
    for (let i = 1; i < q.length; i++) expect(q[i]!.totals[3], q[i]!.file).toBe(q[i - 1]!.totals[8]);
    for (const y of a.bieu06.filter((s) => s.periodType === 'year')) {
      const qs = q.filter((s) => s.year === y.year);
      for (const k of [1, 2, 4, 5, 6, 7]) expect(y.totals[k]).toBe(qs.reduce((t, s) => t + (s.totals[k] ?? 0), 0));
      expect(y.totals[3]).toBe(qs[0]!.totals[3]);
      expect(y.totals[8]).toBe(qs[3]!.totals[8]);
    }
  });

  test('should equal the documented period rules recomputed in SQL from the dossier files', async () => {
    await withDuckDb(async (db) => {
      await loadDossiers(db, a.outDir);
      const rows = await db.all(`
        with periods as (
          select y as year, q as period_no, make_date(y::integer, (q * 3 - 2)::integer, 1) as s, last_day(make_date(y::integer, (q * 3)::integer, 1)) as e
          from range(2019, 2026) t(y), range(1, 5) u(q)
        ), d as (
          select cast(received_at as date) as recv, cast(due_at as date) as due, cast(finished_at as date) as fin, * from dossiers where status <> 'DA_RUT'
        ), x as (
          select p.year, p.period_no, p.s, p.e, holder(d.agency_code, p.e) as unit, d.* from d join periods p on d.recv <= p.e and (d.fin is null or d.fin >= p.s)
        )
        select year, period_no, unit,
          count(*)::integer as c3,
          count(*) filter (where recv >= s and channel = 2)::integer as c4,
          count(*) filter (where recv >= s and channel <> 2)::integer as c5,
          count(*) filter (where recv < s)::integer as c6,
          count(*) filter (where fin <= e)::integer as c7,
          count(*) filter (where fin <= e and fin - supplement_days < due)::integer as c8,
          count(*) filter (where fin <= e and fin - supplement_days = due)::integer as c9,
          count(*) filter (where fin <= e and fin - supplement_days > due)::integer as c10,
          count(*) filter (where fin is null or fin > e)::integer as c11,
          count(*) filter (where (fin is null or fin > e) and due + supplement_days >= e)::integer as c12,
          count(*) filter (where (fin is null or fin > e) and due + supplement_days < e)::integer as c13
        from x group by all`);
      const sql = new Map(rows.map((r) => [`${r.year}|${r.period_no}|${r.unit}`, [r.c3, r.c4, r.c5, r.c6, r.c7, r.c8, r.c9, r.c10, r.c11, r.c12, r.c13]]));
      let compared = 0;
      for (const s of a.bieu06.filter((x) => x.periodType === 'quarter')) {
        const r = await readBieu06Xlsx(join(a.outDir, s.file), { registry });
        for (const x of r.rows) {
          const sheet = [x.received_total, x.received_online, x.received_offline, x.received_carried_over, x.resolved_total, x.resolved_early, x.resolved_on_time, x.resolved_late, x.pending_total, x.pending_in_time, x.pending_overdue];
          expect(sheet, `${s.file} ${x.agency_code}`).toEqual(sql.get(`${s.year}|${s.periodNo}|${x.agency_code}`) ?? new Array(11).fill(0));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(28 * 18);
    });
  });

  test('should list the merged units from the 2025 first quarter on', async () => {
    const q4 = await readBieu06Xlsx(join(a.outDir, 'bieu06/bieu06_2024_q4.xlsx'), { registry });
    const q1 = await readBieu06Xlsx(join(a.outDir, 'bieu06/bieu06_2025_q1.xlsx'), { registry });
    const codes = (r: typeof q1): string[] => r.rows.map((x) => x.agency_code ?? '?');
    expect(codes(q4)).toContain('H99.11');
    expect(codes(q4)).not.toContain('H99.22');
    expect(codes(q1)).toContain('H99.22');
    expect(codes(q1)).not.toContain('H99.02');
    expect(new Set(q1.rows.map((x) => x.band))).toEqual(new Set(['Sở, ban, ngành', 'Chi cục']));
  });
});

describe('generateDemo 766 scores', () => {
  test('should total the groups and the groups the sub-indicators in every month', () => {
    const months = a.files.filter((f) => /^score766\/\d{4}-\d{2}\.json$/.test(f.path));
    expect(months).toHaveLength(41); // 2022-08 … 2025-12
    for (const f of months) {
      const legacy = JSON.parse(readFileSync(join(a.outDir, f.path), 'utf8')) as { data: Record<string, number | string>[] };
      const metrics = JSON.parse(readFileSync(join(a.outDir, f.path.replace('.json', '.metrics.json')), 'utf8')) as {
        units: { MA_COQUAN: string; metrics: { group: string; score: number; maxScore: number }[] }[];
      };
      expect(legacy.data.length).toBeGreaterThan(0);
      for (const u of legacy.data) {
        const groups = Score766Group.options.map((g) => Number(u[g]));
        expect(Number(u.TONG_SCORE)).toBe(round2(groups.reduce((s, x) => s + x, 0)));
        const m = metrics.units.find((x) => x.MA_COQUAN === u.MA_COQUAN);
        expect(m).toBeDefined();
        for (const g of Score766Group.options) {
          const ms = m!.metrics.filter((x) => x.group === g);
          expect(Number(u[g]), `${f.path} ${u.MA_COQUAN} ${g}`).toBe(round2(ms.reduce((s, x) => s + x.score, 0)));
        }
        expect(m!.metrics.reduce((s, x) => s + x.maxScore, 0)).toBe(100);
      }
    }
  });

  test('should count on-time dossiers per unit and month as the contract says', async () => {
    await withDuckDb(async (db) => {
      await loadDossiers(db, a.outDir);
      const rows = await db.all(`
        select strftime(finished_at, '%Y-%m') as month, holder(agency_code, last_day(cast(finished_at as date))) as unit,
               count(*)::integer as den,
               count(*) filter (where cast(finished_at as date) - supplement_days <= cast(due_at as date))::integer as num
        from dossiers where status in ('DA_TRA_KET_QUA', 'TU_CHOI') and finished_at >= timestamp '2022-08-01' and finished_at < timestamp '2026-01-01'
        group by all`);
      const sql = new Map(rows.map((r) => [`${r.month}|${r.unit}`, [r.num, r.den]]));
      let n = 0;
      for (const f of a.files.filter((x) => x.path.endsWith('.metrics.json'))) {
        const m = JSON.parse(readFileSync(join(a.outDir, f.path), 'utf8')) as { year: number; month: number; units: { MA_COQUAN: string; metrics: { code: string; numerator: number; denominator: number }[] }[] };
        const key = `${m.year}-${String(m.month).padStart(2, '0')}`;
        for (const u of m.units) {
          const t = u.metrics.find((x) => x.code === 'DOSSIER_ON_TIME')!;
          expect([t.numerator, t.denominator], `${key} ${u.MA_COQUAN}`).toEqual(sql.get(`${key}|${u.MA_COQUAN}`) ?? [0, 0]);
          n++;
        }
      }
      expect(n).toBeGreaterThan(41 * 15);
    });
  });
});

describe('generateDemo PAR tables', () => {
  test('should total field and survey points, rank 1..n and move ranks between years', async () => {
    const ranks = new Map<number, Map<string, number>>();
    for (let y = 2019; y <= 2025; y++) {
      const r = await readParXlsx(join(a.outDir, `par/par_${y}.xlsx`), { registry });
      expect(r.quarantine).toEqual([]);
      expect(r.totals.length).toBe(y === 2025 ? 13 : 18);
      for (const t of r.totals) {
        const fields = r.fields.filter((f) => f.agency_name === t.agency_name);
        expect(t.total_points).toBeCloseTo(fields.reduce((s, f) => s + f.appraised_points, 0) + t.survey_points, 2);
        expect(t.total_max).toBeCloseTo(100, 6);
        expect(t.band).toBe(t.total_points >= 80 ? 'Tốt' : t.total_points >= 70 ? 'Khá' : t.total_points >= 50 ? 'Trung bình' : 'Yếu');
      }
      expect(r.totals.map((t) => t.rank).sort((x, z) => x - z)).toEqual(r.totals.map((_, i) => i + 1));
      ranks.set(y, new Map(r.totals.map((t) => [t.agency_code ?? t.agency_name, t.rank])));
    }
    const moved = [...(ranks.get(2020) ?? new Map<string, number>())].filter(([k, v]) => ranks.get(2019)?.get(k) !== v);
    expect(moved.length).toBeGreaterThan(0);
  });
});
