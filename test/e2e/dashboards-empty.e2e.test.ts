/**
 * The dashboards built from a lake with no real 766 capture (the bench's lake, or any province before
 * its first real pull): the two pages of real data must say so, in Vietnamese, and never leave a
 * loading placeholder. Before, their pickers had no option, so the inputs their queries wait for were
 * never set and every table stayed "Loading..." forever (bench/history.md, change 17).
 *
 * The lake is the demo lake (test/helpers/demo-lake.ts) with every real row removed and the real
 * facts of dashboard_meta emptied, as the pipeline leaves them without a real pull. The same build
 * (one build, not two) also stands for a lake at a year's end before the next year's holiday notice:
 * the warning's as-of date moved to 28/12/2026 (its window provisional, as dashboard_meta computes it from
 * int_working_days then) and the dossiers due from 7/1/2026 marked provisional,
 * as the pipeline leaves them then (docs/outlook-and-warning.md, "A year without its notice"); and one
 * Biểu 06 workbook has totals that disagree with its unit rows (data_quality's checks). Built without a
 * base path (as the bench and `npm start` build it), so first answers come from prerendered results.
 * Viewed in Debian's Chromium, every request outside 127.0.0.1 aborted.
 *
 * Needs dashboards/node_modules (`npm ci --prefix dashboards`) and /usr/bin/chromium.
 */
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildDashboards, type BuildDashboardsResult } from '../../functions/dashboards/build.js';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
import { ensureDemoLake } from '../helpers/demo-lake.js';
import { formatViNumber } from '../../functions/core/vi/numbers.js';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The year-end stand-in: the warning's as-of date, and the first due date counted provisionally. */
const YEAR_END_AS_OF = '2026-12-28';
const PROVISIONAL_FROM = '2026-01-07';
/** The checks given to one Biểu 06 workbook of the data-quality mart. */
const CHECK_FINDINGS = 'sheet row 13: subtotal "Cộng" of band "Sở, ban, ngành" c11 (3) ≠ sum of its unit rows, sheet rows 11–12 (2); sheet row 15: Tổng cộng c3 (9) ≠ sum of unit rows (8)';

/** The filed Biểu 06 cell made to differ: c4 of the first agency's line in the newest quarter filed. */
const NEWEST_QUARTER = `period_type = 'quarter' and period_end = (select max(period_end) from $t where period_type = 'quarter' and status = 'agrees')`;
const FILED_APART = `column_no = 4 and status = 'agrees' and ${NEWEST_QUARTER}
  and agency_code = (select min(agency_code) from $t where status = 'agrees' and ${NEWEST_QUARTER})`;

/**
 * Quarantine reasons given to one dossier file of the data-quality mart (the demo lands every row): the mart's
 * "<reason>: <rows>; …", two reasons holding ": " themselves, as the landing writes them.
 */
const REASONS = 'already landed under source nsw, received 2024-03 (a dossier keeps its source and month of receipt): 5; duplicate dossier id in the file (first at row 12): 3; missing value: 1234; more than 3650 days (ten years): outside the contract: 2';

/** Quarantine reasons given to one Biểu 06 and one PAR Index workbook, as the workbook readers write them. */
const SHEET_REASONS = {
  bieu06: 'sheet row 14: c3 (7) ≠ c4+c5+c6 (6): 1; sheet row 16: F16: formula without a computed value (c6; open the workbook in Excel, let it calculate, and save it again): 1',
  par: 'sheet row 9: field 3 appraised 5,5 > max 5; survey 12 > max 10: 1',
};

/**
 * Copy the demo lake's marts and meta.json without any real 766 row, at a year's end (above), and without
 * snapshots (the bench's lake, or any lake before its first `snapshot`).
 */
