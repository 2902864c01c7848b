/**
 * The dashboards end to end, offline, on the real demo lake (test/helpers/demo-lake.ts: generated
 * province → loopback portal → pull → land → transform → snapshots, with the real published 766
 * data of Gia Lai and of the 34 provinces). One build under a sub-path, served on 127.0.0.1, viewed
 * in Debian's Chromium with an English locale and every request that leaves 127.0.0.1 aborted.
 * Every page: no console errors, no outside request, no query viewer, the right data label
 * (synthetic banner on the demo pages, "real data" label on the real pages), charts drawn, vi-VN
 * figures that match the marts (read here with DuckDB), pickers that open on the newest period
 * and re-query when changed. PNGs go to test-output/dashboards/.
 *
 * Needs dashboards/node_modules (`npm ci --prefix dashboards`) and /usr/bin/chromium.
 * UPDATE_DOCS_IMG=1 also writes docs/img/so-sanh-don-vi.png.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildDashboards, DASHBOARDS_DIR, type BuildDashboardsResult } from '../../functions/dashboards/build.js';
import { literal, withDuckDb, type JsonRow } from '../../functions/core/engine/duckdb.js';
import { formatViNumber } from '../../functions/core/vi/index.js';
import { ensureDemoLake } from '../helpers/demo-lake.js';
import { copyLakeWithHostileNames, HOSTILE_FORMULA_NAME, HOSTILE_HTML_NAME, REJECTED_DISCARDED, REJECTED_REAL, REJECTED_WAITING, type HostileLake } from './dashboards.fixture.js';

// UPDATE_DOCS_IMG=1 builds from the demo lake as visitors see it (no planted hostile names, whose
// tests are skipped then) and writes docs/img/so-sanh-don-vi.png.
const DOCS_MODE = process.env.UPDATE_DOCS_IMG === '1';
const hostile = DOCS_MODE ? test.skip : test;

/** axe-core's browser build (root devDependency, pinned), injected into each page: nothing is fetched. */
const AXE_SOURCE = readFileSync(path.resolve('node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Evidence's own English labels that must not reach a reader (the components are patched). */
const ENGLISH_CHROME = /\b(Download Data|Save Image|Fullscreen|Print PDF|No Results|records)\b|>\s*Download\s*</;

// Not /bao-cao: Evidence leaves a link that begins with the base path unprefixed (checkBasePathAgainstPages).
const BASE = '/cchc';
const OUT = path.resolve('test-output', 'dashboards');
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Visit {
  page: Page;
  consoleErrors: string[];
  outside: string[];
  dialogs: string[];
  /** URLs answered with HTTP ≥ 400. */
  failed: string[];
}

// Under a base path Evidence 40.1.8 prerenders pages without their query cache; the browser's
// request for it 404s and Evidence runs the queries itself (the only 404 tolerated).
const QUERY_CACHE = /\/api\/[0-9a-f]{32}\/[0-9a-f]{32}\/all-queries\.json$/;

/** Text as shown, with no-break spaces made plain. */
const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');
const viPct = (fraction: number, decimals: number): string => `${formatViNumber(fraction * 100, decimals)}%`;
const vi2 = (n: unknown): string => formatViNumber(Number(n), 2);
const viDate = (iso: string): string => iso.split('-').reverse().join('/');

// Each page waits for its queries, charts and network to settle; on 2 cores shared with the other test
// files (a CI run) one page's settling has taken more than 30 s (Playwright's default), so the waits
// allow 60 s and a test 180 s. Readiness waits, not timings: nothing here asserts how fast a page is.
describe('Dashboards built from the demo lake (synthetic province + real 766 data) and viewed offline in an English-locale browser', { timeout: 180_000 }, () => {
  let tmp: string;
  let demoLakeDir: string;
  let lake: HostileLake;
  let build: BuildDashboardsResult;
  let server: { url: string; close: () => Promise<void> };
  let context: BrowserContext;
  const mart = async (sql: string): Promise<JsonRow[]> => withDuckDb((db) => db.all(sql));
  const mart_ = mart;
  const m = (name: string): string => `read_parquet(${literal(path.join(lake.lakeDir, 'models', 'marts', `${name}.parquet`))})`;

  beforeAll(async () => {
    const demo = await ensureDemoLake();
    demoLakeDir = demo.lakeDir;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dash-e2e-'));
    lake = await copyLakeWithHostileNames(demo.lakeDir, path.join(tmp, 'lake'), { plant: !DOCS_MODE });
    build = await buildDashboards({ lakeDir: lake.lakeDir, outDir: path.join(tmp, 'site'), basePath: BASE });
    // @ts-ignore plain JS module of the dashboards project (no types)
    const { startServer } = (await import('../../dashboards/scripts/serve.mjs')) as { startServer: (o: { dir: string; basePath: string }) => Promise<{ url: string; close: () => Promise<void> }> };
    server = await startServer({ dir: build.outDir, basePath: BASE });
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_FLAGS,
      locale: 'en-US',
      viewport: { width: 1366, height: 900 },
      acceptDownloads: true,
    });
    context.setDefaultTimeout(60_000);
    context.setDefaultNavigationTimeout(60_000);
    // Only this run's pictures: a page that no longer exists must not leave one behind.
    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
  }, 1_200_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function open(route: string): Promise<Visit> {
    const page = await context.newPage();
    const visit: Visit = { page, consoleErrors: [], outside: [], dialogs: [], failed: [] };
    page.on('response', (r) => {
      if (r.status() >= 400) visit.failed.push(r.url());
    });
    await page.route('**/*', async (r) => {
      if (new URL(r.request().url()).hostname === '127.0.0.1') return r.continue();
      visit.outside.push(r.request().url());
      return r.abort();
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') visit.consoleErrors.push(msg.text());
    });
    page.on('pageerror', (e) => visit.consoleErrors.push(e.message));
    page.on('dialog', (d) => {
      visit.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(new URL(route.replace(/^\//, ''), server.url).href, { waitUntil: 'networkidle' });
    await settle(page);
    return visit;
  }

  /**
   * Wait until Evidence's queries ran (no loading skeletons) and every chart is drawn: a chart off
   * screen is drawn when it comes near the screen or when the browser is idle, and carries
   * data-cchc-chart-pending until then (dashboards/patches, component-utilities `echarts.js`).
   */
  async function settle(page: Page): Promise<void> {
    await contentSettled(page);
    await page.waitForLoadState('networkidle');
  }

  /** No loading skeleton and no chart pending (settle without its wait for an idle network). */
  async function contentSettled(page: Page): Promise<void> {
    await page.waitForFunction('document.querySelectorAll(\'[class*="animate-pulse"], [data-cchc-chart-pending]\').length === 0', undefined, { timeout: 60_000 });
  }

  /** Wait until the element (or the page) shows `text` (queries run in the browser after hydration). */
  async function waitText(page: Page, text: string, testId?: string): Promise<void> {
    const root = testId ? `document.querySelector('[data-testid="${testId}"]')` : 'document.body';
    await page.waitForFunction(`(${root}?.innerText ?? '').replace(/[\\u00a0\\u202f]/g, ' ').includes(${JSON.stringify(text)})`, undefined, { timeout: 60_000 });
  }

  const textOf = async (page: Page, testId: string): Promise<string> => plain(await page.getByTestId(testId).innerText());

  /** What a picker shows before anyone touches it. */
  const shown = async (page: Page, title: string): Promise<string> => plain(await page.getByRole('combobox', { name: title }).innerText());

  /** Pick an option as a reader would: open the picker, type in its search box, click the option. */
  async function choose(page: Page, title: string, option: string): Promise<void> {
    await page.getByRole('combobox', { name: title }).click();
    // Long lists render only their first options; the search box finds the rest.
    await page.getByPlaceholder(title, { exact: true }).fill(option);
    await page.getByRole('option', { name: option, exact: true }).click();
    await page.keyboard.press('Escape');
    // Not an idle network: after a choice it twice stayed busy past 30 and 60 s in loaded CI runs (the cause
    // is not found; issue 15's note). Every caller waits for the re-queried content itself (waitText and kin).
    await contentSettled(page);
  }

  /** Wait until the chart paints its bars in `n` series colours (a highlighted unit adds one). */
  async function waitBarColours(page: Page, n: number, chart = 0): Promise<void> {
    await page.waitForFunction(
      `new Set([...document.querySelectorAll('[_echarts_instance_] svg')[${chart}].querySelectorAll('path')].map((p) => p.getAttribute('fill')).filter((f) => /^#/.test(f ?? ''))).size === ${n}`,
      undefined,
      { timeout: 60_000 },
    );
  }

  async function svgTexts(page: Page): Promise<string[]> {
    return (await page.locator('svg text').allTextContents()).map(plain);
  }

  /** The overlay chart in `testId` draws one line per year (its legend lists them all) with `chosen` emphasised. */
  async function expectOverlay(page: Page, testId: string, years: string[], chosen: string): Promise<void> {
    const chart = page.getByTestId(testId).locator('[_echarts_instance_] svg');
    await page.waitForFunction(`(() => { const svg = document.querySelector('[data-testid="${testId}"] [_echarts_instance_] svg');
      return !!svg && [...svg.querySelectorAll('path')].some((p) => p.getAttribute('stroke') === '#1d4ed8'); })()`, undefined, { timeout: 60_000 });
    const texts = (await chart.locator('text').allTextContents()).map(plain);
    for (const y of years) expect(texts, `legend of ${testId}`).toContain(y);
    // One polyline per year: the strong colour is drawn by one series only, the others are greys.
    const strokes = await chart.locator('path').evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke')).filter((c) => c && /^#/.test(c) && c !== '#ccc'));
    expect(new Set(strokes)).toContain('#1d4ed8');
    const label = await page.getByTestId(testId).locator('[_echarts_instance_]').getAttribute('aria-label');
    expect(label).toContain(`Gồm ${years.length} dãy số`);
    expect(label).toContain(chosen);
  }

  async function expectCharts(page: Page, min: number): Promise<void> {
    const charts = page.locator('[_echarts_instance_] svg');
    expect(await charts.count()).toBeGreaterThanOrEqual(min);
    for (let i = 0; i < min; i++) expect(await charts.nth(i).locator('path').count()).toBeGreaterThan(3);
  }

  async function finish(visit: Visit, name: string, data: 'synthetic' | 'real'): Promise<void> {
    const { page } = visit;
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
    expect(visit.failed.filter((u) => !QUERY_CACHE.test(u))).toEqual([]);
    const tolerated = visit.failed.length > 0 ? /^Failed to load resource: the server responded with a status of 404/ : /$^/;
    expect(visit.consoleErrors.filter((e) => !tolerated.test(e))).toEqual([]);
    expect(visit.outside).toEqual([]);
    expect(visit.dialogs).toEqual([]);
    // Readers never see Evidence's query viewer (SQL toggles, "N records with M properties").
    expect(await page.locator('button[aria-label="show-sql"]').count()).toBe(0);
    expect(plain(await page.locator('body').innerText())).not.toMatch(/\d+ records? with \d+ propert/);
    // The label says which data the page shows.
    expect(await page.getByTestId('synthetic-banner').count()).toBe(data === 'synthetic' ? 1 : 0);
    expect(await page.getByTestId('real-data-label').count()).toBe(data === 'real' ? 1 : 0);
    // Rejected files planted in the copy wait (a Biểu 06 for the province's pages, a published 766 answer for the
    // real ones): each page they feed says so; not the data-quality page (its own warning) nor the report packs.
    expect(await page.getByTestId('rejected-banner').count(), 'rejected-banner').toBe(DOCS_MODE || name === 'chat-luong-du-lieu' || name === 'bao-cao' ? 0 : 1);
    // Vietnamese everywhere: none of Evidence's English labels, hover-only ones included.
    expect(await page.content()).not.toMatch(ENGLISH_CHROME);
    // No axis label cut short ("01/2…"), no table scrolling sideways at 1366 px.
    expect((await svgTexts(page)).filter((t) => /(\.\.\.|…)$/.test(t))).toEqual([]);
    const wide = await page.locator('.scrollbox').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 2).map((e) => `${e.closest('[data-testid]')?.getAttribute('data-testid') ?? '?'}: ${e.scrollWidth} > ${e.clientWidth}`));
    expect(wide).toEqual([]);
    // Every chart carries a text alternative: role img with an aria-label that names it.
    const charts = await page.locator('[_echarts_instance_]').evaluateAll((els) => els.map((e) => [e.getAttribute('role'), e.getAttribute('aria-label') ?? '']));
    for (const [role, label] of charts) {
      expect(role).toBe('img');
      expect(label).toMatch(/^Biểu đồ/);
    }
    // Accessibility: axe-core in the page, no serious or critical violation.
    await page.addScriptTag({ content: AXE_SOURCE });
    const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')))`)) as string[];
    expect(violations).toEqual([]);
    await page.close();
  }

  test('should build every page, one per agency included, and know which data is synthetic and which real', async () => {
    const agencies = await mart(`select count(distinct agency_code) as n from ${m('agency_years')}`);
    expect(build.basePath).toBe(BASE);
    // 12 pages (the agency index and Báo cáo among them) + one per agency.
    expect(build.pages).toBe(12 + Number(agencies[0]?.n));
    expect(build.meta.synthetic).toBe(true);
    expect(build.meta.real?.provinceCode).toBe('H21');
    expect(build.meta.real?.provinces).toBe(34);
    expect(build.meta.real?.captureDates).toEqual(['2026-09-24', '2026-10-10']);
    expect(build.meta.warningWorkingDays).toBe(3);
    // The demo province as the pipeline makes it carries no markup or formula in any name: the
    // hostile names exist only in this test's copy.
    const marts = path.join(demoLakeDir, 'models', 'marts');
    for (const [mart, col] of [['agencies', 'agency_name'], ['agency_years', 'agency_name'], ['procedure_years', 'procedure_name']] as const) {
      const rows = await mart_(`select count(*) as n from read_parquet(${literal(path.join(marts, `${mart}.parquet`))}) where ${col} like '%<%' or ${col} like '%>%' or regexp_matches(${col}, '^[=+@-]')`);
      expect(Number(rows[0]?.n), mart).toBe(0);
    }
  });

  test('should open on the newest year with the province KPIs in vi-VN figures and re-query on another year', async () => {
    const visit = await open('/');
    const { page } = visit;
    expect(await page.evaluate('navigator.language')).toBe('en-US');
    // The document says it is Vietnamese (Evidence's template says "en"; dashboards/svelte.config.js sets it).
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    if (!DOCS_MODE) {
      expect(build.meta.rejectedWaiting).toEqual({ province: { files: 1, periods: ['Tháng 11/2025'] }, real: { files: 1, periods: ['Tháng 10/2026'] } });
      const banner = page.getByTestId('rejected-banner');
      expect(await banner.getAttribute('role')).toBe('alert');
      expect(plain(await banner.innerText()).replace(/\s+/g, ' ').trim()).toBe(
        'Số liệu chưa đầy đủ. Có 1 tệp dữ liệu bị từ chối đang chờ xử lý (Tháng 11/2025): các dòng của những tệp này chưa có trong số liệu. Xem trang Chất lượng dữ liệu.',
      );
      expect(await banner.locator('a').getAttribute('href')).toMatch(/\/chat-luong-du-lieu\/$/);
    }
    const latest = build.meta.defaults.year as number;
    const rows = await mart(`select year, received_total, on_time_rate from ${m('province_years')} where year in (${latest}, ${latest - 1})`);
    const [now, before] = [rows.find((r) => r.year === latest), rows.find((r) => r.year === latest - 1)];
    expect(await shown(page, 'Năm')).toContain(String(latest));
    await waitText(page, formatViNumber(Number(now?.received_total)), 'kpi');
    expect(await textOf(page, 'kpi')).toContain(viPct(Number(now?.on_time_rate), 2));
    // Biểu 06 column 3 counts the dossiers carried over too; the year-to-date table counts new ones: each says which.
    expect((await textOf(page, 'kpi')).toLowerCase()).toContain('hồ sơ tiếp nhận (gồm kỳ trước chuyển sang)');
    // A rate's change against the year before is in percentage points (vi-format.js POINTS), not "%".
    expect(plain(await textOf(page, 'kpi'))).toMatch(/\d,\d{2} điểm %/);
    await expectCharts(page, 3);
    // Each chart drawn once: the equal options Evidence hands a chart again while the page hydrates
    // re-render nothing (each cost a full render before; dashboards/patches, echarts.js).
    expect(await page.evaluate('window[Symbol.for("chart renders")]')).toBe(await page.locator('[_echarts_instance_]').count());
    const axis = await svgTexts(page);
    expect(axis).toContain(`01/${latest}`);
    expect(axis.some((t) => /^\d{1,3},\d%$/.test(t))).toBe(true);
    expect(axis.some((t) => /^\d{1,3}\.\d\s?%?$/.test(t))).toBe(false);
    // Every year on one Jan–Dec axis: one line (and legend entry) per year, the chosen one in strong blue.
    const years = (await mart(`select distinct year from ${m('province_months')} order by year`)).map((r) => String(r.year));
    expect(years.length).toBeGreaterThanOrEqual(6);
    await expectOverlay(page, 'overlay-received', years, String(latest));
    await expectOverlay(page, 'overlay-on-time', years, String(latest));
    // Year to date against the same months of earlier years.
    const cutoff = Number((await mart(`select max(month) as m from ${m('province_months')} where year = ${latest}`))[0]?.m);
    const ytd = (await mart(`select sum(received_new) as r from ${m('province_months')} where year = ${latest - 2} and month <= ${cutoff}`))[0];
    await waitText(page, formatViNumber(Number(ytd?.r)), 'ytd');
    expect(await textOf(page, 'ytd')).toContain(`T1–T${cutoff}`);
    expect((await textOf(page, 'ytd')).toLowerCase()).toContain('tiếp nhận mới');
    expect(plain(await textOf(page, 'ytd'))).toMatch(/\d,\d{2} điểm %/);
    await choose(page, 'Năm', String(latest - 1));
    await waitText(page, formatViNumber(Number(before?.received_total)), 'kpi');
    // The KPI cards answer first; the monthly chart redraws its axis after them (a check made at once
    // failed once in CI, 2026-12-06, with the old axis still on screen).
    await page
      .waitForFunction(`[...document.querySelectorAll('svg text')].some((t) => t.textContent === ${JSON.stringify(`01/${latest - 1}`)})`, undefined, { timeout: 30_000 })
      .catch(() => undefined);
    expect(await svgTexts(page)).toContain(`01/${latest - 1}`);
    await expectOverlay(page, 'overlay-received', years, String(latest - 1));
    expect(await textOf(page, 'ytd')).not.toContain(`\n${latest}\t`);
    await finish(visit, 'tong-quan', 'synthetic');
  });

  test('should rank the agencies on the newest PAR year, show HTML in names as text and highlight the chosen unit', async () => {
    const visit = await open('/so-sanh-don-vi/');
    const { page } = visit;
    const latest = build.meta.defaults.parYear as number;
    const top = async (year: number): Promise<JsonRow | undefined> =>
      (await mart(`select agency_name, total_points from ${m('par_agency_years')} where year = ${year} order by rank, agency_name limit 1`))[0];
    const body = async (): Promise<string> => plain(await page.locator('body').innerText());
    expect(await shown(page, 'Năm')).toContain(String(latest));
    await waitText(page, vi2((await top(latest))?.total_points));
    // The 766 ranking of the year holds the units published in its newest period; those dissolved by the 2025
    // mergers (last published in February) are counted apart, not ranked beside their successors' names.
    const gone = (await mart(`with y as (select * from ${m('score766_units')} where dataset_label = 'demo' and unit_group = 'AGENCY' and year = ${latest})
      select count(distinct unit_id) as n from y where unit_id not in (select unit_id from y where period_no = (select max(period_no) from y))`))[0];
    expect(Number(gone?.n)).toBeGreaterThan(0);
    await waitText(page, `${Number(gone?.n)} đơn vị có số liệu 766 trong năm nhưng không có ở kỳ gần nhất`, 'u766-gone');
    if (!DOCS_MODE) expect(await page.getByText(HOSTILE_HTML_NAME).count()).toBeGreaterThan(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await expectCharts(page, 2);
    await choose(page, 'Năm', String(latest - 2));
    const older = await top(latest - 2);
    await waitText(page, vi2(older?.total_points));
    expect(await body()).toContain(String(older?.agency_name));
    await waitBarColours(page, 1);
    const other = (await mart(`select a.agency_name || coalesce(' (đến ' || strftime(a.valid_to, '%d/%m/%Y') || ')', '') as label
      from ${m('par_agency_years')} p join ${m('agencies')} a using (agency_code)
      where p.year = ${latest - 2} and p.agency_code <> ${literal(lake.htmlAgency)} order by p.rank limit 1`))[0];
    await choose(page, 'Đơn vị làm nổi bật', String(other?.label));
    await waitBarColours(page, 2);
    if (process.env.UPDATE_DOCS_IMG === '1') {
      await page.evaluate('window.scrollTo(0, 0)');
      await page.setViewportSize({ width: 1366, height: 1700 });
      // The charts animate their bars after a resize: the picture waits for them to settle (docs only, no assertion).
      await page.waitForTimeout(2000);
      await page.screenshot({ path: path.join(DASHBOARDS_DIR, '..', 'docs', 'img', 'so-sanh-don-vi.png') });
      await page.setViewportSize({ width: 1366, height: 900 });
    }
    // Chart tooltips are HTML: hovering the HTML-named unit's bar must not create an element.
    await page.locator('[_echarts_instance_]').first().hover();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await finish(visit, 'so-sanh-don-vi', 'synthetic');
  });

  test('should draw one small chart per agency and compare two chosen units side by side', async () => {
    const visit = await open('/so-sanh-don-vi/');
    const { page } = visit;
    const units = await mart(`select count(distinct y.agency_code) as n from (
        select agency_code from ${m('agency_years')} where resolved_total > 0
        union all select agency_code from ${m('par_agency_years')} where agency_code is not null) y
      join ${m('agencies')} a using (agency_code) where a.kind <> 'ubnd_tinh'`);
    await page.getByTestId('small-multiples').scrollIntoViewIfNeeded();
    await page.waitForFunction(`document.querySelectorAll('[data-testid="small-multiple"] [_echarts_instance_] svg').length === ${Number(units[0]?.n)}`, undefined, { timeout: 60_000 });
    // Two units: the picker's first choices are the first and the last unit by code; choose two others.
    const latest = Number((await mart(`select max(year) as y from ${m('agency_years')}`))[0]?.y);
    const pair = await mart(`select y.agency_code, a.agency_name || coalesce(' (đến ' || strftime(a.valid_to, '%d/%m/%Y') || ')', '') as label, y.received_total, y.resolved_late
      from ${m('agency_years')} y join ${m('agencies')} a using (agency_code)
      where y.year = ${latest} and a.kind <> 'ubnd_tinh' and y.agency_code <> ${literal(lake.htmlAgency)}
      order by y.received_total desc, y.agency_code limit 2`);
    const [a, b] = pair as [JsonRow, JsonRow];
    await choose(page, 'Đơn vị thứ nhất', String(a.label));
    await choose(page, 'Đơn vị thứ hai', String(b.label));
    // Both choices re-query the table: wait for the second unit's figure too (the first alone is a race).
    await waitText(page, formatViNumber(Number(a.received_total)), 'pair');
    await waitText(page, formatViNumber(Number(b.received_total)), 'pair');
    const table = await textOf(page, 'pair');
    expect(table).toContain(formatViNumber(Number(b.received_total)));
    expect(table).toContain(formatViNumber(Number(a.received_total) - Number(b.received_total)));
    await finish(visit, 'so-sanh-don-vi-hai-don-vi', 'synthetic');
  });

  test('should label projections as projections, re-project from another month and show the backtest error by month', async () => {
    const visit = await open('/du-bao/');
    const { page } = visit;
    expect(await textOf(page, 'projection-label')).toContain('Đây là dự báo');
    const latest = build.meta.defaults.year as number;
    const province = String((await mart(`select province_code from ${m('province_years')} limit 1`))[0]?.province_code);
    const at = async (month: number): Promise<JsonRow[]> => mart(`select metric, value_to_date, projected, projected_low, projected_high, actual_year_end
      from ${m('outlook_projections')} where unit_code = ${literal(province)} and year = ${latest} and month = ${month}`);
    expect(await shown(page, 'Đơn vị')).toContain('Toàn tỉnh');
    const lastMonth = Number((await mart(`select max(month) as m from ${m('outlook_projections')} where unit_code = ${literal(province)} and year = ${latest}`))[0]?.m);
    expect(await shown(page, 'Dự báo lập vào')).toContain(`Cuối tháng ${lastMonth}`);
    const received = (rows: JsonRow[]) => rows.find((r) => r.metric === 'received') as JsonRow;
    await waitText(page, formatViNumber(Number(received(await at(lastMonth)).projected)), 'outlook');
    // Made at the end of June: another projection, with its interval, and the year's outcome beside it.
    await choose(page, 'Dự báo lập vào', 'Cuối tháng 6');
    const june = received(await at(6));
    expect(Number(june.projected)).not.toBe(Number(june.actual_year_end));
    await waitText(page, formatViNumber(Number(june.projected)), 'outlook');
    const outlook = await textOf(page, 'outlook');
    expect(outlook).toContain(formatViNumber(Number(june.projected_low)));
    expect(outlook).toContain(formatViNumber(Number(june.projected_high)));
    expect(outlook).toContain(formatViNumber(Number(june.actual_year_end)));
    expect(outlook).toContain('Tỷ lệ đúng hạn');
    // The backtest: mean absolute error by month of the year (12 rows).
    const bt = await mart(`select month, mean_abs_error from ${m('outlook_backtest')} where unit_type = 'province' and metric = 'received' order by month`);
    expect(bt).toHaveLength(12);
    const backtest = await textOf(page, 'backtest');
    for (const r of bt) expect(backtest).toContain(`T${String(r.month)}\t`);
    expect(backtest).toContain(formatViNumber(Number(bt[5]?.mean_abs_error), 1));
    // The on-time rate's error is in percentage points ("1,23 điểm %"), not a percent of the rate ("1,23%").
    const onTime = (await mart(`select mean_abs_error from ${m('outlook_backtest')} where unit_type = 'province' and metric = 'on_time_rate' and month = 6`))[0];
    const juneRow = backtest.split('\n').find((l) => l.startsWith('T6\t')) ?? '';
    expect(plain(juneRow)).toContain(`${formatViNumber(100 * Number(onTime?.mean_abs_error), 2)} điểm %`);
    await expectCharts(page, 2);
    await finish(visit, 'du-bao', 'synthetic');
  });

  test('should list the dossiers due within 3 working days (holidays counted off) and the agencies below their own range', async () => {
    const visit = await open('/canh-bao-som/');
    const { page } = visit;
    const due = await mart(`select dossier_id, strftime(as_of_date, '%Y-%m-%d') as as_of, strftime(due_date, '%Y-%m-%d') as due, working_days_left
      from ${m('warning_dossiers_due')} order by due_date, dossier_id`);
    const within = due.filter((d) => Number(d.working_days_left) <= 3);
    const beyond = due.filter((d) => Number(d.working_days_left) > 3);
    expect(within.length).toBeGreaterThan(0);
    expect(within.length).toBeLessThanOrEqual(20);
    expect(beyond.length).toBeGreaterThan(0);
    // The working days left, counted here independently from the seed of days off (weekends out,
    // holidays and compensatory days out, make-up Saturdays in).
    const seed = readFileSync(path.resolve('sql', 'seeds', 'vn_public_holidays.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const off = new Set(seed.filter((r) => r[1] !== 'make_up_working_day').map((r) => r[0]));
    const on = new Set(seed.filter((r) => r[1] === 'make_up_working_day').map((r) => r[0]));
    const working = (iso: string): boolean => on.has(iso) || (!off.has(iso) && ![0, 6].includes(new Date(`${iso}T00:00:00Z`).getUTCDay()));
    const workingDaysAfter = (from: string, to: string): number => {
      let n = 0;
      for (let t = Date.parse(`${from}T00:00:00Z`) + 86_400_000; t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) if (working(new Date(t).toISOString().slice(0, 10))) n++;
      return n;
    };
    for (const d of due) expect(Number(d.working_days_left), String(d.dossier_id)).toBe(workingDaysAfter(String(d.as_of), String(d.due)));
    await waitText(page, String(within[0]?.dossier_id), 'due-dossiers');
    const listed = await textOf(page, 'due-dossiers');
    for (const d of within) {
      expect(listed).toContain(String(d.dossier_id));
      expect(listed).toContain(viDate(String(d.due)));
    }
    for (const d of beyond) expect(listed).not.toContain(String(d.dossier_id));
    expect(await textOf(page, 'warning-kpi')).toContain(formatViNumber(within.length));
    expect(plain(await page.locator('body').innerText())).toContain(`Số liệu đến ngày ${viDate(String(due[0]?.as_of))} (ngày mới nhất có trong dữ liệu hồ sơ)`);
    // The holiday calendar's last notified day (the seed's newest year), and no provisional note: the demo's
    // as-of date and the month after it lie within the notices.
    const lastNotice = `${seed.map((r) => r[0]!.slice(0, 4)).sort().at(-1)}-12-31`;
    expect(await textOf(page, 'holidays-through')).toContain(`đến hết ngày ${viDate(lastNotice)}`);
    expect(Date.parse(`${String(due[0]?.as_of)}T00:00:00Z`) + 31 * 86_400_000).toBeLessThanOrEqual(Date.parse(`${lastNotice}T00:00:00Z`));
    expect(await page.getByTestId('holidays-provisional').count()).toBe(0);
    const below = await mart(`select agency_name, on_time_rate from ${m('warning_agencies_on_time')} where is_below_range order by gap_to_range_low`);
    if (below.length > 0) {
      await waitText(page, viPct(Number(below[0]?.on_time_rate), 1), 'below-range');
      expect(await textOf(page, 'below-range')).toContain(String(below[0]?.agency_name));
      // The gap to the unit's own lowest month is a difference of two rates: in percentage points.
      expect(plain(await textOf(page, 'below-range'))).toMatch(/\d,\d{2} điểm %/);
    }
    expect(plain(await page.locator('body').innerText())).toContain('Đơn vị có tỷ lệ đúng hạn tháng gần nhất thấp hơn mức thường thấy');
    await expectCharts(page, 1);
    await finish(visit, 'canh-bao-som', 'synthetic');
  });

  test('should show the Báo cáo page with its "no pack yet" state on a lake without report packs', async () => {
    const visit = await open('/bao-cao/');
    const body = plain(await visit.page.locator('body').innerText());
    expect(body).toContain('Chưa có bộ báo cáo nào');
    expect(body).toContain('npm run cli -- report --period YYYY-MM');
    // The placeholder row of the empty source is never shown as a pack.
    expect(await visit.page.locator('table').count()).toBe(0);
    // The menu's link to this page carries the base path.
    const hrefs = await visit.page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain(`${BASE}/bao-cao`);
    await finish(visit, 'bao-cao', 'synthetic');
  });

  test('should show a merged agency across years with a visible note where the 2025 merger breaks it', async () => {
    const merged = (await mart(`select a.agency_code, strftime(a.break_date, '%d/%m/%Y') as d, strftime(a.formed_on, '%d/%m/%Y') as f from ${m('agencies')} a
      where a.predecessor_codes is not null and a.agency_code in (select agency_code from ${m('agency_years')}) order by 1 limit 1`))[0];
    const code = String(merged?.agency_code);
    const visit = await open(`/don-vi/${code}/`);
    const { page } = visit;
    await waitText(page, `Mã đơn vị: ${code}`);
    await page.getByTestId('series-break').waitFor();
    expect(await page.getByTestId('series-break').innerText()).toContain(String(merged?.d));
    // Its predecessors' months end where it was formed (a unit formed and merged again has two dates).
    expect(await page.getByTestId('series-break').innerText()).toContain(`từ ngày ${String(merged?.f)}: số liệu theo tháng trước ngày đó của`);
    const row = (await mart(`select received_total from ${m('agency_years')} where agency_code = ${literal(code)} order by year desc limit 1`))[0];
    expect(plain(await page.locator('table').first().innerText())).toContain(formatViNumber(Number(row?.received_total)));
    await expectCharts(page, 2);
    // Its year to date against the years before its merger: no "hơn/kém" (not the same unit), only the chosen
    // year's own row (0,00 điểm %) when every earlier year is before the break.
    const ytdYears = (await mart(`select count(distinct year) as n from ${m('agency_months')} where agency_code = ${literal(code)}`))[0];
    const breakYear = (await mart(`select max(year) as y from ${m('agency_years')} where agency_code = ${literal(code)} and not is_change_comparable`))[0];
    expect(Number(ytdYears?.n)).toBeGreaterThan(1);
    expect(Number(breakYear?.y)).toBe(Number(build.meta.defaults.year));
    await page.getByTestId('ytd').waitFor();
    // Each year's row is a line "<year>\t…"; only the chosen year's own row carries a change (0,00 điểm %).
    const ytdRows = plain(await textOf(page, 'ytd'))
      .split('\n')
      .filter((l) => /^\d{4}\t/.test(l.trimStart()));
    expect(ytdRows.length).toBe(Number(ytdYears?.n));
    expect(ytdRows.filter((l) => l.includes('điểm %')).map((l) => l.trimStart().slice(0, 4))).toEqual([String(build.meta.defaults.year)]);
    // Its procedures with late dossiers: those it holds at the year's end, its predecessors' dossiers of the
    // merger's year included (procedure_years names the catalogue's agency, dissolved since).
    const lateTop = (await mart(`select procedure_code, sum(resolved_late) as n from ${m('procedure_catalogue')} where agency_code = ${literal(code)} and has_dossiers
      group by procedure_code order by n desc, procedure_code limit 1`))[0];
    expect(Number(lateTop?.n)).toBeGreaterThan(0);
    await waitText(page, String(lateTop?.procedure_code));
    // Its lines of the demo's Biểu 06 workbooks, since the merger, agree with the recomputed cells cell for cell.
    const filed = (await mart(`select count(*) as n from ${m('bieu06_reconciliation')} where agency_code = ${literal(code)} and status = 'agrees'`))[0];
    expect(Number(filed?.n)).toBeGreaterThan(0);
    const b06 = await textOf(page, 'agency-bieu06');
    expect(b06).toContain(`(${formatViNumber(Number(filed?.n))} ô, cột 3–13)`);
    expect(b06).toContain('0 ô lệch');
    expect(b06).toContain('Mọi ô của Biểu 06 đơn vị đã gửi đều khớp với số tính lại từ hồ sơ.');
    const years = (await mart(`select distinct year from ${m('agency_months')} where agency_code = ${literal(code)} order by year`)).map((r) => String(r.year));
    await expectOverlay(page, 'overlay-received', years, String(build.meta.defaults.year));
    await choose(page, 'Năm làm nổi bật', years[0] as string);
    await expectOverlay(page, 'overlay-on-time', years, years[0] as string);
    await finish(visit, `don-vi-${code}`, 'synthetic');
  });

  hostile('should show an agency name carrying HTML as text on its own page', async () => {
    const visit = await open(`/don-vi/${lake.htmlAgency}/`);
    const { page } = visit;
    await waitText(page, `Mã đơn vị: ${lake.htmlAgency}`);
    await waitText(page, HOSTILE_HTML_NAME);
    expect(await page.getByRole('heading', { level: 1 }).allInnerTexts()).toContain(HOSTILE_HTML_NAME);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await finish(visit, 'don-vi-html', 'synthetic');
  });

  test('should list agencies with links to their pages', async () => {
    const visit = await open('/don-vi/');
    await waitText(visit.page, lake.htmlAgency);
    const links = await visit.page.getByTestId('agency-links').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toContain(`${BASE}/don-vi/${lake.htmlAgency}/`);
    await finish(visit, 'don-vi', 'synthetic');
  });

  hostile('should show procedures of the newest year, re-query on another year and serve a formula-like name neutralised', async () => {
    const visit = await open('/thu-tuc/');
    const { page } = visit;
    const latest = build.meta.defaults.procedureYear as number;
    const top = async (year: number): Promise<string> =>
      String((await mart(`select procedure_code from ${m('procedure_years')} where year = ${year} order by resolved_late desc, procedure_code limit 1`))[0]?.procedure_code);
    expect(await shown(page, 'Năm')).toContain(String(latest));
    expect(await top(latest)).toBe(lake.formulaProcedure);
    await waitText(page, `'${HOSTILE_FORMULA_NAME}`);
    await expectCharts(page, 1);
    await choose(page, 'Năm', String(latest - 3));
    await waitText(page, await top(latest - 3));
    await choose(page, 'Năm', String(latest));
    await waitText(page, `'${HOSTILE_FORMULA_NAME}`);
    // The table's "Download" gives the same neutralised text: no cell a spreadsheet would run.
    const table = page.getByTestId('late-procedures');
    await table.getByTestId('DataTable-late_leaders').hover();
    const button = table.getByRole('button', { name: 'Tải xuống' }).filter({ visible: true }).first();
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv).toContain(`'=HYPERLINK(`);
    expect(csv).not.toMatch(/(^|[,\n])"?[=+@]/);
    // Printed, the catalogue table holds every procedure of the year, not the 20 on screen, and no
    // "20 trên N dòng" footer; the screen keeps its page afterwards.
    const cut = (await mart(`select procedure_code from ${m('procedure_catalogue')} where year = ${latest} and processing_time_cut is not null order by processing_time_cut desc, procedure_code`)).map((r) => String(r.procedure_code));
    expect(cut.length).toBeGreaterThan(40);
    const cutTable = page.getByTestId('DataTable-cut');
    await expect.poll(() => cutTable.locator('tr:has(td)').count()).toBe(20);
    const pdfFile = path.join(tmp, 'thu-tuc.pdf');
    await writeFile(pdfFile, await page.pdf());
    const printed = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    for (const code of [cut[0]!, cut[25]!, cut.at(-1)!]) expect(printed).toContain(code);
    expect(printed).not.toMatch(/\d trên [\d.]+ dòng/);
    expect(await cutTable.locator('tr:has(td)').count()).toBe(20);
    expect(await cutTable.innerText()).toContain(cut[0]!);
    await finish(visit, 'thu-tuc', 'synthetic');
  });

  hostile('should serve no text cell starting with = + - @ in any table the site ships', async () => {
    // Every Parquet file the built site serves to the browser (and so to "Download").
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name.endsWith('.parquet')) files.push(p);
      }
    };
    await walk(build.outDir);
    expect(files.length).toBeGreaterThanOrEqual(12);
    let planted = 0;
    await withDuckDb(async (db) => {
      for (const file of files) {
        const cols = (await db.all(`describe select * from read_parquet(${literal(file)})`)).filter((c) => c.column_type === 'VARCHAR');
        if (cols.length === 0) continue;
        const cond = cols.map((c) => `regexp_matches("${String(c.column_name)}", '^[=+\\-@\\t\\r]')`).join(' or ');
        expect(await db.scalarNumber(`select count(*) from read_parquet(${literal(file)}) where ${cond}`), file).toBe(0);
        planted += await db.scalarNumber(`select count(*) from read_parquet(${literal(file)}) where ${cols.map((c) => `"${String(c.column_name)}" = ${literal(`'${HOSTILE_FORMULA_NAME}`)}`).join(' or ')}`);
      }
    });
    expect(planted).toBeGreaterThan(0);
  });

  test('should open the demo 766 page on the newest published month and re-query on another month', async () => {
    const visit = await open('/chi-so-766/');
    const { page } = visit;
    const ky = build.meta.defaults.period766 as number;
    const top = async (period: number): Promise<JsonRow | undefined> =>
      (await mart(`select period_label, score_total_published from ${m('score766_agency_months')} where year * 100 + month = ${period} order by score_total_published desc limit 1`))[0];
    const now = await top(ky);
    expect(await shown(page, 'Kỳ')).toContain(String(now?.period_label));
    await waitText(page, vi2(now?.score_total_published));
    const older = await top(ky - 100);
    await choose(page, 'Kỳ', String(older?.period_label));
    await waitText(page, vi2(older?.score_total_published));
    expect(plain(await page.locator('body').innerText())).toContain('Thanh toán trực tuyến');
    await page.screenshot({ path: path.join(OUT, 'chi-so-766.png'), fullPage: true });
    // A row links to its agency's page under the base path (hovering preloads it, clicking opens it).
    await page.getByTestId('DataTable-compare').locator('tr.row-link').first().hover();
    await page.getByTestId('DataTable-compare').locator('tr.row-link').first().click();
    await page.waitForURL(new RegExp(`${BASE}/don-vi/[^/]+/$`));
    await waitText(page, 'Mã đơn vị:');
    await finish(visit, 'chi-so-766-den-don-vi', 'synthetic');
  });

  test('should open on the newest monthly snapshot and show the marts as an older snapshot had them', async () => {
    const visit = await open('/anh-chup-thang/');
    const { page } = visit;
    const [first, last] = [build.meta.snapshots[0] as string, build.meta.snapshots.at(-1) as string];
    const snap = async (month: string): Promise<string> => {
      const rows = await mart(`select received_total from read_parquet(${literal(path.join(lake.lakeDir, 'snapshots', month, 'agency_years.parquet'))})
        where year = (select max(year) from read_parquet(${literal(path.join(lake.lakeDir, 'snapshots', month, 'agency_years.parquet'))})) order by received_total desc limit 1`);
      return formatViNumber(Number(rows[0]?.received_total));
    };
    // The picker shows a snapshot month 'YYYY-MM' as 'Tháng m/yyyy'.
    const label = (month: string): string => `Tháng ${Number(month.slice(5, 7))}/${month.slice(0, 4)}`;
    expect(await shown(page, 'Tháng chốt số liệu')).toContain(label(last));
    await waitText(page, await snap(last));
    await choose(page, 'Tháng chốt số liệu', label(first));
    await waitText(page, await snap(first));
    await finish(visit, 'anh-chup-thang', 'synthetic');
  });

  test('should show rows per dataset with quarantine reasons and superseded versions, and freshness in dd/mm/yyyy', async () => {
    const visit = await open('/chat-luong-du-lieu/');
    const { page } = visit;
    const portal = (await mart(`select sum(rows_read) as r, sum(rows_current) as c, strftime(max(dataset_last_landed_at), '%d/%m/%Y') as d
      from ${m('data_quality')} where dataset = 'dossiers' and source = 'portal'`))[0];
    await waitText(page, formatViNumber(Number(portal?.r)), 'dq-sets');
    const sets = await textOf(page, 'dq-sets');
    expect(sets).toContain('Đã có bản mới hơn');
    expect(sets).toContain(formatViNumber(Number(portal?.c)));
    expect(sets).toContain('Cổng DVCQG (số liệu đã công bố)');
    expect(plain(await page.locator('body').innerText())).toContain(String(portal?.d));
    // Two dates, each named for what it is: how far the data reaches (the newest day a dossier shows, the
    // early warning's as-of date) and the day it was last loaded (the test's own run, later).
    const meta = (await mart(`select strftime(data_last_date, '%d/%m/%Y') as l, strftime(last_landed_on, '%d/%m/%Y') as n,
      strftime((select max(as_of_date) from ${m('warning_dossiers_due')}), '%d/%m/%Y') as w from ${m('dashboard_meta')}`))[0];
    expect(meta?.l).toBe(meta?.w);
    expect(String(meta?.l)).toMatch(/^\d{2}\/\d{2}\/20\d{2}$/);
    expect(meta?.n).not.toBe(meta?.l);
    const fresh = plain(await textOf(page, 'dq-freshness'));
    expect(fresh).toContain(`đến ngày ${String(meta?.l)} (ngày mới nhất có trong dữ liệu hồ sơ)`);
    expect(fresh).toContain(`lần nạp dữ liệu gần nhất ngày ${String(meta?.n)}.`);
    // The demo's Biểu 06 workbooks add up (the generator sums its own rows): the checks' table says so.
    expect(Number((await mart(`select count(*) as n from ${m('data_quality')} where check_failures > 0`))[0]?.n)).toBe(0);
    expect(plain(await textOf(page, 'dq-checks'))).toContain('Không có dòng tổng hay dòng cộng nào lệch với các dòng đơn vị của nó.');
    // Files a land rejected whole (two planted in the copy: the demo has none): the one still waiting is
    // announced with its period, listed first with its Vietnamese names and dates, its HTML name as text.
    if (!DOCS_MODE) {
      await waitText(page, 'Đang chờ xử lý', 'dq-rejected');
      expect(await textOf(page, 'dq-rejected-waiting')).toContain('Có 2 tệp bị từ chối đang chờ xử lý (Tháng 11/2025, Tháng 10/2026).');
      // Waiting first, newest rejection first: the 766 answer (02/11/2026), the Biểu 06 (02/12/2025), then the discarded export.
      const rows = (await textOf(page, 'dq-rejected')).split('\n').filter((l) => l.includes('.xlsx') || l.includes('.csv') || l.includes('.json'));
      expect(rows.length).toBe(3);
      for (const part of [REJECTED_REAL.original_name, 'Chỉ số 766', 'Tháng 10/2026', 'Đang chờ xử lý', 'Không phải tệp JSON hợp lệ']) expect(rows[0], part).toContain(part);
      for (const part of [REJECTED_WAITING.original_name, 'Biểu 06', 'Tháng 11/2025', '02/12/2025 08:15', 'Đang chờ xử lý', 'Tệp Excel không đầy đủ (tải về bị gián đoạn?)', 'not a complete XLSX file']) {
        expect(rows[1], part).toContain(part);
      }
      for (const part of [REJECTED_DISCARDED.original_name, 'Hồ sơ TTHC', 'Tháng 10/2025', 'Đã bỏ qua ngày 04/11/2025', 'Các cột không đúng mẫu']) expect(rows[2], part).toContain(part);
      expect(await page.locator('[data-testid="dq-rejected"] img').count()).toBe(0);
    }
    // Every unit line of the demo's Biểu 06 workbooks matches the cells recomputed from the dossiers
    // (the generator counts by the pipeline's reading): the newest period is listed with no cell apart.
    const recon = await mart(`select status, count(*) as n from ${m('bieu06_reconciliation')} group by status order by status`);
    expect(recon.map((r) => r.status)).toEqual(['agrees']);
    const newest = (await mart(`select period_label, count(distinct unit_name) as n from ${m('bieu06_reconciliation')}
      group by period_type, period_end, period_label order by period_end desc, period_type limit 1`))[0];
    await waitText(page, String(newest?.period_label), 'dq-reconciliation');
    const line = (await textOf(page, 'dq-reconciliation')).split('\n').find((l) => l.startsWith(String(newest?.period_label)));
    expect(line?.split('\t').map((c) => c.trim())).toEqual([String(newest?.period_label), formatViNumber(Number(newest?.n)), '0', '0', '0', '0']);
    await finish(visit, 'chat-luong-du-lieu', 'synthetic');
  });

  test('should show the real Gia Lai units with published scores, ranks out of 149 and of 14, and the change between the two dates', async () => {
    const visit = await open('/chi-so-766-gia-lai/');
    const { page } = visit;
    // The published 766 answer rejected (planted) is what this page is short of, not the province's Biểu 06.
    if (!DOCS_MODE) {
      const banner = plain(await textOf(page, 'rejected-banner')).replace(/\s+/g, ' ');
      expect(banner).toContain('Có 1 tệp dữ liệu bị từ chối đang chờ xử lý (Tháng 10/2026)');
      expect(banner).not.toContain('Tháng 11/2025');
    }
    const units = await mart(`select strftime(as_of, '%Y-%m-%d') as d, unit_code, unit_name, unit_short_name, rank, units_total, group_rank, group_units, score_total, score_total_change
      from ${m('score766_units')} where dataset_label = 'real' and unit_group = 'AGENCY' order by as_of, group_rank`);
    const newest = units.filter((u) => u.d === '2026-10-10');
    const first = newest[0];
    // The published figures of the first agency on 10/10/2026.
    expect(first?.score_total).toBe(79.27);
    expect([first?.rank, first?.units_total, first?.group_rank, first?.group_units]).toEqual([1, 149, 1, 14]);
    expect(await shown(page, 'Ngày ghi nhận')).toContain('10/10/2026');
    await waitText(page, '79,27', 'real-units');
    const table = await textOf(page, 'real-units');
    const firstRow = table.split('\n').find((l) => l.includes(String(first?.unit_short_name))) ?? '';
    expect(firstRow).toMatch(/^1\/149\s+1\/14\s/);
    expect(firstRow).toContain('79,27');
    expect(firstRow).toContain(vi2(first?.score_total_change));
    expect(table).not.toContain('- tỉnh Gia Lai');
    const second = newest[1];
    expect(table).toContain(`${String(second?.rank)}/149`);
    await expectCharts(page, 2);
    // The unit detail opens on the first-ranked unit with its sub-indicators, recomputed beside published.
    expect(await shown(page, 'Đơn vị')).toContain(String(first?.unit_short_name));
    await waitText(page, 'Không tính lại được (1)', 'real-metrics');
    const metric = (await mart(`select metric_name, score_published from ${m('score766_metrics')}
      where dataset_label = 'real' and unit_code = ${literal(String(first?.unit_code))} and metric_code = 'PUBLIC_UPDATE_ON_TIME'`))[0];
    const metrics = await textOf(page, 'real-metrics');
    expect(metrics).toContain(String(metric?.metric_name));
    expect(metrics).toContain(vi2(metric?.score_published));
    expect(metrics).toContain('Khớp');
    // Another unit re-queries the detail.
    await choose(page, 'Đơn vị', String(second?.unit_short_name));
    await waitText(page, `${String(second?.rank)}/149`, 'real-unit');
    // The older capture date: other ranks, no change column yet.
    const older = units.find((u) => u.d === '2026-09-24' && u.unit_code === second?.unit_code);
    await choose(page, 'Ngày ghi nhận', '24/09/2026');
    // The table re-queries for that date (and is empty meanwhile): wait for the unit's row with the older rank
    // and score together — the rank alone may stand in the newer table too.
    const olderRow = async (): Promise<string> =>
      (await textOf(page, 'real-units')).split('\n').find((l) => l.includes(String(second?.unit_short_name))) ?? '';
    await expect
      .poll(async () => {
        const row = await olderRow();
        return row.startsWith(`${String(older?.rank)}/149`) && row.includes(vi2(older?.score_total));
      }, { timeout: 60_000 })
      .toBe(true);
    await finish(visit, 'chi-so-766-gia-lai', 'real');
  });

  test('should compare the 34 provinces with the real province highlighted and re-query for another one', async () => {
    const visit = await open('/so-sanh-toan-quoc/');
    const { page } = visit;
    const provinces = await mart(`select province_code, regexp_replace(unit_short_name, '^UBND ', '') as name, rank, units_total, score_total
      from ${m('score766_units')} where dataset_label = 'real' and unit_group = 'PROVINCE' order by rank`);
    expect(provinces).toHaveLength(34);
    const gl = provinces.find((p) => p.province_code === 'H21');
    expect(await shown(page, 'Tỉnh làm nổi bật')).toContain(String(gl?.name));
    await waitText(page, `${String(gl?.rank)}/34`, 'national-chosen');
    expect(await textOf(page, 'national-chosen')).toContain(vi2(gl?.score_total));
    const table = await textOf(page, 'national-table');
    expect(table.split('\n').filter((l) => /^\d+\/34\s/.test(l))).toHaveLength(34);
    expect(table).toContain(vi2(provinces[0]?.score_total));
    await expectCharts(page, 2);
    await waitBarColours(page, 2);
    const topProvince = provinces[0];
    await choose(page, 'Tỉnh làm nổi bật', String(topProvince?.name));
    await waitText(page, '1/34', 'national-chosen');
    expect(await textOf(page, 'national-chosen')).toContain(vi2(topProvince?.score_total));
    await finish(visit, 'so-sanh-toan-quoc', 'real');
  });
});
