/**
 * Dashboards: Evidence build time on a lake (functions/dashboards/build.ts buildDashboards), then each
 * page's time to interactive in headless Chromium, the site served on 127.0.0.1 by the dashboards' own
 * server (dashboards/scripts/serve.mjs), with every other request aborted.
 * With `siteDir` (the quick run), no build: the pages of an already-built site are timed.
 *
 * Time to interactive here = from navigation start to the moment the page responds to an input with
 * the inputs' first answers on screen: the latest of DOMContentLoaded's end; the app hydrated (the
 * layout's `data-hydrated` marker, set once every component of the page is mounted) with no loading
 * placeholder left (every query of the first render answered, from its prerendered results or the
 * engine); and, on a page with inputs, its first picker opened by a click and listing its options.
 * The in-browser engine (DuckDB-WASM, started lazily since bench/history.md change 13) is timed apart:
 * "engine ready" = the moment every table of the site's manifest answers a query in it, which is when a
 * changed input can be re-queried (the click above is the reader's first intent that starts it).
 * Each page is loaded cold (a new browser context: empty cache, DuckDB-WASM fetched and compiled)
 * and then warm (reloaded in the same context: hashed assets from the HTTP cache, as on a second
 * visit).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface DashboardsParams {
  /** The lake to build from (ignored with siteDir). */
  lakeDir: string;
  /** An already-built site to time instead of building one (its base path is read from index.html). */
  siteDir?: string;
  /** Evidence project (default: the repository's dashboards/). */
  dashboardsDir?: string;
  /** Page loads per page (median is reported). */
  loads: number;
  chromium: string;
}

export interface DashboardsResult {
  /** False when an already-built site was timed (siteDir): the build figures are then 0. */
  built: boolean;
  basePath: string;
  buildSeconds: number;
  sourcesSeconds: number;
  wallSeconds: number;
  pages: number;
  /** Cold loads (new browser context each). */
  tti: { page: string; seconds: number[]; errors: string[] }[];
  /** Warm loads (the same page reloaded in the context of a cold load). */
  ttiWarm?: { page: string; seconds: number[] }[];
  /** Largest contentful paint of the cold loads (s). */
  lcp?: { page: string; seconds: number[] }[];
  /**
   * Cold loads: when every manifest table answered a query in the page's DuckDB-WASM (s from
   * navigation start), on pages with an input (the engine starts on the first use of one); and when
   * the engine was started (s), which must not be before that first use.
   */
  engine?: { page: string; seconds: number[]; startedAt: number[] }[];
}

/**
 * Runs in the page (browser types are not in this project's lib). Resolves with the page's clock
 * (ms since navigation start) when the app is hydrated and no loading placeholder is left (every
 * query of the first render answered), with DOMContentLoaded's end, the largest contentful paint, and
 * whether the page has an input. `legacy`: a site built before the hydration marker (hydration is
 * then only seen through the input's response).
 */
const answersProbe = (legacy: boolean): string => `(async () => {
  let answered = 0;
  for (let i = 0; i < 3000; i++) {
    const hydrated = ${legacy} || document.documentElement.dataset.hydrated === 'true';
    if (hydrated && document.readyState !== 'loading' && document.querySelectorAll('.animate-pulse').length === 0) { answered = performance.now(); break; }
    await new Promise((r) => setTimeout(r, 20));
  }
  // Never answered: say what is still waiting (each placeholder's nearest test id, the heading above
  // it and its start), so a failure names the element instead of just the page.
  const pending = answered > 0 ? [] : [...document.querySelectorAll('.animate-pulse')].slice(0, 5).map((el) => {
    const testId = el.closest('[data-testid]')?.getAttribute('data-testid');
    let heading = '';
    for (const h of document.querySelectorAll('h1, h2, h3, h4')) if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) heading = h.textContent.trim();
    return (testId ? '[data-testid=' + testId + '] ' : '') + (heading ? 'under "' + heading.slice(0, 80) + '": ' : '') + el.outerHTML.slice(0, 120);
  });
  const placeholders = document.querySelectorAll('.animate-pulse').length;
  const hydratedAtEnd = ${legacy} || document.documentElement.dataset.hydrated === 'true';
  const nav = performance.getEntriesByType('navigation')[0] || {};
  const lcp = await new Promise((resolve) => {
    let t = 0;
    try {
      new PerformanceObserver((l) => { for (const e of l.getEntries()) t = Math.max(t, e.startTime); }).observe({ type: 'largest-contentful-paint', buffered: true });
    } catch {}
    setTimeout(() => resolve(t), 0);
  });
  return { answered, dcl: nav.domContentLoadedEventEnd || 0, lcp, inputs: document.querySelectorAll('[role="combobox"]').length, pending, placeholders, hydrated: hydratedAtEnd };
})()`;

