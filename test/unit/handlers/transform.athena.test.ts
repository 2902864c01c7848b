/**
 * The transform Lambda handler over EVERY sql/ model on Athena, with the Athena API answered by the
 * recorded responses in test/fixtures/athena/ (aws-sdk-client-mock) and the lake on a real S3-protocol
 * server on 127.0.0.1 (lock, run pointers). The exact ordered statements are compared with
 * test/fixtures/athena/transform-statements.sql; after an intentional change, regenerate it with
 *   UPDATE_ATHENA_FIXTURES=1 npx vitest run test/unit/handlers/transform.athena.test.ts
 * Each CTAS stands there with its model's SELECT replaced by `<<sql/…>>` (substituted back exactly
 * before comparing), so editing a model's SELECT needs no regeneration; adding models or tests does.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type GetQueryExecutionOutput,
  type GetQueryResultsOutput,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../functions/core/config.js';
import { modelPointerKey, QUARANTINE_TABLE, type ModelPointer } from '../../../functions/core/engine/catalog.js';
import { SQL_DIR } from '../../../functions/core/lake/landing-sql.js';
import { keptModels, loadModels, scopesToPartitions, SOURCE_NAMES, STATE_KEY, testSql, uniqueAgainstRestSql, type TransformModel } from '../../../functions/core/transform/index.js';
import { handler } from '../../../functions/handlers/transform.js';
import { lakeStorage, logger } from '../../../functions/handlers/_runtime.js';
import type { Storage } from '../../../functions/core/storage/types.js';
import { startS3Loopback, type S3Loopback } from '../storage/s3-loopback.js';
import { columnsOfModel, fixture, lambdaEnv, resultSet, table } from '../../helpers/athena-recorded.js';

const HASH = (c: string): string => c.repeat(64);
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/athena');
const STATEMENTS_FILE = path.join(FIXTURES, 'transform-statements.sql');
const RUN_ID = 'r20260502t020000z_test01';

const models: TransformModel[] = loadModels(SQL_DIR);
const athena = mockClient(AthenaClient);

interface Started {
  id: string;
  sql: string;
  params: string[];
}
type Final = 'FAILED' | 'CANCELLED';

let started: Started[] = [];
/** The first statement matching a rule ends in that state instead of SUCCEEDED. */
let failRule: { match: RegExp; final: Final } | undefined;
/** Throttle every n-th StartQueryExecution / GetQueryExecution call once (0 = never). */
let throttleEvery = 0;
let throttled = 0;

function throttle(): void {
  const t = fixture<{ name: string; message: string }>('throttled');
  throttled += 1;
  throw Object.assign(new Error(t.message), { name: t.name });
}

/** A result set of several columns (all varchar): the header row, then the rows. */
/** What the landing log, the touched years and the partitions hold in the scripted lake. */
let landingLog: string[][] = [];
/** Rows of sql/incremental/touched_partitions.sql: [year, receipt_month or undefined (null)]. */
let touched: (string | undefined)[][] = [];
/** Rows of sql/incremental/new_file_partitions.sql: [source, year, month]. */
let newPartitions: string[][] = [];
/** Partitions of the models by year, and of those by month of receipt (stg_lake__dossiers, int_dossiers_classified). */
let partitionRows: string[][] = [];
let monthRows: string[][] = [];
const rowsOfColumn = (sql: string): string[][] => (sql.includes('"receipt_month"') ? monthRows : partitionRows);
const PERIODS = [['month', '2025', '11', '2025-11-01', '2025-11-30', 'true']];
/** What Athena would answer for each kind of SELECT the transform sends. */
function answer(s: Started): GetQueryResultsOutput {
  if (/^SELECT raw_hash, dataset FROM src_landing_log$/.test(s.sql)) return table(['raw_hash', 'dataset'], landingLog);
  if (/\) AS model(\nWHERE model\."(year|receipt_month)" IN \([0-9, ]+\))?\nLIMIT 0$/.test(s.sql)) return table(columnsOfModel(models, s.sql), []);
  if (/AS partition_value, count\(\*\) AS row_count FROM/.test(s.sql)) return table(['partition_value', 'row_count'], rowsOfColumn(s.sql));
  if (/AS partition_count FROM/.test(s.sql)) return resultSet('get-query-results-count', [String(rowsOfColumn(s.sql).length)]);
  if (/^SELECT period_type, year, period_no, CAST\(period_start AS VARCHAR\)/.test(s.sql)) return table(['period_type', 'year', 'period_no', 'period_start', 'period_end', 'is_complete'], PERIODS);
  if (/as v \(raw_hash\)/.test(s.sql) && /superseded_rows as \(/.test(s.sql)) return table(['source', 'year', 'month'], newPartitions);
  if (/as v \(raw_hash\)/.test(s.sql)) return table(['year', 'receipt_month'], touched as string[][]);
  if (/^SELECT count\(\*\) AS row_count FROM/.test(s.sql)) return resultSet('get-query-results-count', ['1234']);
  if (/FROM information_schema\.tables/.test(s.sql)) return resultSet('get-query-results-tables', []);
  // A mart's columns_match test: the engine's lookup of its one table in the run's database.
  if (/FROM information_schema\.columns WHERE table_schema = \? AND table_name = \?/.test(s.sql)) {
    const model = models.find((m) => `'${m.name}'` === s.params[1]);
    const spec = model?.tests.find((t) => t.kind === 'columns_match');
    return resultSet('get-query-results-columns', spec && 'columns' in spec ? spec.columns : []);
  }
  if (/AS failures/.test(s.sql)) return resultSet('get-query-results-failures', ['0']);
  throw new Error(`no answer scripted for: ${s.sql.slice(0, 120)}`);
}

