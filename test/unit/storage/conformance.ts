/**
 * One conformance suite for every Storage driver (the unstorage pattern): each driver's test file
 * calls testStorage() with a factory. Every write is checked by reading the bytes back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { StorageConflictError, type Storage } from '../../../functions/core/storage/types.js';

export interface StorageHarness {
  storage: Storage;
  cleanup: () => Promise<void>;
}

export interface TestStorageOptions {
  /** Driver name used in describe() titles. */
  name: string;
  /** A fresh, empty storage per test. */
  create: () => Promise<StorageHarness>;
  /** Driver-specific tests, run in the same describe block. */
  additionalTests?: (ctx: { storage: () => Storage; scratch: () => string }) => void;
}

export function testStorage({ name, create, additionalTests }: TestStorageOptions): void {
  describe(`${name} storage conformance`, () => {
    let harness: StorageHarness | undefined;
    let scratch = '';
    const storage = (): Storage => {
      if (!harness) throw new Error('storage not created');
      return harness.storage;
    };

    beforeAll(async () => {
      scratch = await mkdtemp(path.join(os.tmpdir(), 'storage-scratch-'));
    });
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true });
    });
    beforeEach(async () => {
      harness = await create();
      return async () => {
        await harness?.cleanup();
        harness = undefined;
      };
    });

    test('should return exactly the bytes that were put', async () => {
      const bytes = Buffer.concat([Buffer.from([0, 255, 13, 10, 0]), randomBytes(4096)]);
      await storage().put('raw/portal/abc.bin', bytes);
      expect((await storage().get('raw/portal/abc.bin')).equals(bytes)).toBe(true);
    });

    test('should store strings as UTF-8 with Vietnamese diacritics intact', async () => {
      const text = 'Sở Tư pháp — hồ sơ đúng hạn: 98,5 %\n';
      await storage().put('manifest/raw/portal/x.json', text, { contentType: 'application/json' });
      expect((await storage().get('manifest/raw/portal/x.json')).toString('utf8')).toBe(text);
    });

    test('should return undefined from tryGet and reject get for a missing key', async () => {
      expect(await storage().tryGet('raw/none/missing.csv')).toBeUndefined();
      await expect(storage().get('raw/none/missing.csv')).rejects.toThrow(/Failed to read raw\/none\/missing\.csv/);
    });

    test('should report existence only for stored keys', async () => {
      await storage().put('landed/dossiers/source=portal/year=2024/month=01/data.parquet', 'x');
      expect(await storage().exists('landed/dossiers/source=portal/year=2024/month=01/data.parquet')).toBe(true);
      expect(await storage().exists('landed/dossiers/source=portal/year=2024/month=02/data.parquet')).toBe(false);
      expect(await storage().exists('landed/dossiers')).toBe(false);
    });

    test('should replace an object on a plain put', async () => {
      await storage().put('models/marts/m.parquet', 'old');
      await storage().put('models/marts/m.parquet', 'new bytes');
      expect((await storage().get('models/marts/m.parquet')).toString()).toBe('new bytes');
    });

    test('should create a new key when ifNoneMatch is set', async () => {
      await storage().put('raw/portal/once.json', '{"a":1}', { ifNoneMatch: true });
      expect((await storage().get('raw/portal/once.json')).toString()).toBe('{"a":1}');
    });

    test('should refuse a create-once put on an existing key and keep the first bytes', async () => {
      await storage().put('raw/portal/once.json', 'first');
      const err = await storage().put('raw/portal/once.json', 'second', { ifNoneMatch: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageConflictError);
      expect((err as StorageConflictError).key).toBe('raw/portal/once.json');
      expect((await storage().get('raw/portal/once.json')).toString()).toBe('first');
    });

    test('should let exactly one of several racing create-once writers win', async () => {
      const bodies = ['w0', 'w1', 'w2', 'w3', 'w4'].map((w) => `${w}-${'x'.repeat(2000)}`);
      const results = await Promise.allSettled(bodies.map((b) => storage().put('raw/portal/race.json', b, { ifNoneMatch: true })));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers.every((r) => r.reason instanceof StorageConflictError)).toBe(true);
      expect((await storage().get('raw/portal/race.json')).toString()).toBe(bodies[winners[0]!]);
    });

    test('should publish a local file with putFile byte for byte', async () => {
      const bytes = randomBytes(300 * 1024);
      const file = path.join(scratch, `${name}-file.parquet`);
      await writeFile(file, bytes);
      const etag = await storage().putFile('landed/dossiers/source=nsw/year=2024/month=03/data.parquet', file);
      expect((await storage().get('landed/dossiers/source=nsw/year=2024/month=03/data.parquet')).equals(bytes)).toBe(true);
      // The ETag the upload returns is the one a listing reports for these bytes (none on disk).
      expect(etag).toBe((await storage().list('landed/dossiers/source=nsw/year=2024/month=03/'))[0]!.etag);
    });

    test('should refuse a create-once putFile on an existing key', async () => {
      const file = path.join(scratch, `${name}-once.bin`);
      await writeFile(file, 'second');
      await storage().put('raw/nsw/a.csv', 'first');
      await expect(storage().putFile('raw/nsw/a.csv', file, { ifNoneMatch: true })).rejects.toBeInstanceOf(StorageConflictError);
      expect((await storage().get('raw/nsw/a.csv')).toString()).toBe('first');
    });

    test('should fail putFile for a missing local file without creating the key', async () => {
      await expect(storage().putFile('raw/nsw/b.csv', path.join(scratch, 'does-not-exist.csv'))).rejects.toThrow(/Failed to .*raw\/nsw\/b\.csv/);
      expect(await storage().exists('raw/nsw/b.csv')).toBe(false);
      expect(await storage().list('raw/')).toEqual([]);
    });

    test('should list keys under a prefix sorted, with sizes, matching partial names', async () => {
      await storage().put('landed/dossiers/source=portal/year=2024/month=02/data.parquet', '22');
      await storage().put('landed/dossiers/source=portal/year=2024/month=01/data.parquet', '1');
      await storage().put('landed/agencies/data.parquet', '333');
      await storage().put('raw/portal/z.json', '4444');
      expect((await storage().list('landed/dossiers/')).map(({ key, size }) => ({ key, size }))).toEqual([
        { key: 'landed/dossiers/source=portal/year=2024/month=01/data.parquet', size: 1 },
        { key: 'landed/dossiers/source=portal/year=2024/month=02/data.parquet', size: 2 },
      ]);
      expect((await storage().list('landed/dos')).map((o) => o.key)).toHaveLength(2);
      expect((await storage().list('landed/')).map((o) => o.key)).toEqual([
        'landed/agencies/data.parquet',
        'landed/dossiers/source=portal/year=2024/month=01/data.parquet',
        'landed/dossiers/source=portal/year=2024/month=02/data.parquet',
      ]);
      expect((await storage().list('')).map((o) => o.key)).toContain('raw/portal/z.json');
      expect(await storage().list('snapshots/')).toEqual([]);
      // listKeys: the same keys in the same order, for every prefix.
      for (const prefix of ['landed/dossiers/', 'landed/dos', 'landed/', '', 'raw/portal/z', 'snapshots/']) {
        expect(await storage().listKeys(prefix), prefix).toEqual((await storage().list(prefix)).map((o) => o.key));
      }
      expect(await storage().listKeys('landed/dossiers/')).toEqual([
        'landed/dossiers/source=portal/year=2024/month=01/data.parquet',
        'landed/dossiers/source=portal/year=2024/month=02/data.parquet',
      ]);
      expect(await storage().listKeys('snapshots/')).toEqual([]);
    });

    test('should delete a key and accept deleting a missing one', async () => {
      await storage().put('snapshots/2024-01/manifest.json', '{}');
      await storage().delete('snapshots/2024-01/manifest.json');
      expect(await storage().exists('snapshots/2024-01/manifest.json')).toBe(false);
      await expect(storage().delete('snapshots/2024-01/manifest.json')).resolves.toBeUndefined();
    });

    test.each(['../escape.txt', '/abs/path', 'a//b', 'a/./b', 'C:/x', ''])('should reject the unsafe key %j', async (key) => {
      await expect(storage().put(key, 'x')).rejects.toThrow(/keys must be relative/);
      expect(() => storage().locate(key)).toThrow(/keys must be relative/);
    });

    test('should locate a key under its root', () => {
      const where = storage().locate('models/marts/x.parquet');
      expect(where.startsWith(storage().root)).toBe(true);
      expect(where.endsWith('models/marts/x.parquet')).toBe(true);
    });

    additionalTests?.({ storage, scratch: () => scratch });
  });
}
