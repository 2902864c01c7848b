/**
 * runModels (functions/core/transform/run.ts): models in dependency order, up to the engine's
 * `concurrency` at once. A scripted engine records when each model starts and ends and lets the test
 * decide when each ends, so the order is the test's, not the machine's.
 */
import { describe, expect, test } from 'vitest';
import type { MaterializeResult, QueryEngine } from '../../../functions/core/engine/types.js';
import { runModels, runModelTests, type RunProgress, type TransformModel } from '../../../functions/core/transform/index.js';

const model = (name: string, dependsOn: string[] = []): TransformModel =>
  ({ name, layer: 'marts', sql: 'SELECT 1', file: `${name}.sql`, dependsOn, columns: [], tests: [] }) as unknown as TransformModel;

/** a → (b, c) → d, and e alone: b, c and e can run together once a is done. */
const GRAPH = [model('a'), model('b', ['a']), model('c', ['a']), model('d', ['b', 'c']), model('e')];

interface Script {
  engine: QueryEngine;
  events: string[];
  /** Models running now. */
  running: Set<string>;
  maxRunning: () => number;
  /** End a running model (successfully, or with an error). */
  finish: (name: string, error?: Error) => void;
  /** Resolves once `name` has started. */
  started: (name: string) => Promise<void>;
}

function scriptedEngine(concurrency: number | undefined): Script {
  const events: string[] = [];
  const running = new Set<string>();
  const ends = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const starts = new Map<string, () => void>();
  const startedP = new Map<string, Promise<void>>();
  let max = 0;
  const startedOf = (name: string): Promise<void> => {
    if (!startedP.has(name)) startedP.set(name, new Promise((r) => starts.set(name, r)));
    return startedP.get(name)!;
  };
  const engine = {
    name: 'duckdb',
    concurrency,
    materialize: async (m: TransformModel): Promise<MaterializeResult> => {
      events.push(`start ${m.name}`);
      running.add(m.name);
      max = Math.max(max, running.size);
      void startedOf(m.name);
      starts.get(m.name)!();
      try {
        await new Promise<void>((resolve, reject) => ends.set(m.name, { resolve, reject }));
      } finally {
        running.delete(m.name);
      }
      events.push(`end ${m.name}`);
      return { model: m.name, rows: 1, location: `test:${m.name}` };
    },
  } as unknown as QueryEngine;
  return {
    engine,
    events,
    running,
    maxRunning: () => max,
    finish: (name, error) => {
      const e = ends.get(name);
      if (!e) throw new Error(`${name} is not running`);
      ends.delete(name);
      if (error) e.reject(error);
      else e.resolve();
    },
    started: startedOf,
  };
}

describe('runModels', () => {
  test('should run a model only once every model it reads is done, at most `concurrency` at once, and return the results in the models\' order', async () => {
    const s = scriptedEngine(2);
    const progress: RunProgress[] = [];
    const run = runModels(s.engine, GRAPH, { onProgress: (p) => progress.push(p) });
    await s.started('a');
    await s.started('e');
    // a and e run together (e reads nothing); b and c wait for a.
    expect([...s.running].sort()).toEqual(['a', 'e']);
    s.finish('a');
    await s.started('b');
    // Two lanes: b started, c waits for a free one (e still runs).
    expect([...s.running].sort()).toEqual(['b', 'e']);
    s.finish('e');
    await s.started('c');
    // d reads b and c: it waits for both.
    s.finish('c');
    await new Promise((r) => setTimeout(r, 20));
    expect(s.running.has('d')).toBe(false);
    s.finish('b');
    await s.started('d');
    s.finish('d');
    const results = await run;
    expect(results.map((r) => r.model)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(s.maxRunning()).toBe(2);
    expect(s.events).toEqual(['start a', 'start e', 'end a', 'start b', 'end e', 'start c', 'end c', 'end b', 'start d', 'end d']);
    // Progress: every model done once, the count of models done rising by one each time.
    const done = progress.filter((p) => p.phase === 'done');
    expect(done.map((p) => p.model)).toEqual(['a', 'e', 'c', 'b', 'd']);
    expect(done.map((p) => p.completed)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.filter((p) => p.phase === 'start').map((p) => `${p.model}${p.index}`)).toEqual(['a1', 'e2', 'b3', 'c4', 'd5']);
  });

  test('should run one model at a time, in the models\' order, when the engine states no concurrency', async () => {
    const s = scriptedEngine(undefined);
    const run = runModels(s.engine, GRAPH);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await s.started(name);
      expect([...s.running]).toEqual([name]);
      s.finish(name);
    }
    await run;
    expect(s.maxRunning()).toBe(1);
  });

  test('should start no model after one fails, let the running ones end, and throw the failure naming the model', async () => {
    const s = scriptedEngine(2);
    const run = runModels(s.engine, GRAPH);
    const settled = run.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await s.started('a');
    await s.started('e');
    s.finish('a', new Error('boom'));
    await new Promise((r) => setTimeout(r, 20));
    // b and c read a: never started; e still runs, and the run waits for it.
    expect([...s.running]).toEqual(['e']);
    let over = false;
    void settled.then(() => (over = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(over).toBe(false);
    s.finish('e');
    const err = await settled;
    expect(err?.message).toMatch(/Failed to materialise a \(a\.sql\): .*boom/);
    expect(s.events).toEqual(['start a', 'start e', 'end e']);
  });
});

describe('runModelTests', () => {
  test("should test an incremental model alone on a memory-bound engine, the other models `concurrency` at a time, and keep the models' order", async () => {
    const running = new Set<string>();
    const overlaps: string[][] = [];
    const engine = {
      name: 'duckdb',
      concurrency: 2,
      memoryBound: true,
      query: async (sql: string) => {
        const name = /FROM\s+"?(\w+)"?/i.exec(sql)?.[1] ?? '?';
        running.add(name);
        overlaps.push([...running].sort());
        await new Promise((r) => setTimeout(r, 15));
        running.delete(name);
        return [{ failures: 0 }];
      },
    } as unknown as QueryEngine;
    const withTest = (m: TransformModel, extra: Partial<TransformModel> = {}): TransformModel => ({ ...m, ...extra, tests: [{ kind: 'not_empty', severity: 'error' }] }) as TransformModel;
    const models = [
      withTest(model('x')),
      withTest(model('per_dossier'), { materialized: 'incremental', partitionBy: ['year'] } as Partial<TransformModel>),
      withTest(model('y')),
      withTest(model('z')),
    ];
    const results = await runModelTests(engine, models);
    expect(results.map((r) => r.model)).toEqual(['x', 'per_dossier', 'y', 'z']);
    expect(results.every((r) => r.passed)).toBe(true);
    // The incremental model's query ran with no other; two of the others ran together.
    expect(overlaps.filter((o) => o.includes('per_dossier'))).toEqual([['per_dossier']]);
    expect(Math.max(...overlaps.map((o) => o.length))).toBe(2);
  });
});