let s3: S3Loopback;
let tmp = '';
let lake: Storage;
const savedEnv = { ...process.env };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'transform-athena-'));
  s3 = await startS3Loopback();
  for (const b of ['cchc-raw', 'cchc-lake', 'cchc-quarantine']) await s3.createBucket(b);
  Object.assign(process.env, lambdaEnv(s3.endpoint, tmp, { ATHENA_POLL_INITIAL_MS: '1' }));
  delete process.env.AWS_PROFILE;
  lake = lakeStorage(loadConfig(undefined, process.env));
  logger.setLogLevel('CRITICAL');
});

afterAll(async () => {
  athena.restore();
  process.env = savedEnv;
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  athena.reset();
  // Each test starts with no state of a previous transform (a full run) unless it runs one itself.
  await lake.delete(STATE_KEY);
  landingLog = [[HASH('a'), 'dossiers'], [HASH('b'), 'agencies']];
  touched = [];
  newPartitions = [];
  partitionRows = [['2023', '10'], ['2024', '11'], ['2025', '12']];
  monthRows = [['202311', '10'], ['202406', '11'], ['202512', '12']];
  started = [];
  failRule = undefined;
  throttleEvery = 0;
  throttled = 0;
  let calls = 0;
  const finals = new Map<string, Final | undefined>();
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string; ExecutionParameters?: string[] }) => {
    if (throttleEvery > 0 && ++calls % throttleEvery === 0) throttle();
    const s = { id: `q-${String(started.length + 1).padStart(4, '0')}`, sql: input.QueryString, params: input.ExecutionParameters ?? [] };
    started.push(s);
    const final = failRule && failRule.match.test(s.sql) ? failRule.final : undefined;
    if (final) failRule = undefined;
    finals.set(s.id, final);
    return { QueryExecutionId: s.id };
  });
  athena.on(GetQueryExecutionCommand).callsFake(({ QueryExecutionId }: { QueryExecutionId: string }) => {
    if (throttleEvery > 0 && ++calls % throttleEvery === 0) throttle();
    const final = finals.get(QueryExecutionId);
    const out = fixture<GetQueryExecutionOutput>(final === 'FAILED' ? 'get-query-execution-failed' : final === 'CANCELLED' ? 'get-query-execution-cancelled' : 'get-query-execution-succeeded');
    return { QueryExecution: { ...out.QueryExecution, QueryExecutionId } };
  });
  athena.on(GetQueryResultsCommand).callsFake(({ QueryExecutionId }: { QueryExecutionId: string }) => answer(started.find((s) => s.id === QueryExecutionId)!));
});

