/**
 * `npm run bench [-- --quick] [--sizes 1000000,10000000] [--runs 3] [--out BENCHMARKS.md]`
 *
 * Generates the datasets with the project's generator (kept in bench/out/data/), runs every measured
 * job in its own process (bench/job.ts), and writes BENCHMARKS.md (repo root) plus the raw figures
 * under bench/out/. Sections: e2e (portal pull and CSV drop), baseline (bare DuckDB), naive (pure
 * JS), incremental (one month on seven years), dashboards (Evidence build + time to interactive).
 *
 * Budgets: --quick (100 k dossiers, one run of everything, dashboards timed on the already-built
 * site) fits in 5 minutes on 2 cores; the full run (1 M and 10 M, 3 runs each) in 45 minutes. The
 * plan and its estimate are printed first; the figures are written after every section, so a run
 * that is stopped still leaves its raw figures in bench/out/latest.json.
 *
 * The national-scale rehearsal is opt-in: `npm run bench -- --sizes 50000000 --runs 1` (hours on 2 cores;
 * add `--only e2e` to skip the rest and `--keep-lakes` to keep the lake for bench/cost-model.ts). A run at
 * 20 M dossiers or more records itself in bench/rehearsal.json (committed), which every later report shows
 * as its section 7 (bench/lib/rehearsal.ts).
 *
 * One section again without losing the others: `npm run bench -- --only dashboards --carry
 * bench/out/results-<full run>.json` measures that section and copies the rest from the earlier run,
 * each carried section's heading saying so (bench/lib/carry.ts). The figures BENCHMARKS.md shows are kept
 * beside it in bench/BENCHMARKS.json (committed), so a fresh clone can still carry or re-render them.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { duckdbVersion } from '../functions/core/engine/duckdb.js';
import type { BaselineResult } from './lib/baseline.js';
import { BENCH_SECTIONS, carriedOrigins, carrySections, type BenchSection } from './lib/carry.js';
import { BENCH_DIR, failureSummary, REPO, runJob, type JobOutcome } from './lib/child.js';
import type { DashboardsResult } from './lib/dashboards.js';
import { setUpDashboards } from './lib/setup.js';
import { existingDataset, type DatasetInfo } from './lib/datasets.js';
import { checkNaiveOutput, type NaiveResult } from './lib/naive.js';
import type { IncrementalResult, PipelineResult } from './lib/pipeline-jobs.js';
import { startPortalProcess, type PortalProcess } from './lib/portal.js';
import { REHEARSAL_FILE, rehearsalOf } from './lib/rehearsal.js';
import { renderReport, type BenchResults, type E2eOutcome, type IncrementalOutcome } from './lib/report.js';

const SECTIONS = BENCH_SECTIONS;
type Section = BenchSection;

const program = new Command()
  .name('bench')
  .description('Benchmarks of the pipeline against a bare DuckDB script and a pure-JS version; writes BENCHMARKS.md')
  .option('--quick', 'one small size, one run of each figure, dashboards timed on the already-built site (≤ 5 min)', false)
  .option('--sizes <list>', 'comma-separated dossier counts for the end-to-end runs (default 1000000,10000000; quick 100000)')
  .option('--runs <n>', 'runs per figure at sizes up to 2 M (median, min–max); default 3 (quick 1)')
  .option('--large-runs <n>', 'runs per figure at sizes above 2 M (default 3; quick 1)')
  .option('--large-drop', 'also time the CSV-drop path above 2 M (default: the portal path only, to fit the 45 min budget)', false)
  .option('--small-size <n>', 'dossiers for the naive section, and the first size of the incremental one (default 1000000; quick 100000)')
  .option('--incremental-sizes <list>', 'dossier counts for the incremental section (default: --small-size and each --sizes above it up to 10 M)')
  .option('--page-size <n>', 'portal page size the pull asks for (default 5000, the portal maximum)')
  .option('--skip <list>', `sections to skip: ${SECTIONS.join(',')}`, '')
  .option('--only <list>', 'run only these sections')
  .option('--dashboards-dir <dir>', 'Evidence project to build (default: dashboards/)')
  .option('--build-dashboards', 'build the dashboards in a quick run too (default: quick times the already-built dashboards/build)', false)
  .option('--chromium <path>', 'Chromium executable for time to interactive', '/usr/bin/chromium')
  .option('--out <file>', 'report file', path.join(REPO, 'BENCHMARKS.md'))
  .option('--plan', 'print the plan and its time estimate, run nothing', false)
  .option('--cpu-prof', 'also write a V8 CPU profile of one end-to-end run per size to bench/out/profiles/', false)
  .option('--keep-lakes', 'keep the project lakes in bench/out/lake/ after the run (to measure them: bench/cost-model.ts <lake dir>)', false)
  .option('--carry <results.json>', 'take the sections this run does not measure (--only/--skip) from an earlier run\'s bench/out/results-*.json; the report names them')
  .option('--render <results.json>', 'run nothing: write the report again from a saved bench/out/results-*.json (after a change to its text)')
  .parse();

const o = program.opts<{
  quick: boolean;
  sizes?: string;
  runs?: string;
  largeRuns?: string;
  smallSize?: string;
  incrementalSizes?: string;
  pageSize?: string;
  skip: string;
  only?: string;
  dashboardsDir?: string;
  buildDashboards: boolean;
  largeDrop: boolean;
  chromium: string;
  out: string;
  plan: boolean;
  cpuProf: boolean;
  keepLakes: boolean;
  render?: string;
  carry?: string;
}>();

/** A run with a rehearsal size (≥ 20 M) records it in bench/rehearsal.json (committed; see bench/lib/rehearsal.ts). */
async function recordRehearsal(r: BenchResults): Promise<void> {
  const rec = rehearsalOf(r);
  if (!rec) return;
  await writeFile(REHEARSAL_FILE, `${JSON.stringify(rec, null, 2)}\n`);
  console.log(`[bench] recorded the ${rec.size.toLocaleString('en')} rehearsal in ${path.relative(REPO, REHEARSAL_FILE)}${rec.failure ? ` (failed: ${rec.failure})` : ''}`);
}