async function lakeWithoutRealData(demoLakeDir: string, lakeDir: string): Promise<void> {
  await mkdir(path.join(lakeDir, 'models'), { recursive: true });
  await cp(path.join(demoLakeDir, 'models', 'marts'), path.join(lakeDir, 'models', 'marts'), { recursive: true });
  if (existsSync(path.join(demoLakeDir, 'meta.json'))) await cp(path.join(demoLakeDir, 'meta.json'), path.join(lakeDir, 'meta.json'));
  const mart = (name: string): string => path.join(lakeDir, 'models', 'marts', `${name}.parquet`);
  await withDuckDb(async (db) => {
    const rewrite = async (name: string, select: string): Promise<void> => {
      await db.run(`copy (${select.replaceAll('$t', `read_parquet(${literal(mart(name))})`)}) to ${literal(`${mart(name)}.new`)} (format parquet)`);
      await rename(`${mart(name)}.new`, mart(name));
    };
    for (const name of ['score766_units', 'score766_metrics']) await rewrite(name, `select * from $t where dataset_label <> 'real'`);
    await rewrite('dashboard_meta', `select * replace (0::BIGINT as real_provinces, null::DATE as real_national_as_of, null::VARCHAR as real_province_code,
      null::VARCHAR as real_province_name, null::VARCHAR as real_capture_dates, null::VARCHAR as real_top_unit_code,
      DATE '${YEAR_END_AS_OF}' as warning_as_of, true as warning_provisional) from $t`);
    await rewrite('warning_dossiers_due', `select * replace (due_date >= DATE '${PROVISIONAL_FROM}' as is_provisional) from $t`);
    // One Biểu 06 workbook whose totals disagree with its unit rows (the demo's all add up).
    await rewrite(
      'data_quality',
      `select * replace (
         case when raw_hash = (select min(raw_hash) from $t where dataset = 'bieu06') then 2::BIGINT else check_failures end as check_failures,
         case when raw_hash = (select min(raw_hash) from $t where dataset = 'bieu06') then ${literal(CHECK_FINDINGS)} else check_findings end as check_findings,
         case raw_hash
           when (select min(raw_hash) from $t where dataset = 'dossiers' and source = 'portal') then ${literal(REASONS)}
           when (select min(raw_hash) from $t where dataset = 'bieu06') then ${literal(SHEET_REASONS.bieu06)}
           when (select min(raw_hash) from $t where dataset = 'par') then ${literal(SHEET_REASONS.par)}
           else quarantine_reasons end as quarantine_reasons) from $t`,
    );
    // One filed Biểu 06 cell apart from the one recomputed (the demo's all agree): the newest quarter's c4 of
    // the first agency, filed 2 more than computed.
    await rewrite(
      'bieu06_reconciliation',
      `select * replace (
         case when ${FILED_APART} then filed + 2 else filed end as filed,
         case when ${FILED_APART} then difference + 2 else difference end as difference,
         case when ${FILED_APART} then 'differs' else status end as status) from $t`,
    );
    const left = await db.all(`select count(*)::INTEGER as n from read_parquet(${literal(mart('score766_units'))}) where dataset_label = 'real'`);
    expect(left[0]?.n).toBe(0);
  });
}

