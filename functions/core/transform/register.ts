import type { QueryEngine } from '../engine/types.js';
import type { Storage } from '../storage/types.js';
import { lakeSourceLocations } from './sources.js';

/**
 * Register every src_<dataset> of a lake on an engine (see lakeSourceLocations for the layout): the
 * lake given as its Storage (where the keys really live) or, in tests and tools, a root directory.
 */
export async function registerLakeSources(engine: QueryEngine, lake: string | Pick<Storage, 'locate'>, overrides: Record<string, string> = {}): Promise<void> {
  for (const [name, location] of Object.entries(lakeSourceLocations(lake, overrides))) {
    await engine.registerSource(name, location, { hivePartitioning: true });
  }
}
