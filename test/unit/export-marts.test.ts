/**
 * export-marts, as the CodeBuild publish step runs it (`cli export-marts --lake s3://… --out .lake`):
 * marts written by Athena (run prefixes with extension-less files and Hive partition directories,
 * found through the engine's current.json pointers) and marts of a DuckDB lake (one Parquet each)
 * become one local Parquet per mart, sorted by grain, ready for the dashboards' prepare step.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { literal, withDuckDb } from '../../functions/core/engine/duckdb.js';
import { modelPointerKey, type ModelPointer } from '../../functions/core/engine/catalog.js';
import { exportMarts } from '../../functions/core/export-marts.js';
import { DASHBOARD_MARTS } from '../../functions/dashboards/build.js';
import { SQL_DIR } from '../../functions/core/lake/landing-sql.js';
import { S3Storage } from '../../functions/core/storage/s3.js';
import { loadModels } from '../../functions/core/transform/index.js';
import { startS3Loopback, type S3Loopback } from './storage/s3-loopback.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const marts = loadModels(SQL_DIR).filter((m) => m.layer === 'marts');
/** Read from an Athena run with year= partition directories. */
const PARTITIONED = 'agency_months';
/** An incremental mart: its partitions in two runs' folders (docs/architecture.md, "Incremental models"). */
const INCREMENTAL = 'province_periods';
/** Stored as a DuckDB lake stores it (models/marts/<name>.parquet). */
const LOCAL_STYLE = 'agencies';

let s3: S3Loopback;
let tmp = '';
let lake: S3Storage;

/** Rows of a mart: its grain columns as text, descending (so sorting is visible), and a value. */
function martSelect(grain: readonly string[], rows: number, offset: number): string {
  const cols = grain.map((g) => `'${g}-' || lpad(CAST(${offset} + ${rows} - i AS VARCHAR), 3, '0') AS ${g}`).join(', ');
  return `SELECT ${cols}, CAST(i AS DOUBLE) AS value FROM range(${rows}) AS t(i)`;
}

async function parquet(sql: string, file: string): Promise<Buffer> {
  await withDuckDb((db) => db.run(`COPY (${sql}) TO ${literal(file)} (FORMAT PARQUET)`));
  return readFile(file);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'export-marts-'));
  s3 = await startS3Loopback();
  await s3.createBucket('cchc-lake');
  lake = new S3Storage({ bucket: 'cchc-lake', client: s3.client });
  for (const m of marts) {
    const grain = m.grain ?? ['id'];
    if (m.name === LOCAL_STYLE) {
      await lake.put(`models/marts/${m.name}.parquet`, await parquet(martSelect(grain, 4, 0), path.join(tmp, `${m.name}.parquet`)));
      continue;
    }
    const runId = 'r20260502t020000z_abc123';
    const prefix = `models/marts/${m.name}/run=${runId}/`;
    if (m.name === INCREMENTAL) {
      // Athena's files of a partitioned table: every YAML column but the partition column.
      const value = (c: (typeof m.columns)[number]): string =>
        c.data_type === 'VARCHAR' ? `'${c.name}-' || lpad(CAST(9 - i AS VARCHAR), 3, '0')` : c.data_type === 'DATE' ? `DATE '2025-01-01'` : c.data_type === 'BOOLEAN' ? 'true' : `CAST(i AS ${c.data_type ?? 'BIGINT'})`;
      const select = (rows: number): string => `SELECT ${m.columns.filter((c) => c.name !== 'year').map((c) => `${value(c)} AS ${c.name}`).join(', ')} FROM range(${rows}) AS t(i)`;
      await lake.put(`models/marts/${m.name}/run=r1/year=2024/f1`, await parquet(select(2), path.join(tmp, 'p1.parquet')));
      await lake.put(`models/marts/${m.name}/run=r1/year=2025/f1`, await parquet(select(7), path.join(tmp, 'p0.parquet')));
      await lake.put(`models/marts/${m.name}/run=${runId}/year=2025/f2`, await parquet(select(3), path.join(tmp, 'p2.parquet')));
      const partitions = [
        { value: 2024, prefix: `models/marts/${m.name}/run=r1/year=2024/`, rows: 2 },
        { value: 2025, prefix: `${prefix}year=2025/`, rows: 3 },
      ];
      const pointer: ModelPointer = { model: m.name, layer: 'marts', run_id: runId, table: `${m.name}__${runId}`, prefix, location: `s3://cchc-lake/${prefix}`, rows: 5, partition_column: 'year', partitions };
      await lake.put(modelPointerKey('marts', m.name), JSON.stringify(pointer));
      continue;
    }
    // Two data files as Athena names them (no extension), the later grain values in the first file.
    const parts = m.name === PARTITIONED ? ['year=2025/', 'year=2024/'] : ['', ''];
    await lake.put(`${prefix}${parts[0]}20260502_020001_00007_x1_a`, await parquet(martSelect(grain, 3, 10), path.join(tmp, 'a.parquet')));
    await lake.put(`${prefix}${parts[1]}20260502_020001_00007_x1_b`, await parquet(martSelect(grain, 2, 0), path.join(tmp, 'b.parquet')));
    // A leftover of an older run that the pointer no longer names.
    await lake.put(`models/marts/${m.name}/run=r1/old`, await parquet(martSelect(grain, 9, 50), path.join(tmp, 'old.parquet')));
    const pointer: ModelPointer = { model: m.name, layer: 'marts', run_id: runId, table: `${m.name}__${runId}`, prefix, location: `s3://cchc-lake/${prefix}`, rows: 5 };
    await lake.put(modelPointerKey('marts', m.name), JSON.stringify(pointer));
  }
  await lake.put('snapshots/2025-06/manifest.json', '{"period":"2025-06"}');
  await lake.put('meta.json', '{"synthetic":true}');
});

