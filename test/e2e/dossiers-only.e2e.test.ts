/**
 * A province that drops only its registry and dossier exports (no 766 answers, no PAR decision
 * tables, no Biểu 06 workbooks): runAll goes to the end — land, transform, a snapshot, verify — and
 * the summary names the missing sources as warnings. The marts over them exist, empty, so pages can
 * query them. An empty mart over a source that has rows still fails the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { printSummary } from '../../functions/cli/summary.js';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { runAll, type RunSummary } from '../../functions/core/pipeline.js';
import { assertTestsPass, checkMissingSources, loadModels, registerLakeSources, runModels, runModelTests } from '../../functions/core/transform/index.js';
import { SQL_DIR } from '../../functions/core/lake/landing-sql.js';
import { describeMissingSources } from '../../functions/core/transform/missing.js';
import { agencyRangeOfLake } from '../../functions/core/transform/range.js';
import { generateDemo } from '../../functions/generator/index.js';
import { demoContext } from '../helpers/demo-lake.js';

let root: string;
let lakeDir: string;
let summary: RunSummary;
const logs: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'dossiers-only-'));
  const dataDir = path.join(root, 'data');
  lakeDir = path.join(root, 'lake');
  await generateDemo({ outDir: dataDir, dossiers: 3000, seed: 13 });
  const ctx = { ...demoContext(lakeDir, path.join(root, 'work')), log: (m: string) => void logs.push(m) };
  // The drop as such a province has it: registry/ and the dossier exports (portal/dossiers/, nsw/, exports/) only.
  summary = await runAll(ctx, { drop: { dir: dataDir, include: ['registry-agencies', 'registry-procedures', 'portal-csv', 'nsw-csv', 'dossier-export'] }, snapshots: ['2025-06'] });
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('runAll on a drop with registry and dossiers only', () => {
  test('should land, transform, snapshot and verify', () => {
    expect(summary.staged.byKind['score766-legacy']).toBeUndefined();
    expect(summary.staged.byKind['par-xlsx']).toBeUndefined();
    expect(summary.landed.rowsLanded).toBeGreaterThan(3000);
    expect(summary.verified.dossiers).toBeGreaterThan(2900);
    expect(summary.snapshots).toEqual([{ period: '2025-06', published: true, files: expect.any(Number) }]);
  });

  test('should report each missing source as a warning with the marts left empty', () => {
    const missing = Object.fromEntries(summary.transformed.missingSources.map((m) => [m.dataset, m.emptyMarts]));
    expect(Object.keys(missing).sort()).toEqual(['bieu06', 'par_fields', 'par_totals', 'score766', 'score766_metrics']);
    expect(missing.par_totals).toEqual(['par_agency_years']);
    expect(missing.par_fields).toEqual(['par_field_scores']);
    expect(missing.score766).toEqual(expect.arrayContaining(['score766_units']));
    expect(summary.transformed.testsWarned).toBeGreaterThanOrEqual(3); // the three marts' not_empty, and the staging ones
    expect(describeMissingSources(summary.transformed.missingSources)).toContain('PAR Index decision tables (par/): nothing landed; empty marts: par_agency_years, par_field_scores');
    expect(logs.some((l) => l.startsWith('Missing source: 766 scores'))).toBe(true);
    // Each warned test is logged by name, with its failing rows (by the run's transform, and again by the snapshot's).
    const warned = logs.filter((l) => l.startsWith('Test warning: '));
    expect(warned.length).toBeGreaterThanOrEqual(summary.transformed.testsWarned);
    expect(warned).toContainEqual(expect.stringMatching(/^Test warning: par_agency_years: not_empty → \d+ row\(s\)/));
  });

  test('should print the missing sources on the one-screen summary', () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      printSummary(summary);
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    expect(text).toContain('Missing sources (warning: the run went on; their pages show no data)');
    expect(text).toContain('Biểu 06 workbooks (bieu06/): nothing landed');
    expect(text).toContain('PAR Index decision tables (par/): nothing landed; empty marts: par_agency_years, par_field_scores');
  });

  test('should leave the marts over missing sources present and empty, and the dossier marts full', async () => {
    const engine = await DuckDbEngine.create({ lakeRoot: lakeDir, workDir: path.join(root, 'work') });
    try {
      const count = async (mart: string): Promise<number> =>
        Number((await engine.query(`SELECT count(*) AS n FROM read_parquet('${lakeDir}/models/marts/${mart}.parquet')`))[0]!.n);
      expect(await count('par_agency_years')).toBe(0);
      expect(await count('score766_units')).toBe(0);
      expect(await count('agency_periods')).toBeGreaterThan(100);
      expect(await count('procedure_catalogue')).toBeGreaterThan(100);
    } finally {
      await engine.close();
    }
  });

  test('should report any date range from the lake, a calendar year equal to agency_years', async () => {
    const engine = await DuckDbEngine.create({ lakeRoot: lakeDir, workDir: path.join(root, 'work') });
    try {
      const range = await agencyRangeOfLake(engine, lakeDir, SQL_DIR, { from: '2024-01-01', to: '2024-12-31' });
      const year = await engine.query(
        `SELECT agency_code, received_total, resolved_total, pending_overdue FROM read_parquet('${lakeDir}/models/marts/agency_years.parquet') WHERE year = 2024 ORDER BY agency_code`,
      );
      expect(range.map((r) => [r.agency_code, r.received_total, r.resolved_total, r.pending_overdue])).toEqual(
        year.map((r) => [r.agency_code, Number(r.received_total), Number(r.resolved_total), Number(r.pending_overdue)]),
      );
      expect(range.length).toBeGreaterThan(15);
    } finally {
      await engine.close();
    }
    // The CLI command prints the same rows for one agency and a dd/mm/yyyy range.
    const cli = spawnSync(path.resolve('node_modules/.bin/tsx'), ['functions/cli/main.ts', '--lake', lakeDir, 'range', '--from', '1/1/2024', '--to', '31/12/2024', '--agency', 'H99.16'], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    const lines = cli.stdout.trim().split('\n');
    expect(lines[0]).toBe('Biểu 06, 1/1/2024–31/12/2024');
    expect(lines).toHaveLength(3);
    expect(lines[2]!.split('\t')[0]).toBe('H99.16');
  });

  test('should still fail when a mart is empty although its sources have rows', async () => {
    const engine = await DuckDbEngine.create({ lakeRoot: lakeDir, workDir: path.join(root, 'work'), writeParquet: false });
    try {
      await registerLakeSources(engine, lakeDir);
      const models = loadModels(SQL_DIR);
      const built = await runModels(engine, models);
      await engine.query(`DELETE FROM agency_periods`);
      const { results, missing } = checkMissingSources(models, built, await runModelTests(engine, models));
      expect(missing.map((m) => m.dataset)).not.toContain('dossiers');
      expect(() => assertTestsPass(results)).toThrow(/agency_periods: not_empty/);
    } finally {
      await engine.close();
    }
  });
});
