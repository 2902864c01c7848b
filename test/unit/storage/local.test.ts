import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import { testStorage } from './conformance.js';

testStorage({
  name: 'LocalStorage',
  create: async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'local-storage-'));
    return { storage: new LocalStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
  additionalTests: ({ storage }) => {
    test('should locate a key as a readable file path under the root directory', async () => {
      await storage().put('marts/agency_months.parquet', 'PAR1');
      const file = storage().locate('marts/agency_months.parquet');
      expect(path.isAbsolute(file)).toBe(true);
      expect(await readFile(file, 'utf8')).toBe('PAR1');
    });

    test('should leave no temporary files behind after writes and refused writes', async () => {
      await storage().put('raw/portal/a.json', '1');
      await storage().put('raw/portal/a.json', '2');
      await storage().put('raw/portal/a.json', '3', { ifNoneMatch: true }).catch(() => undefined);
      expect(await readdir(path.dirname(storage().locate('raw/portal/a.json')))).toEqual(['a.json']);
    });
  },
});
