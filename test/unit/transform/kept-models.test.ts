/**
 * Which `table` models an incremental run keeps (functions/core/transform/incremental.ts, keptModels;
 * docs/architecture.md "Incremental models"), on the real sql/ model graph: a model is kept only when
 * no source it reads, directly or through other models, got a new file.
 */
import { cp, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { SQL_DIR } from '../../../functions/core/lake/landing-sql.js';
import { keptModels, loadModels, modelsFingerprint, type TransformPlan } from '../../../functions/core/transform/index.js';
import { withPlannerInputs } from '../../../functions/core/transform/incremental.js';

const models = loadModels(SQL_DIR);
const plan = (changedDatasets: string[], mode: TransformPlan['mode'] = 'incremental'): TransformPlan => ({ mode, reason: '', logged: [], newFiles: [], changedDatasets });
const tables = models.filter((m) => (m.materialized ?? 'table') === 'table').map((m) => m.name);

describe('keptModels', () => {
  test('should keep the registry-only tables in a month of dossiers, and no table that reads the dossiers', () => {
    const kept = keptModels(plan(['dossiers']), models);
    expect([...kept]).toEqual(expect.arrayContaining(['calendar_months', 'stg_lake__agencies', 'stg_lake__procedures', 'int_agencies_chained', 'agencies', 'int_periods_enumerated']));
    for (const name of ['stg_lake__dossiers', 'stg_lake__landing_log', 'stg_lake__quarantine', 'int_periods_reported', 'agency_months', 'data_quality', 'procedure_catalogue']) expect(kept.has(name), name).toBe(false);
    // Never an incremental model or a view.
    for (const name of kept) expect(tables).toContain(name);
  });

  test('should rebuild every model that reads the registry when the registry got a file, and keep those that do not', () => {
    const kept = keptModels(plan(['agencies']), models);
    for (const name of ['stg_lake__agencies', 'int_agencies_chained', 'agencies', 'agency_months', 'stg_lake__landing_log', 'data_quality']) expect(kept.has(name), name).toBe(false);
    expect(kept.has('stg_lake__procedures')).toBe(true);
    expect(kept.has('calendar_months')).toBe(true);
  });

  test('should keep every table when nothing landed but those that read the rejected files, and none in a full run', () => {
    // The files waiting for an operator change with no file landing (a land that only rejects, a discard).
    const readingRejected = ['stg_lake__rejected_files', 'rejected_files'];
    expect([...keptModels(plan([]), models)].sort()).toEqual(tables.filter((t) => !readingRejected.includes(t)).sort());
    for (const name of readingRejected) expect(tables).toContain(name);
    expect(keptModels(plan([], 'full'), models).size).toBe(0);
  });

  test('should change the fingerprint (a full run) when a YAML test of a model changes', () => {
    const changed = models.map((m) => (m.name === 'agencies' ? { ...m, tests: m.tests.slice(1) } : m));
    expect(models.find((m) => m.name === 'agencies')!.tests.length).toBeGreaterThan(0);
    expect(modelsFingerprint(changed)).not.toBe(modelsFingerprint(models));
  });

  test('should change the fingerprint (a full run) when a DuckDB shim changes', async () => {
    // A shim changes what a model computes (count_if's type) without changing the model's text.
    const dir = await mkdtemp(path.join(tmpdir(), 'shims-'));
    const previous = process.env.PIPELINE_SQL_DIR;
    try {
      await cp(SQL_DIR, dir, { recursive: true });
      const shims = path.join(dir, '_shims', 'duckdb.sql');
      vi.resetModules();
      process.env.PIPELINE_SQL_DIR = dir;
      const same = await import('../../../functions/core/transform/index.js');
      expect(same.modelsFingerprint(models)).toBe(modelsFingerprint(models));
      await writeFile(shims, (await readFile(shims, 'utf8')).replace('count(*) FILTER (WHERE x)', 'sum(CASE WHEN x THEN 1 ELSE 0 END)'));
      vi.resetModules();
      const changed = await import('../../../functions/core/transform/index.js');
      expect(changed.modelsFingerprint(models)).not.toBe(modelsFingerprint(models));
    } finally {
      if (previous === undefined) delete process.env.PIPELINE_SQL_DIR;
      else process.env.PIPELINE_SQL_DIR = previous;
      vi.resetModules();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('withPlannerInputs', () => {
  test("should make every incremental model wait for the models the partition planner's queries read (the calendar seed), and change no other", () => {
    const scheduled = withPlannerInputs(models);
    const incremental = scheduled.filter((m) => m.materialized === 'incremental');
    expect(incremental.length).toBeGreaterThan(3);
    // stg_lake__dossier_files reads no calendar itself: its partitions are planned from it.
    expect(models.find((m) => m.name === 'stg_lake__dossier_files')!.dependsOn).not.toContain('calendar_months');
    for (const m of incremental) expect(m.dependsOn, m.name).toContain('calendar_months');
    for (const [k, m] of scheduled.entries()) if (m.materialized !== 'incremental') expect(m).toBe(models[k]);
    expect(scheduled.map((m) => m.name)).toEqual(models.map((m) => m.name));
  });
});
