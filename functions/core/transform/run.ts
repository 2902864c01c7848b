/**
 * Materialise models in dependency order on any QueryEngine, several at once where the engine allows, reporting progress.
 */
import { createError } from '../errors.js';
import type { MaterializeResult, PartitionSelection, QueryEngine } from '../engine/types.js';
import type { TransformModel } from './models.js';

export interface RunProgress {
  readonly model: string;
  readonly layer: TransformModel['layer'];
  /** 1-based position in the run (the order the models started in). */
  readonly index: number;
  readonly total: number;
  readonly phase: 'start' | 'done';
  /** Rows of the materialised model (phase 'done'). */
  readonly rows?: number;
  /** Wall-clock seconds the model took (phase 'done'). */
  readonly seconds?: number;
  /** Models done so far, this one included when phase is 'done' (several may run at once). */
  readonly completed: number;
}

export interface RunOptions {
  /** Called before and after each model. */
  onProgress?: (p: RunProgress) => void;
  /** Only these models (and nothing else); default all. Dependencies must already exist. */
  select?: readonly string[];
  /**
   * An incremental run: the partitions each incremental model rebuilds, asked just before it runs
   * (absent: every model is rebuilt whole).
   */
  partitions?: (model: TransformModel) => Promise<PartitionSelection>;
  /**
   * An incremental run: `table` models none of whose inputs changed (keptModels). The engine keeps
   * the output of the last run (QueryEngine.reuse; its result has `skipped: true`); without one it
   * rebuilds the model.
   */
  keep?: ReadonlySet<string>;
}

/**
 * Models are materialised in dependency order, up to `engine.concurrency` at once (default one): a
 * model starts once every model it reads (its `dependsOn` among the selected) is done, earlier models
 * first. Results come back in the models' order whatever order they finished in. When a model
 * fails, no other starts; the ones running end, then the first failure (in the models' order) is thrown.
 */
export async function runModels(engine: QueryEngine, models: readonly TransformModel[], options: RunOptions = {}): Promise<MaterializeResult[]> {
  const selected = options.select ? models.filter((m) => options.select!.includes(m.name)) : [...models];
  if (options.select) {
    const unknown = options.select.filter((s) => !models.some((m) => m.name === s));
    if (unknown.length > 0) throw createError('transform', `Failed to select models: unknown ${unknown.join(', ')}`);
  }
  const lanes = engine.concurrency ?? 1;
  const names = new Set(selected.map((m) => m.name));
  const results: (MaterializeResult | undefined)[] = selected.map(() => undefined);
  const failures: { at: number; error: Error }[] = [];
  const finished = new Set<string>();
  const started = new Set<number>();
  const running = new Set<Promise<void>>();
  let completed = 0;

  const one = async (k: number, m: TransformModel): Promise<void> => {
    const index = started.size;
    options.onProgress?.({ model: m.name, layer: m.layer, index, total: selected.length, phase: 'start', completed });
    let t0 = performance.now();
    try {
      let r: MaterializeResult | undefined = options.keep?.has(m.name) && engine.reuse ? await engine.reuse(m) : undefined;
      if (!r && m.materialized === 'incremental' && options.partitions) {
        const partitions = await options.partitions(m);
        t0 = performance.now();
        r = await engine.materialize(m, { partitions });
      } else if (!r) r = await engine.materialize(m);
      results[k] = r;
      finished.add(m.name);
      completed += 1;
      options.onProgress?.({ model: m.name, layer: m.layer, index, total: selected.length, phase: 'done', rows: r.rows, seconds: (performance.now() - t0) / 1000, completed });
    } catch (cause) {
      failures.push({ at: k, error: createError('transform', `Failed to materialise ${m.name} (${m.file}): ${(cause as Error).message}`, { cause }) });
    }
  };
  // The next model whose inputs are all built, in the models' order.
  const next = (): number | undefined => {
    for (const [k, m] of selected.entries()) {
      if (started.has(k)) continue;
      if (m.dependsOn.every((d) => !names.has(d) || finished.has(d))) return k;
    }
    return undefined;
  };
  for (;;) {
    while (failures.length === 0 && running.size < lanes) {
      const k = next();
      if (k === undefined) break;
      started.add(k);
      const p: Promise<void> = one(k, selected[k]!).finally(() => running.delete(p));
      running.add(p);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failures.length > 0) throw failures.sort((a, b) => a.at - b.at)[0]!.error;
  const missing = selected.filter((_, k) => results[k] === undefined).map((m) => m.name);
  if (missing.length > 0) throw createError('transform', `Failed to order the models: ${missing.join(', ')} read models that never ran (a dependency cycle?)`);
  return results as MaterializeResult[];
}
