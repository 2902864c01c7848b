/**
 * The embedded pipeline context: a lake directory on disk (LocalStorage) and DuckDB for the models.
 * The one factory the CLI, the benchmarks and the tests build their contexts with (the Lambda
 * handlers build theirs on S3 + Athena in functions/handlers/_runtime.ts).
 */
import path from 'node:path';
import { loadConfig, type PipelineConfig, type PortalConfig } from './config.js';
import { DuckDbEngine } from './engine/duckdb-engine.js';
import type { PipelineContext } from './pipeline.js';
import { LocalStorage } from './storage/local.js';

export interface LocalContextOptions {
  /** The lake directory (resolved against the working directory). */
  lakeDir: string;
  /** Scratch directory (default: config.workDir). */
  workDir?: string;
  /** The configuration (default: the schema's defaults alone, no file, no environment). */
  config?: PipelineConfig;
  /** Portal settings over the config's; a baseUrl given here is also the 766 service's. */
  portal?: Partial<PortalConfig>;
  /** DuckDB's memory limit (default: DuckDB's own). */
  memoryLimit?: string;
  log?: PipelineContext['log'];
  onProgress?: PipelineContext['onProgress'];
}

export function localContext(opts: LocalContextOptions): PipelineContext {
  const base = opts.config ?? loadConfig(undefined, {});
  const lakeRoot = path.resolve(opts.lakeDir);
  const workDir = path.resolve(opts.workDir ?? base.workDir);
  const config: PipelineConfig = { ...base, lakeRoot, workDir };
  if (opts.portal) {
    config.portal = { ...config.portal, ...opts.portal };
    if (opts.portal.baseUrl) config.score766BaseUrl = opts.portal.baseUrl;
  }
  const duckdb = opts.memoryLimit ? { duckdb: { memoryLimit: opts.memoryLimit } } : {};
  return {
    storage: new LocalStorage(lakeRoot),
    config,
    workDir,
    engine: (o) => DuckDbEngine.create({ lakeRoot, writeParquet: !o?.scratch, workDir, ...duckdb }),
    log: opts.log ?? (() => {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
}
