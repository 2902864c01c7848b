import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { listManifest, MANIFEST_INDEX_KEY, manifestKey, writeManifest, writeManifestIndex, type ManifestEntry } from '../../../functions/core/lake/raw.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

/** A LocalStorage that counts its reads. */
class CountingStorage extends LocalStorage {
  gets = 0;
  indexReads = 0;
  override async get(key: string): Promise<Buffer> {
    this.gets++;
    return super.get(key);
  }
  override async tryGet(key: string): Promise<Buffer | undefined> {
    if (key === MANIFEST_INDEX_KEY) this.indexReads++;
    return super.tryGet(key);
  }
}

const tempDir = tempDirs('manifest-');
const newStorage = (): CountingStorage => new CountingStorage(path.join(tempDir(), 'lake'));

function entry(i: number): ManifestEntry {
  return {
    kind: 'nsw-csv',
    sha256: i.toString(16).padStart(64, '0'),
    bytes: 10,
    period: '2024-05',
    original_name: `nsw/part-${i}.csv`,
    pulled_at: '2026-01-02T00:00:00.000Z',
    as_of: null,
    dataset: 'dossiers',
    source: 'nsw',
    rows_read: 1,
    rows_landed: 1,
    rows_quarantined: 0,
    landed_at: '2026-01-02T00:00:01.000Z',
  };
}

describe('listManifest with the entries a land has read', () => {
  test('should read only the entries written since, and list every entry', async () => {
    const storage = newStorage();
    for (let i = 1; i <= 5; i++) await writeManifest(storage, entry(i));
    const known = new Map<string, ManifestEntry>();
    expect(await listManifest(storage, known)).toHaveLength(5);
    expect(storage.gets).toBe(5);
    for (let i = 6; i <= 7; i++) await writeManifest(storage, entry(i));
    const all = await listManifest(storage, known);
    expect(storage.gets).toBe(7);
    expect(all.map((e) => e.original_name)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `nsw/part-${i}.csv`));
    // Without them, every entry is read again.
    expect(await listManifest(storage)).toEqual(all);
    expect(storage.gets).toBe(14);
  });
});

describe('listManifest with the index a land keeps', () => {
  test('should read the index once and only the entries it lacks, and give what reading every entry gives', async () => {
    const storage = newStorage();
    for (let i = 1; i <= 5; i++) await writeManifest(storage, entry(i));
    const all5 = await listManifest(storage, new Map(), { index: false });
    expect(storage.gets).toBe(5);
    await writeManifestIndex(storage, all5);
    for (let i = 6; i <= 7; i++) await writeManifest(storage, entry(i));
    storage.gets = 0;
    const all = await listManifest(storage);
    expect(storage.indexReads).toBe(1);
    expect(storage.gets).toBe(2); // entries 6 and 7
    expect(all).toEqual(await listManifest(storage, new Map(), { index: false }));
    // Nothing to read when the entries are all known: not even the index.
    storage.indexReads = 0;
    const known = new Map(all.map((e) => [manifestKey(e.kind, e.sha256), e]));
    expect(await listManifest(storage, known)).toEqual(all);
    expect(storage.indexReads).toBe(0);
  });

  test('should take the listing as the truth: an indexed entry no longer listed is left out, an unreadable line is read from its entry', async () => {
    const storage = newStorage();
    for (let i = 1; i <= 3; i++) await writeManifest(storage, entry(i));
    const lines = [entry(1), entry(2), entry(3), entry(9)].map((e) => JSON.stringify(e));
    lines[1] = lines[1]!.slice(0, 40); // a torn line: entry 2 is read from manifest/raw/
    lines[2] = JSON.stringify({ ...entry(3), rows_read: 'three' }); // not an entry: read from manifest/raw/
    await storage.put(MANIFEST_INDEX_KEY, `${lines.join('\n')}\n`);
    storage.gets = 0;
    const all = await listManifest(storage);
    expect(all.map((e) => e.original_name)).toEqual(['nsw/part-1.csv', 'nsw/part-2.csv', 'nsw/part-3.csv']);
    expect(all[2]!.rows_read).toBe(1);
    expect(storage.gets).toBe(2);
    // An index that is not JSON at all: every entry is read.
    await storage.put(MANIFEST_INDEX_KEY, 'not json');
    storage.gets = 0;
    expect(await listManifest(storage)).toEqual(all);
    expect(storage.gets).toBe(3);
  });
});