afterAll(async () => {
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('export-marts CLI given Athena runs on S3', () => {
  let out = '';
  beforeAll(async () => {
    out = path.join(tmp, 'site-lake');
    await run(process.execPath, ['--import', 'tsx', path.join(REPO, 'functions/cli/main.ts'), 'export-marts', '--lake', 's3://cchc-lake', '--out', out, '--quiet'], {
      cwd: REPO,
      env: { ...process.env, PIPELINE_S3_ENDPOINT: s3.endpoint, AWS_REGION: 'ap-southeast-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', PIPELINE_WORK_DIR: path.join(tmp, 'work') },
    });
  }, 120_000);

  test('should write one Parquet per mart with the rows of the current run only, sorted by grain', async () => {
    for (const m of marts) {
      const file = path.join(out, 'models', 'marts', `${m.name}.parquet`);
      expect(existsSync(file), m.name).toBe(true);
      const grain = (m.grain ?? ['id'])[0]!;
      const rows = await withDuckDb((db) => db.all(`SELECT ${grain} AS g FROM read_parquet(${literal(file)})`));
      const values = rows.map((r) => String(r.g));
      if (m.name === LOCAL_STYLE || m.name === INCREMENTAL) continue;
      expect(values, m.name).toEqual([...values].sort());
      expect(values.length, m.name).toBe(5);
    }
  });

  test('should copy a DuckDB lake\'s mart Parquet byte for byte', async () => {
    const copied = await readFile(path.join(out, 'models', 'marts', `${LOCAL_STYLE}.parquet`));
    expect(copied.equals(await lake.get(`models/marts/${LOCAL_STYLE}.parquet`))).toBe(true);
  });

  test('should keep the Hive partition column of a partitioned run', async () => {
    const file = path.join(out, 'models', 'marts', `${PARTITIONED}.parquet`);
    const years = await withDuckDb((db) => db.all(`SELECT year, count(*) AS n FROM read_parquet(${literal(file)}) GROUP BY year ORDER BY year`));
    expect(years.map((r) => [Number(r.year), Number(r.n)])).toEqual([[2024, 2], [2025, 3]]);
  });

  test('should read an incremental mart from each partition\'s prefix, in the model\'s column order', async () => {
    const m = marts.find((x) => x.name === INCREMENTAL)!;
    const file = path.join(out, 'models', 'marts', `${INCREMENTAL}.parquet`);
    const cols = await withDuckDb((db) => db.all(`DESCRIBE SELECT * FROM read_parquet(${literal(file)})`));
    expect(cols.map((c) => String(c.column_name))).toEqual(m.columns.map((c) => c.name));
    expect(String(cols.find((c) => c.column_name === 'year')!.column_type)).toBe(m.columns.find((c) => c.name === 'year')!.data_type);
    const years = await withDuckDb((db) => db.all(`SELECT year, count(*) AS n FROM read_parquet(${literal(file)}) GROUP BY year ORDER BY year`));
    // 2025 from the newer run only (the older run's 2025 files are not the pointer's).
    expect(years.map((r) => [Number(r.year), Number(r.n)])).toEqual([[2024, 2], [2025, 3]]);
  });

  test('should copy snapshots/ and meta.json beside the marts', async () => {
    expect(await readFile(path.join(out, 'snapshots', '2025-06', 'manifest.json'), 'utf8')).toBe('{"period":"2025-06"}');
    expect(await readFile(path.join(out, 'meta.json'), 'utf8')).toBe('{"synthetic":true}');
  });

  test('should lay out every mart the dashboards read where their prepare step looks', () => {
    for (const mart of DASHBOARD_MARTS) expect(existsSync(path.join(out, 'models', 'marts', `${mart}.parquet`)), mart).toBe(true);
  });
});

describe('exportMarts given a pointer that disagrees with its run', () => {
  test('should refuse when the run holds fewer rows than the pointer records', async () => {
    const m = marts.find((x) => x.name !== LOCAL_STYLE)!;
    const key = modelPointerKey('marts', m.name);
    const good = await lake.get(key);
    try {
      await lake.put(key, JSON.stringify({ ...(JSON.parse(good.toString('utf8')) as ModelPointer), rows: 6 }));
      await expect(exportMarts({ storage: lake, outDir: path.join(tmp, 'bad'), workDir: path.join(tmp, 'work') })).rejects.toThrow(
        new RegExp(`Failed to export ${m.name}: read 5 rows from run r20260502t020000z_abc123, its pointer records 6`),
      );
    } finally {
      await lake.put(key, good);
    }
  });

  test('should write a mart of no rows, typed by its YAML, from a run Athena wrote no file for', async () => {
    // rejected_files is empty in a healthy month, and Athena's CTAS of no rows writes no data file.
    const m = marts.find((x) => x.name === 'rejected_files')!;
    const key = modelPointerKey('marts', m.name);
    const good = await lake.get(key);
    try {
      const prefix = `models/marts/${m.name}/run=r_empty/`;
      await lake.put(key, JSON.stringify({ ...(JSON.parse(good.toString('utf8')) as ModelPointer), run_id: 'r_empty', prefix, location: `s3://cchc-lake/${prefix}`, rows: 0 }));
      const out = path.join(tmp, 'empty-run');
      const summary = await exportMarts({ storage: lake, outDir: out, workDir: path.join(tmp, 'work') });
      expect(summary.marts.find((x) => x.name === m.name)).toEqual({ name: m.name, rows: 0, from: 'run', runId: 'r_empty' });
      const file = literal(path.join(out, 'models', 'marts', `${m.name}.parquet`));
      const [types, [count]] = await withDuckDb(async (db) => [await db.all(`DESCRIBE SELECT * FROM read_parquet(${file})`), await db.all(`SELECT count(*) AS n FROM read_parquet(${file})`)]);
      expect(types.map((c) => [c.column_name, c.column_type])).toEqual(m.columns.map((c) => [c.name, c.data_type]));
      expect(Number(count?.n)).toBe(0);
      // A run that recorded rows but holds no file is still refused.
      await lake.put(key, JSON.stringify({ ...(JSON.parse(good.toString('utf8')) as ModelPointer), run_id: 'r_empty', prefix, location: `s3://cchc-lake/${prefix}`, rows: 2 }));
      await expect(exportMarts({ storage: lake, outDir: path.join(tmp, 'empty-run-2'), workDir: path.join(tmp, 'work') })).rejects.toThrow(/run r_empty has no files under .* \(2 rows recorded\)/);
    } finally {
      await lake.put(key, good);
    }
  });

  test('should name every mart that has neither a pointer nor a Parquet file', async () => {
    const empty = new S3Storage({ bucket: 'cchc-lake', prefix: 'nothing-here', client: s3.client });
    const failed = await exportMarts({ storage: empty, outDir: path.join(tmp, 'none'), workDir: path.join(tmp, 'work') }).then(() => undefined, (e: Error) => e.message);
    const named = /no run pointer and no Parquet for ([a-z0-9_, ]+) \(run the transform first\)/.exec(failed ?? '')?.[1]?.split(', ');
    expect(named?.sort()).toEqual(loadModels(SQL_DIR).filter((m) => m.layer === 'marts').map((m) => m.name).sort());
  });
});
