/**
 * The dashboards build (functions/dashboards/build.ts) around Evidence, with a stand-in for
 * Evidence's CLI so it runs in seconds: the generated sources, the base path written for the build
 * and restored after it, one build at a time per project (the lake lock of
 * functions/core/lake/lock.ts taken on the project directory), and `cli build-dashboards` wired to
 * the same function. Evidence itself is built by test/e2e/dashboards.e2e.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
import { buildDashboards, checkBasePathAgainstPages, DASHBOARD_MARTS, dashboardsLockFile, META_MART, PLACEHOLDER_COLUMN, prepareDashboardSources } from '../../functions/dashboards/build.js';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { SQL_DIR } from '../../functions/core/lake/landing-sql.js';
import { loadModels } from '../../functions/core/transform/index.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..', '..');
const CONFIG = 'plugins: {}\n\ndeployment:\n  basePath: ""\n';

/**
 * Evidence's CLI as the build calls it: `sources` and `build:strict` in the project directory. It
 * records each step with the base path the config holds at that moment, and writes two pages.
 */
const FAKE_CLI = `
const fs = require('node:fs');
const step = process.argv[2];
const base = /basePath:\\s*(.*)/.exec(fs.readFileSync('evidence.config.yaml', 'utf8'))[1];
fs.appendFileSync('steps.log', 'begin ' + step + ' ' + base + '\\n');
// Long enough for a second, concurrent build to reach this point if nothing kept it out.
const until = Date.now() + 300;
while (Date.now() < until);
if (step.startsWith('build')) {
  fs.mkdirSync('build/don-vi/H99.01', { recursive: true });
  fs.writeFileSync('build/index.html', '<html>' + base + '</html>');
  fs.writeFileSync('build/don-vi/H99.01/index.html', '<html></html>');
}
fs.appendFileSync('steps.log', 'end ' + step + ' ' + base + '\\n');
`;

/** The columns the dashboard_meta mart and the build read; every other mart is a one-column table. */
const MART_SELECTS: Record<string, string> = {
  province_years: `select 'H99' as province_code, 'Tỉnh Thử' as province_name, 2025 as year, 10 as received_new`,
  data_quality: `select timestamp '2025-12-30 08:00:00' as dataset_last_landed_at, '=cmd' as dataset`,
  agency_months: `select date '2025-12-31' as period_end`,
  // The province's pages warn of two files waiting (a month's export, a year's PAR decision), oldest period first,
  // not of the one discarded; the real pages of the published 766 answer waiting.
  rejected_files: `select * from (values ('waiting', '2025-11', 'portal'), ('discarded', '2025-10', 'portal'), ('waiting', '2024', 'decision'), ('waiting', '2026-10', 'dvcqg')) as t(status, period, source)`,
  procedure_years: `select 2025 as year`,
  par_agency_years: `select 2024 as year`,
  score766_agency_months: `select 2025 as year, 11 as month, true as has_published`,
  // Two national captures: three provinces on 30/6/2025, two after the 1/7/2025 mergers (the national page shows the newest).
  score766_units: `select * from (values
    ('H99', date '2025-11-30', 'demo', 'AGENCY', 'Sở Thử', 'H99.01', 1, 1),
    ('P01', date '2025-06-30', 'real', 'PROVINCE', 'UBND tỉnh Một', 'P01', 1, 1),
    ('P02', date '2025-06-30', 'real', 'PROVINCE', 'UBND tỉnh Hai', 'P02', 2, 2),
    ('P03', date '2025-06-30', 'real', 'PROVINCE', 'UBND tỉnh Ba', 'P03', 3, 3),
    ('P01', date '2026-10-10', 'real', 'PROVINCE', 'UBND tỉnh Một', 'P01', 2, 2),
    ('P02', date '2026-10-10', 'real', 'PROVINCE', 'UBND tỉnh Hai', 'P02', 1, 1)
  ) as t(province_code, as_of, dataset_label, unit_group, unit_short_name, unit_code, group_rank, rank)`,
  agency_years: `select 'H99.01' as agency_code`,
};

let root: string;
let lake: string;

