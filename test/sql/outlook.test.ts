/**
 * The outlook, backtest and early-warning models against hand-computed answers:
 * - int_working_days on Tết (2025, 2026), Giỗ Tổ Hùng Vương, make-up Saturdays and the 2026 notices, and
 *   in the years without a notice (provisional: the fixed-date holidays and their compensatory days);
 * - warning_dossiers_due on the fixture lake plus pending dossiers whose due dates straddle Giỗ Tổ 2025,
 *   and at a year's end whose next year has no notice yet;
 * - outlook_projections / outlook_backtest on a small hand-built lake of monthly figures (two complete
 *   years and half of a third), run as the model SQL over tables named like the marts they read.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { runModelTests } from '../../functions/core/transform/index.js';
import { numbersFromBigints, runFixture, SQL_DIR, type FixtureRun } from './helpers.js';

// id, source, procedure, agency, channel, received, due, finished, status, supplement_days, fee, paid_online,
// digitised, e_result, synced, complaint, updated, raw_hash. The fixture's as-of date is 2025-04-02 (Wed).
const PENDING = `
  ('W01','portal','1.000001','H99.05',2,'2025-03-30 09:00:00','2025-04-08 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2025-04-01 08:00:00','h1'),
  ('W02','portal','2.000002','H99.05',2,'2025-03-30 09:00:00','2025-04-07 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2025-04-01 08:00:00','h1'),
  ('W03','portal','1.000001','H99.10',2,'2025-02-20 09:00:00','2025-04-02 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2025-04-01 08:00:00','h1'),
  ('W04','portal','1.000001','H99.05',2,'2025-03-30 09:00:00','2025-04-25 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2025-04-01 08:00:00','h1'),
  ('W05','portal','1.000001','H99.05',2,'2025-03-30 09:00:00','2025-04-01 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2025-04-01 08:00:00','h1'),
  ('W06','portal','1.000001','H99.05',2,'2025-03-10 09:00:00','2025-03-31 17:00:00',NULL,'DANG_XU_LY',5,false,false,true,false,true,false,'2025-04-01 08:00:00','h1'),
  ('W07','portal','1.000001','H99.05',2,'2025-03-10 09:00:00','2025-04-03 17:00:00',NULL,'DANG_XU_LY',10,false,false,true,false,true,false,'2025-04-01 08:00:00','h1'),
  ('W08','portal','1.000001','H99.05',2,'2025-03-10 09:00:00','2025-03-25 17:00:00',NULL,'DANG_XU_LY',5,false,false,true,false,true,false,'2025-04-01 08:00:00','h1')`;

describe('working-day calendar and dossiers about to fall due (fixture lake)', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runFixture({ extraDossiers: PENDING });
  });
  afterAll(async () => {
    await run?.dispose();
  });

  const day = async (d: string) => (await run.rows(`SELECT * FROM int_working_days WHERE calendar_date = DATE '${d}'`))[0]!;
  const between = async (a: string, b: string) => Number((await day(b)).working_day_no) - Number((await day(a)).working_day_no);

  test('should take Tết 2025 (27–31/1, Mon–Fri) out of the working days', async () => {
    expect((await day('2025-01-24')).is_working_day).toBe(true); // Friday before
    for (const d of ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31']) {
      expect(await day(d)).toMatchObject({ is_working_day: false, holiday_kind: 'holiday' });
    }
    expect((await day('2025-02-03')).is_working_day).toBe(true);
    // Friday 24/1 → Monday 3/2 is one working day, not six.
    expect(await between('2025-01-24', '2025-02-03')).toBe(1);
    // Tết 2026 (16–20/2): Friday 13/2 → Monday 23/2 is one working day.
    expect(await between('2026-02-13', '2026-02-23')).toBe(1);
    expect((await day('2026-02-17')).holiday_name).toContain('Tết Nguyên đán');
  });

  test('should count Giỗ Tổ Hùng Vương, a compensatory day and a make-up Saturday', async () => {
    expect(await day('2025-04-07')).toMatchObject({ is_working_day: false, holiday_kind: 'holiday' });
    expect(await day('2025-04-26')).toMatchObject({ is_working_day: true, holiday_kind: 'make_up_working_day', iso_weekday: 6 });
    expect(await day('2025-05-02')).toMatchObject({ is_working_day: false, holiday_kind: 'compensatory_day_off' });
    // Giỗ Tổ 2022 on a Sunday: Monday 11/4 off in its place.
    expect((await day('2022-04-11')).is_working_day).toBe(false);
    // 2025: 365 days, 104 weekend days, 12 weekdays off (1/1, Tết 5, Giỗ Tổ, 30/4, 1/5, 2/5, 1–2/9), 1 Saturday worked.
    const [y] = await run.rows(`SELECT count_if(is_working_day) AS n FROM int_working_days WHERE year(calendar_date) = 2025`);
    expect(y!.n).toBe(365 - 104 - 12 + 1);
  });

  test('should follow the 2026 notices: Quốc khánh 29/8–2/9 with Saturday 22/8 worked, Tết Dương lịch with Saturday 10/1 worked', async () => {
    // Thông báo 9441/TB-BNV: 1–2/9 off, Monday 31/8 swapped for Saturday 22/8.
    expect(await day('2026-08-22')).toMatchObject({ is_working_day: true, holiday_kind: 'make_up_working_day', iso_weekday: 6 });
    for (const d of ['2026-08-31', '2026-09-01', '2026-09-02']) expect((await day(d)).is_working_day).toBe(false);
    // Friday 28/8 → Thursday 3/9 is one working day, not four.
    expect(await between('2026-08-28', '2026-09-03')).toBe(1);
    // Công văn 12729/VPCP-KGVX: Friday 2/1 swapped for Saturday 10/1.
    expect((await day('2026-01-02')).is_working_day).toBe(false);
    expect((await day('2026-01-10')).is_working_day).toBe(true);
    // 2026: 365 days, 104 weekend days, 13 weekdays off (1/1, 2/1, Tết 5, 27/4, 30/4, 1/5, 31/8, 1–2/9), 2 Saturdays worked.
    const [y] = await run.rows(`SELECT count_if(is_working_day) AS n FROM int_working_days WHERE year(calendar_date) = 2026`);
    expect(y!.n).toBe(365 - 104 - 13 + 2);
  });

  test('should count a year without its notice by the fixed-date holidays and their compensatory days, marked provisional', async () => {
    // The seed holds 2019–2026: 2026 is the notice's, 2027 (and 2015–2018) provisional.
    expect(await day('2026-12-31')).toMatchObject({ is_provisional: false, is_working_day: true });
    expect(await day('2018-06-01')).toMatchObject({ is_provisional: true });
    // 2027: 1/1 Friday, 30/4 Friday, 1/5 Saturday → Monday 3/5 off in its place, 2/9 Thursday.
    expect(await day('2027-01-01')).toMatchObject({ is_provisional: true, is_working_day: false, holiday_kind: 'holiday', holiday_name: 'Tết Dương lịch' });
    expect(await day('2027-04-30')).toMatchObject({ is_working_day: false, holiday_kind: 'holiday' });
    expect(await day('2027-05-03')).toMatchObject({ is_working_day: false, holiday_kind: 'compensatory_day_off', holiday_name: 'Nghỉ bù Ngày Quốc tế Lao động' });
    expect(await day('2027-09-02')).toMatchObject({ is_working_day: false, holiday_kind: 'holiday' });
    // Not known before the notice: Tết 2027 (mùng 1 on Saturday 6/2), Quốc khánh's adjacent day.
    expect((await day('2027-02-08')).is_working_day).toBe(true);
    expect((await day('2027-09-03')).is_working_day).toBe(true);
    // 2027: 365 days, 104 weekend days, 4 weekdays off (1/1, 30/4, 3/5, 2/9).
    const [y] = await run.rows(`SELECT count_if(is_working_day) AS n FROM int_working_days WHERE year(calendar_date) = 2027`);
    expect(y!.n).toBe(365 - 104 - 4);
    // A holiday on Saturday or Sunday: the next working day off (2028: 1/1 Saturday → Monday 3/1; 30/4 Sunday and
    // 1/5 Monday → Tuesday 2/5; 2/9 Saturday → Monday 4/9).
    for (const d of ['2028-01-03', '2028-05-02', '2028-09-04']) expect(await day(d), d).toMatchObject({ is_working_day: false, holiday_kind: 'compensatory_day_off' });
    expect((await day('2028-05-03')).is_working_day).toBe(true);
    // 2033: 30/4 Saturday and 1/5 Sunday → Monday 2/5 and Tuesday 3/5 off, Wednesday 4/5 worked.
    expect(await day('2033-05-02')).toMatchObject({ is_working_day: false, holiday_name: 'Nghỉ bù Ngày Chiến thắng' });
    expect(await day('2033-05-03')).toMatchObject({ is_working_day: false, holiday_name: 'Nghỉ bù Ngày Quốc tế Lao động' });
    expect((await day('2033-05-04')).is_working_day).toBe(true);
    // Every date of the calendar seed (2015–2035), once.
    const [span] = await run.rows(`SELECT count(*) AS n, count(DISTINCT calendar_date) AS d, min(calendar_date) AS lo, max(calendar_date) AS hi FROM int_working_days`);
    expect(span).toMatchObject({ n: 7670, d: 7670 });
    expect(String(span!.lo)).toContain('2015-01-01');
    expect(String(span!.hi)).toContain('2035-12-31');
  });

  test('should list pending dossiers due within 10 working days with the working days left', async () => {
    const rows = await run.rows(`SELECT dossier_id, agency_code, receiving_agency_code, procedure_name, as_of_date, calendar_days_left, working_days_left
      FROM warning_dossiers_due ORDER BY dossier_id`);
    const byId = Object.fromEntries(rows.map((r) => [r.dossier_id, r]));
    // As of Wed 2/4/2025: W01 due Tue 8/4 → Thu 3, Fri 4, (Mon 7 = Giỗ Tổ), Tue 8 = 3 working days, 6 calendar days.
    expect(byId.W01).toMatchObject({ working_days_left: 3, calendar_days_left: 6, agency_code: 'H99.05', procedure_name: 'Cấp phiếu lý lịch tư pháp' });
    // W02 due on Giỗ Tổ itself: 2 working days (Thu, Fri) before it.
    expect(byId.W02).toMatchObject({ working_days_left: 2, calendar_days_left: 5 });
    // W03 due today, received by H99.10, which merged into H99.21 on 1/3/2025.
    expect(byId.W03).toMatchObject({ working_days_left: 0, agency_code: 'H99.21', receiving_agency_code: 'H99.10' });
    // D11 (due Thu 10/4): 5 working days. W04 (due 25/4) is 15 working days away; W05 is overdue already.
    expect(byId.D11).toMatchObject({ working_days_left: 5, calendar_days_left: 8 });
    // W06–W08 (the supplement wait) are checked in the next test.
    expect(Object.keys(byId).filter((id) => !['W06', 'W07'].includes(id)).sort()).toEqual(['D11', 'W01', 'W02', 'W03']);
    expect(String(rows[0]!.as_of_date)).toContain('2025-04-02');
  });

  test('should extend the deadline by the supplement wait, as Biểu 06 does for a pending dossier (c12/c13)', async () => {
    const rows = await run.rows(`SELECT dossier_id, CAST(original_due_date AS VARCHAR) AS original_due_date, supplement_days,
        CAST(due_date AS VARCHAR) AS due_date, calendar_days_left, working_days_left
      FROM warning_dossiers_due WHERE dossier_id IN ('W06', 'W07', 'W08') ORDER BY dossier_id`);
    expect(rows).toEqual([
      // W06 due Mon 31/3, 5 days waiting for supplements: in time until Sat 5/4 → Thu 3, Fri 4 = 2 working days,
      // within the default 3 of the page although its original due date has passed.
      { dossier_id: 'W06', original_due_date: '2025-03-31', supplement_days: 5, due_date: '2025-04-05', calendar_days_left: 3, working_days_left: 2 },
      // W07 due Thu 3/4, 10 days waiting: in time until Sun 13/4 → 3, 4, (Giỗ Tổ 7/4), 8, 9, 10, 11 = 6 working
      // days, not 1: listed, beyond the default 3 of the page.
      { dossier_id: 'W07', original_due_date: '2025-04-03', supplement_days: 10, due_date: '2025-04-13', calendar_days_left: 11, working_days_left: 6 },
      // W08 (due 25/3, 5 days waiting: until 30/3) is overdue on 2/4 and not listed.
    ]);
    // The same verdict as Biểu 06's for every pending dossier on the as-of date (the month's period ends on it):
    // listed ⇔ pending in time with a deadline within 10 working days.
    const bieu06 = await run.rows(`SELECT a.dossier_id, a.is_pending_overdue
      FROM int_dossiers_attributed AS a
      WHERE a.period_type = 'month' AND a.period_end = DATE '2025-04-02' AND a.is_pending AND a.is_counted
        AND a.dossier_id IN ('W01', 'W02', 'W03', 'W04', 'W05', 'W06', 'W07', 'W08')
      ORDER BY a.dossier_id`);
    expect(Object.fromEntries(bieu06.map((r) => [r.dossier_id, r.is_pending_overdue]))).toEqual({
      W01: false, W02: false, W03: false, W04: false, W05: true, W06: false, W07: false, W08: true,
    });
    const listed = new Set((await run.rows(`SELECT dossier_id FROM warning_dossiers_due`)).map((r) => String(r.dossier_id)));
    for (const r of bieu06) expect(listed.has(String(r.dossier_id)), String(r.dossier_id)).toBe(!r.is_pending_overdue && r.dossier_id !== 'W04');
  });

  test('should pass the YAML tests of the new models', async () => {
    const names = ['vn_public_holidays', 'int_working_days', 'warning_dossiers_due', 'warning_agencies_on_time', 'outlook_projections', 'outlook_backtest', 'int_dossier_receipt_years'];
    const results = await runModelTests(run.engine, run.models.filter((m) => names.includes(m.name)));
    expect(results.filter((r) => !r.passed && r.severity === 'error')).toEqual([]);
    expect(results.length).toBeGreaterThan(10);
    // Within the notices: no provisional count to warn about.
    expect(results.find((r) => r.test === 'expression_is_true(NOT is_provisional)')).toMatchObject({ passed: true });
  });
});

// As of Wednesday 30/12/2026 (Y03's update), with 2027's holiday notice not in the seed.
const YEAR_END = `
  ('Y01','portal','1.000001','H99.05',2,'2026-12-21 09:00:00','2027-01-05 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2026-12-29 08:00:00','h1'),
  ('Y02','portal','1.000001','H99.05',2,'2026-12-21 09:00:00','2026-12-31 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2026-12-29 08:00:00','h1'),
  ('Y03','portal','1.000001','H99.05',2,'2026-12-22 09:00:00','2027-01-20 17:00:00',NULL,'DANG_XU_LY',0,false,false,true,false,true,false,'2026-12-30 08:00:00','h1')`;

describe('dossiers about to fall due across the end of the holiday notices (fixture lake)', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runFixture({ extraDossiers: YEAR_END });
  });
  afterAll(async () => {
    await run?.dispose();
  });

  test('should list a dossier due in a year without its notice, counted by the fixed-date holidays and marked provisional', async () => {
    const rows = await run.rows(`SELECT dossier_id, as_of_date, calendar_days_left, working_days_left, is_provisional FROM warning_dossiers_due ORDER BY dossier_id`);
    const byId = Object.fromEntries(rows.map((r) => [r.dossier_id, r]));
    expect(String(rows[0]!.as_of_date)).toContain('2026-12-30');
    // Y01 due Tuesday 5/1/2027: Thursday 31/12, (Friday 1/1 Tết Dương lịch, the weekend), Monday 4/1, Tuesday 5/1 = 3
    // working days (4 with weekends alone); provisional, as 2027's notice may add days off.
    expect(byId.Y01).toMatchObject({ working_days_left: 3, calendar_days_left: 6, is_provisional: true });
    // Y02 due Thursday 31/12/2026: 1 working day, within the notices.
    expect(byId.Y02).toMatchObject({ working_days_left: 1, calendar_days_left: 1, is_provisional: false });
    // Y03 due 20/1/2027: 14 working days, beyond the 10 listed.
    expect(Object.keys(byId).sort()).toEqual(['Y01', 'Y02']);
  });

  test('should warn, not fail, on the provisional count (the notice to add)', async () => {
    const results = await runModelTests(run.engine, run.models.filter((m) => m.name === 'warning_dossiers_due'));
    expect(results.filter((r) => !r.passed && r.severity === 'error')).toEqual([]);
    expect(results.find((r) => r.test === 'expression_is_true(NOT is_provisional)')).toMatchObject({ severity: 'warn', passed: false, failures: 1 });
  });
});

// Z01 received in the calendar seed's last year (2035) and finished after it (5/1/2036).
const PAST_CALENDAR = `
  ('Z01','portal','1.000001','H99.05',2,'2035-12-20 09:00:00','2036-01-10 17:00:00','2036-01-05 10:00:00','DA_TRA_KET_QUA',0,false,false,true,false,true,false,'2036-01-05 10:00:00','h1')`;

describe('data past the calendar seed (fixture lake)', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runFixture({ extraDossiers: PAST_CALENDAR });
  });
  afterAll(async () => {
    await run?.dispose();
  });

  test('should fail the run at int_dossier_receipt_years rather than leave the days past 2035 out of every report', async () => {
    const years = await run.rows(`SELECT year, beyond_calendar FROM int_dossier_receipt_years WHERE beyond_calendar`);
    expect(years).toEqual([{ year: 2035, beyond_calendar: true }]);
    const results = await runModelTests(run.engine, run.models.filter((m) => m.name === 'int_dossier_receipt_years'));
    expect(results.find((r) => r.test === 'expression_is_true(NOT beyond_calendar)')).toMatchObject({ severity: 'error', passed: false, failures: 1 });
  });
});

/**
 * Monthly figures of one province P and one agency A (the same numbers), received = resolved:
 *   2022: 10 a month (year 120), 8 on time a month (rate 0,8 all year);
 *   2023: 20 a month in Jan–Jun, 10 in Jul–Dec (year 180), on time 10 a month (rate 0,5 at June, 120/180 at year end);
 *   2024: Jan–Jun only, 15 a month, 12 on time (ytd at June 90, rate 0,8).
 */
