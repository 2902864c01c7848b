/**
 * The landing, snapshot and report Lambda handlers against a real S3-protocol server on 127.0.0.1
 * (s3rver behind the If-None-Match front of test/unit/storage/s3-loopback.ts), three buckets as on AWS
 * (raw, lake, quarantine), configured only through the environment the CDK stack sets. The landing's
 * Parquet must be byte-identical to an embedded run (LocalStorage + DuckDB) of the same inputs. A new
 * snapshot is built on Athena (test/unit/handlers/snapshot.athena.test.ts); here the embedded run's
 * snapshot is published on S3 as the snapshot step publishes it, for the report handler and the
 * verification of a published month.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DATASET_SPECS } from '../../../functions/core/lake/datasets.js';
import { keyIndexKey, landedKeyFiles } from '../../../functions/core/lake/key-index.js';
import { RAW_KIND_NAMES, type RawKind } from '../../../functions/core/lake/sources.js';
import { listRejected, stageRaw, type RejectedEntry } from '../../../functions/core/lake/raw.js';
import { withDuckDb, literal } from '../../../functions/core/engine/duckdb.js';
import { planDrop } from '../../../functions/core/connectors/drop.js';
import { ingestDropDir, land, landStepAnswer, REJECTED_LISTED, snapshot, verify, type PipelineContext } from '../../../functions/core/pipeline.js';
import { loadConfig } from '../../../functions/core/config.js';
import type { Storage } from '../../../functions/core/storage/types.js';
import { generateDemo } from '../../../functions/generator/index.js';
import { handler as landHandler } from '../../../functions/handlers/land.js';
import { handler as pullNswHandler } from '../../../functions/handlers/pull-nsw.js';
import { handler as snapshotHandler } from '../../../functions/handlers/snapshot.js';
import { handler as reportHandler } from '../../../functions/handlers/report.js';
import { buildReportPack } from '../../../functions/core/report/index.js';
import { lakeStorage, logger, pipelineContext } from '../../../functions/handlers/_runtime.js';
import { LANDING_LOG_COLUMNS, QUARANTINE_DATASETS } from '../../../infra/lib/query/index.js';
import { outsideProjection } from '../../../functions/core/lake/projection.js';
import { demoContext } from '../../helpers/demo-lake.js';
import { startS3Loopback, type S3Loopback } from '../storage/s3-loopback.js';
import { lambdaEnv } from '../../helpers/athena-recorded.js';

const PERIOD = '2025-06';
/** Rebuilt from the manifest by every land, with the clock times of pull and landing in it. */
const LANDING_LOG = 'landed/landing_log/data.parquet';
const OTHER_KINDS = RAW_KIND_NAMES.filter((k) => k !== 'nsw-csv') as RawKind[];

let tmp = '';
let s3: S3Loopback;
let local: PipelineContext;
let remote: Storage;
let nswFiles: string[] = [];
let pullNswResult: Awaited<ReturnType<typeof pullNswHandler>>;
let landResult: Awaited<ReturnType<typeof landHandler>>;
const savedEnv = { ...process.env };

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, base)));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

