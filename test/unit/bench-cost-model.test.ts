/**
 * bench/cost-model.ts turns a measured lake into the Athena bytes of docs/deploy.md's national cost
 * model: a monthly run must prune only what the engine prunes (an incremental model's inputs partitioned
 * on the report year, to the touched year, and int_dossiers_classified, joined on its year of receipt, too;
 * int_dossiers_carried_over, the open dossiers of every year of receipt, is read whole), skip the `table` models none of whose inputs changed (keptModels), check only the touched
 * year with the tests the product scopes to partitions, rebuild every other table model whole, and bill
 * each query at least 10 MB.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { costModel, testColumns, PRICES, MONTHLY_CHANGES, PLAN_COLUMN_SHARES, PLAN_QUERIES, DEPLOY_DOC, renderDocBlocks, type StatementCost } from '../../bench/cost-model.js';
import type { LakeStats, TableStats } from '../../bench/lib/lake-stats.js';
import { loadModels } from '../../functions/core/transform/models.js';
import { scopesToPartitions } from '../../functions/core/transform/tests.js';

const MiB = 2 ** 20;
/** Year partitions 2019…2025 of `perYear` MiB each, except 2025 of `last` MiB (uneven: the share is not 1/7); or one file. */
const table = (perYear: number, partitioned: boolean, last = perYear): TableStats => {
  const years: TableStats['years'] = {};
  for (let y = 2019; y <= 2025; y++) years[String(y)] = { files: 1, bytes: (y === 2025 ? last : perYear) * MiB };
  const bytes = Object.values(years).reduce((s, v) => s + v.bytes, 0);
  return partitioned ? { files: 7, bytes, years } : { files: 1, bytes, years: { all: { files: 1, bytes } } };
};