// Readiness waits allow 60 s and a test 180 s on 2 loaded cores (dashboards.e2e.test.ts says why).
describe('Dashboards built from a lake without real 766 data', { timeout: 180_000 }, () => {
  let tmp: string;
  let build: BuildDashboardsResult;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    const demo = await ensureDemoLake();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dash-empty-'));
    await lakeWithoutRealData(demo.lakeDir, path.join(tmp, 'lake'));
    build = await buildDashboards({ lakeDir: path.join(tmp, 'lake'), outDir: path.join(tmp, 'site'), basePath: '' });
    // @ts-ignore plain JS module of the dashboards project (no types)
    const { startServer } = (await import('../../dashboards/scripts/serve.mjs')) as { startServer: (o: { dir: string; basePath: string }) => Promise<{ url: string; close: () => Promise<void> }> };
    server = await startServer({ dir: build.outDir, basePath: '' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  }, 1_200_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** A page of the site in an English-locale Chromium, hydrated, every request outside 127.0.0.1 aborted and collected. */
  const open = async (route: string) => {
    const context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(60_000);
    context.setDefaultNavigationTimeout(60_000);
    const page = await context.newPage();
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', async (r) => {
      if (new URL(r.request().url()).hostname === '127.0.0.1') return r.continue();
      outside.push(r.request().url());
      return r.abort();
    });
    await page.goto(new URL(route.replace(/^\//, ''), server.url.replace(/\/?$/, '/')).href, { waitUntil: 'networkidle' });
    await page.waitForFunction("document.documentElement.dataset.hydrated === 'true'", undefined, { timeout: 60_000 });
    await page.waitForLoadState('networkidle');
    return { context, page, errors, outside };
  };

  test.each([
    ['/chi-so-766-gia-lai/', 'real-empty', 'chưa có số liệu 766 thật'],
    ['/so-sanh-toan-quoc/', 'national-empty', 'chưa có số liệu 766 toàn quốc'],
  ])('should say in Vietnamese that %s has no data yet, with no loading placeholder left', async (route, testId, text) => {
    expect(build.meta.real).toBeNull();
    const { context, page, errors, outside } = await open(route);
    const status = page.getByTestId(testId);
    expect(await status.getAttribute('role')).toBe('status');
    expect((await status.innerText()).replace(/\s+/g, ' ')).toContain(text);
    // Nothing waits for an answer that cannot come: no placeholder, no picker without options, no table.
    expect(await page.locator('.animate-pulse').count()).toBe(0);
    expect(await page.locator('[role="combobox"]').count()).toBe(0);
    expect(await page.locator('table').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(/Loading/);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  test('should give the quarantine reasons in Vietnamese with their counts, a reason holding ": " included', async () => {
    const { context, page, errors, outside } = await open('/chat-luong-du-lieu/');
    const table = page.getByTestId('dq-reasons');
    await expect.poll(() => table.innerText(), { timeout: 60_000 }).toContain('Thiếu giá trị');
    const rows = (await table.innerText()).split('\n').map((l) => l.split('\t').map((c) => c.trim()));
    const count = (reason: string): string | undefined => rows.find((r) => r[2] === reason)?.[3];
    expect(count('Thiếu giá trị')).toBe('1.234');
    expect(count('Quá 3.650 ngày (mười năm): ngoài quy ước dữ liệu')).toBe('2');
    // (Its pattern once held \( … \), which the page's template literal turned into a group: it fell through to English.)
    expect(count('Trùng mã hồ sơ trong tệp (lần đầu ở dòng 12)')).toBe('3');
    expect(count('Mã hồ sơ đã có trong dữ liệu (nguồn Cơ chế một cửa quốc gia, tiếp nhận tháng 03/2024): một hồ sơ giữ nguồn và tháng tiếp nhận của nó')).toBe('5');
    // The same reasons per dataset, biggest first, counts in vi-VN.
    expect(await page.getByTestId('dq-sets').innerText()).toContain('Thiếu giá trị: 1.234; Mã hồ sơ đã có trong dữ liệu');
    // The workbook readers' reasons (Biểu 06, PAR Index) read in Vietnamese too, figures and cells as written.
    expect(count('dòng 14: c3 (7) ≠ c4+c5+c6 (6)')).toBe('1');
    expect(count('dòng 16: F16: công thức chưa được tính (c6; mở tệp bằng Excel để tính lại công thức rồi lưu lại)')).toBe('1');
    expect(count('dòng 9: lĩnh vực 3: điểm thẩm định 5,5 > điểm tối đa 5; điểm điều tra xã hội học 12 > điểm tối đa 10')).toBe('1');
    expect(await page.locator('body').innerText()).not.toMatch(/missing value|outside the contract|already landed|duplicate dossier|sheet row|formula without|appraised|is empty/);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  test('should show the current figures on the snapshot page of a lake without any snapshot, labelled so, with no loading placeholder left', async () => {
    expect(build.meta.snapshots).toEqual([]);
    const { context, page, errors, outside } = await open('/anh-chup-thang/');
    const [first] = await withDuckDb((db) =>
      db.all(`select received_total from read_parquet(${literal(path.join(tmp, 'lake', 'models', 'marts', 'province_years.parquet'))}) order by year limit 1`),
    );
    // Every year of the current province figures (the first year's received count among them) and the agencies' table.
    await expect.poll(() => page.locator('body').innerText(), { timeout: 60_000 }).toContain(formatViNumber(Number(first?.received_total)));
    const body = await page.locator('body').innerText();
    expect(body).toContain('Thanh tra tỉnh');
    expect(body).toContain('Hiện tại (chưa chốt số liệu tháng nào)');
    expect(await page.locator('.animate-pulse').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(/Loading|No Records/);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  test('should list the Biểu 06 workbook whose totals disagree with its unit rows, with each finding', async () => {
    const [file] = await withDuckDb((db) =>
      db.all(`select original_name, period from read_parquet(${literal(path.join(tmp, 'lake', 'models', 'marts', 'data_quality.parquet'))}) where check_failures > 0`),
    );
    const { context, page, errors, outside } = await open('/chat-luong-du-lieu/');
    const table = page.getByTestId('dq-checks');
    await expect.poll(async () => (await table.innerText()).includes(String(file?.original_name)), { timeout: 60_000 }).toBe(true);
    const text = (await table.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('dòng 13: dòng "Cộng" của khối "Sở, ban, ngành" c11 (3) ≠ tổng các dòng đơn vị được cộng, dòng 11–12 (2)');
    expect(text).toContain('dòng 15: Tổng cộng c3 (9) ≠ tổng các dòng đơn vị (8)');
    expect(text).not.toMatch(/sheet row|subtotal|sum of/);
    expect(text).toContain(String(file?.period));
    expect(text).not.toContain('Không có dòng tổng');
    // No file rejected whole (the demo's marts): the table says so, and no warning stands above it.
    expect((await page.getByTestId('dq-rejected').innerText()).replace(/\s+/g, ' ')).toContain('Không có tệp nào bị từ chối: mọi tệp nhận được đều đã được đọc.');
    expect(await page.getByTestId('dq-rejected-waiting').count()).toBe(0);
    expect(build.meta.rejectedWaiting).toEqual({ province: { files: 0, periods: [] }, real: { files: 0, periods: [] } });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  test('should show a filed Biểu 06 cell apart from the recomputed one on its agency\'s page and count it on the data-quality page', async () => {
    const [cell] = await withDuckDb((db) =>
      db.all(`select agency_code, period_label, column_heading, filed, computed from read_parquet(${literal(path.join(tmp, 'lake', 'models', 'marts', 'bieu06_reconciliation.parquet'))})
        where status = 'differs'`),
    );
    expect(Number(cell?.filed) - Number(cell?.computed)).toBe(2);
    const agency = await open(`/don-vi/${String(cell?.agency_code)}/`);
    const block = agency.page.getByTestId('agency-bieu06');
    await expect.poll(async () => (await block.innerText()).includes(String(cell?.column_heading)), { timeout: 60_000 }).toBe(true);
    const text = (await block.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('1 ô lệch');
    expect(text).toContain(`${String(cell?.period_label)} 4 ${String(cell?.column_heading)}`);
    expect(text).not.toContain('đều khớp');
    expect(agency.errors).toEqual([]);
    expect(agency.outside).toEqual([]);
    await agency.context.close();
    const dq = await open('/chat-luong-du-lieu/');
    const table = dq.page.getByTestId('dq-reconciliation');
    await expect.poll(async () => (await table.innerText()).includes(String(cell?.period_label)), { timeout: 60_000 }).toBe(true);
    const line = (await table.innerText()).split('\n').find((l) => l.startsWith(String(cell?.period_label)));
    // Kỳ, lines, lines apart, cells apart, unmatched names, units not reporting.
    expect(line?.split('\t').map((c) => c.trim()).slice(2)).toEqual(['1', '1', '0', '0']);
    expect(dq.errors).toEqual([]);
    await dq.context.close();
  });

  test('should say, at a year\'s end before the next notice, that the working days after it are provisional, and mark those dossiers', async () => {
    expect(build.meta).toMatchObject({ holidaysKnownThrough: '2026-12-31', warningProvisional: true });
    const { context, page, errors, outside } = await open('/canh-bao-som/');
    const plain = (t: string): string => t.replace(/\s+/g, ' ');
    const note = page.getByTestId('holidays-provisional');
    expect(await note.getAttribute('role')).toBe('status');
    expect(plain(await note.innerText())).toContain('Số ngày làm việc còn lại là tạm tính với các hồ sơ có hạn sau ngày 31/12/2026');
    expect(plain(await page.getByTestId('holidays-through').innerText())).toContain('đến hết ngày 31/12/2026');
    // The list's "Ghi chú" column: "Tạm tính" on each dossier listed that is due from 7/1/2026, on no other.
    const due = await withDuckDb((db) =>
      db.all(`select dossier_id, is_provisional from read_parquet(${literal(path.join(tmp, 'lake', 'models', 'marts', 'warning_dossiers_due.parquet'))})
        where working_days_left <= 3 order by due_date, dossier_id`),
    );
    expect(due.some((d) => d.is_provisional)).toBe(true);
    expect(due.some((d) => !d.is_provisional)).toBe(true);
    expect(due.length).toBeLessThanOrEqual(20);
    // The table's visible body rows (its full-screen copy, a closed dialog, is not shown).
    const rows = page.getByTestId('due-dossiers').locator('tr:visible').filter({ has: page.locator('td') });
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(due.length);
    for (const d of due) {
      const row = plain(await rows.filter({ hasText: String(d.dossier_id) }).innerText());
      if (d.is_provisional) expect(row, String(d.dossier_id)).toContain('Tạm tính');
      else expect(row, String(d.dossier_id)).not.toContain('Tạm tính');
    }
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });
});
