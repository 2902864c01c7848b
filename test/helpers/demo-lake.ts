/**
 * A small demo province run through the real pipeline once (generate → loopback portal → pull →
 * land → transform → snapshot), shared by the end-to-end and browser tests. Built under
 * test-output/demo-lake/ behind a lock, so parallel test files build it once; rebuilt when any file
 * under functions/ or sql/ is newer than the lake.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { localContext } from '../../functions/core/local-context.js';
import { runAll, type PipelineContext, type RunSummary } from '../../functions/core/pipeline.js';
import { generateDemo, type GenerateSummary } from '../../functions/generator/index.js';
import { startPortal } from '../../functions/portal/server.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEMO_ROOT = path.join(REPO, 'test-output', 'demo-lake');
export const DEMO_DOSSIERS = 30_000;
export const DEMO_SNAPSHOTS = ['2025-05', '2025-12'];
const REAL_DIR = path.join(REPO, 'functions/portal/fixtures/dvcqg-766');

export interface DemoLake {
  root: string;
  dataDir: string;
  lakeDir: string;
  generated: GenerateSummary;
  run: RunSummary;
}

export function demoContext(lakeDir: string, workDir: string, baseUrl = 'http://127.0.0.1:1'): PipelineContext {
  return localContext({ lakeDir, workDir, portal: { baseUrl } });
}

/** Run the whole chain on a freshly generated province into `root` (data/ and lake/ below it). */
export async function buildDemoLake(root: string, opts: { dossiers?: number; snapshots?: string[]; seed?: number } = {}): Promise<DemoLake> {
  rmSync(root, { recursive: true, force: true });
  const dataDir = path.join(root, 'data');
  const lakeDir = path.join(root, 'lake');
  const generated = await generateDemo({ outDir: dataDir, dossiers: opts.dossiers ?? DEMO_DOSSIERS, seed: opts.seed });
  const token = 'test-token-not-a-secret';
  const portal = await startPortal({ dataDir, token, realDir: REAL_DIR, port: 0 });
  try {
    const ctx = demoContext(lakeDir, path.join(root, 'work'), portal.url);
    const run = await runAll(ctx, {
      drop: { dir: dataDir, include: ['registry-agencies', 'registry-procedures', 'nsw-csv', 'dossier-export', 'bieu06-xlsx', 'par-xlsx', 'score766-metrics'] },
      portal: { from: '2019-01', to: '2025-12', token },
      score766: { from: '2022-08', to: '2025-12', tinhId: 'H99' },
      real766: true,
      snapshots: opts.snapshots ?? DEMO_SNAPSHOTS,
    });
    return { root, dataDir, lakeDir, generated, run };
  } finally {
    await portal.close();
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The shared demo lake, built at most once across parallel test files. */
export async function ensureDemoLake(): Promise<DemoLake> {
  const done = path.join(DEMO_ROOT, 'demo.json');
  const stale = (): boolean =>
    !existsSync(done) || statSync(done).mtimeMs < Math.max(newestSource(path.join(REPO, 'functions')), newestSource(path.join(REPO, 'sql')));
  mkdirSync(path.dirname(DEMO_ROOT), { recursive: true });
  const lockFile = `${DEMO_ROOT}.lock`;
  for (;;) {
    if (!stale()) return JSON.parse(readFileSync(done, 'utf8')) as DemoLake;
    let lock;
    try {
      lock = await open(lockFile, 'wx');
    } catch {
      // Another test file is building it; a lock older than 15 minutes is from a killed run.
      if (existsSync(lockFile) && Date.now() - statSync(lockFile).mtimeMs > 15 * 60_000) rmSync(lockFile, { force: true });
      await sleep(500);
      continue;
    }
    try {
      if (!stale()) continue;
      const lake = await buildDemoLake(DEMO_ROOT);
      writeFileSync(done, JSON.stringify(lake));
      return lake;
    } finally {
      await lock.close();
      rmSync(lockFile, { force: true });
    }
  }
}