/** Keys of the local lake under prefix (LocalStorage keeps only data under its root). */
async function localKeys(prefix: string): Promise<string[]> {
  return (await walk(path.join(local.config.lakeRoot, prefix))).map((k) => `${prefix}${k}`);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'handlers-s3-'));
  const data = path.join(tmp, 'data');
  await generateDemo({ outDir: data, dossiers: 3000, fromYear: 2024, toYear: 2025 });
  nswFiles = (await planDrop(data)).filter((f) => f.kind === 'nsw-csv').map((f) => f.path);
  // Two bad records in the first export, so quarantine/ has something to prove: an impossible date
  // of receipt, and a record with too few fields.
  const lines = (await readFile(nswFiles[0]!, 'utf8')).split('\n');
  const fields = lines[2]!.split(';');
  fields[6] = '31-02-2024 10:00:00';
  lines[2] = fields.join(';');
  lines.splice(3, 0, `999;H99BAD;1.0${lines[0]!.endsWith('\r') ? '\r' : ''}`);
  await writeFile(nswFiles[0]!, lines.join('\n'));
  logger.setLogLevel('WARN');

  // The embedded run: the whole drop directory, nsw/ included (pull-nsw reads the same names by the same rules).
  local = demoContext(path.join(tmp, 'local-lake'), path.join(tmp, 'local-work'));
  await ingestDropDir(local, { dir: data });
  await land(local);
  await snapshot(local, { period: PERIOD });

  // The AWS run: the same inputs through the handlers, configured as the stack configures them.
  s3 = await startS3Loopback();
  for (const b of ['cchc-raw', 'cchc-lake', 'cchc-quarantine']) await s3.createBucket(b);
  Object.assign(process.env, lambdaEnv(s3.endpoint, path.join(tmp, 'lambda-tmp'), { NSW_DROP_PREFIX: 's3://cchc-raw/drop/nsw' }));
  delete process.env.AWS_PROFILE;
  for (const file of nswFiles) {
    const key = `drop/nsw/${path.relative(path.join(data, 'nsw'), file).split(path.sep).join('/')}`;
    await s3.client.send(new PutObjectCommand({ Bucket: 'cchc-raw', Key: key, Body: await readFile(file) }));
  }
  // Names the NSW connector refuses: reported with the reason, never staged.
  for (const key of ['drop/nsw/H99/2024-13.csv', 'drop/nsw/notes.csv']) {
    await s3.client.send(new PutObjectCommand({ Bucket: 'cchc-raw', Key: key, Body: 'ma_ho_so;x\n' }));
  }
  pullNswResult = await pullNswHandler({}, { awsRequestId: 'pull-nsw-1' });
  await ingestDropDir(pipelineContext(loadConfig(undefined, process.env), 'drop-1'), { dir: data, include: OTHER_KINDS });
  remote = lakeStorage(loadConfig(undefined, process.env));
  landResult = await landHandler({}, { awsRequestId: 'land-1' });
  for (const key of await localKeys(`snapshots/${PERIOD}/`)) await remote.put(key, await local.storage.get(key));
}, 300_000);

