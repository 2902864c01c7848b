import type { QueryEngine } from '../engine/types.js';
import { lakeSourceLocations } from './sources.js';

/** Register every src_<dataset> of a lake on an engine (see lakeSourceLocations for the layout). */
export async function registerLakeSources(engine: QueryEngine, lakeRoot: string, overrides: Record<string, string> = {}): Promise<void> {
  for (const [name, location] of Object.entries(lakeSourceLocations(lakeRoot, overrides))) {
    await engine.registerSource(name, location, { hivePartitioning: true });
  }
}