/** The raw figures of the committed report (bench/out/ is not kept; a clone carries and renders from this). */
const REPORT_RESULTS = path.join(REPO, 'bench', 'BENCHMARKS.json');
/** Write the report, and when it is BENCHMARKS.md the figures it shows beside it. */
async function writeReport(r: BenchResults): Promise<void> {
  await writeFile(o.out, await renderReport(r));
  if (path.resolve(o.out) === path.join(REPO, 'BENCHMARKS.md')) await writeFile(REPORT_RESULTS, `${JSON.stringify(r, null, 2)}\n`);
}

if (o.render) {
  const saved = JSON.parse(await readFile(o.render, 'utf8')) as BenchResults;
  await recordRehearsal(saved);
  await writeReport(saved);
  console.log(`[bench] wrote ${path.relative(REPO, o.out)} from ${o.render} (nothing run)`);
  process.exit(0);
}

const int = (s: string | undefined, d: number): number => {
  if (s === undefined) return d;
  const n = Number(s.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`[bench] Failed to read option value "${s}": expected a positive whole number`);
    process.exit(2);
  }
  return n;
};
const sizes = [...new Set((o.sizes ?? (o.quick ? '100000' : '1000000,10000000')).split(',').map((s) => int(s.trim(), 0)))].sort((a, b) => a - b);
const runs = int(o.runs, o.quick ? 1 : 3);
// --runs without --large-runs sets both (`--sizes 50000000 --runs 1` is one run).
const largeRuns = int(o.largeRuns ?? o.runs, o.quick ? 1 : 3);
const smallSize = int(o.smallSize, o.quick ? 100_000 : 1_000_000);
// Issue 15 judges one new month at 1 M and at 10 M; a 50 M rehearsal (`--sizes 50000000`) adds no 50 M history by default.
const incrementalSizes = o.incrementalSizes
  ? [...new Set(o.incrementalSizes.split(',').map((s) => int(s.trim(), 0)))].sort((a, b) => a - b)
  : [smallSize, ...sizes.filter((n) => n > smallSize && n <= 10_000_000)];
