/**
 * The project's own code path, as a user runs it: generator output served by the loopback portal
 * (in another process), pulled page by page, landed and transformed into every model.
 */
import { existsSync } from 'node:fs';
import { cp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { landStaged, type LandProfile } from '../../functions/core/lake/land.js';
import { ingestDropDir, ingestFiles, pullPortal, pullScore766, transform, type PipelineContext } from '../../functions/core/pipeline.js';
import type { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { localContext } from '../../functions/core/local-context.js';
import type { RawKind } from '../../functions/core/lake/sources.js';
import { settleDisk } from './child.js';
import { lakeStats, type LakeStats } from './lake-stats.js';

export const BENCH_TOKEN = 'bench-token-not-a-secret';
export const FIRST_MONTH = '2019-01';
export const LAST_MONTH = '2025-12';
/** DuckDB's memory limit for the measured jobs: peak RSS must stay ≤ 3 GB at 10 M. */
export const MEMORY_LIMIT = '2GB';

export function benchContext(lakeDir: string, workDir: string, baseUrl: string, pageSize: number): PipelineContext {
  return localContext({ lakeDir, workDir, portal: { baseUrl, pageSize }, memoryLimit: MEMORY_LIMIT });
}

/** The small file drops every run lands besides the dossiers (registry, XLSX, 766 detail). */
const SMALL_DROP: RawKind[] = ['registry-agencies', 'registry-procedures', 'bieu06-xlsx', 'par-xlsx', 'score766-metrics'];

export interface PipelineParams {
  dataDir: string;
  lakeDir: string;
  workDir: string;
  /** 'portal': dossiers pulled from the portal's JSON API; 'drop': the portal's CSV exports dropped as files. */
  mode: 'portal' | 'drop';
  portalUrl: string;
  pageSize: number;
}

export interface PhaseTimes {
  stage: number;
  land: number;
  transform: number;
  total: number;
}

/** Highest RSS seen in each phase (MB; sampled every 200 ms, DuckDB included: same process). */
export interface PhasePeaks {
  stage: number;
  land: number;
  transform: number;
}

/** Samples this process's RSS into the current phase's peak, and the machine's 1-min load average into its mean, until stopped. */
function rssSampler(): { peaks: PhasePeaks; load: PhasePeaks; cpu: PhasePeaks; phase: (p: keyof PhasePeaks) => void; stop: () => void } {
  const peaks: PhasePeaks = { stage: 0, land: 0, transform: 0 };
  // CPU seconds (user + system) of this process, DuckDB's threads included, per phase.
  const cpu: PhasePeaks = { stage: 0, land: 0, transform: 0 };
  let cpu0 = process.cpuUsage();
  const charge = (): void => {
    const d = process.cpuUsage(cpu0);
    cpu[current] += (d.user + d.system) / 1e6;
    cpu0 = process.cpuUsage();
  };
  const loadSum: PhasePeaks = { stage: 0, land: 0, transform: 0 };
  const samples: PhasePeaks = { stage: 0, land: 0, transform: 0 };
  const load: PhasePeaks = { stage: 0, land: 0, transform: 0 };
  let current: keyof PhasePeaks = 'stage';
  const sample = (): void => {
    peaks[current] = Math.max(peaks[current], process.memoryUsage.rss() / 2 ** 20);
    loadSum[current] += os.loadavg()[0]!;
    samples[current] += 1;
    load[current] = loadSum[current] / samples[current];
  };
  const timer = setInterval(sample, 200);
  return {
    peaks,
    load,
    cpu,
    phase: (p) => {
      sample();
      charge();
      current = p;
    },
    stop: () => {
      sample();
      charge();
      clearInterval(timer);
    },
  };
}

export interface PipelineResult {
  phases: PhaseTimes;
  /** Peak RSS per phase (MB). */
  peakRss?: PhasePeaks;
  /** The machine's mean 1-min load average during each phase (other work on the same cores inflates wall times). */
  loadAverage?: PhasePeaks;
  /** CPU seconds (user + system) of the job's process per phase, DuckDB included. */
  phaseCpu?: PhasePeaks;
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
  rawFiles: number;
  models: number;
  landProfile: LandProfile;
  transformProfile: { model: string; seconds: number }[];
  /** The lake the run left, by table and year partition (measured after the clock stops; full backfills only). */
  lake?: LakeStats;
}

const now = (): number => performance.now() / 1000;

async function landAndTransform(ctx: PipelineContext, phases: PhaseTimes, rss?: ReturnType<typeof rssSampler>): Promise<Omit<PipelineResult, 'phases'>> {
  rss?.phase('land');
  let t = now();
  const landProfile: LandProfile = {};
  const landed = await landStaged({ storage: ctx.storage, workDir: ctx.workDir, memoryLimit: MEMORY_LIMIT, profile: landProfile });
  phases.land += now() - t;
  rss?.phase('transform');
  t = now();
  const transformProfile: { model: string; seconds: number }[] = [];
  let started = now();
  const engine = await ctx.engine();
  let tr;
  try {
    const timed = Object.create(engine) as DuckDbEngine;
    timed.materialize = async (m, options) => {
      started = now();
      const r = await engine.materialize(m, options);
      transformProfile.push({ model: m.name, seconds: now() - started });
      return r;
    };
    tr = await transform(ctx, { engine: timed });
  } finally {
    await engine.close();
  }
  phases.transform += now() - t;
  rss?.stop();
  return {
    rowsRead: landed.rowsRead,
    rowsLanded: landed.rowsLanded,
    rowsQuarantined: landed.rowsQuarantined,
    rawFiles: landed.files.length,
    models: tr.models.length,
    landProfile,
    transformProfile,
  };
}

/** Full backfill: every month 2019-01…2025-12 into an empty lake. */
export async function runPipeline(p: PipelineParams): Promise<PipelineResult> {
  await rm(p.lakeDir, { recursive: true, force: true });
  await rm(p.workDir, { recursive: true, force: true });
  const ctx = benchContext(p.lakeDir, p.workDir, p.portalUrl, p.pageSize);
  const phases: PhaseTimes = { stage: 0, land: 0, transform: 0, total: 0 };
  settleDisk();
  const rss = rssSampler();
  const t0 = now();
  const include: RawKind[] = [...SMALL_DROP, 'nsw-csv', ...(p.mode === 'drop' ? (['portal-csv'] as RawKind[]) : [])];
  await ingestDropDir(ctx, { dir: p.dataDir, include });
  if (p.mode === 'portal') await pullPortal(ctx, { from: FIRST_MONTH, to: LAST_MONTH, token: BENCH_TOKEN });
  await pullScore766(ctx, { from: '2022-08', to: LAST_MONTH, tinhId: 'H99' });
  phases.stage = now() - t0;
  const rest = await landAndTransform(ctx, phases, rss);
  phases.total = now() - t0;
  return { phases, peakRss: rss.peaks, loadAverage: rss.load, phaseCpu: rss.cpu, ...rest, lake: await lakeStats(p.lakeDir) };
}

export interface IncrementalParams extends PipelineParams {
  /** How many times the new month is landed on the same history (restored from a copy in between). */
  repeats: number;
}

export interface IncrementalResult {
  history: PipelineResult;
  /** One per repeat, each on the same seven-year lake. */
  increments: PipelineResult[];
  newMonth: string;
}

/** The NSW CSV drop's files of the months `keep` accepts, in agency then month order. */
export async function nswFiles(dataDir: string, keep: (month: string) => boolean): Promise<string[]> {
  const root = path.join(dataDir, 'nsw');
  const out: string[] = [];
  for (const agency of (await readdir(root)).sort()) {
    for (const f of (await readdir(path.join(root, agency))).sort()) {
      const m = /^(\d{4}-\d{2})\.csv$/.exec(f);
      if (m && keep(m[1]!)) out.push(path.join(root, agency, f));
    }
  }
  return out;
}

/**
 * Seven years of history (2019-01…2025-11) landed and transformed once, then one new month (2025-12)
 * pulled, landed and transformed on top (the monthly run a province does), `repeats` times: the lake
 * and work directories are copied after the history and restored before each repeat (not timed).
 */
export async function runIncremental(p: IncrementalParams): Promise<IncrementalResult> {
  await rm(p.lakeDir, { recursive: true, force: true });
  await rm(p.workDir, { recursive: true, force: true });
  const ctx = benchContext(p.lakeDir, p.workDir, p.portalUrl, p.pageSize);
  const newMonth = LAST_MONTH;
  const prevMonth = '2025-11';
  const run = async (from: string, to: string, first: boolean): Promise<PipelineResult> => {
    const phases: PhaseTimes = { stage: 0, land: 0, transform: 0, total: 0 };
    const t0 = now();
    if (first) await ingestDropDir(ctx, { dir: p.dataDir, include: SMALL_DROP });
    const files = await nswFiles(p.dataDir, (m) => m >= from && m <= to);
    for (const f of files) await ingestFiles(ctx, { kind: 'nsw-csv', files: [f] });
    await pullPortal(ctx, { from, to, token: BENCH_TOKEN });
    await pullScore766(ctx, { from: first ? '2022-08' : from, to, tinhId: 'H99' });
    phases.stage = now() - t0;
    const rest = await landAndTransform(ctx, phases);
    phases.total = now() - t0;
    return { phases, ...rest };
  };
  const history = await run(FIRST_MONTH, prevMonth, true);
  const saved = { lake: `${p.lakeDir}.history`, work: `${p.workDir}.history` };
  const increments: PipelineResult[] = [];
  try {
    if (p.repeats > 1) {
      await cp(p.lakeDir, saved.lake, { recursive: true });
      if (existsSync(p.workDir)) await cp(p.workDir, saved.work, { recursive: true });
    }
    for (let i = 0; i < p.repeats; i++) {
      if (i > 0) {
        await rm(p.lakeDir, { recursive: true, force: true });
        await rm(p.workDir, { recursive: true, force: true });
        await cp(saved.lake, p.lakeDir, { recursive: true });
        if (existsSync(saved.work)) await cp(saved.work, p.workDir, { recursive: true });
      }
      settleDisk();
      increments.push(await run(newMonth, newMonth, false));
    }
  } finally {
    await rm(saved.lake, { recursive: true, force: true });
    await rm(saved.work, { recursive: true, force: true });
  }
  return { history, increments, newMonth };
}
