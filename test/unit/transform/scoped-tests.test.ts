/**
 * The YAML tests of an incremental model in an incremental run (docs/architecture.md, "Incremental
 * models"): on real DuckDB, the row tests and the uniqueness tests that hold the partition column check
 * only the rebuilt partitions; a uniqueness test without it checks the rebuilt partitions' keys among
 * themselves and against the other partitions; not_empty and columns_match read the whole model; with
 * nothing rebuilt the scoped tests are not run; without a selection (a full run) every test reads
 * everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../../functions/core/engine/duckdb-engine.js';
import { runModelTests, type TestResult, type TransformModel } from '../../../functions/core/transform/index.js';
import { partitionBatches, uniqueByHashWithRowTestsSql } from '../../../functions/core/transform/tests.js';

let root = '';
let engine: DuckDbEngine;
// 2023 holds a row with no key and a key (7) that 2024 holds too; 2024 is clean on its own.
const model: TransformModel = {
  name: 'parts',
  layer: 'marts',
  sql: "select * from (values (1, 'a', 2024), (7, 'b', 2024), (cast(null as integer), 'c', 2023), (7, 'zz', 2023)) as v (k, c, year)",
  dependsOn: [],
  file: 'sql/marts/parts.sql',
  materialized: 'incremental',
  partitionBy: ['year'],
  columns: [],
  tests: [
    { kind: 'not_null', column: 'k', severity: 'error' },
    { kind: 'unique_combination_of_columns', columns: ['k', 'year'], severity: 'error' },
    { kind: 'unique', column: 'k', severity: 'error' },
    { kind: 'accepted_values', column: 'c', values: ['a', 'b', 'c'], severity: 'error' },
    { kind: 'not_empty', severity: 'error' },
  ],
};
const byTest = (rs: TestResult[]): Record<string, number> => Object.fromEntries(rs.map((r) => [r.test, r.failures]));

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'scoped-tests-'));
  engine = await DuckDbEngine.create({ lakeRoot: root, workDir: root, writeParquet: false });
  await engine.materialize(model);
});

afterAll(async () => {
  await engine?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('YAML tests of an incremental model', () => {
  test('should read the whole model without a selection (a full run)', async () => {
    expect(byTest(await runModelTests(engine, [model]))).toEqual({ 'not_null(k)': 1, 'unique(k, year)': 0, 'unique(k)': 1, 'accepted_values(c)': 1, not_empty: 0 });
  });

  test('should check only the rebuilt year with the row tests, and its keys against the other years with unique(k), which spans years', async () => {
    const r = await runModelTests(engine, [model], { partitions: { column: 'year', values: [2024] } });
    expect(byTest(r)).toEqual({ 'not_null(k)': 0, 'unique(k, year)': 0, 'unique(k)': 1, 'accepted_values(c)': 0, not_empty: 0 });
    expect(r.find((x) => x.test === 'not_null(k)')!.sql).toContain('FROM (SELECT * FROM parts WHERE year IN (2024)) AS parts');
    // k 7 of 2024 is found in 2023, a year not rebuilt.
    expect(r.find((x) => x.test === 'unique(k)')!.sql).toContain('year NOT IN (2024)');
    expect(byTest(await runModelTests(engine, [model], { partitions: { column: 'year', values: [2023] } }))).toEqual({
      'not_null(k)': 1,
      'unique(k, year)': 0,
      'unique(k)': 1,
      'accepted_values(c)': 1,
      not_empty: 0,
    });
  });

  test('should not run the scoped tests nor the uniqueness across years when nothing was rebuilt, and still the whole-model ones', async () => {
    const r = await runModelTests(engine, [model], { partitions: { column: 'year', values: [] } });
    expect(r.filter((x) => x.detail === 'no partition rebuilt').map((x) => x.test)).toEqual(['not_null(k)', 'unique(k, year)', 'unique(k)', 'accepted_values(c)']);
    expect(byTest(r)).toEqual({ 'not_null(k)': 0, 'unique(k, year)': 0, 'unique(k)': 0, 'accepted_values(c)': 0, not_empty: 0 });
  });

  test('should find a key repeated within the rebuilt years or between them and another year, once each, as the whole-model test counts it', async () => {
    // k 1 twice in 2024; k 2 in 2024 and 2022; k 3 in 2022 and 2023 only (neither rebuilt: checked when they were written).
    const across: TransformModel = {
      ...model,
      name: 'across',
      sql: 'select * from (values (1, 2024), (1, 2024), (2, 2024), (2, 2022), (3, 2022), (3, 2023), (4, 2025), (cast(null as integer), 2024), (cast(null as integer), 2022)) as v (k, year)',
      tests: [
        { kind: 'unique', column: 'k', severity: 'error' },
        { kind: 'unique_combination_of_columns', columns: ['k'], severity: 'error' },
      ],
    };
    await engine.materialize(across);
    // [unique(k), unique_combination_of_columns(k)]: the latter groups NULLs as one key (NULL in 2024 and 2022).
    const failures = (rs: TestResult[]): number[] => rs.map((r) => r.failures);
    const run = async (values: number[]) => failures(await runModelTests(engine, [across], { partitions: { column: 'year', values } }));
    expect(failures(await runModelTests(engine, [across]))).toEqual([3, 4]);
    expect(await run([2024])).toEqual([2, 3]);
    expect(await run([2024, 2022])).toEqual([3, 4]);
    expect(await run([2025])).toEqual([0, 0]);
    expect(await run([2023])).toEqual([1, 1]);
    const sql = (await runModelTests(engine, [across], { partitions: { column: 'year', values: [2024] } })).map((r) => r.sql);
    for (const q of sql) expect(q).toContain('year NOT IN (2024)');
    // A run-only step (persist: false) holds the run's partitions only: its whole-model test reads just those.
    const step = await runModelTests(engine, [{ ...across, persist: false }], { partitions: { column: 'year', values: [2024] } });
    expect(step.map((r) => r.sql).filter((q) => q.includes('NOT IN'))).toEqual([]);
    expect(failures(step)).toEqual([3, 4]);
  });

  test('should leave the tests of a model partitioned by another column, or not incremental, unscoped', async () => {
    const table: TransformModel = { ...model, materialized: 'table' };
    expect(byTest(await runModelTests(engine, [table], { partitions: { column: 'year', values: [2024] } }))['not_null(k)']).toBe(1);
    const other: TransformModel = { ...model, partitionBy: ['c'] };
    expect(byTest(await runModelTests(engine, [other], { partitions: { column: 'year', values: [2024] } }))['not_null(k)']).toBe(1);
  });
});

describe('uniqueness tests of an incremental model on the embedded engine (memory-bound)', () => {
  // Two rows share (k, year) in 2023 only; 2022 and 2024 are clean; k 5 repeats across years (allowed).
  const dups: TransformModel = {
    ...model,
    name: 'dups',
    sql: 'select * from (values (5, 2022), (5, 2023), (6, 2023), (6, 2023), (5, 2024)) as v (k, year)',
    tests: [{ kind: 'unique_combination_of_columns', columns: ['k', 'year'], severity: 'error' }],
  };
  const queriesOf = async (run: () => Promise<TestResult[]>): Promise<{ results: TestResult[]; sql: string[] }> => {
    const sql: string[] = [];
    const query = engine.query.bind(engine);
    const spy = (s: string, p?: Record<string, string | number | boolean | null>) => {
      sql.push(s);
      return query(s, p);
    };
    Object.assign(engine, { query: spy });
    try {
      return { results: await run(), sql };
    } finally {
      delete (engine as unknown as Record<string, unknown>).query;
    }
  };

  test('should prove the keys unique by partition in the row pass of a full run, and group only the partitions it does not prove, within the row limit', async () => {
    expect(engine.memoryBound).toBe(true);
    await engine.materialize(dups);
    const years = (s: string): string => /year IN \(([\d, ]+)\)/.exec(s)?.[1] ?? 'all';
    // The keys' hashes, counted per partition by the pass that counts the row tests (here none) and gives
    // the rows per year; the GROUP BY of the keys only for the years whose hashes repeat.
    const hashed = (sql: string[]): string[] => sql.filter((s) => s.includes('count(DISTINCT hash(k, year))')).map(years);
    const yearsChecked = (sql: string[]): string[] => sql.filter((s) => s.includes('HAVING count(*) > 1')).map(years);
    const whole = await queriesOf(() => runModelTests(engine, [dups]));
    expect(byTest(whole.results)).toEqual({ 'unique(k, year)': 1 });
    expect(hashed(whole.sql)).toEqual(['all']);
    expect(whole.sql[0]).toContain('GROUP BY year');
    expect(yearsChecked(whole.sql)).toEqual(['2023']);
    expect(whole.sql).toHaveLength(2);
    // The same count as the test's own SQL over the whole model.
    expect(Number((await engine.query(whole.results[0]!.sql))[0]!.failures)).toBe(1);
    // Repeats in 2022 (3 rows) and 2023 (3 rows), none in 2024: the unproven years a batch at a time
    // within the row limit (4: one year a query), all at once by default (25 M rows); 2024 never grouped.
    const two: TransformModel = { ...dups, name: 'dups_two', sql: 'select * from (values (5, 2022), (5, 2022), (7, 2022), (5, 2023), (6, 2023), (6, 2023), (5, 2024)) as v (k, year)' };
    await engine.materialize(two);
    const small = await queriesOf(() => runModelTests(engine, [two], { uniqueRowsPerQuery: 4 }));
    expect(byTest(small.results)).toEqual({ 'unique(k, year)': 2 });
    expect(hashed(small.sql)).toEqual(['all']);
    expect(yearsChecked(small.sql)).toEqual(['2022', '2023']);
    const all = await queriesOf(() => runModelTests(engine, [two]));
    expect(byTest(all.results)).toEqual({ 'unique(k, year)': 2 });
    expect(yearsChecked(all.sql)).toEqual(['2022, 2023']);
    // Without a duplicate, the row pass alone passes the test: one query.
    const clean: TransformModel = { ...dups, name: 'dups_clean', sql: 'select * from (values (5, 2022), (5, 2023), (6, 2023), (5, 2024)) as v (k, year)' };
    await engine.materialize(clean);
    const passed = await queriesOf(() => runModelTests(engine, [clean], { uniqueRowsPerQuery: 2 }));
    expect(byTest(passed.results)).toEqual({ 'unique(k, year)': 0 });
    expect(passed.sql).toHaveLength(1);
    expect(yearsChecked(passed.sql)).toEqual([]);
  });

  test('should group partition values in order within the row limit, a larger partition alone', () => {
    expect(partitionBatches(new Map([[2024, 5], [2022, 1], [2023, 3]]), 4)).toEqual([[2022, 2023], [2024]]);
    expect(partitionBatches(new Map([[2022, 1], [2023, 1]]), 4)).toEqual([[2022, 2023]]);
    expect(partitionBatches(new Map(), 4)).toEqual([]);
  });

  test('should count the row tests of a model in one pass, each result keeping its own SQL and the same failures', async () => {
    const rowsModel: TransformModel = {
      ...model,
      name: 'rowsy',
      sql: "select * from (values (1, 'a', 2024), (cast(null as integer), 'x', 2024), (3, cast(null as varchar), 2023)) as v (k, c, year)",
      tests: [
        { kind: 'not_null', column: 'k', severity: 'error' },
        { kind: 'accepted_values', column: 'c', values: ['a'], severity: 'error' },
        // NULL for the row with no k: neither true nor a failure, one by one or in the batch.
        { kind: 'expression_is_true', expression: 'k < 3', severity: 'error' },
        // k 3 has no parent; the child's NULL k is no failure; the parent's NULL must not hide k 3
        // (a bare NOT IN over a list holding NULL is NULL, never true).
        { kind: 'relationships', column: 'k', to: 'parent_k', field: 'pk', severity: 'error' },
      ],
    };
    await engine.materialize({ ...model, name: 'parent_k', materialized: 'table', sql: 'select * from (values (1), (cast(null as integer))) as v (pk)' });
    await engine.materialize(rowsModel);
    const { results, sql } = await queriesOf(() => runModelTests(engine, [rowsModel]));
    expect(byTest(results)).toEqual({ 'not_null(k)': 1, 'accepted_values(c)': 1, 'expression_is_true(k < 3)': 1, 'relationships(k → parent_k.pk)': 1 });
    expect(sql.filter((s) => s.includes('FROM rowsy'))).toHaveLength(1);
    expect(sql[0]).toContain('count_if(NOT (k < 3))');
    expect(sql[0]).toContain('FROM parent_k AS _parent');
    // Each result keeps its own SQL (the NOT EXISTS every engine runs), which counts the same rows.
    expect(results.find((r) => r.test.startsWith('relationships'))!.sql).toContain('NOT EXISTS');
    for (const r of results) expect(Number((await engine.query(r.sql))[0]!.failures)).toBe(r.failures);
    const scoped = await queriesOf(() => runModelTests(engine, [rowsModel], { partitions: { column: 'year', values: [2023] } }));
    expect(byTest(scoped.results)).toEqual({ 'not_null(k)': 0, 'accepted_values(c)': 0, 'expression_is_true(k < 3)': 1, 'relationships(k → parent_k.pk)': 1 });
    expect(scoped.sql).toHaveLength(1);
    const rebuilt2024 = await runModelTests(engine, [rowsModel], { partitions: { column: 'year', values: [2024] } });
    expect(byTest(rebuilt2024)['relationships(k → parent_k.pk)']).toBe(0);
  });

  test('should check only the rebuilt partitions that hold rows in an incremental run', async () => {
    const { results, sql } = await queriesOf(() => runModelTests(engine, [dups], { partitions: { column: 'year', values: [2023, 2024, 2030] }, uniqueRowsPerQuery: 2 }));
    expect(byTest(results)).toEqual({ 'unique(k, year)': 1 });
    // The rebuilt years' hashes are counted by the row pass over them; only 2023, where (6, 2023) repeats, is grouped.
    expect(sql.filter((s) => s.includes('count(DISTINCT hash(')).map((s) => /year IN \(([\d, ]+)\)/.exec(s)?.[1])).toEqual(['2023, 2024, 2030']);
    expect(sql.filter((s) => s.includes('HAVING count(*) > 1')).map((s) => /year IN \(([\d, ]+)\)/.exec(s)?.[1])).toEqual(['2023']);
    expect(byTest(await runModelTests(engine, [dups], { partitions: { column: 'year', values: [2024] } }))).toEqual({ 'unique(k, year)': 0 });
  });

  describe('a uniqueness test that reads the rows the row tests read takes them into its GROUP BY', () => {
    // The failures of every result must be those of its own SQL, run alone.
    const ownFailures = async (e: DuckDbEngine, results: TestResult[]): Promise<void> => {
      for (const r of results) expect(Number((await e.query(r.sql))[0]!.failures), r.test).toBe(r.failures);
    };
    const rowTests: TransformModel['tests'] = [
      { kind: 'not_null', column: 'c', severity: 'error' },
      { kind: 'expression_is_true', expression: 'k < 9', severity: 'error' },
    ];
    // (k, year) repeats in 2023; 2024 and 2025 are clean; c is NULL and k = 9 in 2022 only.
    const grain: TransformModel = {
      ...model,
      name: 'grain',
      sql: "select * from (values (1, 'a', 2022), (9, cast(null as varchar), 2022), (6, 'a', 2023), (6, 'b', 2023), (1, 'a', 2024), (2, 'a', 2025)) as v (k, c, year)",
      tests: [{ kind: 'unique_combination_of_columns', columns: ['k', 'year'], severity: 'error' }, ...rowTests],
    };

    test('should check each rebuilt partition in one query of its keys\' hashes, the row tests with it, and group the keys only where a hash repeats', async () => {
      await engine.materialize(grain);
      const { results, sql } = await queriesOf(() => runModelTests(engine, [grain], { partitions: { column: 'year', values: [2023, 2024] } }));
      expect(byTest(results)).toEqual({ 'unique(k, year)': 1, 'not_null(c)': 0, 'expression_is_true(k < 9)': 0 });
      // 2023 (k 6 twice): its hashes, then its GROUP BY for the count; 2024 (clean): its hashes only.
      expect(sql.map((q) => [/year IN \(([\d, ]+)\)/.exec(q)?.[1], q.includes('count(DISTINCT hash(k, year))') ? 'hash' : q.includes('GROUP BY k, year') ? 'group' : q])).toEqual([
        ['2023', 'hash'],
        ['2023', 'group'],
        ['2024', 'hash'],
      ]);
      for (const q of sql) expect(q).toContain('_failed');
      await ownFailures(engine, results);
    });

    test('should find a key repeated in a partition by the keys\' hashes alone as often as the GROUP BY does', async () => {
      // Three rows of k 5 and two of k 8 in 2026: two duplicated keys, 3 distinct hashes for 5 keys.
      const many: TransformModel = { ...grain, name: 'many', sql: "select * from (values (5, 'a', 2026), (5, 'a', 2026), (5, 'a', 2026), (8, 'a', 2026), (8, 'a', 2026), (1, 'a', 2026)) as v (k, c, year)" };
      await engine.materialize(many);
      const partitions = { column: 'year', values: [2026] };
      const [h] = await engine.query(uniqueByHashWithRowTestsSql('many', many.tests[0]!, rowTests, partitions));
      expect([Number(h!._keys), Number(h!._distinct), Number(h!._failed)]).toEqual([6, 3, 0]);
      const results = await runModelTests(engine, [many], { partitions });
      expect(byTest(results)['unique(k, year)']).toBe(2);
      await ownFailures(engine, results);
    });

    test('should count each row test on its own when a row fails one, with the same failures', async () => {
      const { results, sql } = await queriesOf(() => runModelTests(engine, [grain], { partitions: { column: 'year', values: [2022, 2023] } }));
      expect(byTest(results)).toEqual({ 'unique(k, year)': 1, 'not_null(c)': 1, 'expression_is_true(k < 9)': 1 });
      // 2022's hashes; 2023's hashes and GROUP BY (k 6 twice).
      expect(sql.filter((q) => q.includes('_failed'))).toHaveLength(3);
      expect(sql.filter((q) => q.includes('count_if(NOT (k < 9))'))).toHaveLength(1);
      await ownFailures(engine, results);
    });

    test('should fold a uniqueness test over the whole model in a full run, NULL keys left out as unique() leaves them', async () => {
      const keyed: TransformModel = {
        ...grain,
        name: 'keyed',
        sql: "select * from (values (cast(null as integer), 'a', 2022), (cast(null as integer), 'a', 2023), (4, 'a', 2023), (4, 'a', 2024), (5, 'a', 2024)) as v (k, c, year)",
        tests: [{ kind: 'unique', column: 'k', severity: 'error' }, ...rowTests],
      };
      await engine.materialize(keyed);
      const { results, sql } = await queriesOf(() => runModelTests(engine, [keyed]));
      expect(byTest(results)).toEqual({ 'unique(k)': 1, 'not_null(c)': 0, 'expression_is_true(k < 9)': 0 });
      // The hashes of the 3 non-NULL keys (4, 4, 5): 2 distinct, so the GROUP BY counts the failure.
      expect(sql).toHaveLength(2);
      expect(sql[0]).toContain('FILTER (WHERE k IS NOT NULL)');
      await ownFailures(engine, results);
      // Without the repeated 4, the NULL keys alone do not send it to the GROUP BY.
      const nulls: TransformModel = { ...keyed, name: 'nulls', sql: "select * from (values (cast(null as integer), 'a', 2022), (cast(null as integer), 'a', 2023), (4, 'a', 2023), (5, 'a', 2024)) as v (k, c, year)" };
      await engine.materialize(nulls);
      const clean = await queriesOf(() => runModelTests(engine, [nulls]));
      expect(byTest(clean.results)['unique(k)']).toBe(0);
      expect(clean.sql).toHaveLength(1);
    });

    test('should still check a second uniqueness test by partition beside the folded one, by its hashes per partition', async () => {
      const two: TransformModel = {
        ...grain,
        name: 'two',
        tests: [...grain.tests, { kind: 'unique_combination_of_columns', columns: ['c', 'year'], severity: 'error' }],
      };
      await engine.materialize(two);
      const { results, sql } = await queriesOf(() => runModelTests(engine, [two], { partitions: { column: 'year', values: [2023, 2024] }, uniqueRowsPerQuery: 1 }));
      // 2023: (6, a) and (6, b) repeat k; c is unique within each year there and in 2024.
      expect(byTest(results)).toEqual({ 'unique(k, year)': 1, 'not_null(c)': 0, 'expression_is_true(k < 9)': 0, 'unique(c, year)': 0 });
      // Its hashes counted per year by the row pass over the rebuilt years; c is unique in both, so they suffice.
      expect(sql.filter((q) => q.includes('count(DISTINCT hash(c, year))')).map((q) => /year IN \(([\d, ]+)\)/.exec(q)?.[1])).toEqual(['2023, 2024']);
      expect(sql.filter((q) => q.includes('GROUP BY c, year HAVING'))).toEqual([]);
      await ownFailures(engine, results);
    });

    test('should fold the uniqueness of a run-only step over the partitions it holds', async () => {
      const lake = mkdtempSync(path.join(tmpdir(), 'folded-step-'));
      const parquet = await DuckDbEngine.create({ lakeRoot: lake, workDir: lake });
      try {
        const step: TransformModel = { ...grain, name: 'step', persist: false, tests: [{ kind: 'unique', column: 'k', severity: 'error' }, ...rowTests] };
        // k 1 is in 2022 and 2024: a duplicate only when both years are in the run.
        for (const [values, dup] of [[[2024, 2025], 0], [[2022, 2024], 1]] as const) {
          const partitions = { column: 'year', values: [...values] };
          await parquet.materialize(step, { partitions });
          const results = await runModelTests(parquet, [step], { partitions });
          expect(byTest(results)['unique(k)'], values.join()).toBe(dup);
          await ownFailures(parquet, results);
        }
        const spied: string[] = [];
        const query = parquet.query.bind(parquet);
        Object.assign(parquet, { query: (q: string) => (spied.push(q), query(q)) });
        await runModelTests(parquet, [step], { partitions: { column: 'year', values: [2024, 2025] } });
        expect(spied).toHaveLength(1);
        expect(spied[0]).toContain('_failed');
      } finally {
        await parquet.close();
        rmSync(lake, { recursive: true, force: true });
      }
    });
  });
});

describe('columns_match of a mart on the embedded engine', () => {
  test("should compare the mart's columns with its YAML, naming what is missing and what is undeclared", async () => {
    const mart: TransformModel = {
      name: 'cols_mart',
      layer: 'marts',
      sql: 'select 1 as a, 2 as b, 3 as c',
      dependsOn: [],
      file: 'sql/marts/cols_mart.sql',
      columns: [],
      tests: [{ kind: 'columns_match', columns: ['a', 'b', 'd'], severity: 'error' }],
    };
    // Another relation with the declared columns, which a lookup not kept to the mart would see too.
    await engine.materialize({ ...mart, name: 'cols_other', sql: 'select 1 as a, 2 as b, 4 as d' });
    await engine.materialize(mart);
    const [bad] = await runModelTests(engine, [mart]);
    expect(bad).toMatchObject({ test: 'columns_match', failures: 2, passed: false, detail: 'declared but missing: [d]; present but undeclared: [c]' });
    const [good] = await runModelTests(engine, [{ ...mart, tests: [{ kind: 'columns_match', columns: ['a', 'b', 'c'], severity: 'error' }] }]);
    expect(good).toMatchObject({ failures: 0, passed: true });
  });
});
