import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { loadModels, registerLakeSources, runModels, type RunOptions, type TransformModel } from '../../functions/core/transform/index.js';
import { writeFixtureLake, type FixtureOptions } from './fixtures.js';

export const SQL_DIR = path.resolve(import.meta.dirname, '../../sql');

export interface FixtureRun {
  engine: DuckDbEngine;
  lake: string;
  models: TransformModel[];
  /** Rows of a query as plain objects. */
  rows: (sql: string) => Promise<Record<string, unknown>[]>;
  dispose: () => Promise<void>;
}

/** DuckDB BIGINTs arrive as JSON strings; turn integer-looking strings back into numbers. */
export function numbersFromBigints(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d{1,15}$/.test(v) ? Number(v) : v]));
}

/** Write the fixture lake to a temporary directory, register it and materialise every model. */
export async function runFixture(options: FixtureOptions & { writeParquet?: boolean; concurrency?: number; onProgress?: RunOptions['onProgress'] } = {}): Promise<FixtureRun> {
  const lake = await mkdtemp(path.join(tmpdir(), 'sql-fixture-'));
  await writeFixtureLake(lake, options);
  const engine = await DuckDbEngine.create({ lakeRoot: lake, writeParquet: options.writeParquet ?? false, duckdb: { threads: 1 }, ...(options.concurrency ? { concurrency: options.concurrency } : {}) });
  const models = loadModels(SQL_DIR);
  await registerLakeSources(engine, lake);
  await runModels(engine, models, options.onProgress ? { onProgress: options.onProgress } : {});
  return {
    engine,
    lake,
    models,
    rows: async (sql) => (await engine.query(sql)).map(numbersFromBigints),
    dispose: async () => {
      await engine.close();
      await rm(lake, { recursive: true, force: true });
    },
  };
}
