/**
 * DuckDbEngine: the shims give Trino semantics, sources over Hive-partitioned Parquet (or none yet),
 * and byte-identical model Parquet across reruns.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import type { MaterializableModel } from '../../functions/core/engine/duckdb-engine.js';
import { SOURCE_COLUMNS } from '../../functions/core/transform/index.js';
import { numbersFromBigints, runFixture } from './helpers.js';

describe('DuckDbEngine shims', () => {
  let engine: DuckDbEngine;
  beforeAll(async () => {
    engine = await DuckDbEngine.create({ lakeRoot: '/nonexistent', writeParquet: false });
  });
  afterAll(async () => {
    await engine.close();
  });
  const one = async (sql: string) => numbersFromBigints((await engine.query(sql))[0]!);

  test('should divide integers like Trino', async () => {
    expect(await one('SELECT 7 / 2 AS v')).toEqual({ v: 3 });
  });
  test('should count complete units in date_diff like Trino', async () => {
    // DuckDB's own date_diff counts boundaries crossed and would give 1, 1 here.
    expect(await one(`SELECT date_diff('month', DATE '2024-01-15', DATE '2024-02-14') AS m, date_diff('month', DATE '2024-01-15', DATE '2024-02-15') AS m2, date_diff('day', DATE '2024-02-28', DATE '2024-03-01') AS d, date_diff('year', DATE '2024-06-01', DATE '2025-05-31') AS y`)).toEqual({ m: 0, m2: 1, d: 2, y: 0 });
  });
  test('should number days of the week ISO 1–7 with day_of_week', async () => {
    expect(await one(`SELECT day_of_week(DATE '2024-06-02') AS sun, day_of_week(DATE '2024-06-03') AS mon`)).toEqual({ sun: 7, mon: 1 });
  });
  test('should match regexp_like, json_extract_scalar, array_join and cardinality', async () => {
    expect(await one(`SELECT regexp_like('H99.05', '^H[0-9]+\\.') AS r, regexp_like('X', '^H') AS r2, json_extract_scalar('{"a":{"b":"x"}}', '$.a.b') AS j, array_join(ARRAY['a', 'b'], ', ') AS s, cardinality(ARRAY[1, 2, 3]) AS c`)).toEqual({ r: true, r2: false, j: 'x', s: 'a, b', c: 3 });
  });
  test('should count with count_if in a BIGINT like Trino (DuckDB sums into a HUGEINT, written to Parquet as DOUBLE)', async () => {
    const [r] = await engine.query('SELECT count_if(x) AS n, typeof(count_if(x)) AS t FROM (VALUES (true), (false), (NULL), (true)) AS v(x)');
    expect(r).toEqual({ n: '2', t: 'BIGINT' });
    expect(await engine.query('SELECT count_if(x) AS n FROM (VALUES (true)) AS v(x) WHERE false')).toEqual([{ n: '0' }]);
    // A count, not a sum: 0 for a group whose condition is only NULL or false.
    expect(await engine.query('SELECT g, count_if(x) AS n, typeof(count_if(x)) AS t FROM (VALUES (1, true), (1, NULL), (2, false), (2, true), (2, true), (3, NULL), (3, NULL), (4, false)) AS v(g, x) GROUP BY g ORDER BY g')).toEqual([
      { g: 1, n: '1', t: 'BIGINT' },
      { g: 2, n: '2', t: 'BIGINT' },
      { g: 3, n: '0', t: 'BIGINT' },
      { g: 4, n: '0', t: 'BIGINT' },
    ]);
  });
  test('should approximate percentiles and distinct counts within tolerance', async () => {
    const r = await one('SELECT approx_percentile(x, 0.5) AS p, approx_distinct(x) AS n FROM range(1000) AS t(x)');
    expect(Math.abs(Number(r.p) - 500)).toBeLessThan(25);
    // DuckDB's HyperLogLog is much coarser than Trino's (2,3 % standard error): 1000 → 1249.
    expect(Math.abs(Number(r.n) - 1000)).toBeLessThan(350);
  });
});

describe('DuckDbEngine sources', () => {
  let lake: string;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = await mkdtemp(path.join(tmpdir(), 'engine-'));
    engine = await DuckDbEngine.create({ lakeRoot: lake, writeParquet: false });
  });
  afterAll(async () => {
    await engine.close();
    await rm(lake, { recursive: true, force: true });
  });

  test('should stand in an empty, typed relation for a dataset without files', async () => {
    await engine.registerSource('src_dossiers', path.join(lake, 'landed/dossiers'));
    const cols = await engine.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'src_dossiers' ORDER BY ordinal_position`);
    expect(cols.map((c) => c.column_name)).toEqual(SOURCE_COLUMNS.src_dossiers!.map((c) => c.name));
    expect(cols.find((c) => c.column_name === 'received_at')?.data_type).toBe('TIMESTAMP');
    expect(await engine.query('SELECT count(*) AS n FROM src_dossiers')).toEqual([{ n: '0' }]);
  });

  test('should type the Hive keys as the source declares them, so a filter through a model\'s cast prunes the files', async () => {
    // Three months of two years, one file each, as the land lays them out.
    const parts = [
      [2024, 12],
      [2025, 1],
      [2025, 2],
    ] as const;
    const db = await DuckDbEngine.create({ lakeRoot: lake, writeParquet: false });
    try {
      for (const [y, m] of parts) {
        const dir = path.join(lake, 'landed/quarantine-like', `source=portal/year=${y}/month=${m}`);
        await mkdir(dir, { recursive: true });
        await db.query(`COPY (SELECT 'D${y}${m}' AS reason, ${m} AS n) TO '${path.join(dir, 'data.parquet')}' (FORMAT PARQUET)`);
      }
      await engine.registerSource('quarantine', path.join(lake, 'landed/quarantine-like'));
      const types = await engine.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'quarantine' AND column_name IN ('source', 'year', 'month') ORDER BY column_name`);
      expect(types).toEqual([
        { column_name: 'month', data_type: 'INTEGER' },
        { column_name: 'source', data_type: 'VARCHAR' },
        { column_name: 'year', data_type: 'INTEGER' },
      ]);
      // A staging model casts its partition columns (cast(year as integer) as year); an incremental
      // run filters on them. Detected as BIGINT, the cast kept the filter above the scan: every file read.
      const staged = `(SELECT reason, cast(year as integer) AS year, cast(year as integer) * 100 + cast(month as integer) AS receipt_month FROM quarantine) AS model`;
      const plan = (await engine.query(`EXPLAIN ANALYZE SELECT count(*) AS n FROM ${staged} WHERE model.receipt_month IN (202501) AND model.year IN (2025)`))[0]!;
      expect(String(plan.explain_value)).toMatch(/Total Files Read:\s*2\b/);
      expect(await engine.query(`SELECT reason FROM ${staged} WHERE model.receipt_month IN (202501) AND model.year IN (2025)`)).toEqual([{ reason: 'D20251' }]);

      // An incremental run's month of receipt, as the planner states it for a model that declares a
      // `month` column: on the month itself too (PartitionSelection.prune), so the scan reads the
      // month's file only; stated on its year alone, the year's two files.
      const step = (name: string, month: boolean): MaterializableModel => ({
        name,
        layer: 'staging',
        dependsOn: [],
        file: `sql/staging/${name}.sql`,
        sql: `select reason, cast(year as integer) as year,${month ? ' cast(month as integer) as month,' : ''} cast(year as integer) * 100 + cast(month as integer) as receipt_month from quarantine`,
        materialized: 'incremental' as const,
        partitionBy: ['receipt_month'],
        persist: false,
      });
      const byYear = { column: 'receipt_month', values: [202501], within: { column: 'year', values: [2025] } };
      const january = { ...byYear, prune: [{ column: 'month', values: [1] }] };
      // (An engine that writes the lake: one that does not keeps every model a table of the run.)
      const lakeEngine = await DuckDbEngine.create({ lakeRoot: lake, workDir: lake });
      try {
        await lakeEngine.registerSource('quarantine', path.join(lake, 'landed/quarantine-like'));
        for (const [name, month, files] of [['step_month', true, 1], ['step_no_month', false, 2]] as const) {
          await lakeEngine.materialize(step(name, month), { partitions: month ? january : byYear });
          const read = String((await lakeEngine.query(`EXPLAIN ANALYZE SELECT count(*) FROM ${name}`))[0]!.explain_value);
          expect(read, name).toMatch(new RegExp(`Total Files Read:\\s*${files}\\b`));
          expect(await lakeEngine.query(`SELECT reason FROM ${name}`), name).toEqual([{ reason: 'D20251' }]);
        }
      } finally {
        await lakeEngine.close();
      }
    } finally {
      await db.close();
    }
  });

  test('should fail clearly for an unknown source without files', async () => {
    await expect(engine.registerSource('src_nothing', path.join(lake, 'landed/nothing'))).rejects.toThrow(/no Parquet files .* no column list/);
  });
});

describe('DuckDbEngine materialize', () => {
  test('should write byte-identical Parquet sorted by the grain on a rerun', async () => {
    const first = await runFixture({ writeParquet: true });
    const file = path.join(first.lake, 'models/marts/agency_periods.parquet');
    const bytes1 = await readFile(file);
    const rows = await first.rows('SELECT agency_code, period_type, year, period_no FROM read_parquet(' + `'${file}'` + ')');
    const sorted = [...rows].sort((a, b) => `${a.agency_code}|${a.period_type}|${String(a.year)}|${String(a.period_no).padStart(2, '0')}`.localeCompare(`${b.agency_code}|${b.period_type}|${String(b.year)}|${String(b.period_no).padStart(2, '0')}`));
    expect(rows).toEqual(sorted);
    await first.dispose();
    const second = await runFixture({ writeParquet: true });
    const bytes2 = await readFile(path.join(second.lake, 'models/marts/agency_periods.parquet'));
    await second.dispose();
    expect(bytes2.equals(bytes1)).toBe(true);
  });

  test('should write the same bytes for every model whether models run one at a time or two at once', async () => {
    const files = async (lake: string): Promise<Map<string, string>> => {
      const out = new Map<string, string>();
      for (const f of (await readdir(path.join(lake, 'models'), { recursive: true })).map(String).filter((f) => f.endsWith('.parquet')).sort()) {
        out.set(f, createHash('sha256').update(await readFile(path.join(lake, 'models', f))).digest('hex'));
      }
      return out;
    };
    const one = await runFixture({ writeParquet: true, concurrency: 1 });
    const single = await files(one.lake);
    await one.dispose();
    let inFlight = 0;
    let most = 0;
    const two = await runFixture({
      writeParquet: true,
      concurrency: 2,
      onProgress: (p) => {
        inFlight += p.phase === 'start' ? 1 : -1;
        most = Math.max(most, inFlight);
      },
    });
    expect(two.engine.concurrency).toBe(2);
    const lanes = await files(two.lake);
    await two.dispose();
    // Two models did run at once (the graph has independent models from the first seeds on).
    expect(most).toBe(2);
    expect(single.size).toBeGreaterThan(30);
    expect([...lanes.keys()]).toEqual([...single.keys()]);
    for (const [f, h] of single) expect(lanes.get(f), f).toBe(h);
  });

  test("should reuse a kept table model as a view of its file with the SELECT's types, leave the file as it was, and rebuild one whose file lacks a column", async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'engine-reuse-'));
    // A HUGEINT is written to Parquet as DOUBLE: read back bare, the kept model would change type under its readers.
    const model: MaterializableModel = {
      name: 'm_kept',
      layer: 'marts',
      sql: "SELECT CAST(range AS INTEGER) AS n, CAST(range * 1000 AS HUGEINT) AS big, 'x' || range AS label FROM range(3)",
      dependsOn: [],
      file: 'sql/marts/m_kept.sql',
      grain: ['n'],
    };
    let engine = await DuckDbEngine.create({ lakeRoot: lake });
    try {
      const built = await engine.materialize(model);
      const bytes = await readFile(built.location);
      expect((await engine.query(`DESCRIBE SELECT big FROM read_parquet('${built.location}')`))[0]).toMatchObject({ column_type: 'DOUBLE' });
      await engine.close();
      engine = await DuckDbEngine.create({ lakeRoot: lake });
      expect(await engine.reuse(model)).toEqual({ model: 'm_kept', rows: 3, location: built.location, skipped: true });
      expect((await engine.query('DESCRIBE m_kept')).map((r) => `${String(r.column_name)} ${String(r.column_type)}`)).toEqual(['n INTEGER', 'big HUGEINT', 'label VARCHAR']);
      expect((await engine.query("SELECT table_type FROM information_schema.tables WHERE table_name = 'm_kept'"))[0]).toEqual({ table_type: 'VIEW' });
      const reader = await engine.materialize({ name: 'm_reader', layer: 'marts', sql: 'SELECT sum(n) AS s, max(big) AS top, typeof(max(big)) AS t FROM m_kept', dependsOn: ['m_kept'], file: 'sql/marts/m_reader.sql' });
      expect(numbersFromBigints((await engine.query(`SELECT s, t FROM read_parquet('${reader.location}')`))[0]!)).toEqual({ s: 3, t: 'HUGEINT' });
      expect((await readFile(built.location)).equals(bytes)).toBe(true);
      // The model now gives a column its file lacks: not reused (the run rebuilds it).
      expect(await engine.reuse({ ...model, sql: model.sql.replace(' FROM range(3)', ', 1 AS extra FROM range(3)') })).toBeUndefined();
    } finally {
      await engine.close();
      await rm(lake, { recursive: true, force: true });
    }
  });

  test('should keep a persist: false model as a table of the run, write no Parquet and remove a stale one', async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'engine-persist-'));
    const engine = await DuckDbEngine.create({ lakeRoot: lake });
    try {
      const stale = path.join(lake, 'models/intermediate/int_step.parquet');
      await mkdir(path.dirname(stale), { recursive: true });
      await writeFile(stale, 'left by an earlier run');
      const step = await engine.materialize({ name: 'int_step', layer: 'intermediate', sql: 'SELECT range AS n FROM range(5)', dependsOn: [], file: 'sql/intermediate/int_step.sql', persist: false });
      expect(step).toEqual({ model: 'int_step', rows: 5, location: 'duckdb:int_step' });
      expect(existsSync(stale)).toBe(false);
      // A later model still reads it within the run, and is written as usual.
      const mart = await engine.materialize({ name: 'm_total', layer: 'marts', sql: 'SELECT sum(n) AS total FROM int_step', dependsOn: ['int_step'], file: 'sql/marts/m_total.sql' });
      expect(mart.location).toBe(path.join(lake, 'models/marts/m_total.parquet'));
      expect(numbersFromBigints((await engine.query(`SELECT total FROM read_parquet('${mart.location}')`))[0]!)).toEqual({ total: 10 });
    } finally {
      await engine.close();
      await rm(lake, { recursive: true, force: true });
    }
  });

  test('should keep an incremental intermediate model as its year partitions only, and give an incremental mart its single file too', async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'engine-inc-files-'));
    const engine = await DuckDbEngine.create({ lakeRoot: lake });
    try {
      const sql = 'SELECT range AS n, 2020 + range % 2 AS year FROM range(6)';
      const stale = path.join(lake, 'models/intermediate/int_inc.parquet');
      await mkdir(path.dirname(stale), { recursive: true });
      await writeFile(stale, 'left by an earlier run');
      const inter = await engine.materialize({ name: 'int_inc', layer: 'intermediate', sql, dependsOn: [], file: 'sql/intermediate/int_inc.sql', materialized: 'incremental', partitionBy: ['year'], grain: ['n'] });
      expect(inter).toEqual({ model: 'int_inc', rows: 6, location: path.join(lake, 'models/intermediate/int_inc') });
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(path.join(lake, 'models/intermediate/int_inc/year=2021/data.parquet'))).toBe(true);
      const mart = await engine.materialize({ name: 'm_inc', layer: 'marts', sql, dependsOn: [], file: 'sql/marts/m_inc.sql', materialized: 'incremental', partitionBy: ['year'], grain: ['n'] });
      expect(mart.location).toBe(path.join(lake, 'models/marts/m_inc.parquet'));
      expect(numbersFromBigints((await engine.query(`SELECT count(*) AS n FROM read_parquet('${mart.location}')`))[0]!)).toEqual({ n: 6 });
      expect(existsSync(path.join(lake, 'models/marts/m_inc/year=2020/data.parquet'))).toBe(true);
    } finally {
      await engine.close();
      await rm(lake, { recursive: true, force: true });
    }
  });

  test('should leave only the new column\'s partitions when a full refresh changes an incremental model\'s partition column', async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'engine-inc-layout-'));
    const engine = await DuckDbEngine.create({ lakeRoot: lake });
    try {
      const sql = 'SELECT range AS n, 2020 + range % 2 AS year, (2020 + range % 2) * 100 + 1 + range % 3 AS receipt_month FROM range(12)';
      const model = { name: 'int_inc', layer: 'intermediate' as const, sql, dependsOn: [], file: 'sql/intermediate/int_inc.sql', materialized: 'incremental' as const, grain: ['n'] };
      await engine.materialize({ ...model, partitionBy: ['year'] });
      const dir = path.join(lake, 'models/intermediate/int_inc');
      expect((await readdir(dir)).sort()).toEqual(['year=2020', 'year=2021']);
      await engine.materialize({ ...model, partitionBy: ['receipt_month'] });
      // The year=… files would be read twice by a reader of the directory (range.ts): gone.
      expect((await readdir(dir)).sort()).toEqual(['receipt_month=202001', 'receipt_month=202002', 'receipt_month=202003', 'receipt_month=202101', 'receipt_month=202102', 'receipt_month=202103']);
      expect(numbersFromBigints((await engine.query(`SELECT count(*) AS n FROM read_parquet('${dir}/**/*.parquet')`))[0]!)).toEqual({ n: 12 });
      // An incremental run replaces only its partitions and leaves the others.
      const before = (await stat(path.join(dir, 'receipt_month=202001/data.parquet'))).ino;
      await engine.materialize({ ...model, partitionBy: ['receipt_month'] }, { partitions: { column: 'receipt_month', values: [202102] } });
      expect((await stat(path.join(dir, 'receipt_month=202001/data.parquet'))).ino).toBe(before);
      expect((await readdir(dir)).length).toBe(6);
    } finally {
      await engine.close();
      await rm(lake, { recursive: true, force: true });
    }
  });

  test('should recompute only the listed report periods of a narrowed year, keep its other rows from its file, and refuse a narrowed year whose file is gone', async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'engine-periods-'));
    const engine = await DuckDbEngine.create({ lakeRoot: lake });
    try {
      // Months 1–3 and the year of 2020 and 2021, each row carrying the run's version `v`; `drop` leaves a period out.
      const sqlOf = (v: number, drop = ''): string =>
        `SELECT period_type, year, period_no, ${v} AS v FROM (VALUES ('month', 1), ('month', 2), ('month', 3), ('year', 1)) AS p(period_type, period_no)
         CROSS JOIN (VALUES (2020), (2021)) AS y(year) WHERE period_type || ' ' || CAST(year AS VARCHAR) || '/' || CAST(period_no AS VARCHAR) <> '${drop}'`;
      const model = { name: 'int_periods_counted', layer: 'intermediate' as const, dependsOn: [], file: 'sql/intermediate/int_periods_counted.sql', materialized: 'incremental' as const, partitionBy: ['year'], grain: ['period_type', 'year', 'period_no'] };
      await engine.materialize({ ...model, sql: sqlOf(1) });
      const rows = async (rel: string) =>
        (await engine.query(`SELECT period_type || ' ' || CAST(year AS VARCHAR) || '/' || CAST(period_no AS VARCHAR) AS k, v FROM ${rel} ORDER BY year, period_type, period_no`)).map((r) => `${String(r.k)}=${String(r.v)}`);
      // 2020 whole; in 2021 month 2 and the year recomputed, month 3 gone (listed, and the model no longer gives it), month 1 kept.
      const selection = {
        column: 'year',
        values: [2020, 2021],
        periods: { years: [2021], keys: [{ period_type: 'month', year: 2021, period_no: 2 }, { period_type: 'month', year: 2021, period_no: 3 }, { period_type: 'year', year: 2021, period_no: 1 }] },
      };
      await engine.materialize({ ...model, sql: sqlOf(2, 'month 2021/3') }, { partitions: selection });
      const expected = ['month 2020/1=2', 'month 2020/2=2', 'month 2020/3=2', 'year 2020/1=2', 'month 2021/1=1', 'month 2021/2=2', 'year 2021/1=2'];
      expect(await rows('int_periods_counted')).toEqual(expected);
      expect(await rows(`read_parquet('${lake}/models/intermediate/int_periods_counted/year=2021/data.parquet')`)).toEqual(expected.slice(4));
      // A persist: false step with the same selection is a view of the recomputed rows only (its reader keeps the rest).
      await engine.materialize({ ...model, name: 'int_step', persist: false, sql: sqlOf(3) }, { partitions: selection });
      expect(await rows('int_step')).toEqual(['month 2020/1=3', 'month 2020/2=3', 'month 2020/3=3', 'year 2020/1=3', 'month 2021/2=3', 'month 2021/3=3', 'year 2021/1=3']);
      // The kept rows come from the year's file: without it the run stops and says how to rebuild.
      await rm(path.join(lake, 'models/intermediate/int_periods_counted/year=2021'), { recursive: true });
      await expect(engine.materialize({ ...model, sql: sqlOf(4) }, { partitions: selection })).rejects.toThrow(/year=2021\/data\.parquet, which is missing; run the transform with --full-refresh/);
    } finally {
      await engine.close();
      await rm(lake, { recursive: true, force: true });
    }
  });

  test('should keep an incremental persist: false step as a view of the selected partitions, never a table', async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'engine-step-view-'));
    const engine = await DuckDbEngine.create({ lakeRoot: lake });
    try {
      const step = { name: 'int_step', layer: 'intermediate' as const, sql: 'SELECT range AS n, 2020 + range % 3 AS year FROM range(9)', dependsOn: [], file: 'sql/intermediate/int_step.sql', persist: false, materialized: 'incremental' as const, partitionBy: ['year'] };
      // A full run: every partition. Not counted (counting would compute it): no rows in the result.
      expect(await engine.materialize(step)).toEqual({ model: 'int_step', location: 'duckdb:int_step' });
      const kind = async () => (await engine.query("SELECT table_type FROM information_schema.tables WHERE table_name = 'int_step'")).map((r) => r.table_type);
      const count = async () => Number((await engine.query('SELECT count(*) AS n FROM int_step'))[0]!.n);
      expect(await kind()).toEqual(['VIEW']);
      expect(await count()).toBe(9);
      // An incremental run: only the selected years, and the reader aggregates the view as it is read.
      await engine.materialize(step, { partitions: { column: 'year', values: [2021] } });
      expect(await kind()).toEqual(['VIEW']);
      expect(numbersFromBigints((await engine.query('SELECT min(year) AS lo, max(year) AS hi, sum(n) AS total FROM int_step'))[0]!)).toEqual({ lo: 2021, hi: 2021, total: 1 + 4 + 7 });
      await engine.materialize(step, { partitions: { column: 'year', values: [] } });
      expect(await count()).toBe(0);
      // Materialising the step does not compute it: a query that fails when run is only run by its reader.
      const failing = { ...step, sql: "SELECT range AS n, 2020 AS year FROM range(3) WHERE CASE WHEN range >= 0 THEN error('computed') ELSE true END" };
      expect(await engine.materialize(failing)).toEqual({ model: 'int_step', location: 'duckdb:int_step' });
      await expect(engine.query('SELECT count(*) AS n FROM int_step')).rejects.toThrow(/computed/);
      expect(existsSync(path.join(lake, 'models/intermediate/int_step'))).toBe(false);
      expect(existsSync(path.join(lake, 'models/intermediate/int_step.parquet'))).toBe(false);
    } finally {
      await engine.close();
      await rm(lake, { recursive: true, force: true });
    }
  });
});
