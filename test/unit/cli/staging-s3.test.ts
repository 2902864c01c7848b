/**
 * The CLI's staging commands on an S3 lake (functions/cli/context.ts, storageContext): no function of the
 * stack pulls the registry, Biểu 06, PAR, vendor exports or 766 files, so an operator stages them from a
 * workstation into the raw bucket, configured as the stack configures the functions, and the next
 * scheduled land lands them. Against a real S3-protocol server on 127.0.0.1.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildContext, storageContext } from '../../../functions/cli/context.js';
import { ingestDropDir, ingestFiles } from '../../../functions/core/pipeline.js';
import { fixture } from '../../reliability/lakes.js';
import { PORTAL_HEADER, portalRow } from '../../fixtures/bad/make.js';
import { lambdaEnv } from '../../helpers/athena-recorded.js';
import { startS3Loopback, type S3Loopback } from '../storage/s3-loopback.js';

let tmp = '';
let s3: S3Loopback;
const savedEnv = { ...process.env };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cli-staging-s3-'));
  s3 = await startS3Loopback();
  for (const b of ['cchc-raw', 'cchc-lake', 'cchc-quarantine']) await s3.createBucket(b);
  Object.assign(process.env, lambdaEnv(s3.endpoint, path.join(tmp, 'work')));
  delete process.env.AWS_PROFILE;
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function keys(bucket: string): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

describe('the CLI staging into an S3 lake from a workstation', () => {
  test('should stage a drop and single files into the raw bucket, as the functions would find them; the same drop again adds nothing', async () => {
    const drop = path.join(tmp, 'drop');
    await mkdir(path.join(drop, 'registry'), { recursive: true });
    await writeFile(path.join(drop, 'registry', 'agencies.csv'), fixture('agencies.csv'));
    await writeFile(path.join(drop, 'registry', 'procedures.csv'), fixture('procedures.csv'));
    const ctx = storageContext({ quiet: true });
    expect(ctx.config.lakeRoot).toBe('s3://cchc-lake');
    const first = await ingestDropDir(ctx, { dir: drop });
    expect([first.staged, first.byKind]).toEqual([2, { 'registry-agencies': 1, 'registry-procedures': 1 }]);
    const csv = path.join(tmp, 'export.csv');
    await writeFile(csv, `${PORTAL_HEADER}\r\n${portalRow('S1')}\r\n`);
    expect((await ingestFiles(ctx, { kind: 'portal-csv', files: [csv], period: '2024-05' })).staged).toBe(1);
    const raw = await keys('cchc-raw');
    for (const kind of ['registry-agencies', 'registry-procedures', 'portal-csv']) expect(raw.some((k) => k.startsWith(`raw/${kind}/`)), kind).toBe(true);
    // Nothing goes to the lake or quarantine buckets: the land does that.
    expect([await keys('cchc-lake'), await keys('cchc-quarantine')]).toEqual([[], []]);
    // The same drop again: the same objects (create-once, content-addressed), none added.
    await ingestDropDir(ctx, { dir: drop });
    expect(await keys('cchc-raw')).toEqual(raw);
    // No query engine on an S3 lake from the CLI; the other commands still refuse the S3 lake.
    await expect(ctx.engine()).rejects.toThrow(/only stages files into an S3 lake/);
    expect(() => buildContext({})).toThrow(/pull --source drop, ingest, rejected, retry, discard and export-marts commands also take an S3 lake/);
  });
});
