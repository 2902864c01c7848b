/**
 * stageDropPrefix: a drop prefix (pull-nsw's NSW_DROP_PREFIX) copies and stages only the objects new or
 * changed since a run staged them, and records them only once the staging succeeded.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { localContext } from '../../../functions/core/local-context.js';
import { DROP_SEEN_PREFIX, stageDropPrefix, type PipelineContext } from '../../../functions/core/pipeline.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import type { ObjectInfo, PutOptions } from '../../../functions/core/storage/types.js';

/**
 * A drop store with ETags as S3 gives them (the MD5 of the bytes, quoted) and, with `times`, a last-modified
 * time per write (S3's LastModified: a re-upload of the same bytes changes it), counting the objects read.
 */
class EtagStorage extends LocalStorage {
  reads: string[] = [];
  times = false;
  private writes = new Map<string, number>();
  override async put(key: string, body: Buffer | string, options?: PutOptions): Promise<void> {
    await super.put(key, body, options);
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
  }
  override async list(prefix: string): Promise<ObjectInfo[]> {
    return Promise.all(
      (await super.list(prefix)).map(async (o) => ({
        ...o,
        etag: `"${createHash('md5').update(await readFile(this.locate(o.key))).digest('hex')}"`,
        ...(this.times ? { modified: new Date(Date.UTC(2025, 0, 1, 0, this.writes.get(o.key) ?? 0)).toISOString() } : {}),
      })),
    );
  }
  override async tryGet(key: string): Promise<Buffer | undefined> {
    this.reads.push(key);
    return super.tryGet(key);
  }
}

/** A lake whose raw writes fail while `failing` is set (a staging that breaks half way). */
class FlakyLake extends LocalStorage {
  failing = false;
  override async put(key: string, body: Buffer | string, options?: PutOptions): Promise<void> {
    if (this.failing && key.startsWith('raw/')) throw new Error('raw bucket unavailable');
    return super.put(key, body, options);
  }
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(): Promise<{ drop: EtagStorage; lake: FlakyLake; ctx: PipelineContext; work: string; root: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'drop-prefix-'));
  dirs.push(root);
  const drop = new EtagStorage(path.join(root, 'drop'));
  for (const [key, body] of [
    ['H99.05/2025-01.csv', 'ma_ho_so;x\nA1;1\n'],
    ['H99.05/2025-02.csv', 'ma_ho_so;x\nA2;1\n'],
    ['H99.07/2025-02.csv', 'ma_ho_so;x\nB2;1\n'],
    ['notes.csv', 'not an export\n'],
  ] as const) {
    await drop.put(key, body);
  }
  const lake = new FlakyLake(path.join(root, 'lake'));
  const ctx: PipelineContext = { ...localContext({ lakeDir: path.join(root, 'lake'), workDir: path.join(root, 'work') }), storage: lake };
  return { drop, lake, ctx, work: path.join(root, 'work'), root };
}

const run = async (s: Awaited<ReturnType<typeof setup>>, n: number) => {
  s.drop.reads = [];
  return stageDropPrefix(s.ctx, { drop: s.drop, dir: path.join(s.work, `run-${n}`), sub: 'nsw', include: ['nsw-csv'] });
};

