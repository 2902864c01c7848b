/**
 * The S3-protocol server (s3rver on 127.0.0.1) stops in the middle of an upload: no partial object
 * may become visible, and once a server is back on the same data, the same upload completes.
 * The server is stopped from a TCP front that counts the bytes it forwards, so the cut lands
 * inside the body every time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createS3Client, S3Storage } from '../../functions/core/storage/s3.js';
import { recorder } from './record.js';

const rec = recorder('s3-stop');
const BUCKET = 'lake-reliability';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let root: string;
let dataDir: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 's3-stop-'));
  dataDir = path.join(root, 's3rver');
});
afterAll(() => {
  rec.flush();
  rmSync(root, { recursive: true, force: true });
});

interface Server {
  endpoint: string;
  /** Bytes forwarded client → server so far. */
  forwarded(): number;
  stop(): Promise<void>;
}

/** s3rver on `dataDir` behind a TCP front; `stopAfter` bytes of request data, both go down. */
async function startServer(stopAfter?: number): Promise<Server> {
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dataDir });
  const backend = (await s3.run()) as AddressInfo;
  const sockets = new Set<net.Socket>();
  let forwarded = 0;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await s3.close();
    })());
  const front = net.createServer((client) => {
    const upstream = net.connect(backend.port, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
      if (stopAfter !== undefined && forwarded > stopAfter) {
        void stop();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}`, forwarded: () => forwarded, stop };
}

function storageAt(endpoint: string): S3Storage {
  const client = createS3Client({ endpoint, forcePathStyle: true, region: 'ap-southeast-1', credentials: CREDENTIALS, maxAttempts: 1 });
  return new S3Storage({ bucket: BUCKET, client, multipartThreshold: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
}

describe('The S3 server stopping in the middle of an upload', () => {
  test.each([
    ['a multipart upload (12 MiB in three parts)', 12 * 1024 * 1024, 'multipart', 7 * 1024 * 1024],
    ['a single PutObject (1 MiB)', 1024 * 1024, 'single', 512 * 1024],
  ] as const)('should leave no partial object after %s is cut, and the rerun should complete', async (what, size, kind, cutAt) => {
    const key = `landed/dossiers/source=portal/year=2025/month=${kind === 'multipart' ? 1 : 2}/data.parquet`;
    const file = path.join(root, `${kind}.bin`);
    const body = randomBytes(size);
    writeFileSync(file, body);
    // A bucket on the shared data directory (created once).
    const setup = await startServer();
    await createS3Client({ endpoint: setup.endpoint, forcePathStyle: true, region: 'ap-southeast-1', credentials: CREDENTIALS })
      .send(new CreateBucketCommand({ Bucket: BUCKET }))
      .catch(() => undefined);
    await setup.stop();

    const dying = await startServer(cutAt);
    const err = await storageAt(dying.endpoint).putFile(key, file).catch((e: unknown) => e);
    await dying.stop();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`^\\[pipeline\\] \\[storage\\] Failed to upload ${key.replaceAll('/', '\\/').replaceAll('.', '\\.')} in s3://${BUCKET}: `));

    const back = await startServer();
    try {
      const s = storageAt(back.endpoint);
      // A multipart upload becomes an object only at CompleteMultipartUpload: nothing is visible.
      // A single PutObject cut short is refused by S3 (400 IncompleteBody: the body is shorter than
      // its Content-Length); s3rver, the stand-in here, keeps what it received instead, so for it
      // the check is that the rerun replaces the cut object.
      const partialVisible = await s.exists(key);
      if (kind === 'multipart') {
        expect(partialVisible).toBe(false);
        expect(await s.list('landed/')).toEqual([]);
      }
      await s.putFile(key, file);
      const got = await s.get(key);
      expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
      const uploads = await createS3Client({ endpoint: back.endpoint, forcePathStyle: true, region: 'ap-southeast-1', credentials: CREDENTIALS })
        .send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))
        .catch(() => ({ Uploads: undefined }));
      rec.add({
        id: `s3-stop-${kind}`,
        area: 'Faults',
        tried: `the S3 server stopped after ${Math.round(cutAt / 1024)} KiB of ${what}`,
        happened: `the upload failed: ${(err as Error).message.replace(/^\[pipeline\] \[storage\] /, '').split('\n')[0]!.slice(0, 160)}`,
        kept: `${partialVisible ? 's3rver (unlike S3, which refuses a short body with 400 IncompleteBody) kept the cut body under the key; the rerun replaced it' : 'no object under the key until the rerun'}, which uploaded all ${size} bytes (sha256 equal)${uploads.Uploads?.length ? `; ${uploads.Uploads.length} abandoned multipart upload(s) left for the bucket's lifecycle rule` : ''}`,
      });
    } finally {
      await back.stop();
      await s3Cleanup(key);
    }
  }, 120_000);
});

async function s3Cleanup(key: string): Promise<void> {
  const server = await startServer();
  try {
    await storageAt(server.endpoint).delete(key);
  } finally {
    await server.stop();
  }
}
