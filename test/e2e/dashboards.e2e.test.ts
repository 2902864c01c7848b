/**
 * The dashboards end to end, offline: build the Evidence site from a fixture lake under a sub-path,
 * serve it on 127.0.0.1, and drive Debian's Chromium (English locale) with every request that
 * leaves 127.0.0.1 aborted. Every page: no console errors, no outside request, charts drawn, vi-VN
 * figures that match the marts, inputs that re-query. PNGs go to test-output/dashboards/.
 *
 * Needs dashboards/node_modules (`npm ci --prefix dashboards`) and /usr/bin/chromium.
 * UPDATE_DOCS_IMG=1 also writes docs/img/so-sanh-don-vi.png.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildDashboards, DASHBOARDS_DIR, type BuildDashboardsResult } from '../../functions/core/dashboards.js';
import { literal, withDuckDb, type JsonRow } from '../../functions/core/engine/duckdb.js';
import { formatViNumber } from '../../functions/core/vi/index.js';
import { FIXTURE_HTML_NAME, writeFixtureLake } from './dashboards.fixture.js';

const BASE = '/bao-cao';
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

/** Text as shown, with no-break spaces made plain (vi-VN percents carry one: "33,33 %"). */
const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');
const viPct = (fraction: number, decimals: number): string => `${formatViNumber(fraction * 100, decimals)} %`;

