import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { MAX_QUERY_BYTES } from '../../../functions/core/engine/athena-client.js';
import { AthenaEngine, toPositional } from '../../../functions/core/engine/athena.js';
import { withDuckDb } from '../../../functions/core/engine/duckdb.js';
import type { ModelDef } from '../../../functions/core/engine/types.js';
import type { ObjectInfo, Storage } from '../../../functions/core/storage/types.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/athena');
function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as T;
}

/** Only what the engine uses of a Storage: root, locate, list, delete (an S3 lake kept in memory). */
class MemoryLake implements Storage {
  readonly root = 's3://lake-bucket/demo';
  readonly objects = new Map<string, Buffer>();
  async get(key: string): Promise<Buffer> {
    const v = this.objects.get(key);
    if (!v) throw new Error(`missing ${key}`);
    return v;
  }
  async tryGet(key: string): Promise<Buffer | undefined> {
    return this.objects.get(key);
  }
  async put(key: string, body: Buffer | string): Promise<void> {
    this.objects.set(key, Buffer.from(body));
  }
  async putFile(): Promise<undefined> {
    throw new Error('not used');
  }
  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }
  async list(prefix: string): Promise<ObjectInfo[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort().map((key) => ({ key, size: this.objects.get(key)!.length }));
  }
  async listKeys(prefix: string): Promise<string[]> {
    return (await this.list(prefix)).map((o) => o.key);
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  locate(key: string): string {
    return `${this.root}/${key}`;
  }
}

interface Outcome {
  /** Final state; SUCCEEDED unless given. */
  final?: 'FAILED' | 'CANCELLED';
  /** How many polls answer RUNNING first. */
  running?: number;
  /** Result pages by NextToken ('' = first page). */
  pages?: Record<string, GetQueryResultsOutput>;
}

const athena = mockClient(AthenaClient);
let rules: [RegExp, Outcome][] = [];
let started: { sql: string; params: string[]; token: string | undefined }[] = [];
let throttleStarts = 0;

function withId(out: GetQueryExecutionOutput, id: string): GetQueryExecutionOutput {
  return { QueryExecution: { ...out.QueryExecution, QueryExecutionId: id } };
}

function scalar(name: 'get-query-results-count' | 'get-query-results-partition-count', value: number): GetQueryResultsOutput {
  const out = fixture<GetQueryResultsOutput>(name);
  out.ResultSet!.Rows![1]!.Data![0]!.VarCharValue = String(value);
  return out;
}

function tables(names: string[]): GetQueryResultsOutput {
  const out = fixture<GetQueryResultsOutput>('get-query-results-tables');
  out.ResultSet!.Rows = [out.ResultSet!.Rows![0]!, ...names.map((n) => ({ Data: [{ VarCharValue: n }] }))];
  return out;
}

beforeEach(() => {
  athena.reset();
  rules = [];
  started = [];
  throttleStarts = 0;
  const outcomes = new Map<string, Outcome & { polls: number }>();
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string; ExecutionParameters?: string[]; ClientRequestToken?: string }) => {
    if (throttleStarts > 0) {
      throttleStarts -= 1;
      const t = fixture<{ name: string; message: string }>('throttled');
      throw Object.assign(new Error(t.message), { name: t.name });
    }
    const id = `q-${started.length + 1}`;
    started.push({ sql: input.QueryString, params: input.ExecutionParameters ?? [], token: input.ClientRequestToken });
    const rule = rules.find(([re]) => re.test(input.QueryString));
    outcomes.set(id, { ...(rule?.[1] ?? {}), polls: 0 });
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).callsFake(({ QueryExecutionId }: { QueryExecutionId: string }) => {
    const o = outcomes.get(QueryExecutionId)!;
    o.polls += 1;
    if (o.polls <= (o.running ?? 0)) return withId(fixture('get-query-execution-running'), QueryExecutionId);
    const name = o.final === 'FAILED' ? 'failed' : o.final === 'CANCELLED' ? 'cancelled' : 'succeeded';
    return withId(fixture(`get-query-execution-${name}`), QueryExecutionId);
  });
  athena.on(GetQueryResultsCommand).callsFake(({ QueryExecutionId, NextToken }: { QueryExecutionId: string; NextToken?: string }) => {
    const page = outcomes.get(QueryExecutionId)?.pages?.[NextToken ?? ''];
    if (!page) throw new Error(`no result page scripted for ${QueryExecutionId} ${NextToken ?? ''}`);
    return page;
  });
});

