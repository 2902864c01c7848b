/**
 * bench/measure-lake.ts turns a kept bench lake into the cost model's input (as bench/lake-1m.json): the
 * compressed bytes of each model's columns are its partitions' summed (what Athena holds), and the two steps
 * DuckDB never writes get the reference file's columns scaled to the size the cost model estimates for them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ATTRIBUTED_PER_CLASSIFIED, type ModelColumns } from '../../bench/cost-model.js';
import { measureLake } from '../../bench/measure-lake.js';
import { DuckDb, literal } from '../../functions/core/engine/duckdb.js';

describe('measure a kept lake for the cost model', () => {
  let dir: string;
  let measured: { size: number; columns: ModelColumns; source: string };
  const sizes = async (db: DuckDb, files: string[]): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await db.all(`SELECT path_in_schema AS c, sum(total_compressed_size) AS b FROM parquet_metadata([${files.map(literal).join(', ')}]) GROUP BY 1`)).map((r) => [String(r.c), Number(r.b)]),
    );
  let classified: Record<string, number>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'measure-lake-'));
    const db = await DuckDb.open({ threads: 1 });
    const files: string[] = [];
    for (const y of [2024, 2025]) {
      const f = path.join(dir, `models/intermediate/int_dossiers_classified/year=${y}/data.parquet`);
      await mkdir(path.dirname(f), { recursive: true });
      await db.run(`COPY (SELECT 'D' || range AS dossier_id, range % 7 AS days_early, ${y} AS year FROM range(${y === 2024 ? 5000 : 9000})) TO ${literal(f)} (FORMAT PARQUET)`);
      files.push(f);
    }
    classified = await sizes(db, files);
    // A stale single-file copy beside the partitions is not what Athena holds: not counted.
    await db.run(`COPY (SELECT 1 AS x) TO ${literal(path.join(dir, 'models/intermediate/int_dossiers_classified.parquet'))} (FORMAT PARQUET)`);
    db.close();
    const reference = path.join(dir, 'ref.json');
    await writeFile(reference, JSON.stringify({ columns: { int_dossiers_attributed: { dossier_id: 300, period_type: 100 } } }));
    measured = (await measureLake(dir, 14000, reference)) as typeof measured;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('should sum each column over the model partitions only', () => {
    expect(measured.size).toBe(14000);
    expect(measured.columns.int_dossiers_classified).toEqual(classified);
    expect(Object.keys(measured.columns.int_dossiers_classified!).sort()).toEqual(['days_early', 'dossier_id', 'year']);
  });

  test('should scale the reference columns of a step DuckDB never writes to the size the cost model estimates', () => {
    const total = Object.values(classified).reduce((s, x) => s + x, 0) * ATTRIBUTED_PER_CLASSIFIED;
    const att = measured.columns.int_dossiers_attributed!;
    expect(att.dossier_id! / att.period_type!).toBeCloseTo(3, 1);
    expect(Math.abs(att.dossier_id! + att.period_type! - total)).toBeLessThanOrEqual(1);
    expect(measured.source).toContain('int_dossiers_attributed');
    expect(measured.columns.stg_lake__dossiers).toBeUndefined(); // not in the reference, no landed dossiers
  });
});
