import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { PayloadSink, PullSummary, RawPayload } from '../../../functions/core/connectors/_types.js';
import { localContext } from '../../../functions/core/local-context.js';
import { listStaged, rawKey } from '../../../functions/core/lake/raw.js';
import { DROP_STAGE_AT_ONCE, ingestDropDir, stageFrom, type PipelineContext } from '../../../functions/core/pipeline.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import type { PutOptions } from '../../../functions/core/storage/types.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

/** A LocalStorage whose raw/ writes wait `delayMs` and count how many run at once; one key can be made to fail. */
class SlowStorage extends LocalStorage {
  running = 0;
  most = 0;
  constructor(
    root: string,
    private readonly delayMs: number,
    private readonly failKey?: string,
  ) {
    super(root);
  }
  override async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<void> {
    this.running++;
    this.most = Math.max(this.most, this.running);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (key === this.failKey) throw new Error(`disk full writing ${key}`);
      await super.put(key, body, options);
    } finally {
      this.running--;
    }
  }
}

function context(storage: LocalStorage): PipelineContext {
  return { ...localContext({ lakeDir: storage.root, workDir: path.join(storage.root, '..', 'work') }), storage };
}

function payload(name: string, text: string): RawPayload {
  const bytes = Buffer.from(text);
  return {
    kind: 'nsw-csv',
    source: 'nsw',
    dataset: 'dossiers',
    period: '2024-05',
    originalName: name,
    ext: 'csv',
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    rows: null,
  };
}

/** A connector handing `payloads` over in order, recording when each hand-over returned. */
function connector(payloads: RawPayload[], returned: string[] = []) {
  return {
    async pull(_request: object, sink: PayloadSink): Promise<PullSummary> {
      for (const p of payloads) {
        await sink(p);
        returned.push(p.originalName);
      }
      return { payloads: payloads.length, rows: 0, unchanged: 0, periods: [] };
    },
  };
}

const tempDir = tempDirs('stage-from-');
const root = (): string => path.join(tempDir(), 'lake');

describe('stageFrom staging a drop several files at once', () => {
  test('should stage up to atOnce files at a time, their arrivals in hand-over order, the same bytes twice keeping the first name', async () => {
    const storage = new SlowStorage(root(), 15);
    const files = Array.from({ length: 20 }, (_, i) => payload(`nsw/2024-05/part-${String(i).padStart(2, '0')}.csv`, `file ${i}`));
    // The same bytes as part-03 under a later name: staged once, as part-03 (the first handed over).
    files.splice(10, 0, payload('nsw/2024-05/copy-of-03.csv', 'file 3'));
    const { staged } = await stageFrom(context(storage), connector(files), {}, { step: 'ingest', total: files.length, atOnce: 4 });

    expect(storage.most).toBeGreaterThan(1);
    expect(storage.most).toBeLessThanOrEqual(4 * 2); // each file is two writes (bytes, then meta), in order
    expect(staged.staged).toBe(21); // as one at a time: the copy counts as staged, its bytes are there once
    const metas = await listStaged(storage);
    expect(metas).toHaveLength(20);
    const byName = new Map(metas.map((m) => [m.original_name, m]));
    expect(byName.has('nsw/2024-05/copy-of-03.csv')).toBe(false);
    // Arrivals (pull times) never go back against the hand-over order.
    const times = files.filter((f) => byName.has(f.originalName)).map((f) => byName.get(f.originalName)!.pulled_at);
    expect(times).toEqual([...times].sort());
    for (const f of files) expect(await storage.exists(rawKey('nsw-csv', f.sha256))).toBe(true);
  });

  test('should stop handing over after a failed stage and end every started stage before throwing it', async () => {
    const files = Array.from({ length: 30 }, (_, i) => payload(`nsw/2024-05/part-${i}.csv`, `file ${i}`));
    const failing = files[5]!;
    const storage = new SlowStorage(root(), 10, rawKey('nsw-csv', failing.sha256));
    const returned: string[] = [];
    await expect(stageFrom(context(storage), connector(files, returned), {}, { step: 'ingest', atOnce: 4 })).rejects.toThrow(/disk full writing raw\/nsw-csv/);
    // Nothing writes after the call: every write it started has ended.
    expect(storage.running).toBe(0);
    // The pull stopped soon after the failure (at most atOnce hand-overs past it), not at the end.
    expect(returned.length).toBeLessThan(5 + 4 + 1);
    const staged = (await listStaged(storage)).map((m) => m.original_name);
    expect(staged).not.toContain(failing.originalName);
    expect(staged.length).toBeGreaterThanOrEqual(4);
  });

  test('should stage one payload at a time by default, the sink returning once its payload is staged', async () => {
    const storage = new SlowStorage(root(), 5);
    const files = Array.from({ length: 6 }, (_, i) => payload(`p${i}.csv`, `page ${i}`));
    const seen: number[] = [];
    const ctx = context(storage);
    await stageFrom(
      ctx,
      {
        async pull(_r: object, sink: PayloadSink): Promise<PullSummary> {
          for (const p of files) {
            await sink(p);
            // An API pull marks a page done here (its resume state): the page must be in raw/ already.
            seen.push(Number(await storage.exists(rawKey('nsw-csv', p.sha256))));
          }
          return { payloads: files.length, rows: 0, unchanged: 0, periods: [] };
        },
      },
      {},
      { step: 'pull' },
    );
    expect(seen).toEqual([1, 1, 1, 1, 1, 1]);
    expect(storage.most).toBe(1);
  });

  test('should stage a drop directory several files at once (ingestDropDir)', async () => {
    const lakeRoot = root();
    const dir = path.join(lakeRoot, '..', 'drop');
    for (let m = 1; m <= 12; m++) {
      const file = path.join(dir, 'portal', 'dossiers', '2024', `2024-${String(m).padStart(2, '0')}.csv`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `month ${m}`);
    }
    const storage = new SlowStorage(lakeRoot, 15);
    const summary = await ingestDropDir(context(storage), { dir });
    expect(summary.staged).toBe(12);
    expect(storage.most).toBeGreaterThan(1);
    expect(storage.most).toBeLessThanOrEqual(DROP_STAGE_AT_ONCE * 2);
    expect((await listStaged(storage)).map((m) => m.original_name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `dossiers/2024/2024-${String(i + 1).padStart(2, '0')}.csv`),
    );
  });
});