describe('the national cost model', () => {
  const models = loadModels(path.resolve('sql'));
  // landed/dossiers: 2025 is 40 of 100 MiB; every partitioned model: 2025 is 20 of 80 MiB (a share of 1/4).
  const tables: LakeStats['tables'] = { 'landed/dossiers': table(10, true, 40) };
  for (const m of models) tables[`models/${m.layer}/${m.name}`] = m.partitionBy?.length ? table(10, true, 20) : table(200 / 7, false);
  const stats: LakeStats = { files: 0, bytes: 0, tables };
  const { full, monthly, touchedYear, kept, modelFilesWritten } = costModel(stats);
  const find = (xs: typeof full, name: string, kind: StatementCost['kind'] = 'ctas') => xs.find((x) => x.model === name && x.kind === kind);
  const ctas = (xs: typeof full, name: string): number => find(xs, name)!.scannedBytes;

  test('should read only the touched year of an incremental model\'s report-year inputs and of the dossiers, and the carried-over dossiers whole', () => {
    expect(touchedYear).toBe('2025');
    // int_agency_periods_counted (incremental) reads int_dossiers_attributed (incremental by report year, 80 MiB, 2025: 20).
    const counted = models.find((m) => m.name === 'int_agency_periods_counted')!;
    expect(counted.dependsOn).toContain('int_dossiers_attributed');
    expect(ctas(full, 'int_agency_periods_counted') - ctas(monthly, 'int_agency_periods_counted')).toBeCloseTo(60 * MiB, 0);
    // int_dossiers_attributed (report year) reads int_dossiers_classified (year of receipt) joined on the year: the
    // touched year only (20 of 80 MiB); and int_dossiers_carried_over (year of receipt: the dossiers open at the end of
    // every earlier year) whole, 80 MiB in both runs.
    const attributed = models.find((m) => m.name === 'int_dossiers_attributed')!;
    expect(attributed.dependsOn).toEqual(expect.arrayContaining(['int_dossiers_classified', 'int_dossiers_carried_over']));
    expect(models.find((m) => m.name === 'int_dossiers_classified')!.materialized).toBe('incremental');
    expect(models.find((m) => m.name === 'int_dossiers_carried_over')!.materialized).toBe('incremental');
    expect(ctas(full, 'int_dossiers_attributed') - ctas(monthly, 'int_dossiers_attributed')).toBeCloseTo(60 * MiB, 0);
    expect(ctas(monthly, 'int_dossiers_attributed')).toBeGreaterThanOrEqual((80 + 20) * MiB);
    // A table model rebuilt in the month reads all its inputs: the same bytes in both runs.
    expect(ctas(monthly, 'int_periods_reported')).toBe(ctas(full, 'int_periods_reported'));
    expect(ctas(monthly, 'int_periods_reported')).toBeGreaterThan(0);
  });

  test('should give a kept table model no statement and no test in the monthly run, and write nothing of it', () => {
    // A month of dossiers keeps the registry, catalogue, 766 and PAR tables (keptModels); dossier readers are rebuilt.
    expect(kept).toContain('stg_lake__agencies');
    expect(kept).toContain('stg_lake__score766');
    expect(kept).not.toContain('stg_lake__dossiers');
    expect(kept).not.toContain('data_quality');
    expect(kept.length).toBe(18);
    for (const name of kept) {
      expect(full.some((x) => x.model === name)).toBe(true);
      expect(monthly.some((x) => x.model === name)).toBe(false);
    }
    expect(find(monthly, 'stg_lake__dossiers')).toBeDefined();
    const testsOf = (names: string[]): number => models.filter((m) => names.includes(m.name)).reduce((s, m) => s + m.tests.length, 0);
    const queries = (xs: typeof full, kind: string): number => xs.filter((x) => x.kind === kind).reduce((s, x) => s + x.queries, 0);
    expect(queries(full, 'tests')).toBe(testsOf(models.map((m) => m.name)));
    expect(queries(monthly, 'tests')).toBe(queries(full, 'tests') - testsOf(kept));
    expect(queries(monthly, 'ctas')).toBe(models.length - kept.length);
    // With a 766 answer (score766 and score766_metrics files) the 766 staging and marts are rebuilt, not kept.
    const with766 = costModel(stats, undefined, undefined, MONTHLY_CHANGES['dossiers + 766 answer']);
    expect(with766.kept).not.toContain('stg_lake__score766');
    expect(with766.kept).toContain('stg_lake__agencies');
    expect(find(with766.monthly, 'stg_lake__score766')).toBeDefined();
    expect(with766.modelFilesWritten.monthly).toBeGreaterThan(modelFilesWritten.monthly);
    // Files written: every table model once in the full run (one file each here) and partitioned ones 7 times.
    const partitioned = models.filter((m) => m.partitionBy?.length).length;
    expect(modelFilesWritten.full).toBe(models.length + 6 * partitioned);
    expect(modelFilesWritten.monthly).toBe(models.length - kept.length);
  });

  test('should bill a scoped test of an incremental model the touched year\'s share, and a cross-partition test the whole model', () => {
    // int_dossiers_attributed: 80 MiB, 2025 holds 20 (1/4). Every test reads every column here (no column sizes).
    const attributed = models.find((m) => m.name === 'int_dossiers_attributed')!;
    const classified = models.find((m) => m.name === 'int_dossiers_classified')!;
    const scopedKinds = ['not_null', 'accepted_values', 'expression_is_true', 'relationships'];
    const scoped = (m: typeof attributed): number =>
      m.tests.filter((t) => scopedKinds.includes(t.kind) || (t.kind === 'unique' && t.column === 'year') || (t.kind === 'unique_combination_of_columns' && t.columns.includes('year'))).length;
    expect(scoped(attributed)).toBeGreaterThan(0);
    expect(find(full, attributed.name, 'tests')!.scannedBytes).toBe(attributed.tests.length * 80 * MiB);
    expect(find(monthly, attributed.name, 'tests')!.scannedBytes).toBeCloseTo(scoped(attributed) * 20 * MiB + (attributed.tests.length - scoped(attributed)) * 80 * MiB, 0);
    // int_dossiers_classified's unique dossier_id is a property across partitions: read whole.
    expect(classified.tests.some((t) => t.kind === 'unique' && t.column === 'dossier_id')).toBe(true);
    expect(scoped(classified)).toBeLessThan(classified.tests.length);
    expect(find(monthly, classified.name, 'tests')!.scannedBytes).toBeCloseTo(scoped(classified) * 20 * MiB + (classified.tests.length - scoped(classified)) * 80 * MiB, 0);
    // A table's tests read it whole in the monthly run.
    expect(find(monthly, 'warning_dossiers_due', 'tests')!.scannedBytes).toBe(find(full, 'warning_dossiers_due', 'tests')!.scannedBytes);
    // stg_lake__dossier_files is incremental by year of receipt: its CTAS reads the touched year of landed/dossiers.
    expect(find(monthly, 'stg_lake__dossier_files', 'ctas')!.scannedBytes).toBeLessThan(find(full, 'stg_lake__dossier_files', 'ctas')!.scannedBytes / 2);
    // stg_lake__dossiers is incremental by year of receipt: its scoped tests read the touched year only.
    expect(find(monthly, 'stg_lake__dossiers', 'tests')!.scannedBytes).toBeLessThan(find(full, 'stg_lake__dossiers', 'tests')!.scannedBytes / 2);
  });

  test('should apportion a partitioned model measured as one file by the year shares of landed/dossiers', () => {
    const one: LakeStats['tables'] = { ...tables, 'models/intermediate/int_dossiers_classified': table(100 / 7, false) };
    const r = costModel({ files: 0, bytes: 0, tables: one });
    expect(r.apportioned).toEqual(['int_dossiers_classified']);
    expect(r.sizes.int_dossiers_classified).toBeCloseTo(100 * MiB, 0);
    expect(r.files.int_dossiers_classified).toBe(7);
    // A scoped test of it reads 2025's share of landed/dossiers: 40 %.
    const classified = models.find((m) => m.name === 'int_dossiers_classified')!;
    const unscoped = classified.tests.filter((t) => t.kind === 'unique' || t.kind === 'not_empty' || t.kind === 'columns_match' || t.kind === 'unique_combination_of_columns').length;
    expect(find(r.monthly, classified.name, 'tests')!.scannedBytes).toBeCloseTo((classified.tests.length - unscoped) * 40 * MiB + unscoped * 100 * MiB, 0);
    expect(costModel(stats).apportioned).toEqual([]);
  });

  test('should bill every query at least 10 MB, tests by the columns they name when those are measured', () => {
    for (const x of [...full, ...monthly]) expect(x.billedBytes).toBeGreaterThanOrEqual(x.queries * PRICES.athenaMinBytes - 1e-6);
    const cols = { a: 1, b: 2, ab: 4 };
    expect(testColumns({ kind: 'expression_is_true', expression: 'a >= b', severity: 'error' }, Object.keys(cols))).toEqual(['a', 'b']);
    expect(testColumns({ kind: 'not_empty', severity: 'error' }, Object.keys(cols))).toEqual([]);
    const stg = models.find((m) => m.name === 'stg_lake__dossiers')!;
    const columns = { stg_lake__dossiers: Object.fromEntries(['dossier_id', 'received_at', 'agency_code', 'status'].map((c) => [c, MiB])) };
    const withCols = costModel(stats, undefined, columns).full.find((x) => x.model === stg.name && x.kind === 'tests')!;
    const allCols = full.find((x) => x.model === stg.name && x.kind === 'tests')!;
    expect(withCols.scannedBytes).toBeLessThan(allCols.scannedBytes);
    expect(withCols.scannedBytes).toBeLessThanOrEqual(stg.tests.length * 4 * MiB);
  });

  test('should bill the plan: the landing log and the report periods in every run, the two partition queries in a monthly one', () => {
    const plan = (xs: typeof full): string[] => xs.filter((x) => x.kind === 'plan').map((x) => x.model);
    expect(plan(full)).toEqual([PLAN_QUERIES.landingLog, PLAN_QUERIES.periods]);
    expect(plan(monthly)).toEqual([PLAN_QUERIES.landingLog, PLAN_QUERIES.periods, PLAN_QUERIES.newFilePartitions, PLAN_QUERIES.touchedPartitions, PLAN_QUERIES.periods]);
    // landed/dossiers: 100 MiB, 2025 holds 40 (the touched year's share, 0.4); no column sizes: the 1 M shares.
    const shares = PLAN_COLUMN_SHARES;
    const calendar = 200; // every unpartitioned model here is one file of 200 MiB, the calendar seed included
    expect(find(monthly, PLAN_QUERIES.newFilePartitions, 'plan')!.scannedBytes).toBeCloseTo(100 * MiB * shares.raw_hash, 0);
    expect(find(monthly, PLAN_QUERIES.touchedPartitions, 'plan')!.scannedBytes).toBeCloseTo(
      100 * MiB * (0.4 * (shares.dossier_id + shares.raw_hash + shares.received_at + shares.finished_at) + shares.dossier_id) + calendar * MiB,
      0,
    );
    // new_file_partitions reads a fraction of a MiB: billed the 10 MB minimum.
    expect(find(monthly, PLAN_QUERIES.newFilePartitions, 'plan')!.billedBytes).toBe(PRICES.athenaMinBytes);
    // Measured column sizes of stg_lake__dossiers (the landed columns) replace the 1 M shares.
    const columns = { stg_lake__dossiers: { raw_hash: 1, dossier_id: 1, received_at: 1, finished_at: 1, raw_row: 6 } };
    expect(find(costModel(stats, undefined, columns).monthly, PLAN_QUERIES.newFilePartitions, 'plan')!.scannedBytes).toBeCloseTo(10 * MiB, 0);
    // The columns billed are those the queries read.
    const sql = (name: string): string => readFileSync(path.resolve('sql', 'incremental', `${name}.sql`), 'utf8');
    expect(sql(PLAN_QUERIES.newFilePartitions)).toMatch(/\braw_hash\b/);
    for (const c of Object.keys(shares)) expect(sql(PLAN_QUERIES.touchedPartitions)).toMatch(new RegExp(`\\b${c}\\b`));
  });
});