const pageSize = int(o.pageSize, 5000);
const wanted = new Set<Section>((o.only ? o.only.split(',') : SECTIONS).map((s) => s.trim()) as Section[]);
for (const s of o.skip.split(',').filter(Boolean)) wanted.delete(s.trim() as Section);
for (const s of wanted) {
  if (!SECTIONS.includes(s)) {
    console.error(`[bench] Failed to read --only/--skip: unknown section "${s}" (${SECTIONS.join(', ')})`);
    process.exit(2);
  }
}
/** --carry: read first, so a wrong path fails before anything is measured. */
let carried: BenchResults | undefined;
if (o.carry) {
  try {
    carried = JSON.parse(await readFile(o.carry, 'utf8')) as BenchResults;
    if (typeof carried.startedAt !== 'string' || typeof carried.e2e !== 'object') throw new Error('not a bench results file (no startedAt / e2e)');
  } catch (err) {
    console.error(`[bench] Failed to read --carry ${o.carry}: ${(err as Error).message}`);
    process.exit(2);
  }
}
const dashboardsDir = o.dashboardsDir ?? path.join(REPO, 'dashboards');
/** Quick runs time the pages of the site already built in dashboards/build (a build alone takes ~1.5 min). */
const buildDashboards = !o.quick || o.buildDashboards;

