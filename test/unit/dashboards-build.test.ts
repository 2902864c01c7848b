/**
 * The dashboards build (functions/dashboards/build.ts) around Evidence, with a stand-in for
 * Evidence's CLI so it runs in seconds: the generated sources, the base path written for the build
 * and restored after it, one build at a time per project (the lake lock of
 * functions/core/lake/lock.ts taken on the project directory), and `cli build-dashboards` wired to
 * the same function. Evidence itself is built by test/e2e/dashboards.e2e.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
import { buildDashboards, DASHBOARD_MARTS, dashboardsLockFile, META_MART } from '../../functions/dashboards/build.js';
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
  procedure_years: `select 2025 as year`,
  par_agency_years: `select 2024 as year`,
  score766_agency_months: `select 2025 as year, 11 as month, true as has_published`,
  score766_units: `select 'H99' as province_code, date '2025-11-30' as as_of, 'demo' as dataset_label, 'AGENCY' as unit_group,
    'Sở Thử' as unit_short_name, 'H99.01' as unit_code, 1 as group_rank, 1 as rank`,
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
  const engine = await DuckDbEngine.create({ lakeRoot: lake, workDir: path.join(root, 'work') });
  try {
    for (const mart of Object.keys(MART_SELECTS)) await engine.registerSource(mart, path.join(marts, `${mart}.parquet`), { hivePartitioning: false });
    await engine.materialize(loadModels(SQL_DIR).find((m) => m.name === META_MART)!);
  } finally {
    await engine.close();
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('buildDashboards given a lake and an Evidence project', () => {
  test('should generate the sources, build under the base path and put the config back as it was', async () => {
    const dir = await project('one');
    const r = await buildDashboards({ lakeDir: lake, dashboardsDir: dir, basePath: '/bao-cao/', warningWorkingDays: 3 });
    expect(r).toMatchObject({ outDir: path.join(dir, 'build'), basePath: '/bao-cao', pages: 2 });
    expect(r.meta).toMatchObject({ synthetic: true, provinceCode: 'H99', dataAsOf: '2025-12-31', defaults: { year: 2025, period766: 202511 } });
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
