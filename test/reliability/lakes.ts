/**
 * Temporary lakes for the reliability suites: a lake directory with its work and scratch folders
 * (removed after each test), the bad-input corpus's files, and its small registry staged.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { stageRaw } from '../../functions/core/lake/raw.js';
import { LocalStorage } from '../../functions/core/storage/local.js';
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
export async function stageRegistry(lake: TestLake, names: 'drop' | 'bare' = 'bare'): Promise<void> {
  const at = '2026-01-01T00:00:00.000Z';
  const dir = names === 'drop' ? 'registry/' : '';
  await stageRaw(lake.storage, { kind: 'registry-agencies', bytes: fixture('agencies.csv'), period: null, originalName: `${dir}agencies.csv`, pulledAt: at });
  await stageRaw(lake.storage, { kind: 'registry-procedures', bytes: fixture('procedures.csv'), period: null, originalName: `${dir}procedures.csv`, pulledAt: at });
}