const OUT = path.join(BENCH_DIR, 'out');
const started = performance.now();
const log = (msg: string): void => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${msg}`);
const LARGE = 2_000_000;
const runsFor = (n: number): number => (n > LARGE ? largeRuns : runs);
const modesFor = (n: number): ('portal' | 'drop')[] => (n > LARGE && !o.largeDrop ? ['portal'] : ['portal', 'drop']);

// ---- Plan ------------------------------------------------------------------------------------
// Rough seconds on this 2-core machine when it is quiet, from the runs of 2026-11-21 after the
// changes in bench/history.md (1 M portal ≈ 35 s, 10 M portal ≈ 260 s; bare DuckDB 7 s at 1 M and
// 158 s at 10 M, where it spills). Load from other work can double them. Only used to print the
// plan and warn.
const EST = {
  generatePerM: 12,
  e2e: (n: number): number => 10 + 25 * (n / 1e6),
  baseline: (n: number): number => 2 + 5 * (n / 1e6) + (n / 1e6) ** 2,
  naive: (n: number): number => 1 + 15 * (n / 1e6),
  incrementalHistory: (n: number): number => 10 + 25 * (n / 1e6),
  increment: (n: number): number => 3 + 6 * (n / 1e6),
  dashboardsBuild: 75,
  // A cold and a warm load, each waiting for DuckDB-WASM, plus the network-idle wait between them.
  ttiPerPage: 8,
  pages: 10,
};
interface PlanLine {
  what: string;
  seconds: number;
}
const plan: PlanLine[] = [];
const datasetSizes = new Set<number>();
if (wanted.has('e2e') || wanted.has('baseline')) sizes.forEach((n) => datasetSizes.add(n));
if (wanted.has('naive')) datasetSizes.add(smallSize);
if (wanted.has('incremental')) incrementalSizes.forEach((n) => datasetSizes.add(n));
for (const n of datasetSizes) {
  if (!existingDataset({ dataDir: path.join(OUT, 'data', `d${n}`), dossiers: n })) plan.push({ what: `generate ${n.toLocaleString('en')} dossiers`, seconds: (EST.generatePerM * n) / 1e6 });
}
for (const n of sizes) {
  if (wanted.has('e2e')) plan.push({ what: `e2e ${n.toLocaleString('en')}: ${modesFor(n).map((m) => `${m} ×${runsFor(n)}`).join(', ')}`, seconds: modesFor(n).length * runsFor(n) * EST.e2e(n) });
  if (wanted.has('baseline')) plan.push({ what: `baseline ${n.toLocaleString('en')} ×${runsFor(n)}`, seconds: runsFor(n) * EST.baseline(n) });
}
if (wanted.has('naive')) {
  plan.push({ what: `naive ${smallSize.toLocaleString('en')} ×${runs}`, seconds: runs * EST.naive(smallSize) });
  if (!(wanted.has('e2e') && sizes.includes(smallSize))) plan.push({ what: `e2e ${smallSize.toLocaleString('en')} for the naive ratio: portal ×${runs}, drop ×${runs}`, seconds: 2 * runs * EST.e2e(smallSize) });
}
if (wanted.has('incremental')) {
  for (const n of incrementalSizes) plan.push({ what: `incremental ${n.toLocaleString('en')}: history ×1, new month ×${runsFor(n)}`, seconds: EST.incrementalHistory(n) + runsFor(n) * EST.increment(n) });
}
if (wanted.has('dashboards')) {
  const loads = o.quick ? 1 : 3;
  plan.push({ what: buildDashboards ? `dashboards: Evidence build ×1, ${loads} load(s) per page` : `dashboards: ${loads} load per page of the already-built site (no build in --quick)`, seconds: (buildDashboards ? EST.dashboardsBuild : 5) + EST.pages * loads * EST.ttiPerPage });
}
const estimate = plan.reduce((s, p) => s + p.seconds, 0);
const budgetMin = o.quick ? 5 : 45;
log(`plan (${o.quick ? 'quick' : 'full'} run; budget ${budgetMin} min; estimated ${(estimate / 60).toFixed(0)} min on a quiet machine, load average now ${os.loadavg()[0]!.toFixed(1)}):`);
for (const p of plan) log(`  - ${p.what.padEnd(72)} ~${(p.seconds / 60).toFixed(1)} min`);
if (estimate > budgetMin * 60) log(`  ! the estimate is over the ${budgetMin} min budget: lower --sizes/--runs or --skip sections`);
// Disk: per million dossiers ≈ 0.16 GB of generated CSV, 0.36 GB of raw/ copies (portal JSON pages) and 0.1 GB of
// landed + models (the 1 M lake of bench/lake-1m.json), for the largest size's dataset and its lake at once.
{
  const largest = Math.max(...sizes);
  const needGb = (0.62 * largest) / 1e6;
  const fs = await statfs(BENCH_DIR).catch(() => undefined);
  const freeGb = fs ? (fs.bavail * fs.bsize) / 1e9 : Number.NaN;
  log(`  disk: the ${largest.toLocaleString('en')} dataset and its lake need ≈ ${needGb.toFixed(1)} GB (plus DuckDB's spill); ${freeGb.toFixed(0)} GB free`);
  if (needGb > freeGb) log('  ! not enough free disk for the largest size');
  if (os.loadavg()[0]! > os.cpus().length) log(`  ! the machine is busy (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores): wall times will be inflated; CPU seconds and peak RSS stay comparable`);
}
if (o.plan) process.exit(0);
// Set up before anything is measured (an npm ci, an apt-get): as npm start and npm test do. Its time is
// reported apart: a fresh machine's set-up is not the bench's run time.
const setupStarted = performance.now();
if (wanted.has('dashboards')) {
  o.chromium = setUpDashboards({ ownProject: dashboardsDir === path.join(REPO, 'dashboards'), chromium: o.chromium }, log).chromium;
}
const setupSeconds = (performance.now() - setupStarted) / 1000;

// ---- Results ---------------------------------------------------------------------------------
const results: BenchResults = {
  startedAt: new Date().toISOString(),
  quick: o.quick,
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: os.totalmem() / 2 ** 30,
    node: process.version,
    duckdb: await duckdbVersion(),
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg(),
  },
  settings: { sizes, runs, largeRuns, smallSize, incrementalSizes, pageSize },
  plan: { estimateSeconds: estimate, budgetMinutes: budgetMin, lines: plan.map((p) => p.what) },
  datasets: {},
  e2e: {},
  baseline: {},
  skipped: {},
};
await mkdir(OUT, { recursive: true });
const stamp = results.startedAt.replaceAll(':', '-').slice(0, 19);
/** Raw figures so far (after every section), so a stopped run still leaves them. */
async function saveRaw(): Promise<void> {
  const text = JSON.stringify(results, null, 2);
  await writeFile(path.join(OUT, `results-${stamp}.json`), text);
  await writeFile(path.join(OUT, 'latest.json'), text);
}
/** Runs one section; a failure is recorded as the reason it was not measured, and the bench goes on. */
async function section(key: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    results.skipped[key] = `failed: ${failureSummary((err as Error).message)}`;
    log(`${key} not measured: ${results.skipped[key]}`);
  }
  await saveRaw();
}