/** After a click on the page's first picker: resolves with the page's clock once it lists its options (0 if not within 1 s). */
const optionsProbe = `(async () => {
  for (let i = 0; i < 100; i++) {
    if (document.querySelector('[role="option"]')) return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  return 0;
})()`;

/**
 * Resolves with the page's clock at the first moment every manifest table answers a query in
 * Evidence's DuckDB-WASM (polled every 20 ms; 0 if never), and when the engine was started.
 */
const engineProbe = (manifestUrl: string): string => `(async () => {
  const manifest = await fetch(${JSON.stringify(manifestUrl)}, { cache: 'no-store' }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const want = manifest ? Object.values(manifest.renderedFiles || {}).reduce((n, l) => n + l.length, 0) : 0;
  const engine = () => window[Symbol.for('EVIDENCE_QUERY_ENGINE')];
  let ready = 0;
  for (let i = 0; i < 3000 && want > 0; i++) {
    const db = engine();
    if (db) {
      try {
        const c = await db.connect();
        const t = await c.query("SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema NOT IN ('main', 'information_schema', 'pg_catalog')");
        await c.close();
        if (Number(t.toArray()[0].n) >= want) { ready = performance.now(); break; }
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const started = performance.getEntriesByName('evidence-engine-start')[0];
  return { ready, want, startedAt: started ? started.startTime : 0 };
})()`;

/** The server `npm run dashboards:preview` runs (dashboards/scripts/serve.mjs): the same headers, cache rule included. */
async function serve(root: string, basePath: string): Promise<{ url: string; close: () => Promise<void> }> {
  // @ts-expect-error plain JS module of the dashboards project (no types)
  const { startServer } = (await import('../../dashboards/scripts/serve.mjs')) as {
    startServer: (o: { dir: string; basePath: string }) => Promise<{ url: string; close: () => Promise<void> }>;
  };
  const site = await startServer({ dir: root, basePath });
  // Routes below start with '/': the site's URL without its trailing one.
  return { url: site.url.replace(/\/$/, ''), close: site.close };
}

/** Routes of the built site: every top-level page, and the first page of each nested route. */
async function routes(root: string): Promise<string[]> {
  const out: string[] = ['/'];
  for (const e of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    // explore/ is Evidence's own SQL console, not a dashboard page.
    if (!e.isDirectory() || e.name.startsWith('_') || ['api', 'data', 'explore'].includes(e.name)) continue;
    const dir = path.join(root, e.name);
    if (existsSync(path.join(dir, 'index.html'))) out.push(`/${e.name}/`);
    const nested = (await readdir(dir, { withFileTypes: true })).filter((n) => n.isDirectory() && existsSync(path.join(dir, n.name, 'index.html')));
    const first = nested.map((n) => n.name).sort()[0];
    if (first) out.push(`/${e.name}/${first}/`);
  }
  return out;
}

/** The base path an Evidence build was made with (SvelteKit's `base: "/x"` in index.html), '' for the root. */
export async function builtBasePath(siteDir: string): Promise<string> {
  const html = await readFile(path.join(siteDir, 'index.html'), 'utf8');
  return /\bbase:\s*"([^"]*)"/.exec(html)?.[1] ?? '';
}

async function countHtmlPages(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += await countHtmlPages(path.join(dir, e.name));
    else if (e.name === 'index.html') n++;
  }
  return n;
}

