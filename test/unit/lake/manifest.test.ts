import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { listManifest, writeManifest, type ManifestEntry } from '../../../functions/core/lake/raw.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';

/** A LocalStorage that counts its reads. */
class CountingStorage extends LocalStorage {
  gets = 0;
  override async get(key: string): Promise<Buffer> {
    this.gets++;
    return super.get(key);
  }
}

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
    const storage = new CountingStorage(path.join(mkdtempSync(path.join(tmpdir(), 'manifest-')), 'lake'));
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