async function dataset(n: number): Promise<DatasetInfo> {
  const dataDir = path.join(OUT, 'data', `d${n}`);
  let info = existingDataset({ dataDir, dossiers: n });
  if (!info) {
    log(`generating ${n.toLocaleString('en')} dossiers into ${path.relative(REPO, dataDir)}`);
    info = (await runJob<DatasetInfo>('generate', { dataDir, dossiers: n }, { outDir: OUT })).result;
  }
  results.datasets[n] = info;
  return info;
}

const job = <R>(name: string, params: unknown, cpuProf?: string): Promise<JobOutcome<R>> => runJob<R>(name, params, { outDir: OUT, log: (l) => console.log(l), cpuProf });
const lake = (mode: string, n: number): string => path.join(OUT, 'lake', `${mode}-${n}`);
const work = (mode: string, n: number): string => path.join(OUT, 'work', `${mode}-${n}`);

/** Per phase: CPU s / peak RSS MB / mean load average (jobs that record them). */
const phaseLine = (x: PipelineResult): string =>
  x.phaseCpu && x.peakRss && x.loadAverage
    ? `; per phase CPU s / peak MB / load: ${(['stage', 'land', 'transform'] as const).map((k) => `${k} ${x.phaseCpu![k].toFixed(1)} / ${x.peakRss![k].toFixed(0)} / ${x.loadAverage![k].toFixed(1)}`).join(', ')}`
    : '';

async function e2eRuns(n: number, mode: 'portal' | 'drop', count: number, dataDir: string, portal: PortalProcess): Promise<void> {
  const out: E2eOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const prof = o.cpuProf && i === 0 && mode === 'portal' ? path.join(OUT, 'profiles', `e2e-${n}`) : undefined;
    if (prof) await mkdir(prof, { recursive: true });
    // The loopback portal runs in its own process on the same cores: its CPU is measured apart.
    const portalCpu0 = portal.cpuSeconds();
    const r: E2eOutcome = await job<PipelineResult>('pipeline', { dataDir, lakeDir: lake(mode, n), workDir: work(mode, n), mode, portalUrl: portal.url, pageSize }, prof);
    r.portalCpuSec = portal.cpuSeconds() - portalCpu0;
    log(`e2e ${mode} ${n.toLocaleString('en')} run ${i + 1}/${count}: ${r.usage.wallSec.toFixed(1)} s wall, ${r.usage.cpuSec.toFixed(1)} s CPU (+ portal ${r.portalCpuSec.toFixed(1)} s), ${r.usage.peakRssMb.toFixed(0)} MB peak (stage ${r.result.phases.stage.toFixed(1)}, land ${r.result.phases.land.toFixed(1)}, transform ${r.result.phases.transform.toFixed(1)})${phaseLine(r.result)}`);
    out.push(r);
    (results.e2e[n] ??= {})[mode] = out;
  }
}