afterEach(() => athena.reset());

const sleeps: number[] = [];
function engine(lake: Storage = new MemoryLake(), runId = 'r2'): AthenaEngine {
  sleeps.length = 0;
  return new AthenaEngine({
    workGroup: 'cchc-pipeline',
    database: 'cchc',
    storage: lake,
    client: new AthenaClient({ region: 'ap-southeast-1' }),
    runId,
    poll: { initialDelayMs: 1, factor: 2, maxDelayMs: 4, throttleAttempts: 3 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

const STAGING: ModelDef = {
  name: 'stg_lake__dossiers',
  layer: 'staging',
  sql: 'select dossier_id, agency_code from landed_dossiers where source = \'portal\'',
  dependsOn: [],
  file: 'sql/staging/lake/stg_lake__dossiers.sql',
};
const MART: ModelDef = {
  name: 'mart_agency_months',
  layer: 'marts',
  sql: 'select agency_code, count(*) as dossiers, year, month from stg_lake__dossiers group by agency_code, year, month',
  dependsOn: ['stg_lake__dossiers'],
  partitionBy: ['year', 'month'],
  file: 'sql/marts/agency/mart_agency_months.sql',
};

function happyRules(partitions: number, rows: number, oldTables: string[] = []): void {
  rules = [
    [/^SELECT count\(\*\) AS partition_count/, { pages: { '': scalar('get-query-results-partition-count', partitions) } }],
    [/^SELECT count\(\*\) AS row_count/, { pages: { '': scalar('get-query-results-count', rows) } }],
    [/information_schema\.tables/, { pages: { '': tables(oldTables) } }],
  ];
}

describe('AthenaEngine.exportParquet given a SELECT of no row', () => {
  test('should export the columns typed as the YAML says, with no row, where Athena wrote no file', async () => {
    happyRules(0, 0);
    const lake = new MemoryLake();
    const out = await engine(lake).exportParquet('SELECT * FROM rejected_files WHERE 1 = 0', {
      name: 'rejected_files',
      columns: ['raw_hash', 'rows_read', 'rejected_at'],
      types: { raw_hash: 'VARCHAR', rows_read: 'BIGINT', rejected_at: 'TIMESTAMP' },
    });
    expect(out.rows).toBe(0);
    const dir = await mkdtemp(path.join(tmpdir(), 'athena-empty-'));
    try {
      const file = path.join(dir, 'x.parquet');
      await writeFile(file, out.body);
      const cols = await withDuckDb((db) => db.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`));
      expect(cols).toEqual([
        { column_name: 'raw_hash', column_type: 'VARCHAR' },
        { column_name: 'rows_read', column_type: 'BIGINT' },
        { column_name: 'rejected_at', column_type: 'TIMESTAMP' },
      ]);
      expect(await withDuckDb((db) => db.all(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}')`))).toEqual([{ n: 0 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // The scratch table is dropped as after any export.
    expect(started.at(-1)!.sql).toMatch(/^DROP TABLE IF EXISTS `cchc`\.`rejected_files__export_r2`$/);
  });

  test('should refuse an export of no row whose columns have no known type, naming them', async () => {
    happyRules(0, 0);
    await expect(engine().exportParquet('SELECT 1 AS a WHERE false', { name: 'odd', columns: ['a'] })).rejects.toThrow('Failed to export odd: it has no rows, and no type is known for a');
  });
});

describe('AthenaEngine.materialize given a sample model set', () => {
  test('should issue exactly CTAS, count, view switch and cleanup for an unpartitioned model', async () => {
    happyRules(0, 15234);
    const result = await engine().materialize(STAGING);
    expect(result).toEqual({
      model: 'stg_lake__dossiers',
      rows: 15234,
      location: 's3://lake-bucket/demo/models/staging/stg_lake__dossiers/run=r2/',
    });
    expect(started.map((s) => [s.sql, s.params])).toEqual([
      [
        'CREATE TABLE "cchc"."stg_lake__dossiers__r2" WITH (format = \'PARQUET\', write_compression = \'SNAPPY\', ' +
          "external_location = 's3://lake-bucket/demo/models/staging/stg_lake__dossiers/run=r2/') AS\n" +
          STAGING.sql,
        [],
      ],
      ['SELECT count(*) AS row_count FROM "cchc"."stg_lake__dossiers__r2"', []],
      ['CREATE OR REPLACE VIEW "cchc"."stg_lake__dossiers" AS SELECT * FROM "cchc"."stg_lake__dossiers__r2"', []],
      [
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ? ESCAPE '\\'",
        ["'cchc'", "'stg\\_lake\\_\\_dossiers\\_\\_%'"],
      ],
    ]);
  });

  test('should CTAS a model with ≤100 partitions in one statement, partition columns last', async () => {
    happyRules(24, 480);
    await engine().materialize(MART);
    expect(started.map((s) => s.sql)).toEqual([
      `SELECT count(*) AS partition_count FROM (SELECT DISTINCT "year", "month" FROM (\n${MART.sql}\n) AS model) AS partitions`,
      'CREATE TABLE "cchc"."mart_agency_months__r2" WITH (format = \'PARQUET\', write_compression = \'SNAPPY\', ' +
        "external_location = 's3://lake-bucket/demo/models/marts/mart_agency_months/run=r2/', partitioned_by = ARRAY['year', 'month']) AS\n" +
        MART.sql,
      'SELECT count(*) AS row_count FROM "cchc"."mart_agency_months__r2"',
      'CREATE OR REPLACE VIEW "cchc"."mart_agency_months" AS SELECT * FROM "cchc"."mart_agency_months__r2"',
      expect.stringContaining('information_schema.tables'),
    ]);
  });

  test('should CTAS the first 100 partitions then INSERT INTO batches of ≤100 for 230 partitions', async () => {
    happyRules(230, 9000);
    await engine().materialize(MART);
    const writes = started.filter((s) => /^(CREATE TABLE|INSERT INTO)/.test(s.sql));
    expect(writes.map((s) => [s.sql.split('\n')[0], s.params])).toEqual([
      [expect.stringMatching(/^CREATE TABLE "cchc"\."mart_agency_months__r2" WITH \(.*partitioned_by = ARRAY\['year', 'month'\]\) AS$/), ["1", "100"]],
      ['INSERT INTO "cchc"."mart_agency_months__r2"', ['101', '200']],
      ['INSERT INTO "cchc"."mart_agency_months__r2"', ['201', '230']],
    ]);
    expect(writes[1]!.sql).toContain('JOIN numbered ON model."year" IS NOT DISTINCT FROM numbered."year" AND model."month" IS NOT DISTINCT FROM numbered."month"');
    expect(writes[1]!.sql.endsWith('WHERE numbered.partition_no BETWEEN ? AND ?')).toBe(true);
  });

  test('should record the run the view now reads in models/<layer>/<name>/current.json', async () => {
    const lake = new MemoryLake();
    happyRules(0, 77);
    await engine(lake).materialize(STAGING);
    expect(JSON.parse((await lake.get('models/staging/stg_lake__dossiers/current.json')).toString('utf8'))).toEqual({
      model: 'stg_lake__dossiers',
      layer: 'staging',
      run_id: 'r2',
      table: 'stg_lake__dossiers__r2',
      prefix: 'models/staging/stg_lake__dossiers/run=r2/',
      location: 's3://lake-bucket/demo/models/staging/stg_lake__dossiers/run=r2/',
      rows: 77,
    });
  });

  test('should keep this run when a step after the view switch fails (the view reads it)', async () => {
    const lake = new MemoryLake();
    await lake.put('models/staging/stg_lake__dossiers/run=r2/part', 'new run');
    happyRules(0, 1);
    rules.unshift([/information_schema\.tables/, { final: 'FAILED' }]);
    // Listing old runs fails after the switch: the cleanup is skipped, this run stays.
    await expect(engine(lake).materialize(STAGING)).resolves.toMatchObject({ rows: 1 });
    expect(started.some((s) => s.sql.startsWith('DROP TABLE'))).toBe(false);
    expect(lake.objects.has('models/staging/stg_lake__dossiers/run=r2/part')).toBe(true);
  });

  test('should drop older run tables and delete their prefixes after the switch, keeping this run', async () => {
    const lake = new MemoryLake();
    await lake.put('models/marts/mart_agency_months/run=r1/year=2024/month=1/a.parquet', 'old');
    await lake.put('models/marts/mart_agency_months/run=r2/year=2024/month=1/b.parquet', 'new');
    await lake.put('models/marts/mart_agency_months_x/run=r1/c.parquet', 'other model');
    happyRules(1, 10, ['mart_agency_months__r1', 'mart_agency_months__r2', 'mart_agency_months_x__r1']);
    await engine(lake).materialize(MART);
    expect(started.map((s) => s.sql).slice(-1)).toEqual(['DROP TABLE IF EXISTS `cchc`.`mart_agency_months__r1`']);
    expect([...lake.objects.keys()].sort()).toEqual([
      'models/marts/mart_agency_months/current.json',
      'models/marts/mart_agency_months/run=r2/year=2024/month=1/b.parquet',
      'models/marts/mart_agency_months_x/run=r1/c.parquet',
    ]);
  });

  test('should back off exponentially while a query runs', async () => {
    happyRules(0, 1);
    rules.unshift([/^CREATE TABLE/, { running: 4 }]);
    const e = engine();
    await e.materialize(STAGING);
    // CTAS: 1, 2, 4, 4 (capped) while RUNNING, then 4 → SUCCEEDED; the following statements succeed at once.
    expect(sleeps.slice(0, 5)).toEqual([1, 2, 4, 4, 4]);
    expect(e.statements).toHaveLength(4);
  });
});

describe('AthenaEngine.materialize given failing queries', () => {
  test.each([
    ['FAILED', /Failed to run query q-1: FAILED: COLUMN_NOT_FOUND: line 3:12: Column 'recieved_at' cannot be resolved/],
    ['CANCELLED', /Failed to run query q-1: CANCELLED: Query cancelled: bytes scanned limit was exceeded/],
  ] as const)('should surface %s with the query id and reason, leave the view alone and remove the run', async (final, message) => {
    const lake = new MemoryLake();
    await lake.put('models/staging/stg_lake__dossiers/run=r2/partial.parquet', 'half-written');
    await lake.put('models/staging/stg_lake__dossiers/run=r1/good.parquet', 'previous run');
    happyRules(0, 1);
    rules.unshift([/^CREATE TABLE/, { final }]);
    await expect(engine(lake).materialize(STAGING)).rejects.toThrow(message);
    expect(started.map((s) => s.sql.split('\n')[0])).toEqual([
      expect.stringMatching(/^CREATE TABLE "cchc"\."stg_lake__dossiers__r2"/),
      'DROP TABLE IF EXISTS `cchc`.`stg_lake__dossiers__r2`',
    ]);
    expect(started.some((s) => s.sql.includes('CREATE OR REPLACE VIEW'))).toBe(false);
    expect([...lake.objects.keys()]).toEqual(['models/staging/stg_lake__dossiers/run=r1/good.parquet']);
  });

  test('should retry a throttled StartQueryExecution with the same idempotency token', async () => {
    happyRules(0, 3);
    throttleStarts = 2;
    const result = await engine().materialize(STAGING);
    expect(result.rows).toBe(3);
    const ctasCalls = athena.commandCalls(StartQueryExecutionCommand).slice(0, 3).map((c) => c.args[0].input);
    expect(ctasCalls.map((i) => i.QueryString?.startsWith('CREATE TABLE'))).toEqual([true, true, true]);
    expect(new Set(ctasCalls.map((i) => i.ClientRequestToken)).size).toBe(1);
  });

  test('should give up after the configured throttle attempts', async () => {
    happyRules(0, 3);
    throttleStarts = 10;
    await expect(engine().materialize(STAGING)).rejects.toThrow(/TooManyRequestsException: Rate exceeded \(after 3 attempts\)/);
  });

  test('should refuse query text over 256 KiB before calling Athena', async () => {
    const big: ModelDef = { ...STAGING, sql: `select '${'x'.repeat(MAX_QUERY_BYTES)}' as padding` };
    await expect(engine().materialize(big)).rejects.toThrow(/over Athena's limit of 262144/);
    expect(athena.commandCalls(StartQueryExecutionCommand).filter((c) => c.args[0].input.QueryString?.startsWith('CREATE'))).toHaveLength(0);
  });

  test('should reject model and partition names that are not plain identifiers, issuing nothing', async () => {
    await expect(engine().materialize({ ...STAGING, name: 'x"; drop table y; --' })).rejects.toThrow(/Failed to use model name/);
    await expect(engine().materialize({ ...MART, partitionBy: ['year', 'Month'] })).rejects.toThrow(/Failed to use partition column/);
    expect(started).toEqual([]);
  });
});

describe('AthenaEngine.query given $name parameters', () => {
  test('should send values as ExecutionParameters and read every page, skipping the header row', async () => {
    rules = [[/^SELECT agency_code/, { pages: { '': fixture('get-query-results-page1'), 'page-2': fixture('get-query-results-page2') } }]];
    const rows = await engine().query(
      "SELECT agency_code, on_time_pct, dossiers, is_province FROM mart_agency_months WHERE agency_code <> '$not_a_param' AND year = $year AND agency_code = $code",
      { year: 2024, code: "O'Reilly" },
    );
    expect(started[0]!.sql).toBe(
      "SELECT agency_code, on_time_pct, dossiers, is_province FROM mart_agency_months WHERE agency_code <> '$not_a_param' AND year = ? AND agency_code = ?",
    );
    expect(started[0]!.params).toEqual(['2024', "'O''Reilly'"]);
    expect(rows).toEqual([
      { agency_code: 'STP', on_time_pct: 98.5, dossiers: 1200, is_province: false },
      { agency_code: 'SYT', on_time_pct: null, dossiers: '9007199254740993', is_province: true },
    ]);
  });

  test('should refuse statements that write', async () => {
    await expect(engine().query('DROP TABLE x')).rejects.toThrow(/only read-only statements/);
  });

  test('should refuse a placeholder without a value', () => {
    expect(() => toPositional('select 1 where a = $missing', {})).toThrow(/Failed to bind \$missing/);
  });
});

describe('AthenaEngine.registerSource given lake locations', () => {
  test('should alias a landed dataset by a view, and do nothing when the names already match', async () => {
    await engine().registerSource('dossiers', 's3://lake-bucket/demo/landed/dossiers/');
    await engine().registerSource('landed_agencies', 's3://lake-bucket/demo/landed/agencies');
    expect(started.map((s) => s.sql)).toEqual(['CREATE OR REPLACE VIEW "cchc"."dossiers" AS SELECT * FROM "cchc"."landed_dossiers"']);
  });

  test('should read quarantine/ and the landing log through the tables the stack defines, wherever quarantine/ is routed', async () => {
    const routed = Object.assign(new MemoryLake(), {
      locate: (key: string) => (key.startsWith('quarantine/') ? `s3://quarantine-bucket/${key}` : `s3://lake-bucket/demo/${key}`),
    });
    await engine(routed).registerSource('src_quarantine', 's3://quarantine-bucket/quarantine');
    await engine(routed).registerSource('src_quarantine', 's3://lake-bucket/demo/quarantine/');
    await engine(routed).registerSource('src_landing_log', 's3://lake-bucket/demo/landed/landing_log');
    expect(started.map((s) => s.sql)).toEqual([
      'CREATE OR REPLACE VIEW "cchc"."src_quarantine" AS SELECT * FROM "cchc"."quarantine"',
      'CREATE OR REPLACE VIEW "cchc"."src_quarantine" AS SELECT * FROM "cchc"."quarantine"',
      'CREATE OR REPLACE VIEW "cchc"."src_landing_log" AS SELECT * FROM "cchc"."landed_landing_log"',
    ]);
  });

  test('should refuse a location outside landed/', async () => {
    await expect(engine().registerSource('x', 's3://other-bucket/landed/dossiers/')).rejects.toThrow(/is not a landed dataset/);
  });
});

describe('AthenaEngine construction given a local lake', () => {
  test('should refuse a non-S3 storage root', () => {
    const local = Object.assign(new MemoryLake(), { root: '/tmp/lake' });
    expect(() => engine(local)).toThrow(/Athena needs an s3:\/\/ lake root/);
  });
});
