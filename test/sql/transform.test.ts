/**
 * Model loader (dependencies, order, errors), the portability lint, and seeds as SELECTs.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { lakeSourceLocations, lintSql, loadModels, loadSources, parseCsv, referencedRelations, seedToSql, SOURCE_NAMES } from '../../functions/core/transform/index.js';
import { SQL_DIR } from './helpers.js';

// Every tree a test made (some tests make two), removed after it.
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function sqlTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'models-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, 'sql', rel)), { recursive: true });
    await writeFile(path.join(dir, 'sql', rel), text);
  }
  return path.join(dir, 'sql');
}

describe('loadModels on sql/', () => {
  test('should order every model after the models it reads', () => {
    const models = loadModels(SQL_DIR);
    const pos = new Map(models.map((m, k) => [m.name, k]));
    for (const m of models) for (const d of m.dependsOn) expect(pos.get(d)!).toBeLessThan(pos.get(m.name)!);
    expect(models.find((m) => m.name === 'agency_months')?.dependsOn).toEqual(['int_agency_periods_compared']);
    expect(models.find((m) => m.name === 'int_agency_periods_compared')?.dependsOn).toEqual(['agency_periods']);
    expect(models.find((m) => m.name === 'agency_periods')?.grain).toEqual(['agency_code', 'period_type', 'year', 'period_no']);
  });
  test('should write every model but the run-only steps the YAML marks persist: false', () => {
    const runOnly = loadModels(SQL_DIR).filter((m) => m.persist === false).map((m) => m.name);
    expect(runOnly.sort()).toEqual(['int_dossiers_attributed', 'stg_lake__dossiers']);
  });
  test('should declare in sql/staging/lake/_sources.yml exactly the datasets the engine reads and the models use', () => {
    const declared = loadSources(SQL_DIR);
    expect(declared.map((d) => d.file.endsWith('sql/staging/lake/_sources.yml'))).not.toContain(false);
    expect(declared.map((d) => d.name).sort()).toEqual([...SOURCE_NAMES].sort());
    // Every declared table is read by a staging model, and every src_ name a model reads is declared.
    const read = new Set(loadModels(SQL_DIR).flatMap((m) => referencedRelations(m.sql)).filter((r) => r.startsWith('src_')));
    expect([...read].sort()).toEqual(declared.map((d) => d.name).sort());
    // meta.location is where the lake writes the dataset (relative to the lake root).
    const locations = lakeSourceLocations('');
    for (const d of declared) expect(`/${d.location}`, d.name).toBe(locations[d.name]);
  });
});

describe('loadModels on broken trees', () => {
  test('should fail on a dependency cycle', async () => {
    const root = await sqlTree({ 'marts/a.sql': 'select * from b', 'marts/b.sql': 'select * from a' });
    expect(() => loadModels(root)).toThrow(/dependency cycle a → b → a|dependency cycle b → a → b/);
  });
  test('should fail on an unknown relation', async () => {
    const root = await sqlTree({ 'marts/a.sql': 'with x as (select 1 as v) select * from x join stg_missing on true' });
    expect(() => loadModels(root)).toThrow(/unknown relation "stg_missing"/);
  });
  test('should fail when a mart is marked persist: false (the dashboards read every mart)', async () => {
    const root = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': 'version: 2\nmodels:\n  - name: a\n    config: {persist: false}\n' });
    expect(() => loadModels(root)).toThrow(/a is a mart: it must be persisted/);
  });
  test('should read materialized: incremental with its partition column, and refuse one without it or a view mart', async () => {
    const yml = (config: string) => `version: 2\nmodels:\n  - name: a\n    config: ${config}\n`;
    const ok = await sqlTree({ 'marts/a.sql': 'select 2025 as year, 1 as v', 'marts/_m__models.yml': yml('{materialized: incremental, incremental_strategy: insert_overwrite, partition_by: [year], meta: {as_of_cut: none}}') });
    expect(loadModels(ok).find((m) => m.name === 'a')).toMatchObject({ materialized: 'incremental', partitionBy: ['year'] });
    const noKey = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': yml('{materialized: incremental}') });
    expect(() => loadModels(noKey)).toThrow(/config: materialized: incremental needs partition_by with exactly one \(integer\) column/);
    const view = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': yml('{materialized: view}') });
    expect(() => loadModels(view)).toThrow(/a is a mart: it must be a table or incremental/);
    const strategy = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': yml('{incremental_strategy: insert_overwrite}') });
    expect(() => loadModels(strategy)).toThrow(/incremental_strategy is only for materialized: incremental/);
  });
  test('should make every mart declare its snapshot cut, naming the YAML file, and no other model', async () => {
    const tree = (config: string, columns = '', layer = 'marts') =>
      sqlTree({ [`${layer}/a.sql`]: 'select 2025 as year, 6 as month', [`${layer}/_m__models.yml`]: `version: 2\nmodels:\n  - name: a\n    config: ${config}\n${columns}` });
    const cols = '    columns:\n      - {name: year}\n      - {name: month}\n';
    expect(loadModels(await tree('{meta: {as_of_cut: year_month}}', cols)).find((m) => m.name === 'a')?.asOfCut).toBe('year_month');
    await expect(tree('{grain: [year]}', cols).then(loadModels)).rejects.toThrow(/_m__models\.yml: the mart a declares no snapshot cut: add config\.meta\.as_of_cut \(period_start \| year_month \| as_of \| year \| none\)/);
    await expect(tree('{meta: {as_of_cut: month}}', cols).then(loadModels)).rejects.toThrow(/_m__models\.yml: models\.0\.config\.meta\.as_of_cut: /);
    await expect(tree('{meta: {as_of_cut: period_start}}', cols).then(loadModels)).rejects.toThrow(/_m__models\.yml: the mart a is cut by period_start, but its YAML lists no column period_start/);
    await expect(tree('{meta: {as_of_cut: year}}', cols, 'intermediate').then(loadModels)).rejects.toThrow(/_m__models\.yml: a is not a mart: only a mart has a snapshot cut/);
    const bare = await sqlTree({ 'marts/b.sql': 'select 1 as v' });
    expect(() => loadModels(bare)).toThrow(/marts\/b\.sql: the mart b declares no snapshot cut/);
  });
  test('should let only incremental models on the same column read an incremental step that is not persisted', async () => {
    const root = await sqlTree({
      'intermediate/int_a.sql': 'select 2025 as year, 1 as v',
      'intermediate/_i__models.yml': 'version: 2\nmodels:\n  - name: int_a\n    config: {persist: false, materialized: incremental, partition_by: [year]}\n',
      'marts/b.sql': 'select * from int_a',
    });
    expect(() => loadModels(root)).toThrow(/it reads int_a, an incremental step with persist: false, so it must be materialized: incremental with partition_by: \[year\]/);
  });
  test('should read incremental_scope: period only on a year-partitioned incremental model keyed by its period, and make a non-persisted step\'s readers scoped too', async () => {
    const step = (config: string) => `version: 2\nmodels:\n  - name: int_a\n    config: ${config}\n`;
    const sql = 'select 2025 as year, \'month\' as period_type, 1 as period_no, 1 as v';
    const scoped = '{grain: [period_type, year, period_no], materialized: incremental, partition_by: [year], incremental_scope: period}';
    const ok = await sqlTree({ 'intermediate/int_a.sql': sql, 'intermediate/_i__models.yml': step(scoped) });
    expect(loadModels(ok).find((m) => m.name === 'int_a')).toMatchObject({ incrementalScope: 'period', partitionBy: ['year'] });
    for (const config of [
      '{grain: [period_type, year, period_no], incremental_scope: period}',
      '{grain: [period_type, year], materialized: incremental, partition_by: [year], incremental_scope: period}',
      '{grain: [period_type, year, period_no], materialized: incremental, partition_by: [period_no], incremental_scope: period}',
    ]) {
      const bad = await sqlTree({ 'intermediate/int_a.sql': sql, 'intermediate/_i__models.yml': step(config) });
      expect(() => loadModels(bad), config).toThrow(/incremental_scope: period is for an incremental model with partition_by: \[year\] whose grain holds period_type, year and period_no/);
    }
    // A non-persisted scoped step holds only the periods its run recomputes: a reader that is not scoped would lose the others.
    const reader = (config: string) =>
      sqlTree({
        'intermediate/int_a.sql': sql,
        'intermediate/int_b.sql': 'select year, period_type, period_no, sum(v) as v from int_a group by all',
        'intermediate/_i__models.yml': `${step(scoped.replace('}', ', persist: false}'))}  - name: int_b\n    config: ${config}\n`,
      });
    await expect(reader('{grain: [period_type, year, period_no], materialized: incremental, partition_by: [year]}').then(loadModels)).rejects.toThrow(
      /it reads int_a, a step with persist: false and incremental_scope: period, so it needs incremental_scope: period too/,
    );
    expect(loadModels(await reader(scoped)).map((m) => m.name)).toEqual(expect.arrayContaining(['int_a', 'int_b']));
  });
  test('should fail when a mart reads a source directly', async () => {
    const root = await sqlTree({ 'marts/a.sql': 'select * from src_dossiers' });
    expect(() => loadModels(root)).toThrow(/only staging models may read sources/);
  });
  test('should fail on YAML describing a missing model or an unknown test', async () => {
    const root = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': 'version: 2\nmodels:\n  - name: b\n' });
    expect(() => loadModels(root)).toThrow(/describes b, which has no .sql/);
    const root2 = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: v\n        data_tests: [is_great]\n' });
    expect(() => loadModels(root2)).toThrow(/_m__models\.yml: models\.0\.columns\.0\.data_tests\.0/);
  });
  test('should refuse dbt\'s old tests: key, naming the file and the place', async () => {
    const root = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: v\n        tests: [not_null]\n' });
    expect(() => loadModels(root)).toThrow(/_m__models\.yml: models\.0\.columns\.0\.tests: the key "tests:" is dbt's old spelling; write "data_tests:"/);
    const root2 = await sqlTree({ 'marts/a.sql': 'select 1 as v', 'marts/_m__models.yml': 'version: 2\nmodels:\n  - name: a\n    tests: [not_empty]\n' });
    expect(() => loadModels(root2)).toThrow(/_m__models\.yml: models\.0\.tests: the key "tests:"/);
  });
  test('should fail when a staging model reads a source its _sources.yml does not declare', async () => {
    const sourcesYml = 'version: 2\nsources:\n  - name: lake\n    tables:\n      - name: src_agencies\n';
    const root = await sqlTree({ 'staging/lake/_sources.yml': sourcesYml, 'staging/lake/stg_a.sql': 'select * from src_agencies join src_dossiers on true' });
    expect(() => loadModels(root)).toThrow(/stg_a\.sql: unknown relation "src_dossiers"/);
  });
  test('should fail when _sources.yml declares a table no model reads, or one the engine cannot read', async () => {
    const root = await sqlTree({
      'staging/lake/_sources.yml': 'version: 2\nsources:\n  - name: lake\n    tables:\n      - name: src_agencies\n      - name: src_dossiers\n',
      'staging/lake/stg_a.sql': 'select * from src_agencies',
    });
    expect(() => loadModels(root)).toThrow(/_sources\.yml: source table src_dossiers is declared but no model reads it/);
    const root2 = await sqlTree({ 'staging/lake/_sources.yml': 'version: 2\nsources:\n  - name: lake\n    tables:\n      - name: src_nowhere\n' });
    expect(() => loadModels(root2)).toThrow(/_sources\.yml: source table src_nowhere is not a dataset the engine can read/);
  });
});

describe('lintSql', () => {
  test('should pass portable SQL', () => {
    expect(lintSql("with t(a) as (select 1) select count_if(a > 0), cast(a as double) / nullif(a, 0) from t where a in (1) -- :: in a comment\n")).toEqual([]);
  });
  test.each([
    ['select `a` from t', 'backtick'],
    ['select cast(a as string) from t', 'string-type'],
    ['select a::int from t', 'double-colon-cast'],
    ['select a from t qualify row_number() over () = 1', 'qualify'],
    ['select a, count(*) from t group by all', 'group-by-all'],
    ['select * exclude (a) from t', 'exclude'],
    ['from t select a', 'from-first'],
    ['select strftime(a, \'%Y\') from t', 'function'],
    ['select if(a, 1, 2) from t', 'function'],
    ['select a from t;', 'semicolon'],
  ])('should flag %s', (sql, rule) => {
    expect(lintSql(sql).map((i) => i.rule)).toContain(rule);
  });
  test('should ignore forbidden words inside string literals', () => {
    expect(lintSql("select 'a::b QUALIFY `x` string' as s from t")).toEqual([]);
  });
});

describe('seeds', () => {
  test('should parse quoted CSV fields and type columns', () => {
    expect(parseCsv('\uFEFFa,b\r\n1,"x, ""y"""\r\n', 'f.csv')).toEqual([['a', 'b'], ['1', 'x, "y"']]);
    const { sql, columns } = seedToSql('n,d,flag,name\n1,2024-01-01,true,O\'Brien\n2,,false,x\n', 'f.csv');
    expect(columns).toEqual(['n', 'd', 'flag', 'name']);
    expect(sql).toContain('CAST(n AS INTEGER) AS n');
    expect(sql).toContain('CAST(d AS DATE) AS d');
    expect(sql).toContain('CAST(flag AS BOOLEAN) AS flag');
    expect(sql).toContain("'O''Brien'");
  });
  test('should reject a ragged seed row', () => {
    expect(() => seedToSql('a,b\n1\n', 'bad.csv')).toThrow(/bad\.csv: row 1 has 1 fields, expected 2/);
  });
});