// ---- 1 + 2: end to end and the bare DuckDB baseline, per size --------------------------------
for (const n of sizes) {
  if (!wanted.has('e2e') && !wanted.has('baseline')) break;
  await section(`e2e ${n}`, async () => {
    const data = await dataset(n);
    const portal = await startPortalProcess(data.dataDir);
    try {
      if (wanted.has('e2e')) for (const mode of modesFor(n)) await e2eRuns(n, mode, runsFor(n), data.dataDir, portal);
    } finally {
      await portal.close();
    }
  });
  if (wanted.has('baseline')) {
    await section(`baseline ${n}`, async () => {
      const data = await dataset(n);
      const projectLake = existsSync(path.join(lake('portal', n), 'landed')) ? lake('portal', n) : lake('drop', n);
      if (!existsSync(path.join(projectLake, 'landed'))) {
        results.skipped[`baseline ${n}`] = 'the baseline copies the small datasets from a project lake of the same size: run the e2e section too';
        return;
      }
      const out: JobOutcome<BaselineResult>[] = [];
      for (let i = 0; i < runsFor(n); i++) {
        const r = await job<BaselineResult>('baseline', { dataDir: data.dataDir, projectLake, outDir: lake('baseline', n), workDir: work('baseline', n) });
        log(`baseline ${n.toLocaleString('en')} run ${i + 1}/${runsFor(n)}: ${r.usage.wallSec.toFixed(1)} s wall (land ${r.result.land.toFixed(1)}, transform ${r.result.transform.toFixed(1)}), ${r.usage.peakRssMb.toFixed(0)} MB peak`);
        out.push(r);
        results.baseline[n] = out;
      }
    });
  }
  // Keep the smallest size's portal lake for the dashboards; drop the rest of the scratch.
  for (const mode of ['portal', 'drop', 'baseline']) {
    await rm(work(mode, n), { recursive: true, force: true });
    if ((mode !== 'portal' || n !== sizes[0]) && !(o.keepLakes && mode !== 'baseline')) await rm(lake(mode, n), { recursive: true, force: true });
  }
}

// ---- 3: what a user would write instead -------------------------------------------------------
if (wanted.has('naive')) {
  await section('naive', async () => {
    const data = await dataset(smallSize);
    const outDir = path.join(OUT, 'lake', `naive-${smallSize}`);
    const out: JobOutcome<NaiveResult>[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const r = await job<NaiveResult>('naive', { dataDir: data.dataDir, outDir });
        log(`naive ${smallSize.toLocaleString('en')} run ${i + 1}/${runs}: ${r.usage.wallSec.toFixed(1)} s wall (parse ${r.result.parse.toFixed(1)}, write ${r.result.write.toFixed(1)}, aggregate ${r.result.aggregate.toFixed(1)}), ${r.usage.peakRssMb.toFixed(0)} MB peak`);
        out.push(r);
      }
      // Its output, read back by DuckDB (not timed): the pure-JS files must hold every row.
      const check = await checkNaiveOutput(outDir);
      results.naive = { size: smallSize, runs: out, check };
      log(`naive output read back by DuckDB: ${check.parquetRows.toLocaleString('en')} rows in ${check.files} files (written: ${out[0]!.result.dossiers.toLocaleString('en')})`);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
    // The project's figures at the same size (for the ratio) when the e2e section did not cover it.
    if (!results.e2e[smallSize]?.drop) {
      const portal = await startPortalProcess(data.dataDir);
      try {
        for (const mode of ['portal', 'drop'] as const) await e2eRuns(smallSize, mode, runs, data.dataDir, portal);
      } finally {
        await portal.close();
        for (const mode of ['portal', 'drop']) await rm(work(mode, smallSize), { recursive: true, force: true });
        if (smallSize !== sizes[0]) for (const mode of ['portal', 'drop']) await rm(lake(mode, smallSize), { recursive: true, force: true });
      }
    }
  });
}

// ---- 4: one new month on seven years ----------------------------------------------------------
if (wanted.has('incremental')) {
  await section('incremental', async () => {
    const measured: IncrementalOutcome[] = [];
    for (const n of incrementalSizes) {
      const data = await dataset(n);
      const portal = await startPortalProcess(data.dataDir);
      try {
        const r = await job<IncrementalResult>('incremental', { dataDir: data.dataDir, lakeDir: lake('incremental', n), workDir: work('incremental', n), mode: 'portal', portalUrl: portal.url, pageSize, repeats: runsFor(n) });
        log(`incremental ${n.toLocaleString('en')}: history ${r.result.history.phases.total.toFixed(1)} s, new month ${r.result.increments.map((x) => x.phases.total.toFixed(1)).join(', ')} s`);
        measured.push({ size: n, ...r });
        results.incremental = [...measured];
      } finally {
        await portal.close();
        await rm(lake('incremental', n), { recursive: true, force: true });
        await rm(work('incremental', n), { recursive: true, force: true });
      }
    }
  });
}

