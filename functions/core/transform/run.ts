/**
 * Materialise models in dependency order on any QueryEngine, reporting progress.
 */
import { createError } from '../errors.js';
import type { MaterializeResult, PartitionSelection, QueryEngine } from '../engine/types.js';
import type { TransformModel } from './models.js';

export interface RunProgress {
  readonly model: string;
  readonly layer: TransformModel['layer'];
  /** 1-based position in the run. */
  readonly index: number;
  readonly total: number;
  readonly phase: 'start' | 'done';
  /** Rows of the materialised model (phase 'done'). */
  readonly rows?: number;
  /** Wall-clock seconds the model took (phase 'done'). */
  readonly seconds?: number;
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

export async function runModels(engine: QueryEngine, models: readonly TransformModel[], options: RunOptions = {}): Promise<MaterializeResult[]> {
  const selected = options.select ? models.filter((m) => options.select!.includes(m.name)) : [...models];
  if (options.select) {
    const unknown = options.select.filter((s) => !models.some((m) => m.name === s));
    if (unknown.length > 0) throw createError('transform', `Failed to select models: unknown ${unknown.join(', ')}`);
  }
  const results: MaterializeResult[] = [];
  for (const [k, m] of selected.entries()) {
    options.onProgress?.({ model: m.name, layer: m.layer, index: k + 1, total: selected.length, phase: 'start' });
    let r: MaterializeResult;
    let t0 = performance.now();
    try {
      const kept = options.keep?.has(m.name) && engine.reuse ? await engine.reuse(m) : undefined;
      if (kept) r = kept;
      else if (m.materialized === 'incremental' && options.partitions) {
        const partitions = await options.partitions(m);
        t0 = performance.now();
        r = await engine.materialize(m, { partitions });
      } else r = await engine.materialize(m);
    } catch (cause) {
      throw createError('transform', `Failed to materialise ${m.name} (${m.file}): ${(cause as Error).message}`, { cause });
    }
    results.push(r);
    options.onProgress?.({ model: m.name, layer: m.layer, index: k + 1, total: selected.length, phase: 'done', rows: r.rows, seconds: (performance.now() - t0) / 1000 });
  }
  return results;
}