async function project(name: string): Promise<string> {
  const dir = path.join(root, name);
  const cli = path.join(dir, 'node_modules', '@evidence-dev', 'evidence');
  await mkdir(cli, { recursive: true });
  await writeFile(path.join(cli, 'cli.js'), FAKE_CLI);
  await mkdir(path.join(dir, 'sources', 'lake'), { recursive: true });
  await mkdir(path.join(dir, 'components'), { recursive: true });
  await writeFile(path.join(dir, 'evidence.config.yaml'), CONFIG);
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'dash-build-'));
  lake = path.join(root, 'lake');
  const marts = path.join(lake, 'models', 'marts');
  await mkdir(marts, { recursive: true });
  await withDuckDb(async (db) => {
    for (const mart of DASHBOARD_MARTS) {
      await db.run(`copy (${MART_SELECTS[mart] ?? 'select 1 as x'}) to ${literal(path.join(marts, `${mart}.parquet`))} (format parquet)`);
    }
  });
  // The build's facts: the real dashboard_meta model (sql/marts/dashboard_meta.sql) over those marts.
  await materializeMeta(lake, '2025-12-31');
});

/**
 * dashboard_meta written to `<lakeDir>/models/marts/` over the marts of `lake` (MART_SELECTS), the
 * calendar's models from their seeds (the holiday seed emptied with `notices: false`) and a per-year
 * summary of the dossiers whose newest day is `lastKnown` (none: no dossier); its warning facts returned.
 */
async function materializeMeta(lakeDir: string, lastKnown: string | null, notices = true): Promise<Record<string, unknown>> {
  const engine = await DuckDbEngine.create({ lakeRoot: lakeDir, workDir: path.join(lakeDir, 'work') });
  try {
    const marts = path.join(lake, 'models', 'marts');
    for (const mart of Object.keys(MART_SELECTS)) await engine.registerSource(mart, path.join(marts, `${mart}.parquet`), { hivePartitioning: false });
    // The warning's as-of date (the newest day a dossier shows), from the per-year summary of the dossiers.
    const years = path.join(lakeDir, 'int_dossier_receipt_years.parquet');
    await withDuckDb((db) => db.run(`copy (select 2025 as year, cast(${lastKnown === null ? 'null' : `'${lastKnown}'`} as date) as last_known_date
      ${lastKnown === null ? 'where false' : ''}) to ${literal(years)} (format parquet)`));
    await engine.registerSource('int_dossier_receipt_years', years, { hivePartitioning: false });
    const models = loadModels(SQL_DIR);
    const model = (name: string) => models.find((m) => m.name === name)!;
    // The working-day calendar the meta reads (its seeds first), then the meta itself.
    for (const name of ['calendar_months', 'vn_public_holidays']) await engine.materialize(model(name));
    if (!notices) await engine.query('DELETE FROM vn_public_holidays');
    for (const name of ['int_working_days', META_MART]) await engine.materialize(model(name));
    const [row] = await engine.query(`SELECT cast(holidays_known_through AS VARCHAR) AS holidays_known_through, warning_provisional FROM ${META_MART}`);
    return row ?? {};
  } finally {
    await engine.close();
  }
}

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('checkBasePathAgainstPages', () => {
  test('should refuse a base path that begins a page route, naming the page, and accept others', async () => {
    const dir = path.join(root, 'pages-check');
    await mkdir(path.join(dir, 'pages', 'don-vi'), { recursive: true });
    for (const f of ['index.md', 'bao-cao.md', '+layout.svelte']) await writeFile(path.join(dir, 'pages', f), '');
    // Evidence leaves "/bao-cao" as it is under the base path /bao-cao (and under /bao): the menu would open the home page.
    await expect(checkBasePathAgainstPages('/bao-cao', dir)).rejects.toThrow(/base path "\/bao-cao": the page \/bao-cao \(dashboards\/pages\) begins with it/);
    await expect(checkBasePathAgainstPages('/bao', dir)).rejects.toThrow(/the page \/bao-cao/);
    await expect(checkBasePathAgainstPages('/don', dir)).rejects.toThrow(/the page \/don-vi/);
    for (const ok of ['', '/cchc', '/bao-cao-cchc', '/index', '/layout']) await expect(checkBasePathAgainstPages(ok, dir)).resolves.toBeUndefined();
  });
});

