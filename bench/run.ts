/**
 * `npm run bench [-- --quick] [--sizes 1000000,10000000] [--runs 3] [--out BENCHMARKS.md]`
 *
 * Generates the datasets with the project's generator (kept in bench/out/data/), runs every measured
 * job in its own process (bench/job.ts), and writes BENCHMARKS.md (repo root) plus the raw figures
 * under bench/out/. Sections: e2e (portal pull and CSV drop), baseline (bare DuckDB), naive (pure
 * JS), incremental (one month on seven years), dashboards (Evidence build + time to interactive).
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { duckdbVersion } from '../functions/core/engine/duckdb.js';
import type { BaselineResult } from './lib/baseline.js';
import { BENCH_DIR, REPO, runJob, type JobOutcome } from './lib/child.js';
import type { DashboardsResult } from './lib/dashboards.js';
import { existingDataset, type DatasetInfo } from './lib/datasets.js';
import type { NaiveResult } from './lib/naive.js';
import type { IncrementalResult, PipelineResult } from './lib/pipeline-jobs.js';
import { startPortalProcess } from './lib/portal.js';
import { renderReport, type BenchResults } from './lib/report.js';

const SECTIONS = ['e2e', 'baseline', 'naive', 'incremental', 'dashboards'] as const;
type Section = (typeof SECTIONS)[number];

const program = new Command()
  .name('bench')
  .description('Benchmarks of the pipeline against a bare DuckDB script and a pure-JS version; writes BENCHMARKS.md')
  .option('--quick', 'small sizes and fewer runs (validates the tooling in a few minutes)', false)
  .option('--sizes <list>', 'comma-separated dossier counts for the end-to-end runs (default 1000000,10000000; quick 200000)')
  .option('--runs <n>', 'runs per figure (median, min–max); default 3 (quick 1)')
  .option('--large-runs <n>', 'runs per figure at sizes above 2 M (default 2; quick: as --runs)')
  .option('--small-size <n>', 'dossiers for the naive, incremental and dashboards sections (default 1000000; quick 200000)')
  .option('--page-size <n>', 'portal page size the pull asks for (default 5000, the portal maximum)')
  .option('--skip <list>', `sections to skip: ${SECTIONS.join(',')}`, '')
  .option('--only <list>', 'run only these sections')
  .option('--dashboards-dir <dir>', 'Evidence project to build (default: dashboards/)')
  .option('--chromium <path>', 'Chromium executable for time to interactive', '/usr/bin/chromium')
  .option('--out <file>', 'report file', path.join(REPO, 'BENCHMARKS.md'))
  .option('--cpu-prof', 'also write a V8 CPU profile of one end-to-end run per size to bench/out/profiles/', false)
  .parse();

const o = program.opts<{
  quick: boolean;
  sizes?: string;
  runs?: string;
  largeRuns?: string;
  smallSize?: string;
  pageSize?: string;
  skip: string;
  only?: string;
  dashboardsDir?: string;
  chromium: string;
  out: string;
  cpuProf: boolean;
}>();

const int = (s: string | undefined, d: number): number => {
  if (s === undefined) return d;
  const n = Number(s.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`[bench] Failed to read option value "${s}": expected a positive whole number`);
    process.exit(2);
  }
  return n;
};
const sizes = (o.sizes ?? (o.quick ? '200000' : '1000000,10000000')).split(',').map((s) => int(s.trim(), 0));
const runs = int(o.runs, o.quick ? 1 : 3);
const largeRuns = int(o.largeRuns, o.quick ? runs : 2);
const smallSize = int(o.smallSize, o.quick ? 200_000 : 1_000_000);
const pageSize = int(o.pageSize, 5000);
const wanted = new Set<Section>((o.only ? o.only.split(',') : SECTIONS).map((s) => s.trim()) as Section[]);
for (const s of o.skip.split(',').filter(Boolean)) wanted.delete(s.trim() as Section);
for (const s of wanted) {
  if (!SECTIONS.includes(s)) {
    console.error(`[bench] Failed to read --only/--skip: unknown section "${s}" (${SECTIONS.join(', ')})`);
    process.exit(2);
  }
}

const OUT = path.join(BENCH_DIR, 'out');
const started = performance.now();
const log = (msg: string): void => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${msg}`);
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
  settings: { sizes, runs, largeRuns, smallSize, pageSize },
  datasets: {},
  e2e: {},
  baseline: {},
  skipped: {},
};

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

const runsFor = (n: number): number => (n > 2_000_000 ? largeRuns : runs);
const job = <R>(name: string, params: unknown, cpuProf?: string): Promise<JobOutcome<R>> => runJob<R>(name, params, { outDir: OUT, log: (l) => console.log(l), cpuProf });

for (const n of sizes) {
  if (!wanted.has('e2e') && !wanted.has('baseline')) break;
  const data = await dataset(n);
  const lake = (mode: string): string => path.join(OUT, 'lake', `${mode}-${n}`);
  const work = (mode: string): string => path.join(OUT, 'work', `${mode}-${n}`);
  const portal = await startPortalProcess(data.dataDir);
  try {
    if (wanted.has('e2e')) {
      for (const mode of ['portal', 'drop'] as const) {
        const out: JobOutcome<PipelineResult>[] = [];
        for (let i = 0; i < runsFor(n); i++) {
          const prof = o.cpuProf && i === 0 && mode === 'portal' ? path.join(OUT, 'profiles', `e2e-${n}`) : undefined;
          if (prof) await mkdir(prof, { recursive: true });
          const r = await job<PipelineResult>('pipeline', { dataDir: data.dataDir, lakeDir: lake(mode), workDir: work(mode), mode, portalUrl: portal.url, pageSize }, prof);
          log(`e2e ${mode} ${n.toLocaleString('en')} run ${i + 1}: ${r.usage.wallSec.toFixed(1)} s wall, ${r.usage.cpuSec.toFixed(1)} s CPU, ${r.usage.peakRssMb.toFixed(0)} MB peak (stage ${r.result.phases.stage.toFixed(1)}, land ${r.result.phases.land.toFixed(1)}, transform ${r.result.phases.transform.toFixed(1)})`);
          out.push(r);
        }
        (results.e2e[n] ??= {})[mode] = out;
      }
    }
    if (wanted.has('baseline')) {
      const projectLake = existsSync(path.join(lake('portal'), 'landed')) ? lake('portal') : lake('drop');
      if (!existsSync(path.join(projectLake, 'landed'))) {
        results.skipped[`baseline ${n}`] = 'the baseline copies the small datasets from a project lake of the same size: run the e2e section too';
      } else {
        const out: JobOutcome<BaselineResult>[] = [];
        for (let i = 0; i < runsFor(n); i++) {
          const r = await job<BaselineResult>('baseline', { dataDir: data.dataDir, projectLake, outDir: lake('baseline'), workDir: work('baseline') });
          log(`baseline ${n.toLocaleString('en')} run ${i + 1}: ${r.usage.wallSec.toFixed(1)} s wall (land ${r.result.land.toFixed(1)}, transform ${r.result.transform.toFixed(1)}), ${r.usage.peakRssMb.toFixed(0)} MB peak`);
          out.push(r);
        }
        results.baseline[n] = out;
      }
    }
  } finally {
    await portal.close();
  }
  // Keep the smallest size's project lake for the dashboards; drop the big ones' scratch.
  await rm(work('portal'), { recursive: true, force: true });
  await rm(work('drop'), { recursive: true, force: true });
  if (n !== Math.min(...sizes)) {
    for (const mode of ['drop', 'baseline']) await rm(lake(mode), { recursive: true, force: true });
  }
}

if (wanted.has('naive')) {
  const data = await dataset(smallSize);
  const out: JobOutcome<NaiveResult>[] = [];
  const naiveRuns = o.quick ? 1 : Math.min(runs, 2);
  for (let i = 0; i < naiveRuns; i++) {
    const r = await job<NaiveResult>('naive', { dataDir: data.dataDir, outDir: path.join(OUT, 'lake', `naive-${smallSize}`) });
    log(`naive ${smallSize.toLocaleString('en')} run ${i + 1}: ${r.usage.wallSec.toFixed(1)} s wall, ${r.usage.peakRssMb.toFixed(0)} MB peak`);
    out.push(r);
  }
  results.naive = { size: smallSize, runs: out };
  await rm(path.join(OUT, 'lake', `naive-${smallSize}`), { recursive: true, force: true });
  // The project's figures at the same size (for the ratio) when the e2e section did not cover it.
  if (!results.e2e[smallSize]) {
    const portal = await startPortalProcess(data.dataDir);
    try {
      for (const mode of ['portal', 'drop'] as const) {
        const outs: JobOutcome<PipelineResult>[] = [];
        for (let i = 0; i < runs; i++) {
          outs.push(await job<PipelineResult>('pipeline', { dataDir: data.dataDir, lakeDir: path.join(OUT, 'lake', `${mode}-${smallSize}`), workDir: path.join(OUT, 'work', `${mode}-${smallSize}`), mode, portalUrl: portal.url, pageSize }));
        }
        (results.e2e[smallSize] ??= {})[mode] = outs;
        log(`e2e ${mode} ${smallSize.toLocaleString('en')} (for the naive ratio): ${outs.map((r) => r.usage.wallSec.toFixed(1)).join(', ')} s`);
      }
    } finally {
      await portal.close();
    }
  }
}

if (wanted.has('incremental')) {
  const data = await dataset(smallSize);
  const portal = await startPortalProcess(data.dataDir);
  try {
    const out: JobOutcome<IncrementalResult>[] = [];
    for (let i = 0; i < (o.quick ? 1 : runs); i++) {
      const r = await job<IncrementalResult>('incremental', { dataDir: data.dataDir, lakeDir: path.join(OUT, 'lake', `incremental-${smallSize}`), workDir: path.join(OUT, 'work', `incremental-${smallSize}`), mode: 'portal', portalUrl: portal.url, pageSize });
      log(`incremental ${smallSize.toLocaleString('en')} run ${i + 1}: history ${r.result.history.phases.total.toFixed(1)} s, new month ${r.result.increment.phases.total.toFixed(1)} s`);
      out.push(r);
    }
    results.incremental = { size: smallSize, runs: out };
  } finally {
    await portal.close();
    await rm(path.join(OUT, 'lake', `incremental-${smallSize}`), { recursive: true, force: true });
    await rm(path.join(OUT, 'work', `incremental-${smallSize}`), { recursive: true, force: true });
  }
}

if (wanted.has('dashboards')) {
  const size = Math.min(...sizes.filter((n) => results.e2e[n]?.portal), ...(results.e2e[smallSize]?.portal ? [smallSize] : []));
  const lakeDir = path.join(OUT, 'lake', `portal-${size}`);
  const why = !Number.isFinite(size) || !existsSync(path.join(lakeDir, 'models', 'marts'))
    ? 'no project lake with marts from this run (run the e2e section)'
    : !existsSync(path.join(REPO, 'functions/core/dashboards.ts'))
      ? 'functions/core/dashboards.ts (buildDashboards) is not there yet'
      : !existsSync(path.join(o.dashboardsDir ?? path.join(REPO, 'dashboards'), 'node_modules', '@evidence-dev', 'evidence'))
        ? 'Evidence is not installed (npm ci --prefix dashboards)'
        : !existsSync(o.chromium)
          ? `no Chromium at ${o.chromium}`
          : undefined;
  if (why) {
    results.skipped.dashboards = why;
    log(`dashboards not measured: ${why}`);
  } else {
    try {
      const r = await job<DashboardsResult>('dashboards', { lakeDir, dashboardsDir: o.dashboardsDir, loads: o.quick ? 1 : 3, chromium: o.chromium });
      results.dashboards = { size, ...r };
      log(`dashboards: build ${r.result.buildSeconds.toFixed(1)} s, ${r.result.tti.length} pages timed`);
    } catch (err) {
      results.skipped.dashboards = (err as Error).message.split('\n').slice(0, 3).join(' ').slice(0, 400);
      log(`dashboards not measured: ${results.skipped.dashboards}`);
    }
  }
} else results.skipped.dashboards = 'section skipped by option';

for (const s of SECTIONS) if (!wanted.has(s) && !results.skipped[s]) results.skipped[s] = 'section skipped by option';
results.benchSeconds = (performance.now() - started) / 1000;
results.loadAverageAtEnd = os.loadavg();
await mkdir(OUT, { recursive: true });
const stamp = results.startedAt.replaceAll(':', '-').slice(0, 19);
await writeFile(path.join(OUT, `results-${stamp}.json`), JSON.stringify(results, null, 2));
await writeFile(path.join(OUT, 'latest.json'), JSON.stringify(results, null, 2));
await writeFile(o.out, await renderReport(results));
log(`done in ${(results.benchSeconds / 60).toFixed(1)} min: ${path.relative(REPO, o.out)}, bench/out/results-${stamp}.json`);
