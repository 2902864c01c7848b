/**
 * bench/cost-model.ts turns a measured lake into the Athena bytes of docs/deploy.md's national cost
 * model: a monthly run must prune only what the engine prunes (an incremental model's year-partitioned
 * inputs, to the touched year), rebuild every table model whole, and bill each query at least 10 MB.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { costModel, testColumns, PRICES } from '../../bench/cost-model.js';
import type { LakeStats, TableStats } from '../../bench/lib/lake-stats.js';
import { loadModels } from '../../functions/core/transform/models.js';

const MiB = 2 ** 20;
/** A table of `perYear` MiB in each year 2019…2025 (year partitions) or one file. */
const table = (perYear: number, partitioned: boolean): TableStats => {
  const years: TableStats['years'] = {};
  if (partitioned) for (let y = 2019; y <= 2025; y++) years[String(y)] = { files: 1, bytes: perYear * MiB };
  else years.all = { files: 1, bytes: 7 * perYear * MiB };
  return { files: Object.keys(years).length, bytes: 7 * perYear * MiB, years };
};

describe('the national cost model', () => {
  const models = loadModels(path.resolve('sql'));
  const tables: LakeStats['tables'] = { 'landed/dossiers': table(100, true) };
  for (const m of models) tables[`models/${m.layer}/${m.name}`] = table(m.partitionBy?.length ? 50 : 200, Boolean(m.partitionBy?.length));
  const stats: LakeStats = { files: 0, bytes: 0, tables };
  const { full, monthly, touchedYear } = costModel(stats);
  const ctas = (xs: typeof full, name: string): number => xs.find((x) => x.model === name && x.kind === 'ctas')!.scannedBytes;

  test('should read only the touched year of an incremental model\'s incremental inputs in a monthly run', () => {
    expect(touchedYear).toBe('2025');
    // int_agency_periods_counted (incremental) reads int_dossiers_attributed (incremental, 7 × 50 MiB) and small tables.
    const counted = models.find((m) => m.name === 'int_agency_periods_counted')!;
    expect(counted.dependsOn).toContain('int_dossiers_attributed');
    expect(ctas(full, 'int_agency_periods_counted') - ctas(monthly, 'int_agency_periods_counted')).toBe(6 * 50 * MiB);
    // A table model is rebuilt whole: the same bytes in both runs.
    expect(ctas(monthly, 'int_dossiers_classified')).toBe(ctas(full, 'int_dossiers_classified'));
    expect(ctas(monthly, 'int_dossiers_classified')).toBeGreaterThan(0);
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
});
