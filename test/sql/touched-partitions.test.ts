/**
 * sql/incremental/touched_partitions.sql: the years and months of receipt a transform rebuilds for the
 * dossier files landed since the last one, on DuckDB over small source tables. A changed NSW dossier reaches the
 * years of its portal copy (the copy the NSW row now hides, docs/data-contracts.md §4.6).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDb } from '../../functions/core/engine/duckdb.js';
import { SQL_DIR } from './helpers.js';

const touched = readFileSync(path.join(SQL_DIR, 'incremental', 'touched_partitions.sql'), 'utf8');
let db: DuckDb;

beforeAll(async () => {
  db = await DuckDb.open();
  await db.run(`CREATE TABLE calendar_months AS SELECT y AS year FROM range(2019, 2036) AS t(y)`);
  await db.run(`CREATE TABLE src_dossiers (dossier_id VARCHAR, source VARCHAR, raw_hash VARCHAR, received_at TIMESTAMP, finished_at TIMESTAMP, year INTEGER)`);
  await db.run(`CREATE TABLE src_superseded_dossiers (dossier_id VARCHAR, raw_hash VARCHAR, superseded_by_hash VARCHAR, received_at TIMESTAMP, finished_at TIMESTAMP)`);
  await db.run(`INSERT INTO src_dossiers VALUES
    -- The portal copy of an NSW dossier, received in 2021 and never finished there (landed long ago).
    ('X1', 'portal', 'old', TIMESTAMP '2021-03-01 08:00', NULL, 2021),
    -- Its NSW row, in the new file: received in 2024, finished in 2024.
    ('NSW-X1', 'nsw', 'new', TIMESTAMP '2024-02-01 08:00', TIMESTAMP '2024-03-01 08:00', 2024),
    -- Unchanged dossiers reach 2025, the lake's newest year of receipt.
    ('Y1', 'portal', 'old', TIMESTAMP '2025-01-05 08:00', NULL, 2025),
    ('Y2', 'portal', 'old', TIMESTAMP '2019-01-05 08:00', NULL, 2019)`);
});

afterAll(() => db?.close());

const years = async (newFiles: string[]): Promise<number[]> => {
  await db.run('CREATE OR REPLACE TABLE incremental_new_files (raw_hash VARCHAR)');
  for (const h of newFiles) await db.run('INSERT INTO incremental_new_files VALUES ($h)', { h });
  return [...new Set((await db.all(touched.replace(/;\s*$/, ''))).map((r) => Number(r.year)))];
};
const months = async (newFiles: string[]): Promise<number[]> => {
  await db.run('CREATE OR REPLACE TABLE incremental_new_files (raw_hash VARCHAR)');
  for (const h of newFiles) await db.run('INSERT INTO incremental_new_files VALUES ($h)', { h });
  return (await db.all(touched.replace(/;\s*$/, ''))).filter((r) => r.receipt_month !== null).map((r) => Number(r.receipt_month));
};

describe('touched_partitions.sql', () => {
  test('should rebuild the years of a changed NSW dossier and of its portal copy, up to the newest year of receipt', async () => {
    // NSW-X1: 2024. X1 (pending since 2021): 2021 to 2025.
    expect(await years(['new'])).toEqual([2021, 2022, 2023, 2024, 2025]);
  });

  test('should rebuild nothing for a file that holds no dossier, and a portal file only its own dossiers', async () => {
    expect(await years(['none'])).toEqual([]);
    // The old file holds X1 (pending: 2021–2025), Y1 (2025) and Y2 (pending: 2019–2025); never NSW-X1 by itself.
    expect(await years(['old'])).toEqual([2019, 2020, 2021, 2022, 2023, 2024, 2025]);
  });

  test('should rebuild the months of receipt of every version of a changed dossier, its portal copy\'s too, and no other month', async () => {
    // NSW-X1 received 2024-02, its portal copy X1 2021-03; nothing else in the new file.
    expect(await months(['new'])).toEqual([202103, 202402]);
    expect(await months(['old'])).toEqual([201901, 202103, 202501]);
    expect(await months(['none'])).toEqual([]);
  });

  test('should give every month of receipt with its year, and report years without a month', async () => {
    await db.run('CREATE OR REPLACE TABLE incremental_new_files (raw_hash VARCHAR)');
    await db.run("INSERT INTO incremental_new_files VALUES ('new')");
    const rows = await db.all(touched.replace(/;\s*$/, ''));
    for (const r of rows) if (r.receipt_month !== null) expect(Math.floor(Number(r.receipt_month) / 100)).toBe(Number(r.year));
    // 2022, 2023 are report years X1 (pending) reaches, with no dossier received in them.
    expect(rows.filter((r) => Number(r.year) === 2022).map((r) => r.receipt_month)).toEqual([null]);
  });
});
