/**
 * sql/incremental/touched_partitions.sql: the years and months of receipt a transform rebuilds for the
 * dossier files landed since the last one, on DuckDB over small source tables, in the partitions
 * sql/incremental/new_file_partitions.sql finds (as the runner runs them: the one, then the other). A
 * changed NSW dossier reaches the years of its portal copy (the copy the NSW row now hides,
 * docs/data-contracts.md §4.6), wherever that copy lies. The spans of days the changed versions cover
 * give the report periods the models with incremental_scope: period recompute.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDb } from '../../functions/core/engine/duckdb.js';
import { SQL_DIR } from './helpers.js';

const touched = readFileSync(path.join(SQL_DIR, 'incremental', 'touched_partitions.sql'), 'utf8');
const newFilePartitions = readFileSync(path.join(SQL_DIR, 'incremental', 'new_file_partitions.sql'), 'utf8');
let db: DuckDb;

beforeAll(async () => {
  db = await DuckDb.open();
  await db.run(`CREATE TABLE calendar_months AS SELECT y AS year FROM range(2019, 2036) AS t(y)`);
  // The landed partitions: source, year and month of receipt.
  await db.run(`CREATE TABLE src_dossiers (dossier_id VARCHAR, raw_hash VARCHAR, received_at TIMESTAMP, finished_at TIMESTAMP, source VARCHAR, year INTEGER, month INTEGER)`);
  await db.run(`CREATE TABLE src_superseded_dossiers (dossier_id VARCHAR, raw_hash VARCHAR, superseded_by_hash VARCHAR, received_at TIMESTAMP, finished_at TIMESTAMP, source VARCHAR, year INTEGER, month INTEGER)`);
  await db.run(`INSERT INTO src_dossiers VALUES
    -- The portal copy of an NSW dossier, received in 2021 and never finished there (landed long ago).
    ('X1', 'old', TIMESTAMP '2021-03-01 08:00', NULL, 'portal', 2021, 3),
    -- Its NSW row, in the new file: received in 2024, finished in 2024.
    ('NSW-X1', 'new', TIMESTAMP '2024-02-01 08:00', TIMESTAMP '2024-03-01 08:00', 'nsw', 2024, 2),
    -- Unchanged dossiers reach 2025, the lake's newest year of receipt.
    ('Y1', 'old', TIMESTAMP '2025-01-05 08:00', NULL, 'portal', 2025, 1),
    ('Y2', 'old', TIMESTAMP '2019-01-05 08:00', NULL, 'portal', 2019, 1),
    -- Z1's current version came from a newer file than 'late', whose version of it lost (the ledger, below).
    ('Z1', 'newer', TIMESTAMP '2020-05-04 08:00', TIMESTAMP '2020-06-01 08:00', 'portal', 2020, 5)`);
  await db.run(`INSERT INTO src_superseded_dossiers VALUES
    ('Z1', 'late', 'newer', TIMESTAMP '2020-05-04 08:00', NULL, 'portal', 2020, 5)`);
});

afterAll(() => db?.close());

/** The touched partitions' rows for these new files: their partitions found first, as the runner does. */
const plan = async (newFiles: string[]): Promise<Record<string, unknown>[]> => {
  await db.run('CREATE OR REPLACE TABLE incremental_new_files (raw_hash VARCHAR)');
  for (const h of newFiles) await db.run('INSERT INTO incremental_new_files VALUES ($h)', { h });
  await db.run(`CREATE OR REPLACE TABLE incremental_new_partitions AS ${newFilePartitions.replace(/;\s*$/, '')}`);
  return db.all(touched.replace(/;\s*$/, ''));
};
const years = async (newFiles: string[]): Promise<number[]> => [...new Set((await plan(newFiles)).filter((r) => r.year !== null).map((r) => Number(r.year)))];
/** The spans of days the changed versions cover: each day of receipt to the furthest day reached. */
const spans = async (newFiles: string[]): Promise<string[]> =>
  (await plan(newFiles)).filter((r) => r.received_date !== null).map((r) => `${String(r.received_date)}…${String(r.reached_date)}`);
const months = async (newFiles: string[]): Promise<number[]> => (await plan(newFiles)).filter((r) => r.receipt_month !== null).map((r) => Number(r.receipt_month));

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

  test('should find the partitions of the new files\' rows, current and lost, and nothing for a file without rows', async () => {
    await plan(['new', 'late']);
    expect(await db.all('SELECT source, year, month FROM incremental_new_partitions')).toEqual([
      { source: 'nsw', year: 2024, month: 2 },
      { source: 'portal', year: 2020, month: 5 },
    ]);
    await plan(['none']);
    expect(await db.all('SELECT * FROM incremental_new_partitions')).toEqual([]);
  });

  test('should rebuild the years of a dossier whose new version lost, from its current version and its lost one', async () => {
    // 'late' holds Z1 only in the ledger: lost to 'newer' (received 2020-05, finished 2020-06; the lost one pending).
    expect(await years(['late'])).toEqual([2020, 2021, 2022, 2023, 2024, 2025]);
    expect(await months(['late'])).toEqual([202005]);
    // 'newer' superseded it: the same dossier, so the same years.
    expect(await years(['newer'])).toEqual([2020, 2021, 2022, 2023, 2024, 2025]);
  });

  test('should rebuild the months of receipt of every version of a changed dossier, its portal copy\'s too, and no other month', async () => {
    // NSW-X1 received 2024-02, its portal copy X1 2021-03; nothing else in the new file.
    expect(await months(['new'])).toEqual([202103, 202402]);
    expect(await months(['old'])).toEqual([201901, 202103, 202501]);
    expect(await months(['none'])).toEqual([]);
  });

  test('should give each day of receipt of the changed versions with the furthest day one of them reaches, open ones to 9999-12-31', async () => {
    // NSW-X1 (2024-02-01, finished 2024-03-01) and its portal copy X1 (2021-03-01, pending).
    expect(await spans(['new'])).toEqual(['2021-03-01…9999-12-31', '2024-02-01…2024-03-01']);
    // Z1's two versions were both received 2020-05-04: the current one finished 2020-06-01, the lost
    // one was still open, so the day's span is open (the periods the lost version counted in change too).
    expect(await spans(['late'])).toEqual(['2020-05-04…9999-12-31']);
    expect(await spans(['newer'])).toEqual(['2020-05-04…9999-12-31']);
    expect(await spans(['none'])).toEqual([]);
    // Every other row names a partition, none a span.
    for (const r of await plan(['old'])) expect((r.received_date === null) === (r.year !== null || r.receipt_month !== null)).toBe(true);
  });

  test('should give every month of receipt with its year, and report years without a month', async () => {
    const rows = await plan(['new']);
    for (const r of rows) if (r.receipt_month !== null) expect(Math.floor(Number(r.receipt_month) / 100)).toBe(Number(r.year));
    // 2022, 2023 are report years X1 (pending) reaches, with no dossier received in them.
    expect(rows.filter((r) => Number(r.year) === 2022).map((r) => r.receipt_month)).toEqual([null]);
  });
});
