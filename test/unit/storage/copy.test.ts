/** The one copy from a storage to local disk (the landing's localCopy and pull-nsw's stageDropPrefix use it). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { copyObject } from '../../../functions/core/storage/copy.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function lake(): Promise<{ storage: LocalStorage; out: string }> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'copy-'));
  const storage = new LocalStorage(path.join(dir, 'lake'));
  await storage.put('landed/dossiers/source=portal/year=2024/month=5/data.parquet', Buffer.from('PAR1 five'));
  await storage.put('landed/agencies/data.parquet', 'agencies');
  await storage.put('quarantine/dataset=dossiers/source=nsw/year=2024/month=5/data.parquet', 'q');
  await storage.put('raw/nsw-csv/abc.csv', 'raw');
  return { storage, out: path.join(dir, 'out') };
}

describe('copyObject', () => {
  test('should write the object under its key as a relative path, byte for byte, and say when it is missing', async () => {
    const { storage, out } = await lake();
    const got = await copyObject(storage, 'landed/dossiers/source=portal/year=2024/month=5/data.parquet', out);
    expect(got).toEqual({ file: path.join(out, 'landed', 'dossiers', 'source=portal', 'year=2024', 'month=5', 'data.parquet'), bytes: 9 });
    expect(await readFile(got!.file, 'utf8')).toBe('PAR1 five');
    expect(await copyObject(storage, 'landed/none.parquet', out)).toBeUndefined();
  });
});