// ---- 5: dashboards ----------------------------------------------------------------------------
if (wanted.has('dashboards')) {
  await section('dashboards', async () => {
    const size = sizes[0]!;
    const lakeDir = lake('portal', size);
    const builtSite = path.join(dashboardsDir, 'build');
    const siteCopy = path.join(OUT, 'site');
    if (!buildDashboards && existsSync(path.join(dashboardsDir, 'locks', 'lake.json'))) {
      // Another process is building dashboards/ (tests, npm start): wait a little for its site.
      log('dashboards/ is being built by another process: waiting up to 2 min for its site');
      for (let i = 0; i < 120 && existsSync(path.join(dashboardsDir, 'locks', 'lake.json')); i++) await new Promise((r) => setTimeout(r, 1000));
    }
    const why = buildDashboards && !existsSync(path.join(lakeDir, 'models', 'marts'))
      ? 'no project lake with marts from this run (run the e2e section)'
      : !buildDashboards && !existsSync(path.join(builtSite, 'index.html'))
        ? `quick runs time the already-built site and ${path.relative(REPO, builtSite)}/ has none (build it: npm start, or pass --build-dashboards)`
        : !existsSync(path.join(dashboardsDir, 'node_modules', '@evidence-dev', 'evidence'))
          ? 'Evidence is not installed (npm ci --prefix dashboards)'
          : !existsSync(o.chromium)
            ? `no Chromium at ${o.chromium}`
            : undefined;
    if (why) {
      results.skipped.dashboards = why;
      log(`dashboards not measured: ${why}`);
      return;
    }
    let siteDir: string | undefined;
    if (!buildDashboards) {
      // A copy, so another build of dashboards/ cannot change the files while they are timed.
      await rm(siteCopy, { recursive: true, force: true });
      await cp(builtSite, siteCopy, { recursive: true });
      if (!existsSync(path.join(siteCopy, 'index.html'))) throw new Error(`${path.relative(REPO, builtSite)}/ changed while it was copied (another build running?)`);
      siteDir = siteCopy;
    }
    try {
      const r = await job<DashboardsResult>('dashboards', { lakeDir, siteDir, dashboardsDir: o.dashboardsDir, loads: o.quick ? 1 : 3, chromium: o.chromium });
      results.dashboards = { size, ...r };
      log(`dashboards: ${r.result.built ? `build ${r.result.buildSeconds.toFixed(1)} s, ` : 'already-built site, '}${r.result.tti.length} pages timed`);
    } finally {
      await rm(siteCopy, { recursive: true, force: true });
    }
  });
} else results.skipped.dashboards = 'section skipped by option';
if (!o.keepLakes) await rm(lake('portal', sizes[0]!), { recursive: true, force: true });

for (const s of SECTIONS) if (!wanted.has(s) && !results.skipped[s]) results.skipped[s] = 'section skipped by option';
if (carried) {
  Object.assign(results, carrySections(results, carried, wanted));
  const origins = carriedOrigins(results);
  log(`carried from ${o.carry}: ${origins.map((c) => `${c.sections.join(', ')} (measured ${c.startedAt.slice(0, 16).replace('T', ' ')} UTC)`).join('; ') || 'nothing (it measured none of the other sections)'}`);
}
results.setupSeconds = setupSeconds;
results.benchSeconds = (performance.now() - started) / 1000 - setupSeconds;
results.loadAverageAtEnd = os.loadavg();
await saveRaw();
await recordRehearsal(results);
await writeReport(results);
log(`done in ${(results.benchSeconds / 60).toFixed(1)} min (budget ${budgetMin} min): ${path.relative(REPO, o.out)}, bench/out/results-${stamp}.json`);
