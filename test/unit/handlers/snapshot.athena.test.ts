/**
 * The snapshot Lambda handler on Athena, with the Athena API answered by the recorded responses in
 * test/fixtures/athena/ (aws-sdk-client-mock, as transform.athena.test.ts) and the lake on a real
 * S3-protocol server on 127.0.0.1. Athena's own writes are played by the fake: each export CTAS puts
 * one Parquet object at its external_location, as a one-bucket CTAS does. The exact ordered
 * statements are compared with test/fixtures/athena/snapshot-statements.sql; after an intentional
 * change, regenerate it with
 *   UPDATE_ATHENA_FIXTURES=1 npx vitest run test/unit/handlers/snapshot.athena.test.ts
 * (model SELECTs and as-of views stand there as `<<sql/…>>`, substituted back exactly before comparing).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { loadConfig } from '../../../functions/core/config.js';
import { SQL_DIR } from '../../../functions/core/lake/landing-sql.js';
import { S3Storage } from '../../../functions/core/storage/s3.js';
import type { Storage } from '../../../functions/core/storage/types.js';
import { loadAsOfViews, martCut } from '../../../functions/core/transform/asof.js';
import { loadModels, type TransformModel } from '../../../functions/core/transform/index.js';
import { readSnapshotManifest } from '../../../functions/core/transform/snapshot.js';
import { handler } from '../../../functions/handlers/snapshot.js';
import * as runtime from '../../../functions/handlers/_runtime.js';
import { lakeStorage, logger } from '../../../functions/handlers/_runtime.js';
import { startS3Loopback, type S3Loopback } from '../storage/s3-loopback.js';
import { columnsOfModel, fixture, lambdaEnv, resultSet, table } from '../../helpers/athena-recorded.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/athena');
const STATEMENTS_FILE = path.join(FIXTURES, 'snapshot-statements.sql');
const RUN_ID = 'r20260702t020000z_snap01';
const PERIOD = '2026-06';
const AS_OF = '2026-06-30';
const SNAPSHOT_DB = 'cchc_snapshot';

const models: TransformModel[] = loadModels(SQL_DIR);
const marts = models.filter((m) => m.layer === 'marts');
const asOfViews = loadAsOfViews(SQL_DIR);
const athena = mockClient(AthenaClient);

interface Started {
  id: string;
  sql: string;
  params: string[];
}
let started: Started[] = [];
let s3: S3Loopback;
let tmp = '';
let lake: Storage;
/** Keys the handler read from the lake (S3Storage get/tryGet). */
let read: string[] = [];
const savedEnv = { ...process.env };

const columnsOf = (name: string): string[] => models.find((m) => m.name === name)!.columns.map((c) => c.name);

/** What Athena would answer for each kind of SELECT the snapshot sends. */
function answer(s: Started): GetQueryResultsOutput {
  // The incremental models, built whole in a snapshot: their columns, then one year per run.
  if (/\) AS model\nLIMIT 0$/.test(s.sql)) return table(columnsOfModel(models, s.sql), []);
  if (/AS partition_count FROM/.test(s.sql)) return resultSet('get-query-results-count', ['1']);
  if (/AS partition_value, count\(\*\) AS row_count FROM/.test(s.sql)) return table(['partition_value', 'row_count'], [['2025', '1234']]);
  if (/^SELECT count\(\*\) AS row_count FROM/.test(s.sql)) return resultSet('get-query-results-count', ['1234']);
  if (/FROM information_schema\.tables/.test(s.sql)) return resultSet('get-query-results-tables', []);
  if (/FROM information_schema\.columns WHERE table_schema = \? AND table_name = \?/.test(s.sql)) {
    return resultSet('get-query-results-columns', columnsOf(s.params[1]!.replaceAll("'", '')));
  }
  if (/AS failures/.test(s.sql)) return resultSet('get-query-results-failures', ['0']);
  throw new Error(`no answer scripted for: ${s.sql.slice(0, 120)}`);
}

