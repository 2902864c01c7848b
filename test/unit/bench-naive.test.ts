/**
 * The bench's naive baseline (bench/lib/naive.ts) must do the work it claims: every generated
 * dossier parsed in JS, written by the pure-JS Parquet writer to readable per-partition files, and
 * aggregated; otherwise the "project vs naive" ratio in BENCHMARKS.md means nothing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkNaiveOutput, runNaive, type NaiveResult } from '../../bench/lib/naive.js';
import { DuckDb, literal } from '../../functions/core/engine/duckdb.js';
import { generateDemo } from '../../functions/generator/index.js';

describe('Naive bench baseline on a small generated province', () => {
  let dir: string;
  let generated: number;
  let result: NaiveResult;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bench-naive-'));
    generated = (await generateDemo({ outDir: path.join(dir, 'data'), dossiers: 2000, seed: 766 })).dossiers;
    result = await runNaive({ dataDir: path.join(dir, 'data'), outDir: path.join(dir, 'out') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('should write every generated dossier to Parquet that DuckDB reads back', async () => {
    expect(result.skipped).toBe(0);
    expect(result.dossiers).toBe(generated);
    const check = await checkNaiveOutput(path.join(dir, 'out'));
    expect(check.parquetRows).toBe(generated);
    expect(check.files).toBe(result.partitions);
    expect(check.received).toBe(generated);
  });

  test('should aggregate the same pending and online counts DuckDB computes from the written files', async () => {
    const groups = JSON.parse(await readFile(path.join(dir, 'out', 'agency_months.json'), 'utf8')) as { pending: number; online: number }[];
    const db = await DuckDb.open({});
    try {
      const files = literal(path.join(dir, 'out', 'landed', 'dossiers', '**', '*.parquet'));
      const pending = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${files}) WHERE finished_at IS NULL`);
      const online = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${files}) WHERE channel = 2`);
      expect(groups.reduce((n, g) => n + g.pending, 0)).toBe(pending);
      expect(groups.reduce((n, g) => n + g.online, 0)).toBe(online);
      expect(pending).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});