describe('Dashboards built from a fixture lake and viewed offline in an English-locale browser', () => {
  let tmp: string;
  let build: BuildDashboardsResult;
  let server: { url: string; close: () => Promise<void> };
  let context: BrowserContext;
  const visits: Visit[] = [];
  const mart = async (sql: string): Promise<JsonRow[]> => withDuckDb((db) => db.all(sql));
  const martPath = (name: string): string => literal(path.join(tmp, 'lake', 'models', 'marts', `${name}.parquet`));

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dash-e2e-'));
    await writeFixtureLake(path.join(tmp, 'lake'));
    build = await buildDashboards({ lakeDir: path.join(tmp, 'lake'), outDir: path.join(tmp, 'site'), basePath: BASE });
    // @ts-ignore plain JS module of the dashboards project (no types)
    const { startServer } = (await import('../../dashboards/scripts/serve.mjs')) as { startServer: (o: { dir: string; basePath: string }) => Promise<{ url: string; close: () => Promise<void> }> };
    server = await startServer({ dir: build.outDir, basePath: BASE });
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_FLAGS,
      locale: 'en-US',
      viewport: { width: 1366, height: 900 },
    });
    await mkdir(OUT, { recursive: true });
  }, 900_000);

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
    page.on('console', (m) => {
      if (m.type() === 'error') visit.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => visit.consoleErrors.push(e.message));
    page.on('dialog', (d) => {
      visit.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(new URL(route.replace(/^\//, ''), server.url).href, { waitUntil: 'networkidle' });
    await settle(page);
    visits.push(visit);
    return visit;
  }

  /** Wait until Evidence's queries ran: no loading skeletons and every chart drawn. */
  async function settle(page: Page): Promise<void> {
    await page.waitForFunction('document.querySelectorAll(\'[class*="animate-pulse"]\').length === 0', undefined, { timeout: 60_000 });
    await page.waitForLoadState('networkidle');
  }

  /** Wait until the page shows `text` (queries run in the browser after hydration). */
  async function waitText(page: Page, text: string): Promise<void> {
    await page.waitForFunction(`document.body.innerText.replace(/[\\u00a0\\u202f]/g, ' ').includes(${JSON.stringify(text)})`, undefined, { timeout: 60_000 });
  }

  async function choose(page: Page, title: string, option: string): Promise<void> {
    await page.getByRole('combobox', { name: title }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
    await page.keyboard.press('Escape');
    await settle(page);
  }

  /** Wait until the first chart paints its bars in `n` series colours (a highlighted unit adds one). */
  async function waitBarColours(page: Page, n: number): Promise<void> {
    await page.waitForFunction(
      `new Set([...document.querySelector('[_echarts_instance_] svg').querySelectorAll('path')].map((p) => p.getAttribute('fill')).filter((f) => /^#/.test(f ?? ''))).size === ${n}`,
      undefined,
      { timeout: 60_000 },
    );
  }

  async function svgTexts(page: Page): Promise<string[]> {
    return (await page.locator('svg text').allTextContents()).map(plain);
  }

  async function expectCharts(page: Page, min: number): Promise<void> {
    const charts = page.locator('[_echarts_instance_] svg');
    expect(await charts.count()).toBeGreaterThanOrEqual(min);
    for (let i = 0; i < min; i++) expect(await charts.nth(i).locator('path').count()).toBeGreaterThan(3);
  }

  async function finish(visit: Visit, name: string): Promise<void> {
    await visit.page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
    expect(visit.failed.filter((u) => !QUERY_CACHE.test(u))).toEqual([]);
    const tolerated = visit.failed.length > 0 ? /^Failed to load resource: the server responded with a status of 404/ : /$^/;
    expect(visit.consoleErrors.filter((e) => !tolerated.test(e))).toEqual([]);
    expect(visit.outside).toEqual([]);
    expect(visit.dialogs).toEqual([]);
    expect(await visit.page.getByTestId('synthetic-banner').isVisible()).toBe(true);
  }

  test('should build every page, one per agency included', () => {
    expect(build.basePath).toBe(BASE);
    // 7 pages (the agency index among them) + 6 agency pages.
    expect(build.pages).toBe(13);
    expect(build.meta.synthetic).toBe(true);
  });

  test('should show the province KPIs in vi-VN figures and re-query on a new year', async () => {
    const visit = await open('/');
    const { page } = visit;
    expect(await page.evaluate('navigator.language')).toBe('en-US');
    const years = await mart(`select year, received_total, on_time_rate from read_parquet(${martPath('province_years')}) order by year`);
    const [y2024, y2025] = [years.find((r) => r.year === 2024), years.find((r) => r.year === 2025)];
    const kpi = (): Promise<string> => page.getByTestId('kpi').innerText().then(plain);
    await choose(page, 'Năm', '2025');
    await waitText(page, formatViNumber(Number(y2025?.received_total)));
    expect(await kpi()).toContain(formatViNumber(Number(y2025?.received_total)));
    expect(await kpi()).toContain(viPct(Number(y2025?.on_time_rate), 2));
    await expectCharts(page, 3);
    const axis = await svgTexts(page);
    expect(axis).toContain('01/2025');
    expect(axis.some((t) => /^\d{1,3},\d %$/.test(t))).toBe(true);
    expect(axis.some((t) => /^\d{1,3}\.\d %?$/.test(t))).toBe(false);
    await choose(page, 'Năm', '2024');
    await waitText(page, formatViNumber(Number(y2024?.received_total)));
    expect(await kpi()).toContain(formatViNumber(Number(y2024?.received_total)));
    expect(await svgTexts(page)).toContain('01/2024');
    await finish(visit, 'tong-quan');
  });

  test('should rank the agencies, show HTML in names as text and highlight the chosen unit', async () => {
    const visit = await open('/so-sanh-don-vi/');
    const { page } = visit;
    const par = await mart(`select agency_name, total_points, year from read_parquet(${martPath('par_agency_years')}) where year in (2023, 2025) order by year, rank limit 100`);
    const top2025 = par.find((r) => r.year === 2025);
    const body = (): Promise<string> => page.locator('body').innerText().then(plain);
    await choose(page, 'Năm', '2025');
    await waitText(page, formatViNumber(Number(top2025?.total_points), 2));
    expect(await body()).toContain(formatViNumber(Number(top2025?.total_points), 2));
    expect(await page.getByText(FIXTURE_HTML_NAME).count()).toBeGreaterThan(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await expectCharts(page, 2);
    await choose(page, 'Năm', '2023');
    const top2023 = par.find((r) => r.year === 2023);
    await waitText(page, formatViNumber(Number(top2023?.total_points), 2));
    expect(await body()).toContain(formatViNumber(Number(top2023?.total_points), 2));
    await waitBarColours(page, 1);
    await choose(page, 'Đơn vị làm nổi bật', 'Sở Tư pháp');
    await waitBarColours(page, 2);
    // Chart tooltips are HTML: hovering the HTML-named unit's bar must not create an element.
    await page.locator('[_echarts_instance_]').first().hover();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await finish(visit, 'so-sanh-don-vi');
    if (process.env.UPDATE_DOCS_IMG === '1') {
      await page.screenshot({ path: path.join(DASHBOARDS_DIR, '..', 'docs', 'img', 'so-sanh-don-vi.png'), fullPage: true });
    }
  });

  test('should show an agency across years with a visible note where the 2025 merger breaks it', async () => {
    const visit = await open('/don-vi/H99.21/');
    const { page } = visit;
    await waitText(page, 'Mã đơn vị: H99.21');
    await page.getByTestId('series-break').waitFor();
    expect(await page.getByTestId('series-break').isVisible()).toBe(true);
    expect(await page.getByTestId('series-break').innerText()).toContain('01/03/2025');
    const row = (await mart(`select received_total from read_parquet(${martPath('agency_years')}) where agency_code = 'H99.21' and year = 2025`))[0];
    expect(plain(await page.locator('table').first().innerText())).toContain(formatViNumber(Number(row?.received_total)));
    await expectCharts(page, 2);
    await finish(visit, 'don-vi-H99.21');
  });

  test('should show an agency name carrying HTML as text on its own page', async () => {
    const visit = await open('/don-vi/H99.05/');
    const { page } = visit;
    await waitText(page, 'Mã đơn vị: H99.05');
    await waitText(page, FIXTURE_HTML_NAME);
    expect(await page.getByRole('heading', { level: 1 }).allInnerTexts()).toContain(FIXTURE_HTML_NAME);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.getByTestId('series-break').count()).toBe(0);
    await finish(visit, 'don-vi-H99.05');
  });

  test('should list agencies with links to their pages', async () => {
    const visit = await open('/don-vi/');
    await waitText(visit.page, 'H99.21');
    const links = await visit.page.getByTestId('agency-links').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toContain(`${BASE}/don-vi/H99.21/`);
    await finish(visit, 'don-vi');
  });

  test('should show procedures by year and re-query on a new year', async () => {
    const visit = await open('/thu-tuc/');
    const { page } = visit;
    const top = async (year: number): Promise<JsonRow | undefined> =>
      (await mart(`select procedure_code, resolved_late from read_parquet(${martPath('procedure_years')}) where year = ${year} order by resolved_late desc, procedure_code limit 1`))[0];
    await waitText(page, String((await top(2025))?.procedure_code));
    await expectCharts(page, 1);
    await choose(page, 'Năm', '2023');
    await waitText(page, String((await top(2023))?.procedure_code));
    await finish(visit, 'thu-tuc');
  });

  test('should show recomputed and published 766 scores with the gap explained', async () => {
    const visit = await open('/chi-so-766/');
    const { page } = visit;
    await choose(page, 'Kỳ', 'Tháng 12/2025');
    const row = (await mart(`select score_total_published from read_parquet(${martPath('score766_agency_months')}) where year = 2025 and month = 12 and agency_code = 'H99.01'`))[0];
    await waitText(page, formatViNumber(Number(row?.score_total_published), 2));
    const text = plain(await page.locator('body').innerText());
    expect(text).toContain(formatViNumber(Number(row?.score_total_published), 2));
    expect(text).toContain('Thanh toán trực tuyến');
    await finish(visit, 'chi-so-766');
  });

  test('should show the marts as a chosen monthly snapshot had them', async () => {
    const visit = await open('/anh-chup-thang/');
    const { page } = visit;
    const snap = async (month: string): Promise<string> => {
      const rows = await mart(`select received_total from read_parquet(${literal(path.join(tmp, 'lake', 'snapshots', month, 'agency_years.parquet'))}) where year = 2025 order by received_total desc limit 1`);
      return formatViNumber(Number(rows[0]?.received_total));
    };
    await choose(page, 'Ảnh chụp', '2025-09');
    await waitText(page, await snap('2025-09'));
    await choose(page, 'Ảnh chụp', '2025-06');
    await waitText(page, await snap('2025-06'));
    await finish(visit, 'anh-chup-thang');
  });

  test('should show rows per source, quarantine reasons and freshness in dd/mm/yyyy', async () => {
    const visit = await open('/chat-luong-du-lieu/');
    await waitText(visit.page, 'invalid_date');
    const text = plain(await visit.page.locator('body').innerText());
    expect(text).toContain('invalid_date');
    expect(text).toContain('1.200');
    expect(text).toContain('02/12/2025');
    await finish(visit, 'chat-luong-du-lieu');
  });
});
