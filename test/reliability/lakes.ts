/**
 * Temporary lakes for the reliability suites and the landing tests: a lake directory with its work and
 * scratch folders (removed after each test), the bad-input corpus's files, its small registry staged or
 * landed, and files staged and landed in one call.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { landStaged, type LandSummary } from '../../functions/core/lake/land.js';
import { SQL_DIR } from '../../functions/core/lake/landing-sql.js';
import { loadModels } from '../../functions/core/transform/models.js';
import { registerLakeSources } from '../../functions/core/transform/register.js';
import { stageRaw } from '../../functions/core/lake/raw.js';
import type { RawKind } from '../../functions/core/lake/sources.js';
import { LocalStorage } from '../../functions/core/storage/local.js';
import type { Storage } from '../../functions/core/storage/types.js';
import { FILES_DIR } from '../fixtures/bad/make.js';

export interface TestLake {
  root: string;
  storage: LocalStorage;
  work: string;
  /** A scratch folder for files the test writes (outside the lake). */
  tmp: string;
}

/** `newLake()` for one test file: each lake lives under /tmp/<prefix>-… and is removed after its test. */
export function lakeFactory(prefix: string): () => TestLake {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const root = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
    dirs.push(root);
    const tmp = path.join(root, 'files');
    mkdirSync(tmp);
    return { root: path.join(root, 'lake'), storage: new LocalStorage(path.join(root, 'lake')), work: path.join(root, 'work'), tmp };
  };
}

/** A file of the bad-input corpus (test/fixtures/bad/files/). */
export const fixture = (name: string): Buffer => readFileSync(path.join(FILES_DIR, name));

/**
 * Stage the corpus's small registry (H99, H99.01, H99.02 ended 30/4/2024, H99.04; 1.000001, 1.000002
 * NSW at H99.04), pulled on 01/01/2026, under `registry/…` names (`drop`) or bare names.
 */
export async function stageRegistry(lake: { storage: Storage }, names: 'drop' | 'bare' = 'bare'): Promise<void> {
  const at = '2026-01-01T00:00:00.000Z';
  const dir = names === 'drop' ? 'registry/' : '';
  await stageRaw(lake.storage, { kind: 'registry-agencies', bytes: fixture('agencies.csv'), period: null, originalName: `${dir}agencies.csv`, pulledAt: at });
  await stageRaw(lake.storage, { kind: 'registry-procedures', bytes: fixture('procedures.csv'), period: null, originalName: `${dir}procedures.csv`, pulledAt: at });
}

/** The clock bound the suites land with (no timestamp after it is plausible). */
export const MAX_TS = '2026-01-05 23:59:59';

/** Stage the corpus's small registry (see stageRegistry) and land it in its own run: dossiers are checked against it. */
export async function landRegistry(lake: { storage: Storage; work: string }, names: 'drop' | 'bare' = 'bare'): Promise<void> {
  await stageRegistry(lake, names);
  await landStaged({ storage: lake.storage, workDir: lake.work });
}

export interface RawFile {
  name: string;
  bytes: Buffer;
  kind: RawKind;
  /** Default 2024-05. */
  period?: string;
  /** dossier-export: its mapping profile. */
  profile?: string;
}

/** Stage the files (original name = `name`) and land everything staged, bounded by MAX_TS. */
export async function landFiles(lake: { storage: Storage; work: string }, files: RawFile[]): Promise<LandSummary> {
  for (const f of files) await stageRaw(lake.storage, { kind: f.kind, bytes: f.bytes, period: f.period ?? '2024-05', originalName: f.name, ...(f.profile !== undefined ? { profile: f.profile } : {}) });
  return landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
}

/**
 * The `reason` the mart rejected_files gives each file the lake lists as rejected (landed/rejected_files/),
 * by the real models (stg_lake__rejected_files, rejected_files) on DuckDB over the lake's own table.
 */
export async function rejectedReasons(lake: { root: string; work: string }): Promise<{ file: string; reason: string }[]> {
  const engine = await DuckDbEngine.create({ lakeRoot: lake.root, workDir: path.join(lake.work, 'reasons') });
  try {
    await registerLakeSources(engine, lake.root);
    const chain = ['stg_lake__rejected_files', 'rejected_files'];
    const models = loadModels(SQL_DIR).filter((m) => chain.includes(m.name));
    for (const name of chain) await engine.createView(name, models.find((m) => m.name === name)!.sql);
    const rows = await engine.query('SELECT original_name, reason FROM rejected_files ORDER BY original_name');
    return rows.map((r) => ({ file: String(r.original_name), reason: String(r.reason) }));
  } finally {
    await engine.close();
  }
}