describe('stageDropPrefix given an NSW drop with ETags', () => {
  test('should copy every object once, then only the new and changed ones, and report a bad name every run', async () => {
    const s = await setup();
    const first = await run(s, 1);
    expect(first).toMatchObject({ staged: 3, alreadyLanded: 0, unchanged: 0, skipped: [{ file: 'nsw/notes.csv' }] });
    expect(s.drop.reads.sort()).toEqual(['H99.05/2025-01.csv', 'H99.05/2025-02.csv', 'H99.07/2025-02.csv', 'notes.csv']);
    const record = JSON.parse((await s.lake.get(`${DROP_SEEN_PREFIX}nsw.json`)).toString('utf8')) as { objects: Record<string, string> };
    expect(Object.keys(record.objects).sort()).toEqual(['H99.05/2025-01.csv', 'H99.05/2025-02.csv', 'H99.07/2025-02.csv']);

    const second = await run(s, 2);
    expect(second).toMatchObject({ staged: 0, unchanged: 3, skipped: [{ file: 'nsw/notes.csv' }] });
    expect(s.drop.reads).toEqual(['notes.csv']);

    // An agency re-sends a month with a correction, and drops the next month.
    await s.drop.put('H99.05/2025-02.csv', 'ma_ho_so;x\nA2;2\n');
    await s.drop.put('H99.05/2025-03.csv', 'ma_ho_so;x\nA3;1\n');
    const third = await run(s, 3);
    expect(third).toMatchObject({ staged: 2, unchanged: 2 });
    expect(s.drop.reads.sort()).toEqual(['H99.05/2025-02.csv', 'H99.05/2025-03.csv', 'notes.csv']);
    expect(await readdir(path.join(s.root, 'lake', 'raw', 'nsw-csv'))).toHaveLength(5 * 2); // each staged file: its bytes and its meta
  });

  test('should report an object whose name cannot be a file every run, and stage the others', async () => {
    const s = await setup();
    // S3 keys may hold a backslash (a Windows tool's path) or an empty part: no file can be made of them here.
    // And an object named as another's folder (`H99.05` beside `H99.05/2025-01.csv`): the export still stages.
    const odd = ['H99.09\\2025-06.csv', 'H99.09//2025-06.csv', 'H99.05'];
    const list = s.drop.list.bind(s.drop);
    s.drop.list = async (prefix: string) => [...(await list(prefix)), ...odd.map((key) => ({ key, size: 10, etag: '"0"' }))].sort((a, b) => a.key.localeCompare(b.key));
    for (const n of [1, 2]) {
      const r = await run(s, n);
      expect(r.staged).toBe(n === 1 ? 3 : 0);
      expect(r.skipped.map((f) => f.file).sort()).toEqual(['nsw/H99.05', 'nsw/H99.09//2025-06.csv', 'nsw/H99.09\\2025-06.csv', 'nsw/notes.csv']);
      expect(r.skipped.find((f) => f.file === 'nsw/H99.05')!.reason).toMatch(/also another object's folder/);
      expect(r.skipped.find((f) => f.file === 'nsw/H99.09\\2025-06.csv')!.reason).toMatch(/cannot be copied as a file.*upload it again as <agency>\/<yyyy-mm>\.csv/);
    }
    expect(s.drop.reads.filter((k) => odd.includes(k))).toEqual([]);
  });

  test('should record nothing when the staging fails, so the next run copies the same objects again', async () => {
    const s = await setup();
    s.lake.failing = true;
    await expect(run(s, 1)).rejects.toThrow('raw bucket unavailable');
    expect(await s.lake.tryGet(`${DROP_SEEN_PREFIX}nsw.json`)).toBeUndefined();
    s.lake.failing = false;
    const again = await run(s, 2);
    expect(again).toMatchObject({ staged: 3, unchanged: 0 });
  });

  test('should refuse a damaged record, naming it, without staging anything', async () => {
    const s = await setup();
    await s.lake.put(`${DROP_SEEN_PREFIX}nsw.json`, '{"version":1,"objects":');
    await expect(run(s, 1)).rejects.toThrow(`Failed to read ${DROP_SEEN_PREFIX}nsw.json: not a drop record`);
    expect(s.drop.reads).toEqual([]);
  });

  test('should copy every object every run from a store without ETags (local disk), as before', async () => {
    const s = await setup();
    const plain = new LocalStorage(path.join(s.root, 'drop'));
    const dir = (n: number) => path.join(s.work, `plain-${n}`);
    expect(await stageDropPrefix(s.ctx, { drop: plain, dir: dir(1), sub: 'nsw', include: ['nsw-csv'] })).toMatchObject({ staged: 3, unchanged: 0 });
    // Copied and staged again (create-once keys: the same raw files, nothing new); none recorded.
    expect(await stageDropPrefix(s.ctx, { drop: plain, dir: dir(2), sub: 'nsw', include: ['nsw-csv'] })).toMatchObject({ staged: 3, unchanged: 0 });
    expect(JSON.parse((await s.lake.get(`${DROP_SEEN_PREFIX}nsw.json`)).toString('utf8'))).toEqual({ version: 1, objects: {} });
    expect(await readdir(path.join(s.root, 'lake', 'raw', 'nsw-csv'))).toHaveLength(3 * 2);
  });

  test('should copy and stage again the same bytes uploaded again (a new time, the same ETag), and read an ETag-only record as before', async () => {
    const s = await setup();
    // A record from before the times were kept: the ETags alone still match.
    expect(await run(s, 1)).toMatchObject({ staged: 3, unchanged: 0 });
    s.drop.times = true;
    expect(await run(s, 2)).toMatchObject({ staged: 0, alreadyLanded: 0, unchanged: 3 });
    const record = JSON.parse((await s.lake.get(`${DROP_SEEN_PREFIX}nsw.json`)).toString('utf8')) as { objects: Record<string, string> };
    expect(record.objects['H99.05/2025-01.csv']).toMatch(/^"[0-9a-f]{32}" 2025-01-01T00:01:00\.000Z$/);
    expect(await run(s, 3)).toMatchObject({ staged: 0, unchanged: 3 });
    // January re-sent byte for byte: copied again (staged before, not yet landed: no new raw file).
    await s.drop.put('H99.05/2025-01.csv', 'ma_ho_so;x\nA1;1\n');
    expect(await run(s, 4)).toMatchObject({ unchanged: 2 });
    expect(s.drop.reads.sort()).toEqual(['H99.05/2025-01.csv', 'notes.csv']);
    expect(await readdir(path.join(s.root, 'lake', 'raw', 'nsw-csv'))).toHaveLength(3 * 2);
    expect(await run(s, 5)).toMatchObject({ staged: 0, unchanged: 3 });
    // A new object is staged with its own time, not the copy's (RawMeta.made_at: when the export was written).
    await s.drop.put('H99.07/2025-03.csv', 'ma_ho_so;x\nB3;1\n');
    expect(await run(s, 6)).toMatchObject({ staged: 1 });
    const sha = createHash('sha256').update('ma_ho_so;x\nB3;1\n').digest('hex');
    expect(JSON.parse((await s.lake.get(`raw/nsw-csv/${sha}.meta.json`)).toString('utf8'))).toMatchObject({ period: '2025-03', made_at: '2025-01-01T00:01:00.000Z' });
  });
});