export async function runDashboards(p: DashboardsParams): Promise<DashboardsResult> {
  const t0 = performance.now();
  let built: { outDir: string; basePath: string; pages: number; buildSeconds: number; sourcesSeconds: number };
  if (p.siteDir) {
    built = { outDir: path.resolve(p.siteDir), basePath: await builtBasePath(p.siteDir), pages: await countHtmlPages(p.siteDir), buildSeconds: 0, sourcesSeconds: 0 };
  } else {
    const { buildDashboards } = await import('../../functions/dashboards/build.js');
    built = await buildDashboards({ lakeDir: p.lakeDir, dashboardsDir: p.dashboardsDir });
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const site = await serve(built.outDir, built.basePath);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: p.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const tti: DashboardsResult['tti'] = [];
  const ttiWarm: NonNullable<DashboardsResult['ttiWarm']> = [];
  const lcp: NonNullable<DashboardsResult['lcp']> = [];
  const engine: NonNullable<DashboardsResult['engine']> = [];
  // A site built before the layout's hydration marker (timed for a before/after comparison).
  const legacy = !(await readdir(path.join(built.outDir, '_app', 'immutable', 'nodes'))
    .then((fs) => Promise.all(fs.map((f) => readFile(path.join(built.outDir, '_app', 'immutable', 'nodes', f), 'utf8'))))
    .then((srcs) => srcs.some((src) => src.includes('dataset.hydrated'))));
  const measure = async (page: import('playwright-core').Page, url: string, withEngine: boolean): Promise<{ tti: number; lcp: number; engine?: number; engineStartedAt?: number }> => {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const a = (await page.evaluate(answersProbe(legacy))) as { answered: number; dcl: number; lcp: number; inputs: number; pending: string[]; placeholders: number; hydrated: boolean };
    if (a.answered === 0) {
      const why = !a.hydrated
        ? 'the app never hydrated (no data-hydrated marker on <html>)'
        : `${a.placeholders} loading placeholder(s) left after 60 s: ${a.pending.join(' | ')}`;
      throw new Error(`[bench] Failed to time ${url}: it never showed every first answer (${why})`);
    }
    let responded = 0;
    if (a.inputs > 0) {
      // The reader's first use of an input: open the first picker; it must list its options.
      // (A click before hydration opens nothing: it is repeated, as a reader would.)
      for (let i = 0; i < 60 && responded === 0; i++) {
        await page.locator('[role="combobox"]').first().click({ timeout: 60_000 });
        responded = (await page.evaluate(optionsProbe)) as number;
      }
      if (responded === 0) throw new Error(`[bench] Failed to time ${url}: its first picker never listed its options`);
      await page.keyboard.press('Escape');
    }
    const out: { tti: number; lcp: number; engine?: number; engineStartedAt?: number } = { tti: Math.max(a.dcl, a.answered, responded) / 1000, lcp: a.lcp / 1000 };
    if (withEngine && a.inputs > 0) {
      const e = (await page.evaluate(engineProbe(`${site.url}/data/manifest.json`))) as { ready: number; want: number; startedAt: number };
      if (e.want > 0 && e.ready === 0) throw new Error(`[bench] Failed to time ${url}: its ${e.want} tables never became queryable in DuckDB-WASM`);
      out.engine = e.ready / 1000;
      out.engineStartedAt = e.startedAt / 1000;
    }
    return out;
  };
  try {
    for (const route of await routes(built.outDir)) {
      const seconds: number[] = [];
      const warm: number[] = [];
      const paints: number[] = [];
      const ready: number[] = [];
      const startedAt: number[] = [];
      const errors: string[] = [];
      for (let i = 0; i < p.loads; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.route('**/*', (r) => (new URL(r.request().url()).hostname === '127.0.0.1' ? r.continue() : r.abort()));
        page.on('console', (m) => {
          if (m.type() === 'error' && errors.length < 5) errors.push(m.text().slice(0, 200));
        });
        page.on('pageerror', (e) => {
          if (errors.length < 5) errors.push(e.message.slice(0, 200));
        });
        const cold = await measure(page, `${site.url}${route}`, true);
        seconds.push(cold.tti);
        paints.push(cold.lcp);
        if (cold.engine !== undefined) ready.push(cold.engine);
        if (cold.engineStartedAt !== undefined) startedAt.push(cold.engineStartedAt);
        await page.waitForLoadState('networkidle', { timeout: 60_000 });
        warm.push((await measure(page, `${site.url}${route}`, false)).tti);
        await context.close();
      }
      tti.push({ page: route, seconds, errors });
      ttiWarm.push({ page: route, seconds: warm });
      lcp.push({ page: route, seconds: paints });
      if (ready.length > 0) engine.push({ page: route, seconds: ready, startedAt });
    }
  } finally {
    await browser.close();
    await site.close();
  }
  return { built: !p.siteDir, basePath: built.basePath, buildSeconds: built.buildSeconds, sourcesSeconds: built.sourcesSeconds, wallSeconds, pages: built.pages, tti, ttiWarm, lcp, engine };
}