describe('buildDashboards given a lake and an Evidence project', () => {
  test('should generate the sources, build under the base path and put the config back as it was', async () => {
    const dir = await project('one');
    const r = await buildDashboards({ lakeDir: lake, dashboardsDir: dir, basePath: '/bao-cao/', warningWorkingDays: 3 });
    expect(r).toMatchObject({ outDir: path.join(dir, 'build'), basePath: '/bao-cao', pages: 2 });
    expect(r.meta).toMatchObject({ synthetic: true, provinceCode: 'H99', dataLastDate: '2025-12-31', lastLandedOn: '2025-12-30', defaults: { year: 2025, period766: 202511 } });
    // The seed's newest notice is 2026's: the warning's window after 31/12/2025 is within it.
    expect(r.meta).toMatchObject({ holidaysKnownThrough: '2026-12-31', warningProvisional: false });
    expect(r.meta.rejectedWaiting).toEqual({ province: { files: 2, periods: ['Năm 2024', 'Tháng 11/2025'] }, real: { files: 1, periods: ['Tháng 10/2026'] } });
    // The national page's count: the provinces of the newest capture, not every province ever captured.
    expect(r.meta.real).toMatchObject({ provinces: 2, nationalAsOf: '2026-10-10' });
    // The page's meta table: both dates, typed (the warning's as-of date shows when no dossier is listed).
    const [meta] = await withDuckDb((db) =>
      db.all(`select cast(holidays_known_through as varchar) as d, typeof(holidays_known_through) as t, cast(warning_as_of as varchar) as w, typeof(warning_as_of) as wt,
        cast(data_last_date as varchar) as l, typeof(data_last_date) as lt, cast(last_landed_on as varchar) as n, typeof(last_landed_on) as nt
        from read_parquet(${literal(path.join(dir, '.lake', 'marts', 'meta.parquet'))})`),
    );
    expect(meta).toEqual({ d: '2026-12-31', t: 'DATE', w: '2025-12-31', wt: 'DATE', l: '2025-12-31', lt: 'DATE', n: '2025-12-30', nt: 'DATE' });
    expect((await readFile(path.join(dir, 'steps.log'), 'utf8')).trim().split('\n')).toEqual([
      'begin sources "/bao-cao"', 'end sources "/bao-cao"', 'begin build:strict "/bao-cao"', 'end build:strict "/bao-cao"',
    ]);
    expect(await readFile(path.join(dir, 'evidence.config.yaml'), 'utf8')).toBe(CONFIG);
    const sql = await readFile(path.join(dir, 'sources', 'lake', 'data_quality.sql'), 'utf8');
    expect(sql.split('\n')[0]).toBe('-- generated by functions/dashboards/build.ts, do not edit');
    expect(sql).toContain('"dataset"'); // the text column goes through the formula neutraliser
    expect(existsSync(dashboardsLockFile(dir))).toBe(false);
  });

  test('should run two builds of one project one after the other, each with its own base path', async () => {
    const dir = await project('two');
    const [a, b] = await Promise.all([
      buildDashboards({ lakeDir: lake, dashboardsDir: dir, basePath: '/a', warningWorkingDays: 3, outDir: path.join(root, 'site-a') }),
      buildDashboards({ lakeDir: lake, dashboardsDir: dir, basePath: '/b', warningWorkingDays: 3, outDir: path.join(root, 'site-b') }),
    ]);
    const steps = (await readFile(path.join(dir, 'steps.log'), 'utf8')).trim().split('\n');
    expect(steps).toHaveLength(8);
    // No interleaving: each build's four steps are contiguous, with its own base path throughout.
    const first = steps[0]!.split(' ')[2]!;
    const second = first === '"/a"' ? '"/b"' : '"/a"';
    const expected = (base: string): string[] => [`begin sources ${base}`, `end sources ${base}`, `begin build:strict ${base}`, `end build:strict ${base}`];
    expect(steps).toEqual([...expected(first), ...expected(second)]);
    expect(await readFile(path.join(a.outDir, 'index.html'), 'utf8')).toBe('<html>"/a"</html>');
    expect(await readFile(path.join(b.outDir, 'index.html'), 'utf8')).toBe('<html>"/b"</html>');
    expect(await readFile(path.join(dir, 'evidence.config.yaml'), 'utf8')).toBe(CONFIG);
    expect(await readdir(path.dirname(dashboardsLockFile(dir)))).toEqual([]);
  });
});

describe('dashboard_meta.warning_provisional', () => {
  test('should say whether the month after the as-of date passes the last day of the holiday notices', async () => {
    const at = async (lastKnown: string | null, notices = true) =>
      (await materializeMeta(await mkdtemp(path.join(root, 'meta-')), lastKnown, notices)).warning_provisional;
    expect(await at('2026-11-30')).toBe(false);
    expect(await at('2026-12-01')).toBe(true);
    expect(await at('2027-03-02')).toBe(true);
    // Past the calendar (2035): nothing is known there either.
    expect(await at('2035-12-15')).toBe(true);
    // No data: nothing is counted. No notice at all: nothing is known.
    expect(await at(null)).toBe(false);
    expect(await at('2025-06-01', false)).toBe(true);
  });
});