/** The Parquet object Athena would write for an export (any bytes do: the snapshot copies them). */
const exported = (mart: string): Buffer => Buffer.from(`PAR1 ${mart} as of ${AS_OF} PAR1`);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'snapshot-athena-'));
  s3 = await startS3Loopback();
  for (const b of ['cchc-raw', 'cchc-lake', 'cchc-quarantine']) await s3.createBucket(b);
  Object.assign(process.env, lambdaEnv(s3.endpoint, path.join(tmp, 'lambda-tmp'), { ATHENA_POLL_INITIAL_MS: '1' }));
  delete process.env.AWS_PROFILE;
  lake = lakeStorage(loadConfig(undefined, process.env));
  logger.setLogLevel('CRITICAL');
  // A landed lake on S3 the snapshot must never read itself (only Athena reads it).
  await lake.put('landed/dossiers/source=portal/year=2026/month=6/data.parquet', 'not read by the function');
  await lake.put('quarantine/dataset=dossiers/source=nsw/year=2026/month=6/data.parquet', 'not read by the function');
  const sha = 'a'.repeat(64);
  await lake.put(
    `manifest/raw/portal-csv/${sha}.json`,
    JSON.stringify({
      kind: 'portal-csv', sha256: sha, bytes: 10, period: PERIOD, original_name: `${PERIOD}.csv`, pulled_at: '2026-07-01T01:00:00Z',
      dataset: 'dossiers', source: 'portal', rows_read: 1, rows_landed: 1, rows_quarantined: 0, landed_at: '2026-07-01T01:01:00Z',
    }),
  );
  const original = { get: S3Storage.prototype.get, tryGet: S3Storage.prototype.tryGet };
  vi.spyOn(S3Storage.prototype, 'get').mockImplementation(function (this: S3Storage, key: string) {
    read.push(key);
    return original.get.call(this, key);
  });
  vi.spyOn(S3Storage.prototype, 'tryGet').mockImplementation(function (this: S3Storage, key: string) {
    read.push(key);
    return original.tryGet.call(this, key);
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  athena.restore();
  process.env = savedEnv;
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  athena.reset();
  started = [];
  read = [];
  athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString: string; ExecutionParameters?: string[] }) => {
    const s = { id: `q-${String(started.length + 1).padStart(4, '0')}`, sql: input.QueryString, params: input.ExecutionParameters ?? [] };
    started.push(s);
    const m = /^CREATE TABLE "cchc_snapshot"\."([a-z0-9_]+)__export_[a-z0-9_]+" WITH \(.*external_location = 's3:\/\/cchc-lake\/([^']+)'/.exec(s.sql);
    if (m) await s3.client.send(new PutObjectCommand({ Bucket: 'cchc-lake', Key: `${m[2]}20260702_020000_00001_bucket-00000`, Body: exported(m[1]!) }));
    return { QueryExecutionId: s.id };
  });
  athena.on(GetQueryExecutionCommand).callsFake(({ QueryExecutionId }: { QueryExecutionId: string }) => {
    const out = fixture<GetQueryExecutionOutput>('get-query-execution-succeeded');
    return { QueryExecution: { ...out.QueryExecution, QueryExecutionId } };
  });
  athena.on(GetQueryResultsCommand).callsFake(({ QueryExecutionId }: { QueryExecutionId: string }) => answer(started.find((s) => s.id === QueryExecutionId)!));
});

/** The statements as the fixture holds them: numbered, params listed, model SELECTs and as-of views by file. */
function render(statements: readonly Started[]): string {
  const bySql = [...models, ...asOfViews].sort((a, b) => b.sql.length - a.sql.length);
  return statements
    .map((s, i) => {
      let text = s.sql;
      for (const m of bySql) if (m.sql.length > 40 && text.includes(m.sql)) text = text.replace(m.sql, `<<${m.file}>>`);
      return `-- [${i + 1}]${s.params.length ? ` params: ${JSON.stringify(s.params)}` : ''}\n${text};\n`;
    })
    .join('\n');
}

