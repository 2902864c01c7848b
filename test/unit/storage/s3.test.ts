import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { S3Storage } from '../../../functions/core/storage/s3.js';
import { StorageConflictError } from '../../../functions/core/storage/types.js';
import { testStorage } from './conformance.js';
import { loopbackClient, startS3Loopback, type S3Loopback } from './s3-loopback.js';

let s3: S3Loopback;
let bucketSeq = 0;

beforeAll(async () => {
  s3 = await startS3Loopback();
});
afterAll(async () => {
  await s3?.stop();
});

async function freshStorage(options: { multipartThreshold?: number; partSize?: number } = {}): Promise<S3Storage> {
  const bucket = `lake-${++bucketSeq}`;
  await s3.createBucket(bucket);
  return new S3Storage({ bucket, prefix: 'demo', client: s3.client, ...options });
}

testStorage({
  name: 'S3Storage',
  create: async () => ({ storage: await freshStorage(), cleanup: async () => {} }),
  additionalTests: ({ storage, scratch }) => {
    test('should refuse create-once on the server side with 412 (not by a client-side check)', async () => {
      const before = s3.refused();
      await storage().put('raw/portal/k.json', 'first');
      await expect(storage().put('raw/portal/k.json', 'second', { ifNoneMatch: true })).rejects.toBeInstanceOf(StorageConflictError);
      expect(s3.refused()).toBe(before + 1);
    });

    test('should store the bytes the backend itself serves back (read bypassing the front)', async () => {
      const bytes = randomBytes(70_000);
      await storage().put('raw/nsw/direct.bin', bytes);
      const direct = loopbackClient(s3.backendEndpoint);
      const s = storage() as S3Storage;
      const out = await direct.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'demo/raw/nsw/direct.bin' }));
      expect(Buffer.from(await out.Body!.transformToByteArray()).equals(bytes)).toBe(true);
      direct.destroy();
    });

    test('should list each object with its ETag, which changes with the bytes and not with a put of the same bytes', async () => {
      const etag = async (): Promise<string | undefined> => (await storage().list('drop/nsw/'))[0]?.etag;
      await storage().put('drop/nsw/H99/2025-01.csv', 'a;b\n1;2\n');
      const first = await etag();
      expect(first).toMatch(/^"[0-9a-f]{32}"$/);
      await storage().put('drop/nsw/H99/2025-01.csv', 'a;b\n1;2\n');
      expect(await etag()).toBe(first);
      await storage().put('drop/nsw/H99/2025-01.csv', 'a;b\n1;3\n');
      expect(await etag()).not.toBe(first);
    });

    test('should list when each object was last written, which a put of the same bytes moves (an agency sending a file again)', async () => {
      const modified = async (): Promise<string | undefined> => (await storage().list('drop/nsw/H98/'))[0]?.modified;
      await storage().put('drop/nsw/H98/2025-01.csv', 'a;b\n1;2\n');
      const first = await modified();
      expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Math.abs(Date.parse(first!) - Date.now())).toBeLessThan(60_000);
      // The server's times are whole seconds.
      await new Promise((r) => setTimeout(r, 1100));
      await storage().put('drop/nsw/H98/2025-01.csv', 'a;b\n1;2\n');
      expect(Date.parse((await modified())!)).toBeGreaterThan(Date.parse(first!));
    });

    test('should locate keys as s3:// URLs under the prefix', () => {
      const s = storage() as S3Storage;
      expect(s.locate('models/marts/x.parquet')).toBe(`s3://${s.bucket}/demo/models/marts/x.parquet`);
      expect(s.root).toBe(`s3://${s.bucket}/demo`);
    });

    test('should upload a big file in several parts and refuse a second create-once multipart upload', async () => {
      const multipart = await freshStorage({ multipartThreshold: 1, partSize: 5 * 1024 * 1024 });
      const bytes = randomBytes(5 * 1024 * 1024 + 123_457);
      const file = path.join(scratch(), 'big.parquet');
      await writeFile(file, bytes);
      const etag = await multipart.putFile('landed/dossiers/source=portal/year=2024/month=05/data.parquet', file, { ifNoneMatch: true });
      expect((await multipart.get('landed/dossiers/source=portal/year=2024/month=05/data.parquet')).equals(bytes)).toBe(true);
      // A multipart upload's ETag is returned too, as a listing reports it.
      expect(etag).toMatch(/^"[0-9a-f-]+"$/);
      expect(etag).toBe((await multipart.list('landed/dossiers/source=portal/year=2024/month=05/'))[0]!.etag);
      await expect(
        multipart.putFile('landed/dossiers/source=portal/year=2024/month=05/data.parquet', file, { ifNoneMatch: true }),
      ).rejects.toBeInstanceOf(StorageConflictError);
    });
  },
});

describe('S3Storage.fromUrl given lake roots', () => {
  test('should split bucket and prefix', () => {
    const s = S3Storage.fromUrl('s3://my-lake/a/b/', { client: s3.client });
    expect([s.bucket, s.prefix, s.root]).toEqual(['my-lake', 'a/b', 's3://my-lake/a/b']);
  });

  test('should reject a non-S3 URL and a bad bucket name', () => {
    expect(() => S3Storage.fromUrl('/tmp/lake')).toThrow(/expected s3:\/\/bucket\/prefix/);
    expect(() => new S3Storage({ bucket: 'Bad_Bucket' })).toThrow(/not a valid S3 bucket name/);
  });
});

describe('s3rver without the front', () => {
  test('should not enforce If-None-Match (why the test front exists)', async () => {
    const bucket = `lake-${++bucketSeq}`;
    await s3.createBucket(bucket);
    const direct = loopbackClient(s3.backendEndpoint);
    await direct.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: Buffer.from('1') }));
    await expect(direct.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: Buffer.from('2'), IfNoneMatch: '*' }))).resolves.toBeDefined();
    direct.destroy();
  });
});