describe('prepareDashboardSources given a lake with an empty mart (no dossier due soon)', () => {
  test('should serve it as one typed placeholder row, flagged, and list it in the meta', async () => {
    const dir = await project('empty');
    const emptyLake = path.join(root, 'lake-empty');
    await cp(lake, emptyLake, { recursive: true });
    const mart = path.join(emptyLake, 'models', 'marts', 'warning_dossiers_due.parquet');
    // Every column type a mart carries; 0 rows (Evidence would write no Parquet, parquet-wasm panics on one).
    await withDuckDb((db) => db.run(`copy (select 'HS-1' as dossier_id, 'H99.01' as agency_code, date '2025-01-02' as due_date,
        timestamp '2025-01-02 08:00:00' as received_at, 2::INTEGER as working_days_left, 3::BIGINT as n, 0.5::DOUBLE as rate,
        1.25::DECIMAL(9, 2) as amount, true as is_overdue, ['a'] as tags where false) to ${literal(mart)} (format parquet)`));
    const meta = await prepareDashboardSources({ lakeDir: emptyLake, dashboardsDir: dir, warningWorkingDays: 3 });
    expect(meta.emptyTables).toEqual(['warning_dossiers_due']);
    expect(JSON.parse(await readFile(path.join(dir, 'components', 'data-meta.json'), 'utf8')).emptyTables).toEqual(['warning_dossiers_due']);
    // The generated source, run where Evidence runs it: one row, no NULL where a type can be read
    // from the value, the mart's own types, and the flag.
    const sql = await readFile(path.join(dir, 'sources', 'lake', 'warning_dossiers_due.sql'), 'utf8');
    const { rows, types } = await withDuckDb(async (db) => {
      await db.run(`set file_search_path = ${literal(dir)}`);
      return { rows: await db.all(sql), types: await db.all(`describe ${sql.split('\n').filter((l) => !l.startsWith('--')).join('\n')}`) };
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dossier_id: '', agency_code: '', working_days_left: 0, rate: 0, is_overdue: false, [PLACEHOLDER_COLUMN]: true });
    expect(String(rows[0]?.due_date)).toContain('1970-01-01');
    expect(Object.entries(rows[0] ?? {}).filter(([, v]) => v === null).map(([k]) => k)).toEqual(['tags']);
    expect(types.map((t) => `${String(t.column_name)} ${String(t.column_type)}`)).toEqual([
      'dossier_id VARCHAR', 'agency_code VARCHAR', 'due_date DATE', 'received_at TIMESTAMP', 'working_days_left INTEGER', 'n BIGINT',
      'rate DOUBLE', 'amount DECIMAL(9,2)', 'is_overdue BOOLEAN', 'tags VARCHAR[]', `${PLACEHOLDER_COLUMN} BOOLEAN`,
    ]);
    // Marts with rows are served as they are, without the flag.
    const other = await readFile(path.join(dir, 'sources', 'lake', 'agency_years.sql'), 'utf8');
    expect(other).not.toContain(PLACEHOLDER_COLUMN);
  });
});

describe('cli build-dashboards given a local lake', () => {
  test('should build the site through the same function npm start calls', async () => {
    const dir = await project('cli');
    const out = path.join(root, 'site-cli');
    const { stderr } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'functions/cli/main.ts'), 'build-dashboards', '--lake', lake, '--project', dir, '--out', out, '--base-path', '/cchc'],
      { cwd: REPO, env: { ...process.env, PIPELINE_WARNING_WORKING_DAYS: '5' } },
    );
    expect(stderr).toMatch(new RegExp(`^Built 2 pages in \\d+ s into ${out.replaceAll('.', '\\.')}\\n$`));
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe('<html>"/cchc"</html>');
    // The config's early-warning horizon reaches the pages' meta table.
    expect(JSON.parse(await readFile(path.join(dir, 'components', 'data-meta.json'), 'utf8'))).toMatchObject({ warningWorkingDays: 5 });
  });

  test('should refuse an S3 lake: the site builds from a local export (cli export-marts)', async () => {
    const err = await run(process.execPath, ['--import', 'tsx', path.join(REPO, 'functions/cli/main.ts'), 'build-dashboards', '--lake', 's3://bucket/x'], { cwd: REPO }).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain('Failed to open lake s3://bucket/x: the CLI runs embedded on a directory');
  });
});
