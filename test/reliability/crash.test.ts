/**
 * A run killed with SIGKILL at seeded points of land, transform and snapshot, then run again,
 * must leave a lake byte-identical to an uninterrupted run; two runs at once on one lake must not
 * both write (the second exits with a clear message) and the lake stays valid.
 *
 * Runs are child processes (test/reliability/driver.ts) on a small generated province, with a
 * fixed clock so manifests and landing logs carry the same times in every run.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkInvariants } from '../../functions/core/lake/invariants.js';
import { LAKE_LOCK_KEY } from '../../functions/core/lake/lock.js';
import { LocalStorage } from '../../functions/core/storage/local.js';
import { generateDemo } from '../../functions/generator/index.js';
import { mulberry32 } from '../unit/portal/helpers.js';
import { recorder } from './record.js';

const rec = recorder('crash');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const DRIVER = path.join(HERE, 'driver.ts');
const CLOCK = '2026-01-05T10:00:00.000Z';
const PERIOD = '2025-06';
let root: string;
let dropDir: string;
let reference: Record<string, string>;
let events: string[];

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: string[];
}

/** Run the driver on `lake`; with `killAt`, SIGKILL it `delayMs` after the killAt-th progress event. */
function run(lake: string, opts: { killAt?: number; delayMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // node itself runs the driver (tsx as a loader, not its CLI wrapper), so SIGKILL hits the pipeline's process.
    const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, dropDir, lake, `${lake}-work`, PERIOD], {
      cwd: REPO,
      env: { ...process.env, FIXED_CLOCK: CLOCK },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const seen: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('P ')) continue;
        seen.push(line.slice(2));
        if (opts.killAt !== undefined && seen.length === opts.killAt) setTimeout(() => child.kill('SIGKILL'), opts.delayMs ?? 0);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, events: seen }));
  });
}

/** sha256 of every visible object of the lake (temporary files of interrupted writes are not visible). */
async function lakeHashes(lake: string): Promise<Record<string, string>> {
  const storage = new LocalStorage(lake);
  const out: Record<string, string> = {};
  for (const o of await storage.list('')) {
    out[o.key] = createHash('sha256').update(readFileSync(storage.locate(o.key))).digest('hex');
  }
  return out;
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'crash-'));
  dropDir = path.join(root, 'drop');
  await generateDemo({ outDir: dropDir, dossiers: 1500, fromYear: 2024, toYear: 2025 });
  const ref = await run(path.join(root, 'reference'));
  expect(ref.stderr).toBe('');
  expect(ref.code).toBe(0);
  events = ref.events;
  reference = await lakeHashes(path.join(root, 'reference'));
}, 180_000);

afterAll(() => {
  rec.flush();
  rmSync(root, { recursive: true, force: true });
});

describe('A pipeline run killed with SIGKILL and run again', () => {
  test('should have a reference run with land, transform and snapshot progress to kill in', () => {
    const phases = new Set(events.map((e) => e.split(' ')[0]));
    expect([...phases]).toEqual(expect.arrayContaining(['ingest', 'land', 'transform']));
    expect(Object.keys(reference).some((k) => k.startsWith(`snapshots/${PERIOD}/`))).toBe(true);
    expect(Object.keys(reference).some((k) => k === LAKE_LOCK_KEY)).toBe(false);
  });

  // One seeded point in each phase: landing, the lake's transform, the snapshot's transform.
  // Seeded: the kill points are the same on every run of the suite.
  const random = mulberry32(766);
  const points = ['land', 'transform#1', 'transform#2'].map((phase) => ({ phase, fraction: random(), delayMs: Math.floor(random() * 250) }));

  test.each(points.map((p) => [p.phase, p] as const))('should converge to the uninterrupted lake byte for byte after a kill during %s', async (_phase, p) => {
    const [step, nth] = p.phase.split('#') as [string, string | undefined];
    // Indices (1-based) of the progress events of that phase; the second transform is the snapshot's.
    const idx = events.map((e, i) => [e, i + 1] as const).filter(([e]) => e.startsWith(`${step} `)).map(([, i]) => i);
    const half = idx.findIndex((i, k) => k > 0 && i !== idx[k - 1]! + 1);
    const phaseIdx = nth === '2' ? idx.slice(half) : nth === '1' ? idx.slice(0, half) : idx;
    const killAt = phaseIdx[Math.floor(p.fraction * phaseIdx.length)]!;
    const lake = path.join(root, `kill-${p.phase.replace('#', '-')}`);
    const killed = await run(lake, { killAt, delayMs: p.delayMs });
    expect(killed.signal).toBe('SIGKILL');
    // The killed process never released its lock: the rerun must find it stale (its pid is gone).
    const lockLeft = await new LocalStorage(lake).exists(LAKE_LOCK_KEY);
    expect(lockLeft).toBe(true);
    const again = await run(lake);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const after = await lakeHashes(lake);
    expect(after).toEqual(reference);
    const inv = await checkInvariants(new LocalStorage(lake), `${lake}-verify`);
    expect(inv.ok).toBe(true);
    rec.add({
      id: `sigkill-${p.phase.replace('#1', '').replace('#2', '-snapshot')}`,
      area: 'Faults',
      tried: `SIGKILL ${p.delayMs} ms after progress event ${killAt} of ${events.length} ("${events[killAt - 1]}")${p.phase === 'transform#2' ? ', inside the snapshot' : ''}`,
      happened: 'the lock of the killed run was left behind; the rerun found its pid gone, took the lock over, landed what was left and rebuilt models and snapshot',
      kept: `a lake byte-identical to the uninterrupted run (${Object.keys(reference).length} objects); invariants hold`,
    });
  }, 180_000);
});

describe('Two runs at once on the same lake', () => {
  test('should let one write and stop the other with a clear message, leaving a valid lake', async () => {
    const lake = path.join(root, 'concurrent');
    const [a, b] = await Promise.all([run(lake), run(lake)]);
    const results = [a, b];
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.stderr).toMatch(/\[pipeline\] \[lock\] Failed to lock the lake .*: run \(pid \d+ on .*, since .*\) is writing to it\. Wait for it to finish and run again/);
    expect(await lakeHashes(lake)).toEqual(reference);
    expect((await checkInvariants(new LocalStorage(lake), `${lake}-verify`)).ok).toBe(true);
    // Once the first is done, the lake is free again.
    const later = await run(lake);
    expect(later.code).toBe(0);
    rec.add({
      id: 'concurrent-runs',
      area: 'Faults',
      tried: 'two full runs started at the same moment on one lake (two processes)',
      happened: `one ran; the other exited 1 at once: ${losers[0]!.stderr.trim().split('\n')[0]!.replace(/\/tmp\/\S+/, '<lake>').replace(/pid \d+ on \S+/, 'pid N on <host>').replace(/since \S+, last seen \S+\)/, 'since …)')}`,
      kept: 'a lake identical to a single run; a later run proceeds normally',
    });
  }, 180_000);
});
