import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import { RoutedStorage } from '../../../functions/core/storage/routed.js';
import { testStorage } from './conformance.js';

async function routed(): Promise<{ storage: RoutedStorage; lake: LocalStorage; raw: LocalStorage; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'routed-'));
  const lake = new LocalStorage(path.join(dir, 'lake'));
  const raw = new LocalStorage(path.join(dir, 'raw'));
  const storage = new RoutedStorage(lake, [
    { prefix: 'raw/', storage: raw },
    { prefix: 'manifest/', storage: raw },
  ]);
  return { storage, lake, raw, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

testStorage({ name: 'RoutedStorage', create: routed });

describe('RoutedStorage given raw/ routed to another storage', () => {
  test('should write raw/ keys only to the raw storage and list across both', async () => {
    const { storage, lake, raw, cleanup } = await routed();
    try {
      await storage.put('raw/portal/a.json', 'a');
      await storage.put('landed/dossiers/x.parquet', 'x');
      expect(await raw.exists('raw/portal/a.json')).toBe(true);
      expect(await lake.exists('raw/portal/a.json')).toBe(false);
      expect(await raw.exists('landed/dossiers/x.parquet')).toBe(false);
      expect((await storage.list('')).map((o) => o.key)).toEqual(['landed/dossiers/x.parquet', 'raw/portal/a.json']);
      expect(await storage.listKeys('')).toEqual(['landed/dossiers/x.parquet', 'raw/portal/a.json']);
      expect(await storage.listKeys('raw/')).toEqual(['raw/portal/a.json']);
      expect(storage.locate('raw/portal/a.json')).toBe(raw.locate('raw/portal/a.json'));
    } finally {
      await cleanup();
    }
  });
});