describe('docs/deploy.md', () => {
  test('should hold the cost model as the tool computes it now', async () => {
    const doc = readFileSync(DEPLOY_DOC, 'utf8');
    const blocks = doc.match(/<!-- cost-model: /g) ?? [];
    expect(blocks.length).toBe(3);
    // Stale blocks: run `npx tsx bench/cost-model.ts --write-doc`.
    expect(await renderDocBlocks(doc)).toBe(doc);
    // A figure edited by hand is put back.
    const edited = doc.replace(/\| full rebuild \| (\d+) \|/, (_, n: string) => `| full rebuild | ${Number(n) - 1} |`);
    expect(edited).not.toBe(doc);
    expect(await renderDocBlocks(edited)).toBe(doc);
  });

  test('should count the tests of incremental models that a run scopes to its partitions as the loader gives them', () => {
    const doc = readFileSync(DEPLOY_DOC, 'utf8');
    const incremental = loadModels(path.resolve('sql')).filter((m) => m.materialized === 'incremental');
    const tests = incremental.flatMap((m) => m.tests.map((t) => scopesToPartitions(t, m.partitionBy![0]!)));
    expect(tests.length).toBeGreaterThan(50);
    expect(doc).toContain(`columns hold the partition column; ${tests.filter(Boolean).length} of the ${tests.length} tests of incremental models)`);
  });

  test("should count the demo province's billed queries as the recorded Athena runs hold them", () => {
    const doc = readFileSync(DEPLOY_DOC, 'utf8');
    // Every statement a recorded run issued, by its first words: views and DROPs are DDL (free), the rest billed.
    const recorded = (name: string): { total: number; free: number } => {
      const text = readFileSync(path.resolve('test', 'fixtures', 'athena', `${name}-statements.sql`), 'utf8');
      const firsts = text.split(/^-- \[\d+\].*\n/m).slice(1).map((st) => st.trimStart());
      return { total: firsts.length, free: firsts.filter((st) => /^(CREATE OR REPLACE VIEW|DROP TABLE|DROP VIEW)\b/.test(st)).length };
    };
    // As the doc states the prices: $5 per TB, a 10 MB minimum per query (decimal units).
    const bytes = (queries: number): number => queries * 10e6;
    const gb = (queries: number): string => (bytes(queries) / 1e9).toFixed(2);
    const dollars = (queries: number, digits = 3): string => ((bytes(queries) / 1e12) * 5).toFixed(digits);
    const t = recorded('transform');
    const billed = t.total - t.free;
    expect(t.total).toBeGreaterThan(400);
    expect(doc).toContain(`records them: ${t.total} statements, of which ${t.free} are views (free) and ${billed} billed queries`);
    expect(doc).toContain(`≈ ${billed} × 10 MB ≈\n  **${gb(billed)} GB ≈ $${dollars(billed)}**`);
    expect(doc).toContain(`30 daily runs ≈ ${(bytes(30 * billed) / 1e9).toFixed(1)} GB ≈ **$${dollars(30 * billed, 2)}** at most`);
    const sn = recorded('snapshot');
    expect(doc).toContain(`snapshot-statements.sql\`: ${sn.total} statements, ${sn.free} of them views and DROPs, so ${sn.total - sn.free} billed\n  queries ≈ ${gb(sn.total - sn.free)} GB ≈ **$${dollars(sn.total - sn.free)}**`);
  });
});
