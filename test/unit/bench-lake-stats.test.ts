/**
 * bench/lib/lake-stats.ts measures the lake the cost model in docs/deploy.md is computed from: every
 * file counted once, under its table and its year partition, so the bytes per year and the S3
 * request counts it reports are the lake's own.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lakeStats, tableKey, yearOf, type LakeStats } from '../../bench/lib/lake-stats.js';
import { DuckDb } from '../../functions/core/engine/duckdb.js';

describe('lake statistics by table and year partition', () => {
  let dir: string;
  let stats: LakeStats;
  const files: [string, number][] = [
    ['landed/dossiers/source=portal/year=2024/month=01/part-0.parquet', 100],
    ['landed/dossiers/source=portal/year=2024/month=02/part-0.parquet', 50],
    ['landed/dossiers/source=nsw/year=2025/month=01/part-0.parquet', 30],
    ['raw/portal-api/2024-01/page-1.json', 7],
    ['manifest/raw/portal-api/2024-01.json', 3],
    ['models/marts/agency_months.parquet', 11],
    ['models/_state/transform.json', 2],
    ['meta.json', 1],
  ];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lake-stats-'));
    for (const [rel, n] of files) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), 'x'.repeat(n));
    }
    // A partitioned model written by DuckDB itself, as the transform writes one.
    const db = await DuckDb.open({});
    try {
      const out = path.join(dir, 'models', 'marts', 'agency_periods').replaceAll("'", "''");
      await db.run(`COPY (SELECT i AS n, 2019 + i % 3 AS year FROM range(300) t(i)) TO '${out}' (FORMAT PARQUET, PARTITION_BY (year))`);
    } finally {
      await db.close();
    }
    stats = await lakeStats(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('should count every file once, in its table and its year', () => {
    const t = stats.tables;
    expect(t['landed/dossiers']).toEqual({ files: 3, bytes: 180, years: { '2024': { files: 2, bytes: 150 }, '2025': { files: 1, bytes: 30 } } });
    expect(t['raw/portal-api']).toEqual({ files: 1, bytes: 7, years: { all: { files: 1, bytes: 7 } } });
    expect(t['manifest/raw/portal-api']?.bytes).toBe(3);
    expect(t['models/marts/agency_months']?.bytes).toBe(11);
    expect(t['meta.json']?.files).toBe(1);
    const periods = t['models/marts/agency_periods']!;
    expect(Object.keys(periods.years).sort()).toEqual(['2019', '2020', '2021']);
    expect(periods.files).toBe(3);
    expect(periods.bytes).toBeGreaterThan(0);
    const sum = (k: 'files' | 'bytes'): number => Object.values(t).reduce((s, x) => s + x[k], 0);
    expect(stats.files).toBe(files.length + 3);
    expect(sum('files')).toBe(stats.files);
    expect(sum('bytes')).toBe(stats.bytes);
    expect(stats.bytes).toBe(files.reduce((s, [, n]) => s + n, 0) + periods.bytes);
  });

  test('should key tables and years by path', () => {
    expect(tableKey('models/intermediate/int_agency_periods_counted/year=2020/data_0.parquet')).toBe('models/intermediate/int_agency_periods_counted');
    expect(tableKey('quarantine/dossiers/year=2020/q.parquet')).toBe('quarantine/dossiers');
    expect(yearOf('landed/dossiers/source=nsw/year=2020/month=03/x.parquet')).toBe('2020');
    expect(yearOf('landed/dossiers/source=nsw/x_year=2020.parquet')).toBe('all');
    // A model partitioned by the month of receipt counts under its year.
    expect(yearOf('models/intermediate/int_dossiers_classified/receipt_month=202412/data.parquet')).toBe('2024');
    expect(yearOf('models/intermediate/x/receipt_month=2024/data.parquet')).toBe('all');
  });
});