describe('outlook_projections and outlook_backtest on a hand-built lake', () => {
  let dir: string;
  let engine: DuckDbEngine;
  const rows = async (sql: string) => (await engine.query(sql)).map(numbersFromBigints);
  const model = (name: string) => readFileSync(path.join(SQL_DIR, 'marts', `${name}.sql`), 'utf8');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'outlook-'));
    engine = await DuckDbEngine.create({ lakeRoot: dir, writeParquet: false, duckdb: { threads: 1 } });
    const months: string[] = [];
    for (const year of [2022, 2023, 2024]) {
      for (let month = 1; month <= (year === 2024 ? 6 : 12); month++) {
        const received = year === 2022 ? 10 : year === 2023 ? (month <= 6 ? 20 : 10) : 15;
        const onTime = year === 2022 ? 8 : year === 2023 ? 10 : 12;
        months.push(`(${year}, ${month}, ${received}, ${onTime})`);
      }
    }
    const values = `(VALUES ${months.join(', ')}) AS v(year, month, received, on_time)`;
    await engine.query(`CREATE TABLE calendar_months AS SELECT year, month, CAST(last_day(make_date(year, month, 1)) AS DATE) AS month_end
      FROM (SELECT unnest(range(2022, 2025)) AS year) CROSS JOIN (SELECT unnest(range(1, 13)) AS month)`);
    // A second province, Q, in the same lake (its agency B): the same monthly figures.
    await engine.query(`CREATE TABLE province_months AS SELECT p.province_code, 'Tỉnh ' || p.province_code AS province_name, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month,
      CAST(received AS BIGINT) AS received_new, CAST(received AS BIGINT) AS resolved_total, CAST(0 AS BIGINT) AS resolved_early, CAST(on_time AS BIGINT) AS resolved_on_time
      FROM ${values} CROSS JOIN (VALUES ('P'), ('Q')) AS p(province_code)`);
    // A's figures under two more units: E ended on 30/09/2023 (its rows stop there), M took over another on
    // 01/03/2023 (not the unit of its earlier years).
    await engine.query(`CREATE TABLE agency_months AS SELECT u.agency_code, 'Sở ' || u.agency_code AS agency_name, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month,
      CAST(last_day(make_date(year, month, 1)) AS DATE) AS period_end,
      CAST(received AS BIGINT) AS received_new, CAST(received AS BIGINT) AS resolved_total, CAST(0 AS BIGINT) AS resolved_early, CAST(on_time AS BIGINT) AS resolved_on_time
      FROM ${values} CROSS JOIN (VALUES ('A'), ('E'), ('M')) AS u(agency_code)
      WHERE u.agency_code <> 'E' OR year * 100 + month <= 202309`);
    await engine.query(`CREATE TABLE agencies AS SELECT * FROM (VALUES
      ('A', 'P', CAST(NULL AS DATE), CAST(NULL AS VARCHAR), CAST(NULL AS DATE)),
      ('E', 'P', DATE '2023-09-30', NULL, DATE '2023-10-01'),
      ('M', 'P', NULL, 'X', DATE '2023-03-01'),
      ('B', 'Q', NULL, NULL, NULL)) AS t(agency_code, province_code, valid_to, predecessor_codes, formed_on)`);
    // The 766 total of A: 70 in every month of 2022, 60 → 72 (one point a month) in 2023, 80 in Jan–Jun 2024; of B (province Q): 40 throughout.
    await engine.query(`CREATE TABLE score766_agency_months AS SELECT u.agency_code, 'Sở ' || u.agency_code AS agency_name, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month,
      CAST(CASE WHEN u.agency_code = 'B' THEN 40 WHEN year = 2022 THEN 70 WHEN year = 2023 THEN 60 + month ELSE 80 END AS DOUBLE) AS score_total_published,
      CAST(NULL AS DOUBLE) AS score_total_recomputed FROM ${values} CROSS JOIN (VALUES ('A'), ('B')) AS u(agency_code)`);
    await engine.query(`CREATE TABLE outlook_projections AS ${model('outlook_projections')}`);
    await engine.query(`CREATE TABLE outlook_backtest AS ${model('outlook_backtest')}`);
  });
  afterAll(async () => {
    await engine?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const at = async (unit: string, metric: string, year: number, month: number) =>
    (await rows(`SELECT * FROM outlook_projections WHERE unit_code = '${unit}' AND metric = '${metric}' AND year = ${year} AND month = ${month}`))[0]!;

  test('should project received at June 2024 from the 2022 and 2023 shares, with an 80 % interval floored at the ytd', async () => {
    const r = await at('P', 'received', 2024, 6);
    const shares = [60 / 120, 120 / 180];
    const projected = 90 / ((shares[0]! + shares[1]!) / 2); // 154,29
    const perYear = shares.map((s) => 90 / s); // 180, 135
    const sd = Math.abs(perYear[0]! - perYear[1]!) / Math.SQRT2;
    const half = 3.078 * Math.sqrt(1 + 1 / 2) * sd; // t(0,9; 1 df) × sqrt(1 + 1/n) × sd
    expect(r.value_to_date).toBe(90);
    expect(r.projected).toBeCloseTo(projected, 6);
    expect(r.projected_low).toBe(90); // 154,29 − 119,95 < 90 received already
    expect(r.projected_high).toBeCloseTo(projected + half, 6);
    expect(r).toMatchObject({ years_used: 2, first_year_used: 2022, last_year_used: 2023, actual_year_end: null, unit_type: 'province', metric_label: 'Hồ sơ tiếp nhận trong năm' });
    // The agency with the same figures gets the same projection.
    expect((await at('A', 'received', 2024, 6)).projected).toBeCloseTo(projected, 6);
  });

  test('should project a unit as the unit it is: not in the year it ends, and from the years after it took over others only', async () => {
    const years = async (unit: string) => (await rows(`SELECT DISTINCT year FROM outlook_projections WHERE unit_code = '${unit}' ORDER BY year`)).map((r) => r.year);
    expect(await years('A')).toEqual([2023, 2024]);
    // E ended on 30/09/2023: no year end to project in 2023.
    expect(await years('E')).toEqual([]);
    // M took over another unit on 01/03/2023: its years before 2024 are not its own, and 2024 has none after.
    expect(await years('M')).toEqual([]);
  });

  test('should project the on-time rate by the mean drift to December, capped at 100 %', async () => {
    const r = await at('P', 'on_time_rate', 2024, 6);
    const drifts = [0, 120 / 180 - 0.5];
    const mean = (drifts[0]! + drifts[1]!) / 2;
    const half = 3.078 * Math.sqrt(1.5) * (Math.abs(drifts[1]! - drifts[0]!) / Math.SQRT2);
    expect(r.value_to_date).toBeCloseTo(0.8, 8);
    expect(r.projected).toBeCloseTo(0.8 + mean, 6);
    expect(r.projected_low).toBeCloseTo(0.8 + mean - half, 6);
    expect(r.projected_high).toBe(1);
  });

  test('should project the 766 total from the month level and the province from its agencies', async () => {
    // June 2024 at 80; drift to December: 2022 0, 2023 72 − 66 = 6 → 83.
    expect((await at('A', 'score766', 2024, 6)).projected).toBeCloseTo(83, 6);
    expect((await at('P', 'score766', 2024, 6)).projected).toBeCloseTo(83, 6);
    // Each province from its own agencies only: Q's B at 40 throughout, neither averaged into P nor P's into Q.
    expect((await at('Q', 'score766', 2024, 6)).projected).toBeCloseTo(40, 6);
  });

  test('should backtest 2023 from 2022 alone: June projects 240 against 180, no interval from one year', async () => {
    const r = await at('P', 'received', 2023, 6);
    expect(r).toMatchObject({ value_to_date: 120, projected: 240, actual_year_end: 180, error: -60, years_used: 1, projected_low: null, actual_in_interval: null });
    // December projects exactly what was received.
    expect(await at('P', 'received', 2023, 12)).toMatchObject({ projected: 180, actual_year_end: 180, error: 0 });
    // 2022 has no earlier year: no projection.
    expect(await rows(`SELECT * FROM outlook_projections WHERE year = 2022`)).toEqual([]);
  });

  test('should give the mean absolute error by month of the year over the years with an outcome', async () => {
    const bt = await rows(`SELECT * FROM outlook_backtest WHERE unit_type = 'province' AND metric = 'received' ORDER BY month`);
    expect(bt.map((b) => b.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Month m of 2023 (from 2022's share m/12): ytd 20m ÷ (m/12) = 240 against 180 for m ≤ 6; one projection
    // per province (P and Q have the same figures).
    expect(bt[5]).toMatchObject({ projections: 2, years: 1, first_year: 2023, mean_abs_error: 60, interval_coverage: null });
    expect(bt[0]!.mean_abs_pct_error).toBeCloseTo(60 / 180, 7);
    // September: ytd 150 ÷ 0,75 = 200 → error 20.
    expect(bt[8]!.mean_abs_error).toBeCloseTo(20, 8);
    expect(bt[11]!.mean_abs_error).toBe(0);
  });
});