describe('snapshot handler given a landed lake on S3 and Athena (recorded responses)', () => {
  let result: Awaited<ReturnType<typeof handler>>;
  let happy: Started[] = [];
  let readKeys: string[] = [];

  beforeAll(async () => {
    athena.reset();
  });

  test('should publish every mart of the month', async () => {
    result = await handler({ period: PERIOD, runId: RUN_ID }, { awsRequestId: 'snapshot-1' });
    happy = [...started];
    readKeys = [...read];
    expect(result).toEqual({ step: 'snapshot', period: PERIOD, summary: { period: PERIOD, published: true, files: marts.length } });
  });

  test('should issue exactly the recorded statements, in order', () => {
    const text = render(happy);
    if (process.env.UPDATE_ATHENA_FIXTURES === '1') writeFileSync(STATEMENTS_FILE, text);
    expect(existsSync(STATEMENTS_FILE), 'no recorded statements: run with UPDATE_ATHENA_FIXTURES=1').toBe(true);
    expect(text).toBe(readFileSync(STATEMENTS_FILE, 'utf8'));
  });

  test('should never copy the lake into the function: no read of landed/ or quarantine/, nothing in /tmp, no mirror helper', () => {
    expect(readKeys.filter((k) => k.startsWith('landed/') || k.startsWith('quarantine/'))).toEqual([]);
    expect(new Set(readKeys.filter((k) => k.startsWith("work/snapshot/models/_exports/"))).size).toBe(marts.length);
    const work = path.join(process.env.PIPELINE_WORK_DIR!, 'snapshot-1');
    expect(existsSync(work) ? readdirSync(work, { recursive: true }) : []).toEqual([]);
    expect(Object.keys(runtime)).not.toContain('mirrorLake');
    expect(Object.keys(runtime)).not.toContain('mirroredContext');
  });

  test('should read the sources through as-of views carrying the as-of predicates, in the snapshot database', () => {
    const view = (name: string) => happy.findLast((s) => s.sql.startsWith(`CREATE OR REPLACE VIEW "${SNAPSHOT_DB}"."${name}" AS`))?.sql;
    expect(view('snapshot_as_of')).toBe(`CREATE OR REPLACE VIEW "${SNAPSHOT_DB}"."snapshot_as_of" AS\nSELECT CAST('${AS_OF}' AS DATE) AS as_of_date`);
    expect(view('landed_dossiers')).toBe(`CREATE OR REPLACE VIEW "${SNAPSHOT_DB}"."landed_dossiers" AS SELECT * FROM "cchc"."landed_dossiers"`);
    for (const v of asOfViews) expect(view(v.source)).toBe(`CREATE OR REPLACE VIEW "${SNAPSHOT_DB}"."${v.source}" AS\n${v.sql}`);
    expect(view('src_dossiers')).toContain('where cast(d.received_at as date) <= p.as_of_date');
    expect(view('src_par_totals')).toContain("where cast(cast(t.year + 1 as varchar) || '-03-01' as date) <= p.as_of_date");
    // The quarantine is read whole, as the landing log is: a file the snapshot lists has all its rejected rows.
    expect(view('src_quarantine')).toBe(`CREATE OR REPLACE VIEW "${SNAPSHOT_DB}"."src_quarantine" AS SELECT * FROM "cchc"."quarantine"`);
    // The unfiltered sources read the lake's tables whole.
    expect(view('src_agencies')).toBe(`CREATE OR REPLACE VIEW "${SNAPSHOT_DB}"."src_agencies" AS SELECT * FROM "cchc"."landed_agencies"`);
  });

  test('should build the models in the snapshot database and prefix only, never the lake models', async () => {
    const writes = happy.filter((s) => /^(CREATE|DROP|INSERT)/.test(s.sql));
    expect(writes.length).toBeGreaterThan(models.length);
    for (const s of writes) expect(s.sql, s.sql.slice(0, 80)).toMatch(new RegExp(`^(CREATE (OR REPLACE VIEW|TABLE) "${SNAPSHOT_DB}"\\.|DROP TABLE IF EXISTS \`${SNAPSHOT_DB}\`\\.)`));
    for (const m of models.filter((x) => x.materialized === 'view')) {
      expect(happy.some((s) => s.sql === `CREATE OR REPLACE VIEW "${SNAPSHOT_DB}"."${m.name}" AS\n${m.sql.trim().replace(/;\s*$/, '')}`), m.name).toBe(true);
    }
    for (const m of models.filter((x) => x.materialized !== 'view')) {
      const ctas = happy.find((s) => s.sql.startsWith(`CREATE TABLE "${SNAPSHOT_DB}"."${m.name}__${RUN_ID}"`))!;
      expect(ctas.sql).toContain(`external_location = 's3://cchc-lake/work/snapshot/models/${m.layer}/${m.name}/run=${RUN_ID}/'`);
    }
    expect(await lake.list('models/')).toEqual([]);
    expect((await lake.list('work/snapshot/models/marts/agency_months/')).map((o) => o.key)).toContain('work/snapshot/models/marts/agency_months/current.json');
  });

  test('should cut each mart to the periods up to the month with one single-file CTAS, then drop it', async () => {
    for (const m of marts) {
      const i = happy.findIndex((s) => s.sql.startsWith(`CREATE TABLE "${SNAPSHOT_DB}"."${m.name}__export_${RUN_ID}"`));
      expect(i, m.name).toBeGreaterThan(-1);
      const sql = happy[i]!.sql;
      expect(sql).toContain(`external_location = 's3://cchc-lake/work/snapshot/models/_exports/${m.name}/run=${RUN_ID}/'`);
      expect(sql).toContain('bucket_count = 1');
      expect(sql.endsWith(`AS\nSELECT * FROM ${m.name} WHERE ${martCut(m.asOfCut!, AS_OF)}`), sql).toBe(true);
      expect(happy.slice(i).find((s) => s.sql.startsWith('DROP TABLE'))!.sql).toBe(`DROP TABLE IF EXISTS \`${SNAPSHOT_DB}\`.\`${m.name}__export_${RUN_ID}\``);
    }
    expect(happy.some((s) => s.sql.endsWith(`WHERE period_start <= CAST('${AS_OF}' AS DATE)`))).toBe(true);
    expect(await lake.list('work/snapshot/models/_exports/')).toEqual([]);
  });

  test('should publish the files Athena wrote and the manifest through the storage, and free the lock', async () => {
    const manifest = (await readSnapshotManifest(lake, PERIOD))!;
    expect(manifest).toMatchObject({ period: PERIOD, as_of: AS_OF, raw_files: 1 });
    expect(manifest.files.map((f) => f.name)).toEqual(marts.map((m) => `${m.name}.parquet`).sort());
    for (const m of marts) {
      expect((await lake.get(`snapshots/${PERIOD}/${m.name}.parquet`)).equals(exported(m.name)), m.name).toBe(true);
      expect(manifest.files.find((f) => f.name === `${m.name}.parquet`)!.rows).toBe(1234);
    }
    expect(await lake.exists('locks/lake.json')).toBe(false);
  });

  test('should only verify an already published month, without a statement', async () => {
    const again = await handler({ period: PERIOD }, { awsRequestId: 'snapshot-2' });
    expect(again.summary).toEqual({ period: PERIOD, published: false, files: marts.length });
    expect(started).toEqual([]);
  });

  test('should refuse a month the portal has not delivered, without a statement, and freeze it when the event allows the source', async () => {
    // The lake's only dossier file is June's: July has ended, but nothing of it has landed.
    const refused = (await handler({ period: '2026-07' }, { awsRequestId: 'snapshot-3' }).catch((e: unknown) => e)) as Error;
    expect(refused.message).toMatch(/Failed to snapshot 2026-07: no dossier file has landed from portal for 2026-07;/);
    // The error type Lambda reports, which the state machine catches without a retry.
    expect(refused.name).toBe('MonthNotDelivered');
    await expect(handler({ period: '2026-07', allowMissing: ['NSW!'] }, { awsRequestId: 'snapshot-4' })).rejects.toThrow(/Failed to parse the event: allowMissing/);
    await expect(handler({ period: '2026-07', allowMissing: ['nsw/../x'] }, { awsRequestId: 'snapshot-4' })).rejects.toThrow(/Failed to parse the event: allowMissing/);
    // An NSW unit's name passes the event's check (this lake has no such unit: refused by the snapshot).
    await expect(handler({ period: '2026-07', endedSources: ['nsw/H99.02'] }, { awsRequestId: 'snapshot-4' })).rejects.toThrow(/"nsw\/H99\.02" is not a dossier source of this lake/);
    expect(started).toEqual([]);
    expect(await lake.exists('snapshots/2026-07/manifest.json')).toBe(false);
    const allowed = await handler({ period: '2026-07', allowMissing: ['portal'], runId: RUN_ID }, { awsRequestId: 'snapshot-5' });
    expect(allowed.summary.published).toBe(true);
    const manifest = (await readSnapshotManifest(lake, '2026-07'))!;
    expect(manifest.missing_sources).toEqual([{ source: 'portal', months: ['2026-07'], cause: 'allowed' }]);
    // A feed said ended through the event: August goes without it.
    const ended = await handler({ period: '2026-08', endedSources: ['portal'], runId: RUN_ID }, { awsRequestId: 'snapshot-6' });
    expect(ended.summary.published).toBe(true);
    expect((await readSnapshotManifest(lake, '2026-08'))!.missing_sources).toEqual([{ source: 'portal', months: ['2026-07', '2026-08'], cause: 'ended', since: '2026-07' }]);
  });
});