afterAll(async () => {
  process.env = savedEnv;
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('pull-nsw handler given an NSW drop on S3', () => {
  test('should stage the exports the NSW connector accepts and report every other name with its reason', () => {
    expect(pullNswResult.files).toBe(nswFiles.length);
    expect(pullNswResult.staged).toBe(nswFiles.length);
    expect(pullNswResult.unchanged).toBe(0);
    expect(pullNswResult.skipped).toEqual([
      { file: 'nsw/H99/2024-13.csv', reason: '"2024-13.csv" has no valid month (see docs/data-contracts.md)' },
      { file: 'nsw/notes.csv', reason: 'expected <agency_code>/<yyyy-mm>.csv (see docs/data-contracts.md)' },
    ]);
  });

  test("should leave nothing in the function's /tmp (a warm container keeps it between invocations)", async () => {
    expect(await walk(path.join(process.env.PIPELINE_WORK_DIR!, 'pull-nsw-1'))).toEqual([]);
  });
});

describe('land handler given the demo inputs on S3 (three buckets on 127.0.0.1)', () => {
  test('should land every staged file and account for every row', () => {
    const s = landResult.summary;
    expect(s.files).toBeGreaterThan(nswFiles.length);
    expect(s.rowsRead).toBe(s.rowsLanded + s.rowsQuarantined);
    expect(s.rowsQuarantined).toBeGreaterThan(0);
    expect(Object.values(s.rowsLandedByDataset).reduce((a, n) => a + n, 0)).toBe(s.rowsLanded);
    // counts, not lists: what Step Functions (256 KB between states) carries
    expect([s.rejectedCount, s.waitingCount, s.waiting]).toEqual([0, 0, []]);
    expect(JSON.stringify(landResult).length).toBeLessThan(2000);
  });

  test("should leave nothing in the function's /tmp, the partitions it downloaded included", async () => {
    expect(await walk(path.join(process.env.PIPELINE_WORK_DIR!, 'land-1'))).toEqual([]);
  });

  test('should write landed/ partitions byte-identical to the embedded run', async () => {
    const keys = (await localKeys('landed/')).filter((k) => k !== LANDING_LOG);
    // The key indexes are the S3 lake's alone (next test).
    const objects = (await remote.list('landed/')).map((o) => o.key).filter((k) => k !== LANDING_LOG && !k.startsWith('landed/_keys/'));
    expect(objects).toEqual(keys);
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) {
      const mine = await remote.get(key);
      expect(mine.equals(await local.storage.get(key)), key).toBe(true);
    }
  });

  test('should publish beside every landed dossier partition a key index of exactly its ids, under its ETag (none on disk)', async () => {
    const partitions = (await remote.list('landed/dossiers/')).filter((o) => o.key.endsWith('/data.parquet'));
    expect(partitions.length).toBeGreaterThan(10);
    expect(await remote.listKeys('landed/_keys/')).toEqual(partitions.map((o) => keyIndexKey(o.key)).sort());
    expect(await localKeys('landed/_keys/')).toEqual([]);
    await withDuckDb(async (db) => {
      for (const [n, o] of partitions.entries()) {
        const [data, index] = [path.join(tmp, `p-${n}.parquet`), path.join(tmp, `k-${n}.parquet`)];
        await writeFile(data, await remote.get(o.key));
        await writeFile(index, await remote.get(keyIndexKey(o.key)));
        const [ids] = await db.all(
          `SELECT (SELECT list(dossier_id ORDER BY dossier_id) FROM read_parquet(${literal(data)})) AS partition,
                  (SELECT list(dossier_id) FROM read_parquet(${literal(index)})) AS indexed,
                  (SELECT list(DISTINCT partition_etag) FROM read_parquet(${literal(index)})) AS etags`,
        );
        // the same ids, in key order (the index's stored order, as written)
        expect(ids!.indexed, o.key).toEqual(ids!.partition);
        expect(ids!.etags, o.key).toEqual([o.etag]);
      }
    });
  });

  test('should write quarantine/ into the quarantine bucket, byte-identical to the embedded run', async () => {
    const keys = await localKeys('quarantine/');
    expect(keys.length).toBeGreaterThan(0);
    const inQuarantineBucket = lakeStorage({ ...loadConfig(undefined, process.env), rawRoot: undefined, quarantineRoot: undefined, lakeRoot: 's3://cchc-quarantine' });
    expect((await inQuarantineBucket.list('quarantine/')).map((o) => o.key)).toEqual(keys);
    expect(await lakeStorage({ ...loadConfig(undefined, process.env), rawRoot: undefined, quarantineRoot: undefined }).list('quarantine/')).toEqual([]);
    for (const key of keys) expect((await remote.get(key)).equals(await local.storage.get(key)), key).toBe(true);
  });

  test('should only write quarantine datasets, years and months the Athena quarantine table projects', async () => {
    const keys = (await remote.list('quarantine/')).map((o) => o.key);
    const datasets = new Set(keys.map((k) => /^quarantine\/dataset=([^/]+)\//.exec(k)?.[1]));
    for (const d of datasets) expect(QUARANTINE_DATASETS as readonly (string | undefined)[]).toContain(d);
    expect(keys.length).toBeGreaterThan(0);
    expect(outsideProjection(keys)).toEqual([]);
  });

  test('should write the landing log with the columns of its Glue table and the same rows but clock times', async () => {
    const file = path.join(tmp, 'landing_log.parquet');
    await writeFile(file, await remote.get(LANDING_LOG));
    const localFile = local.storage.locate(LANDING_LOG);
    await withDuckDb(async (db) => {
      const schema = await db.all(`SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet(${literal(file)}))`);
      expect(Object.fromEntries(schema.map((r) => [String(r.name), String(r.type)]))).toEqual(LANDING_LOG_COLUMNS);
      const cols = Object.keys(LANDING_LOG_COLUMNS).filter((c) => c !== 'pulled_at' && c !== 'landed_at').join(', ');
      const diff = await db.scalarNumber(
        `SELECT count(*) FROM ((SELECT ${cols} FROM read_parquet(${literal(file)}) EXCEPT ALL SELECT ${cols} FROM read_parquet(${literal(localFile)}))
         UNION ALL (SELECT ${cols} FROM read_parquet(${literal(localFile)}) EXCEPT ALL SELECT ${cols} FROM read_parquet(${literal(file)})))`,
      );
      expect(diff).toBe(0);
    });
  });

  test('should store landed dossiers with exactly the columns of the landed_dossiers Glue table', async () => {
    const key = (await remote.list('landed/dossiers/'))[0]!.key;
    const file = path.join(tmp, 'one-dossiers.parquet');
    await writeFile(file, await remote.get(key));
    await withDuckDb(async (db) => {
      const names = (await db.all(`SELECT column_name AS name FROM (DESCRIBE SELECT * FROM read_parquet(${literal(file)}, hive_partitioning = false))`)).map((r) => String(r.name));
      expect(names).toEqual(Object.keys(DATASET_SPECS.dossiers.columns));
    });
  });
});

describe('snapshot handler given a month published on S3', () => {
  test('should pass the lake invariants checked on S3 (accounting, unique dossier ids, snapshot hashes)', async () => {
    const summary = await verify(pipelineContext(loadConfig(undefined, process.env), 'verify-1'));
    expect(summary).toMatchObject({ filesChecked: landResult.summary.files, snapshots: 1 });
    expect(summary.dossiers).toBe(landResult.summary.rowsLandedByDataset.dossiers);
  });

  test('should only verify an already published month on a second call', async () => {
    const again = await snapshotHandler({ period: PERIOD }, { awsRequestId: 'snapshot-2' });
    expect(again.summary).toMatchObject({ period: PERIOD, published: false });
  });
});

describe('report handler given the published S3 snapshot', () => {
  test('should publish the pack under reports/ with the same documents as the embedded run, and verify it on a second call', async () => {
    const first = await reportHandler({ period: PERIOD }, { awsRequestId: 'report-1' });
    expect(first.summary).toMatchObject({ period: PERIOD, revision: 1, prefix: `reports/${PERIOD}/`, published: true });
    const embedded = await buildReportPack(local.storage, { period: PERIOD, workDir: path.join(tmp, 'local-work') });
    const keys = (await remote.list('reports/')).map((o) => o.key);
    expect(keys).toEqual([...embedded.files.map((f) => `reports/${PERIOD}/${f.name}`), `reports/${PERIOD}/manifest.json`].sort());
    // The documents are equal byte for byte; the manifests differ only in the snapshot manifest's hash
    // (its data_quality entry carries clock times of landing).
    for (const f of embedded.files) expect((await remote.get(`reports/${PERIOD}/${f.name}`)).equals(await local.storage.get(`reports/${PERIOD}/${f.name}`)), f.name).toBe(true);
    const strip = (b: Buffer) => {
      const m = JSON.parse(b.toString('utf8')) as { snapshot: Record<string, unknown> };
      return { ...m, snapshot: { ...m.snapshot, manifest_sha256: undefined } };
    };
    expect(strip(await remote.get(`reports/${PERIOD}/manifest.json`))).toEqual(strip(await local.storage.get(`reports/${PERIOD}/manifest.json`)));
    expect(await walk(path.join(process.env.PIPELINE_WORK_DIR!, 'report-1'))).toEqual([]);
    const again = await reportHandler({ period: PERIOD }, { awsRequestId: 'report-2' });
    expect(again.summary).toMatchObject({ published: false, revision: 1 });
  });

  test('should name the published months when asked for a month without a snapshot', async () => {
    await expect(reportHandler({ period: '2025-05' }, { awsRequestId: 'report-3' })).rejects.toThrow(/Snapshots published: 2025-06\./);
  });
});

// Last: it lands into the S3 lake the tests above compare with the embedded run.
describe('land handler given a later export on S3', () => {
  /**
   * A corrected export of an NSW month already landed, holding one of its dossiers received a month
   * earlier: the `after`-th export past the one beforeAll changed that holds a dossier (line 0 is the
   * header), re-sent to the drop. Returns the dossier's id, its landed partition and its month.
   */
  async function resendMoved(after: number): Promise<{ id: string; partition: string; landedMonth: string }> {
    let file = '';
    let lines: string[] = [];
    let seen = 0;
    for (const f of nswFiles.slice(1)) {
      lines = (await readFile(f, 'utf8')).split('\n');
      file = f;
      if (lines[1]?.includes(';') && ++seen === after) break;
    }
    const fields = lines[1]!.split(';');
    const id = fields[1]!;
    const earlier = (ts: string): string => {
      const m = /^(\d{2})-(\d{2})-(\d{4})( .*)$/.exec(ts)!;
      const [y, mo] = Number(m[2]) === 1 ? [Number(m[3]) - 1, 12] : [Number(m[3]), Number(m[2]) - 1];
      return `${m[1]}-${String(mo).padStart(2, '0')}-${y}${m[4]}`;
    };
    const [month, year] = /^\d{2}-(\d{2})-(\d{4})/.exec(fields[6]!)!.slice(1) as [string, string];
    fields[5] = earlier(fields[5]!);
    fields[6] = earlier(fields[6]!);
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'cchc-raw', Key: `drop/nsw/${path.relative(path.join(tmp, 'data', 'nsw'), file).split(path.sep).join('/')}`, Body: `${lines[0]}\n${fields.join(';')}\n` }),
    );
    return { id, partition: `landed/dossiers/source=nsw/year=${year}/month=${Number(month)}/data.parquet`, landedMonth: `${year}-${month}` };
  }

  /** The reasons the quarantine gives for the rows of `id`. */
  async function reasonsFor(id: string): Promise<string[]> {
    const quarantined = (await remote.list('quarantine/')).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
    expect(quarantined.length).toBeGreaterThan(0);
    return withDuckDb(async (db) => {
      const files: string[] = [];
      for (const [n, key] of quarantined.entries()) {
        const f = path.join(tmp, `q-${n}.parquet`);
        await writeFile(f, await remote.get(key));
        files.push(f);
      }
      const rows = await db.all(`SELECT reason FROM read_parquet([${files.map(literal).join(', ')}], union_by_name = true) WHERE raw_record LIKE ${literal(`%${id}%`)}`);
      return rows.map((r) => String(r.reason));
    });
  }

  /** The lake's GET requests of the land that `run` makes. */
  async function lakeGets(run: () => Promise<unknown>): Promise<string[]> {
    const before = s3.requests().length;
    await run();
    return s3.requests().slice(before).filter((r) => r.startsWith('GET /cchc-lake/')).map((r) => r.slice('GET /cchc-lake/'.length));
  }

  test('should read the landed dossier ids from the key indexes on S3, not the partitions, and quarantine a version that moves to another month', async () => {
    const moved = await resendMoved(1);
    // Only the re-sent export is copied and staged: the others, unchanged since pull-nsw-1 staged them
    // (their ETags recorded in the raw bucket), are not downloaded again.
    const pulled = await pullNswHandler({}, { awsRequestId: 'pull-nsw-2' });
    expect(pulled).toMatchObject({ files: nswFiles.length, staged: 1, unchanged: nswFiles.length - 1 });
    expect(pulled.skipped).toHaveLength(2);
    const record = JSON.parse((await remote.get('manifest/drop/nsw.json')).toString('utf8')) as { objects: Record<string, string> };
    expect(Object.keys(record.objects)).toHaveLength(nswFiles.length);
    let second: Awaited<ReturnType<typeof landHandler>> | undefined;
    const gets = await lakeGets(async () => (second = await landHandler({}, { awsRequestId: 'land-2' })));
    expect(second!.summary).toMatchObject({ rowsRead: 1, rowsLanded: 0, rowsQuarantined: 1 });
    // Every partition's index read, and no partition: this land published none.
    const partitions = (await remote.listKeys('landed/dossiers/')).filter((k) => k.endsWith('/data.parquet'));
    expect(gets.filter((k) => k.startsWith('landed/dossiers/'))).toEqual([]);
    expect(gets.filter((k) => k.startsWith('landed/_keys/dossiers/')).sort()).toEqual(partitions.map(keyIndexKey).sort());
    // The reason names where the id already lives: read from the lake on S3, not from this export.
    expect(await reasonsFor(moved.id)).toEqual([expect.stringContaining(`already landed under source nsw, received ${moved.landedMonth}`)]);
    // Still one copy of every id in the lake (verify throws on a duplicate), and the dossiers the first land landed.
    const summary = await verify(pipelineContext(loadConfig(undefined, process.env), 'verify-2'));
    expect(summary.dossiers).toBe(landResult.summary.rowsLandedByDataset.dossiers);
  });

  test("should not trust an index that is not its partition's (another ETag): that partition is read whole, its index rewritten", async () => {
    const moved = await resendMoved(2);
    // The moved dossier's partition gets another partition's index (valid for that one, not for this):
    // a land that read it would not see the dossier's id, and would land it a second time.
    const other = (await remote.listKeys('landed/dossiers/')).find((k) => k.endsWith('/data.parquet') && k !== moved.partition)!;
    await remote.put(keyIndexKey(moved.partition), await remote.get(keyIndexKey(other)));
    await pullNswHandler({}, { awsRequestId: 'pull-nsw-3' });
    let third: Awaited<ReturnType<typeof landHandler>> | undefined;
    const gets = await lakeGets(async () => (third = await landHandler({}, { awsRequestId: 'land-3' })));
    expect(third!.summary).toMatchObject({ rowsRead: 1, rowsLanded: 0, rowsQuarantined: 1 });
    expect(gets.filter((k) => k.startsWith('landed/dossiers/'))).toEqual([moved.partition]);
    expect(await reasonsFor(moved.id)).toEqual([expect.stringContaining(`already landed under source nsw, received ${moved.landedMonth}`)]);
    // Rewritten: the partition's own ids, under its ETag.
    const etag = (await remote.list(moved.partition))[0]!.etag;
    await withDuckDb(async (db) => {
      const [data, index] = [path.join(tmp, 'moved-data.parquet'), path.join(tmp, 'moved-keys.parquet')];
      await writeFile(data, await remote.get(moved.partition));
      await writeFile(index, await remote.get(keyIndexKey(moved.partition)));
      const [r] = await db.all(
        `SELECT (SELECT list(dossier_id ORDER BY dossier_id) FROM read_parquet(${literal(data)})) = (SELECT list(dossier_id ORDER BY dossier_id) FROM read_parquet(${literal(index)})) AS same,
                (SELECT list(DISTINCT partition_etag) FROM read_parquet(${literal(index)})) AS etags`,
      );
      expect(r).toEqual({ same: true, etags: [etag] });
    });
    await verify(pipelineContext(loadConfig(undefined, process.env), 'verify-3'));
  });

  test('should not index a partition whose object changed between its listing and its download', async () => {
    const [part, other] = (await remote.listKeys('landed/dossiers/')).filter((k) => k.endsWith('/data.parquet'));
    const original = await remote.get(part!);
    await remote.delete(keyIndexKey(part!));
    // Another writer replaces the partition right before the land downloads it (the lake lock forbids
    // it; here the storage does it): the bytes downloaded are not those of the ETag listed.
    let raced = false;
    const racing = new Proxy(remote, {
      get(target, prop, receiver) {
        if (prop === 'tryGet') {
          return async (key: string) => {
            if (key === part && !raced) {
              raced = true;
              await target.put(part, await target.get(other!));
            }
            return target.tryGet(key);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    try {
      const files = await withDuckDb((db) => landedKeyFiles(db, racing, { dataset: 'dossiers', keyColumns: ['dossier_id'], workDir: path.join(tmp, 'race') }));
      expect(raced).toBe(true);
      expect(files.partitions).toHaveLength(1);
      expect(await remote.exists(keyIndexKey(part!))).toBe(false);
    } finally {
      await remote.put(part!, original);
    }
  });
});

describe('land handler given a file it cannot read', () => {
  test('should not fail the step: it lands the rest and names the waiting file, for the state machine to publish and end in FilesRejected', async () => {
    const config = loadConfig(undefined, process.env);
    await stageRaw(lakeStorage(config), { kind: 'bieu06-xlsx', bytes: Buffer.from('not a workbook'), period: '2025', originalName: 'bieu06_2025.xlsx' });
    const result = await landHandler({}, { awsRequestId: 'land-rejected' });
    expect(result.summary).toMatchObject({ rejectedCount: 1, waitingCount: 1 });
    expect(result.summary.waiting).toEqual([{ file: 'bieu06_2025.xlsx', kind: 'bieu06-xlsx', error: expect.stringContaining('not an XLSX file') }]);
    expect((await listRejected(lakeStorage(config))).map((r) => r.original_name)).toEqual(['bieu06_2025.xlsx']);
    // The next land skips the file but still says it waits: no snapshot until an operator acts.
    expect((await landHandler({}, { awsRequestId: 'land-after' })).summary).toMatchObject({ rejectedCount: 0, waitingCount: 1 });
    // The operator acts from a workstation with the CLI on the S3 lake (the stack's three buckets). Spawned
    // asynchronously: the S3 server runs in this process and must keep answering.
    const cli = (...args: string[]): Promise<{ status: number | null; out: string }> =>
      new Promise((resolve) => {
        const child = spawn(path.resolve('node_modules/.bin/tsx'), [path.resolve('functions/cli/main.ts'), ...args], { env: process.env });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
        child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
        child.on('close', (status) => resolve({ status, out }));
      });
    const listed = await cli('rejected');
    expect(listed.status, listed.out).toBe(0);
    expect(listed.out).toMatch(/bieu06-xlsx {2}bieu06_2025\.xlsx {2}rejected .*\n {4}.*not an XLSX file/);
    const discarded = await cli('discard', 'bieu06_2025.xlsx');
    expect(discarded.status, discarded.out).toBe(0);
    expect(await listRejected(lakeStorage(config))).toEqual([]);
    expect((await landHandler({}, { awsRequestId: 'land-discarded' })).summary).toMatchObject({ waitingCount: 0 });
    // A command that needs DuckDB on the lake still refuses an S3 lake, saying which ones do not.
    expect((await cli('verify')).out).toContain('the pull --source drop, ingest, rejected, retry, discard and export-marts commands also take an S3 lake');
  });
});

describe('the land step answer', () => {
  test('should count, and name at most REJECTED_LISTED waiting files with errors cut to 400 characters', () => {
    const entry = (n: number) => ({ original_name: `f${n}.xlsx`, kind: 'bieu06-xlsx', error: 'x'.repeat(1000) }) as unknown as RejectedEntry;
    const waiting = Array.from({ length: REJECTED_LISTED + 5 }, (_, n) => entry(n));
    const answer = landStepAnswer({ files: [], rejected: waiting.slice(0, 2), partitionsWritten: ['a', 'b'], rowsRead: 0, rowsLanded: 0, rowsQuarantined: 0 }, waiting);
    expect(answer).toMatchObject({ files: 0, partitionsWritten: 2, rejectedCount: 2, waitingCount: REJECTED_LISTED + 5 });
    expect(answer.waiting.map((w) => w.file)).toEqual(waiting.slice(0, REJECTED_LISTED).map((w) => w.original_name));
    expect(answer.waiting.every((w) => w.error.length === 400 && w.error.endsWith('…'))).toBe(true);
  });
});