/** The statements as the fixture holds them: numbered, params listed, model SELECTs by file. */
function render(statements: readonly Started[]): string {
  const bySql = [...models].sort((a, b) => b.sql.length - a.sql.length);
  return statements
    .map((s, i) => {
      let text = s.sql;
      for (const m of bySql) if (m.sql.length > 40 && text.includes(m.sql)) text = text.replace(m.sql, `<<${m.file}>>`);
      return `-- [${i + 1}]${s.params.length ? ` params: ${JSON.stringify(s.params)}` : ''}\n${text};\n`;
    })
    .join('\n');
}

describe('transform handler given every sql/ model on Athena (recorded responses)', () => {
  let result: Awaited<ReturnType<typeof handler>>;
  let happy: Started[] = [];

  beforeAll(async () => {
    athena.reset();
  });

  test('should build every model and pass every test', async () => {
    result = await handler({ runId: RUN_ID }, { awsRequestId: 'transform-1' });
    happy = [...started];
    expect(result).toEqual({ step: 'transform', models: models.length, testsPassed: models.reduce((n, m) => n + m.tests.length, 0), testsWarned: 0, missingSources: [] });
  });

  test('should issue exactly the recorded statements, in order', () => {
    const text = render(happy);
    if (process.env.UPDATE_ATHENA_FIXTURES === '1') writeFileSync(STATEMENTS_FILE, text);
    expect(existsSync(STATEMENTS_FILE), 'no recorded statements: run with UPDATE_ATHENA_FIXTURES=1').toBe(true);
    expect(text).toBe(readFileSync(STATEMENTS_FILE, 'utf8'));
  });

  test('should read quarantine/ and the landing log through the tables the stack defines', () => {
    const views = happy.filter((s) => /^CREATE OR REPLACE VIEW "cchc"\."src_/.test(s.sql)).map((s) => s.sql);
    expect(views).toHaveLength(SOURCE_NAMES.length);
    expect(views).toContain(`CREATE OR REPLACE VIEW "cchc"."src_quarantine" AS SELECT * FROM "cchc"."${QUARANTINE_TABLE}"`);
    expect(views).toContain('CREATE OR REPLACE VIEW "cchc"."src_landing_log" AS SELECT * FROM "cchc"."landed_landing_log"');
    expect(views).toContain('CREATE OR REPLACE VIEW "cchc"."src_dossiers" AS SELECT * FROM "cchc"."landed_dossiers"');
  });

  test('should CTAS each model to a fresh run prefix, then switch its view, in dependency order', () => {
    const ctas = happy.filter((s) => s.sql.startsWith('CREATE TABLE')).map((s) => /^CREATE TABLE "cchc"\."([a-z0-9_]+)__/.exec(s.sql)![1]);
    const views = models.filter((m) => m.materialized === 'view');
    expect(views.map((m) => m.name)).toEqual(['int_agency_periods_compared']);
    expect(ctas).toEqual(models.filter((m) => m.materialized !== 'view').map((m) => m.name));
    // A view model is its SELECT, created in order between the tables it reads and those that read it.
    for (const m of views) {
      const i = happy.findIndex((s) => s.sql === `CREATE OR REPLACE VIEW "cchc"."${m.name}" AS\n${m.sql.trim().replace(/;\s*$/, '')}`);
      expect(i, m.name).toBeGreaterThan(-1);
      for (const d of m.dependsOn) expect(happy.findIndex((s) => s.sql.startsWith(`CREATE TABLE "cchc"."${d}__${RUN_ID}"`)), d).toBeLessThan(i);
      for (const r of models.filter((x) => x.dependsOn.includes(m.name))) expect(happy.findIndex((s) => s.sql.startsWith(`CREATE TABLE "cchc"."${r.name}__${RUN_ID}"`)), r.name).toBeGreaterThan(i);
    }
    for (const m of models.filter((x) => x.materialized !== 'view')) {
      const i = happy.findIndex((s) => s.sql.startsWith(`CREATE TABLE "cchc"."${m.name}__${RUN_ID}"`));
      expect(happy[i]!.sql).toContain(`external_location = 's3://cchc-lake/models/${m.layer}/${m.name}/run=${RUN_ID}/'`);
      if (m.materialized === 'incremental') {
        // Partitioned by its report year (or month of receipt), the partition column last; the view restores the model's column order.
        const column = m.partitionBy![0]!;
        expect(happy[i]!.sql).toContain(`partitioned_by = ARRAY['${column}']`);
        expect(happy[i]!.sql).toContain(` model."${column}"\nFROM (\n`);
        expect(happy[i]!.sql.endsWith(`FROM (\n${m.sql.trim().replace(/;\s*$/, '')}\n) AS model`)).toBe(true);
        expect(happy[i + 2]!.sql).toMatch(new RegExp(`^CREATE OR REPLACE VIEW "cchc"\\."${m.name}" AS SELECT "[a-z_]+", .* FROM "cchc"\\."${m.name}__${RUN_ID}"$`));
        continue;
      }
      expect(happy[i]!.sql.endsWith(`AS\n${m.sql.trim().replace(/;\s*$/, '')}`)).toBe(true);
      expect(happy[i + 2]!.sql).toBe(`CREATE OR REPLACE VIEW "cchc"."${m.name}" AS SELECT * FROM "cchc"."${m.name}__${RUN_ID}"`);
    }
  });

  test('should issue the same statements with models four at a time (ATHENA_MODEL_CONCURRENCY), each after the models it reads', async () => {
    // The lake as the first run found it: no model pointers yet.
    for (const o of await lake.list('models/')) await lake.delete(o.key);
    process.env.ATHENA_MODEL_CONCURRENCY = '4';
    try {
      expect(await handler({ runId: RUN_ID }, { awsRequestId: 'transform-4' })).toEqual(result);
    } finally {
      delete process.env.ATHENA_MODEL_CONCURRENCY;
    }
    const run = [...started];
    const key = (x: Started): string => `${x.sql}\n${x.params.join('|')}`;
    expect(run.map(key).sort()).toEqual(happy.map(key).sort());
    const ctasAt = (name: string): number => run.findIndex((x) => x.sql.startsWith(`CREATE TABLE "cchc"."${name}__${RUN_ID}"`));
    const viewAt = (name: string): number => run.findIndex((x) => x.sql.startsWith(`CREATE OR REPLACE VIEW "cchc"."${name}" AS`));
    for (const m of models.filter((x) => x.materialized !== 'view')) {
      for (const d of m.dependsOn) expect(viewAt(d), `${d} before ${m.name}`).toBeLessThan(ctasAt(m.name));
    }
    // Models did run at once: some model's CTAS was started while another's had not yet switched its view.
    const tables = models.filter((x) => x.materialized !== 'view');
    expect(tables.some((a) => tables.some((b) => a !== b && ctasAt(a.name) < ctasAt(b.name) && ctasAt(b.name) < viewAt(a.name)))).toBe(true);
    // One at a time (the default), no CTAS ever starts before the previous model's view switch.
    const seqCtas = (name: string): number => happy.findIndex((x) => x.sql.startsWith(`CREATE TABLE "cchc"."${name}__${RUN_ID}"`));
    const seqView = (name: string): number => happy.findIndex((x) => x.sql.startsWith(`CREATE OR REPLACE VIEW "cchc"."${name}" AS`));
    expect(tables.some((a) => tables.some((b) => a !== b && seqCtas(a.name) < seqCtas(b.name) && seqCtas(b.name) < seqView(a.name)))).toBe(false);
  });

  test('should record each model run in its pointer object and release the lake lock', async () => {
    const pointer = JSON.parse((await lake.get(modelPointerKey('marts', 'agency_months'))).toString('utf8')) as ModelPointer;
    expect(pointer).toEqual({
      model: 'agency_months',
      layer: 'marts',
      run_id: RUN_ID,
      table: `agency_months__${RUN_ID}`,
      prefix: `models/marts/agency_months/run=${RUN_ID}/`,
      location: `s3://cchc-lake/models/marts/agency_months/run=${RUN_ID}/`,
      rows: 1234,
    });
    expect(await lake.exists('locks/lake.json')).toBe(false);
  });
});

describe('transform handler on Athena, incremental (recorded responses)', () => {
  const INCREMENTAL = models.filter((m) => m.materialized === 'incremental');
  let full: Started[] = [];
  let inc: Started[] = [];

  beforeAll(async () => {
    athena.reset();
  });

  test('should rebuild only the touched report year (month of receipt) of each incremental model after a new dossier file', async () => {
    expect(INCREMENTAL.map((m) => m.name)).toEqual(
      expect.arrayContaining(['int_dossiers_classified', 'int_dossiers_attributed', 'int_agency_periods_counted', 'agency_periods', 'province_periods', 'procedure_years']),
    );
    await handler({ runId: 'rfull01' }, { awsRequestId: 'transform-full' });
    full = [...started];
    expect(await lake.exists(STATE_KEY)).toBe(true);
    // Files of the full run's partitions (Athena would have written them).
    for (const y of [2023, 2024, 2025]) await lake.put(`models/marts/agency_periods/run=rfull01/year=${y}/part-0.parquet`, 'x');
    started = [];
    landingLog = [...landingLog, [HASH('c'), 'dossiers']];
    newPartitions = [['nsw', '2025', '12'], ['portal', '2025', '11'], ['portal', '2025', '12']];
    touched = [['2025', undefined], ['2025', '202512']];
    partitionRows = [['2025', '13']];
    monthRows = [['202512', '13']];
    const out = await handler({ runId: 'rinc01' }, { awsRequestId: 'transform-incremental' });
    inc = [...started];
    expect(out.models).toBe(models.length);
    expect(inc.some((s) => s.sql.includes(`raw_hash in (select raw_hash from new_files)`) && s.sql.includes(`(values ('${HASH('c')}')) as v (raw_hash)`))).toBe(true);
    // The changed dossiers' versions are read in the partitions the new file wrote (found first), not across the lake.
    const plan = inc.filter((s) => s.sql.includes(`(values ('${HASH('c')}')) as v (raw_hash)`));
    expect(plan).toHaveLength(2);
    expect(plan[0]!.sql).toMatch(/^with new_files as[\s\S]*select distinct source, year, month\s+from src_dossiers/);
    expect(plan[1]!.sql).toContain("where source in ('nsw', 'portal')\n        and year in (2025)\n        and month in (11, 12)");
  });

  /** What the incremental run rebuilds and keeps of a model, by its partition column. */
  const partitionsOf = (m: TransformModel): { column: string; rebuilt: number; kept: number[] } =>
    m.partitionBy?.[0] === 'receipt_month' ? { column: 'receipt_month', rebuilt: 202512, kept: [202311, 202406] } : { column: 'year', rebuilt: 2025, kept: [2023, 2024] };

  test('should filter every statement that reads or writes an incremental model on the year (or month of receipt) it rebuilds', () => {
    expect(INCREMENTAL.filter((m) => m.partitionBy?.[0] === 'receipt_month').map((m) => m.name)).toEqual(['stg_lake__dossiers', 'int_dossiers_classified']);
    for (const m of INCREMENTAL) {
      const { column, rebuilt, kept } = partitionsOf(m);
      const own = inc.filter((s) => s.sql.includes(`"${m.name}__rinc01"`) || s.sql.includes(`\`${m.name}__rinc01\``) || s.sql.includes(m.sql.trim()));
      const reads = own.filter((s) => !/^(CREATE OR REPLACE VIEW|ALTER TABLE|DROP TABLE)/.test(s.sql));
      expect(reads.map((s) => s.sql.slice(0, 300)), m.name).toHaveLength(3); // columns, CTAS, rows per partition
      for (const s of reads) expect(s.sql, m.name).toContain(`"${column}" IN (${rebuilt})`);
      const ctas = own.find((s) => s.sql.startsWith(`CREATE TABLE "cchc"."${m.name}__rinc01"`))!;
      expect(ctas.sql).toContain(`external_location = 's3://cchc-lake/models/${m.layer}/${m.name}/run=rinc01/'`);
      // A month of receipt is said on its year too (the landed dossiers' partition column), and on the
      // month itself where the model has that column (stg_lake__dossiers: the landed partition's month).
      const finer = column !== 'receipt_month' ? '' : m.name === 'stg_lake__dossiers' ? ' AND model."year" IN (2025) AND model."month" IN (12)' : ' AND model."year" IN (2025)';
      expect(ctas.sql.endsWith(`WHERE model."${column}" IN (${rebuilt})${finer}`), m.name).toBe(true);
      expect(ctas.sql).toContain(`partitioned_by = ARRAY['${column}']`);
      // The kept partitions are added where the full run wrote them: no data copied.
      const added = own.find((s) => s.sql.startsWith('ALTER TABLE'))!;
      expect(added.sql).toBe(
        [
          `ALTER TABLE \`cchc\`.\`${m.name}__rinc01\` ADD IF NOT EXISTS`,
          ...kept.map((v) => `PARTITION (\`${column}\` = ${v}) LOCATION 's3://cchc-lake/models/${m.layer}/${m.name}/run=rfull01/${column}=${v}/'`),
        ].join('\n'),
      );
    }
    // A full run's CTAS of the same models reads every partition.
    for (const m of INCREMENTAL) expect(full.find((s) => s.sql.startsWith(`CREATE TABLE "cchc"."${m.name}__rfull01"`))!.sql).not.toMatch(/"(year|receipt_month)" IN/);
  });

  test('should run the YAML tests of each incremental model on the rebuilt partitions only, and those across partitions on the whole model', () => {
    const failures = (run: Started[]): string[] => run.filter((s) => /AS failures/.test(s.sql)).map((s) => s.sql);
    const ran = failures(inc);
    const fullRan = failures(full);
    let wholeTests = 0;
    let acrossTests = 0;
    for (const m of INCREMENTAL) {
      const { column, rebuilt } = partitionsOf(m);
      const scoped = m.tests.filter((t) => scopesToPartitions(t, column));
      expect(scoped.length, m.name).toBeGreaterThan(0);
      for (const t of scoped) {
        const sql = testSql(m.name, t, { column, values: [rebuilt] });
        expect(sql).toContain(`FROM (SELECT * FROM ${m.name} WHERE ${column} IN (${rebuilt})) AS `);
        expect(ran, `${m.name}: ${sql}`).toContain(sql);
        // A full run checks the whole model.
        expect(fullRan).toContain(testSql(m.name, t));
      }
      for (const t of m.tests.filter((x) => !scopesToPartitions(x, column) && x.kind !== 'columns_match')) {
        // A uniqueness across partitions checks the rebuilt year's keys against each other and the other years
        // (a run-only step, persist: false, the whole step).
        if ((t.kind === 'unique' || t.kind === 'unique_combination_of_columns') && m.persist !== false) {
          expect(ran).toContain(uniqueAgainstRestSql(m.name, t, { column, values: [rebuilt] }));
          acrossTests += 1;
        } else {
          expect(ran).toContain(testSql(m.name, t));
          wholeTests += 1;
        }
        expect(fullRan).toContain(testSql(m.name, t));
      }
    }
    // int_dossiers_classified's unique(dossier_id): a dossier in two months of receipt is a duplicate across partitions.
    const unique = { kind: 'unique', column: 'dossier_id', severity: 'error' } as const;
    expect(ran).toContain(uniqueAgainstRestSql('int_dossiers_classified', unique, { column: 'receipt_month', values: [202512] }));
    expect(uniqueAgainstRestSql('int_dossiers_classified', unique, { column: 'receipt_month', values: [202512] })).toContain('receipt_month NOT IN (202512)');
    expect(acrossTests).toBeGreaterThan(0);
    expect(wholeTests).toBeGreaterThan(0);
    for (const s of fullRan) expect(s).not.toMatch(/ (year|receipt_month) IN \(/);
  });

  test('should issue no statement for a table model none of whose inputs changed, and keep its view, run table and pointer', async () => {
    const kept = models.filter((m) => keptModels({ mode: 'incremental', reason: '', logged: [], newFiles: [], changedDatasets: ['dossiers'] }, models).has(m.name));
    expect(kept.map((m) => m.name)).toEqual(expect.arrayContaining(['stg_lake__agencies', 'int_agencies_chained', 'agencies', 'calendar_months']));
    for (const m of kept) {
      expect(inc.filter((s) => s.sql.includes(`"${m.name}__`) || s.sql.includes(`\`${m.name}__`) || s.sql.includes(`"cchc"."${m.name}"`)).map((s) => s.sql.slice(0, 200)), m.name).toEqual([]);
      // Its YAML tests are not run either (they passed when it was built).
      for (const t of m.tests) expect(inc.map((s) => s.sql), `${m.name}: ${t.kind}`).not.toContain(testSql(m.name, t));
      const pointer = JSON.parse((await lake.get(modelPointerKey(m.layer, m.name))).toString('utf8')) as ModelPointer;
      expect(pointer.run_id, m.name).toBe('rfull01');
    }
    // A table that reads the dossiers is rebuilt; in the full run every table was.
    expect(kept.map((m) => m.name)).not.toContain('agency_months');
    expect(inc.some((s) => s.sql.startsWith('CREATE TABLE "cchc"."agency_months__rinc01"'))).toBe(true);
    for (const m of kept) expect(full.some((s) => s.sql.startsWith(`CREATE TABLE "cchc"."${m.name}__rfull01"`)), m.name).toBe(true);
  });

  test('should point each incremental model at its partitions and delete only the replaced year\'s files', async () => {
    const pointer = JSON.parse((await lake.get(modelPointerKey('marts', 'agency_periods'))).toString('utf8')) as ModelPointer;
    expect(pointer.partition_column).toBe('year');
    expect(pointer.partitions).toEqual([
      { value: 2023, prefix: 'models/marts/agency_periods/run=rfull01/year=2023/', rows: 10 },
      { value: 2024, prefix: 'models/marts/agency_periods/run=rfull01/year=2024/', rows: 11 },
      { value: 2025, prefix: 'models/marts/agency_periods/run=rinc01/year=2025/', rows: 13 },
    ]);
    expect(pointer.rows).toBe(34);
    expect(await lake.exists('models/marts/agency_periods/run=rfull01/year=2023/part-0.parquet')).toBe(true);
    expect(await lake.exists('models/marts/agency_periods/run=rfull01/year=2024/part-0.parquet')).toBe(true);
    expect(await lake.exists('models/marts/agency_periods/run=rfull01/year=2025/part-0.parquet')).toBe(false);
  });
});

describe('transform handler given failing or throttled Athena queries', () => {
  test.each([
    ['FAILED', /Failed to materialise agency_months \(sql\/marts\/agency_months\.sql\): \[pipeline\] \[athena\] Failed to run query q-\d{4}: FAILED: COLUMN_NOT_FOUND: line 3:12: Column 'recieved_at' cannot be resolved/],
    ['CANCELLED', /Failed to materialise agency_months \(sql\/marts\/agency_months\.sql\): \[pipeline\] \[athena\] Failed to run query q-\d{4}: CANCELLED: Query cancelled: bytes scanned limit was exceeded/],
  ] as const)('should fail on a %s CTAS naming the model, the query id and the reason, keep the old view and free the lock', async (final, message) => {
    failRule = { match: /^CREATE TABLE "cchc"\."agency_months__/, final };
    await expect(handler({ runId: 'r2' }, { awsRequestId: `transform-${final}` })).rejects.toThrow(message);
    const failedAt = started.findIndex((s) => s.sql.startsWith('CREATE TABLE "cchc"."agency_months__r2"'));
    expect(started[failedAt + 1]!.sql).toBe('DROP TABLE IF EXISTS `cchc`.`agency_months__r2`');
    expect(started).toHaveLength(failedAt + 2);
    expect(started.some((s) => s.sql.startsWith('CREATE OR REPLACE VIEW "cchc"."agency_months"'))).toBe(false);
    expect(await lake.exists('locks/lake.json')).toBe(false);
  });

  test('should fail on a CANCELLED model test naming the query id and the reason', async () => {
    failRule = { match: /AS failures FROM agencies WHERE/, final: 'CANCELLED' };
    await expect(handler({ runId: 'r3' }, { awsRequestId: 'transform-test-cancelled' })).rejects.toThrow(
      /Failed to run query q-\d{4}: CANCELLED: Query cancelled: bytes scanned limit was exceeded[\s\S]*--- SQL ---\nSELECT count\(\*\) AS failures FROM agencies WHERE/,
    );
  });

  test('should survive throttling (TooManyRequestsException) and issue the same statements, each once', async () => {
    throttleEvery = 7;
    const out = await handler({ runId: RUN_ID }, { awsRequestId: 'transform-throttled' });
    expect(throttled).toBeGreaterThan(50);
    expect(out.models).toBe(models.length);
    expect(render(started)).toBe(readFileSync(STATEMENTS_FILE, 'utf8'));
  });

  test('should refuse a run id that is not a plain suffix before touching Athena', async () => {
    await expect(handler({ runId: 'x"; drop' }, { awsRequestId: 'bad' })).rejects.toThrow(/\[transform\] Failed to parse the event: runId: expected \[a-z0-9_\]\{1,40\}/);
    expect(started).toEqual([]);
  });
});
