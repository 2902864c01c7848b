/**
 * `npx tsx bench/profile-land.ts [--sizes 100000,1000000] [--modes drop,portal] [--runs 1]`
 *
 * The land alone against the bare-DuckDB baseline's land, in one process, one after the other (so
 * the ratio holds on a shared machine). The bench dataset (bench/out/data/d<n>) is generated when
 * missing; the raw files are staged once per size and mode (drop: the portal's CSV exports; portal:
 * the API pages from the loopback portal) into bench/out/profile-land/, and every run lands a fresh
 * copy of that staged lake with landStaged's `profile` (seconds per phase). The baseline (bench/lib/
 * baseline.ts) then runs on the same dataset; its land is the figure compared (its transform is
 * not). Nothing is written to BENCHMARKS.md.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { DuckDb } from '../functions/core/engine/duckdb.js';
import { landStaged, type LandProfile } from '../functions/core/lake/land.js';
import { LocalStorage } from '../functions/core/storage/local.js';
import { ingestDropDir, pullPortal, pullScore766 } from '../functions/core/pipeline.js';
import type { RawKind } from '../functions/core/lake/sources.js';
import { runBaseline } from './lib/baseline.js';
import { BENCH_DIR, settleDisk } from './lib/child.js';
import { existingDataset, generateDataset } from './lib/datasets.js';
import { BENCH_TOKEN, benchContext, FIRST_MONTH, LAST_MONTH, MEMORY_LIMIT } from './lib/pipeline-jobs.js';
import { startPortalProcess } from './lib/portal.js';

const o = new Command()
  .option('--sizes <list>', 'dossier counts', '100000')
  .option('--modes <list>', 'drop, portal', 'drop,portal')
  .option('--runs <n>', 'land runs per size and mode (median)', '1')
  .option('--no-baseline', 'skip the baseline')
  .option('--trace', 'also sum DuckDB time per statement shape (first words of the SQL) and storage writes', false)
  .parse()
  .opts<{ sizes: string; modes: string; runs: string; baseline: boolean; trace: boolean }>();

/**
 * --trace: wall seconds, process CPU seconds and calls per statement shape, summed over the land (CPU is
 * the process's, DuckDB's threads included: on a shared machine it moves less than wall time; storage
 * calls overlap, so theirs count work done meanwhile too).
 */
const trace = new Map<string, { s: number; cpu: number; n: number }>();
const cpuSec = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
if (o.trace) {
  const wrap = (obj: Record<string, unknown>, name: string, label: (a: unknown[]) => string): void => {
    const orig = obj[name] as (...a: unknown[]) => Promise<unknown>;
    obj[name] = async function (this: unknown, ...a: unknown[]) {
      const t = performance.now();
      const c = process.cpuUsage();
      try {
        return await orig.apply(this, a);
      } finally {
        const k = label(a);
        const e = trace.get(k) ?? { s: 0, cpu: 0, n: 0 };
        e.s += (performance.now() - t) / 1000;
        e.cpu += cpuSec(process.cpuUsage(c));
        e.n++;
        trace.set(k, e);
      }
    };
  };
  const shape = (a: unknown[]): string => String(a[0]).replace(/\s+/g, ' ').trim().slice(0, 70);
  for (const m of ['run', 'all']) wrap(DuckDb.prototype as unknown as Record<string, unknown>, m, shape);
  for (const m of ['put', 'putFile', 'list', 'get', 'exists']) wrap(LocalStorage.prototype as unknown as Record<string, unknown>, m, () => `storage.${m}`);
}

const OUT = path.join(BENCH_DIR, 'out');
const ROOT = path.join(OUT, 'profile-land');
const SMALL: RawKind[] = ['registry-agencies', 'registry-procedures', 'bieu06-xlsx', 'par-xlsx', 'score766-metrics'];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const n of o.sizes.split(',').map(Number)) {
  const dataDir = path.join(OUT, 'data', `d${n}`);
  if (!existingDataset({ dataDir, dossiers: n })) {
    console.log(`generating ${n} dossiers`);
    await generateDataset({ dataDir, dossiers: n });
  }
  let lastLake = '';
  for (const mode of o.modes.split(',') as ('drop' | 'portal')[]) {
    const staged = path.join(ROOT, `staged-${mode}-${n}`);
    if (!existsSync(path.join(staged, 'done'))) {
      await rm(staged, { recursive: true, force: true });
      const portal = await startPortalProcess(dataDir);
      try {
        const ctx = benchContext(staged, path.join(ROOT, 'work'), portal.url, 5000);
        await ingestDropDir(ctx, { dir: dataDir, include: [...SMALL, 'nsw-csv', ...(mode === 'drop' ? (['portal-csv'] as RawKind[]) : [])] });
        if (mode === 'portal') await pullPortal(ctx, { from: FIRST_MONTH, to: LAST_MONTH, token: BENCH_TOKEN });
        await pullScore766(ctx, { from: '2022-08', to: LAST_MONTH, tinhId: 'H99' });
      } finally {
        await portal.close();
      }
      await mkdir(path.join(staged, 'done'));
    }
    const times: number[] = [];
    const cpus: number[] = [];
    let profile: LandProfile = {};
    let rows = '';
    for (let r = 0; r < Number(o.runs); r++) {
      const lake = path.join(ROOT, `lake-${mode}-${n}`);
      await rm(lake, { recursive: true, force: true });
      await cp(staged, lake, { recursive: true });
      settleDisk();
      profile = {};
      const t = performance.now();
      const c = process.cpuUsage();
      const s = await landStaged({ storage: benchContext(lake, path.join(ROOT, 'work'), '', 5000).storage, workDir: path.join(ROOT, 'work'), memoryLimit: MEMORY_LIMIT, profile });
      times.push((performance.now() - t) / 1000);
      cpus.push(cpuSec(process.cpuUsage(c)));
      rows = `${s.files.length} files, read ${s.rowsRead}, landed ${s.rowsLanded}, quarantined ${s.rowsQuarantined}`;
      lastLake = lake;
    }
    console.log(`land ${mode} ${n}: ${median(times).toFixed(2)} s (runs ${times.map((x) => x.toFixed(2)).join(', ')}; CPU ${cpus.map((x) => x.toFixed(2)).join(', ')} s); ${rows}`);
    for (const [k, v] of Object.entries(profile).sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(40)} ${v.toFixed(2)}`);
    if (o.trace) {
      for (const [k, v] of [...trace.entries()].sort((a, b) => b[1].s - a[1].s).slice(0, 25)) console.log(`  ${v.s.toFixed(2).padStart(6)} s ${v.cpu.toFixed(2).padStart(6)} s CPU ${String(v.n).padStart(5)}×  ${k}`);
      trace.clear();
    }
  }
  if (o.baseline && lastLake) {
    const c = process.cpuUsage();
    const b = await runBaseline({ dataDir, projectLake: lastLake, outDir: path.join(ROOT, `baseline-${n}`), workDir: path.join(ROOT, 'work-baseline'), landOnly: true });
    console.log(`baseline ${n}: land ${b.land.toFixed(2)} s (CPU ${cpuSec(process.cpuUsage(c)).toFixed(2)} s, the copy of the small datasets included)`);
    await rm(path.join(ROOT, `baseline-${n}`), { recursive: true, force: true });
  }
}
