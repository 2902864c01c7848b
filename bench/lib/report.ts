/** BENCHMARKS.md from one bench run's figures (plus bench/history.md, the recorded improvements). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BaselineResult } from './baseline.js';
import { carriedOrigin, carriedOrigins, type BenchSection, type CarriedFrom } from './carry.js';
import { BENCH_DIR, stats, type JobOutcome, type Stats } from './child.js';
import type { DashboardsResult } from './dashboards.js';
import type { DatasetInfo } from './datasets.js';
import type { NaiveResult } from './naive.js';
import type { IncrementalResult, PipelineResult } from './pipeline-jobs.js';
import { rehearsalOf, renderRehearsal, savedRehearsal } from './rehearsal.js';

/** One end-to-end job, with the CPU the loopback portal process used meanwhile (absent in older results). */
export type E2eOutcome = JobOutcome<PipelineResult> & { portalCpuSec?: number };

/** One size's new month on its seven-year history (section 4). */
export type IncrementalOutcome = { size: number } & JobOutcome<IncrementalResult>;

/**
 * A share in per cent with one decimal, or as many more (up to four) as it takes not to print the target
 * itself when it is not the target: 15.46 s of 309.1 s is 5.0016 %, "5.0 %" beside "missed" reads as a contradiction.
 */
export function percentAgainst(share: number, target: number): string {
  for (let d = 1; d < 4; d++) {
    const text = (100 * share).toFixed(d);
    if (share === target || Number(text) !== Number((100 * target).toFixed(d))) return text;
  }
  return (100 * share).toFixed(4);
}

/** Section 4's sizes in order: one object in results written before several sizes were measured. */
export function incrementalOutcomes(r: Pick<BenchResults, 'incremental'>): IncrementalOutcome[] {
  if (!r.incremental) return [];
  return (Array.isArray(r.incremental) ? [...r.incremental] : [r.incremental]).sort((a, b) => a.size - b.size);
}

export interface BenchResults {
  startedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; duckdb: string; os: string; loadAverageAtStart: number[] };
  /** incrementalSizes: section 4's sizes (absent in older results: smallSize alone). */
  settings: { sizes: number[]; runs: number; largeRuns: number; smallSize: number; incrementalSizes?: number[]; pageSize: number };
  plan?: { estimateSeconds: number; budgetMinutes: number; lines: string[] };
  datasets: Record<number, DatasetInfo>;
  e2e: Record<number, { portal?: E2eOutcome[]; drop?: E2eOutcome[] }>;
  baseline: Record<number, JobOutcome<BaselineResult>[]>;
  naive?: { size: number; runs: JobOutcome<NaiveResult>[]; check?: { parquetRows: number; files: number; quarantined: number } };
  incremental?: IncrementalOutcome | IncrementalOutcome[];
  dashboards?: { size: number } & JobOutcome<DashboardsResult>;
  skipped: Record<string, string>;
  /** Sections not measured in this run but carried from an earlier one (`--carry`, bench/lib/carry.ts). */
  carried?: CarriedFrom | CarriedFrom[];
  /** The run's wall time, from its plan to its report, without `setupSeconds`. */
  benchSeconds?: number;
  /** Set-up before anything was measured (the dashboards' npm ci, Debian's Chromium): 0 where all was in place. */
  setupSeconds?: number;
  loadAverageAtEnd?: number[];
}

const TARGETS = { limitRatio: 1.3, peakRssMb: 3072, naiveRatio: 20, incrementalShare: 0.05, buildSec: 90, ttiSec: 2 };

const n0 = (x: number): string => x.toLocaleString('en-US').replaceAll(',', ' ');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
/** Median (min–max); one run has no spread: its min–max is shown as n/a. */
const fig = (s: Stats, f = f1): string => (s.n === 0 ? '–' : s.n === 1 ? `${f(s.median)} (n/a, 1 run)` : `${f(s.median)} (${f(s.min)}–${f(s.max)})`);
const size = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000} M` : `${n / 1000} k`);
const ok = (good: boolean): string => (good ? 'met' : '**missed**');

/** The set-up a first run did before measuring, kept out of the run time (a fresh machine's npm ci is no bench figure). */
function setupNote(r: Pick<BenchResults, 'setupSeconds'>): string {
  return (r.setupSeconds ?? 0) >= 0.05 ? `; set-up before measuring, not counted: ${f1(r.setupSeconds! / 60)} min` : '';
}

function usageRow(label: string, runs: JobOutcome<unknown>[] | undefined): string {
  if (!runs || runs.length === 0) return `| ${label} | – | – | – |`;
  return `| ${label} | ${fig(stats(runs.map((r) => r.usage.wallSec)))} | ${fig(stats(runs.map((r) => r.usage.cpuSec)))} | ${fig(stats(runs.map((r) => r.usage.peakRssMb)), (x) => n0(Math.round(x)))} |`;
}

const median = (xs: number[]): number => stats(xs).median;
/** Median CPU seconds of the loopback portal during the runs ('–' for the drop path and older results). */
const portalCpu = (runs: E2eOutcome[]): string => {
  const xs = runs.map((q) => q.portalCpuSec).filter((x): x is number => x !== undefined && x > 0);
  return xs.length ? f1(median(xs)) : '–';
};

/** " (carried from the run of …)" after the heading of a section `--carry` took from an earlier run. */
const carriedTag = (r: BenchResults, section: BenchSection): string => {
  const c = carriedOrigin(r, section);
  return c ? ` (carried from the run of ${c.startedAt.slice(0, 16).replace('T', ' ')} UTC)` : '';
};

/**
 * When two sections' figures come from different bench runs (one of them carried), what a ratio of them
 * would mix, e.g. "the new month from the run of 2026-12-06 06:53 UTC, the backfill from this run";
 * undefined when one run measured both. A target compares figures of one run (the host's speed moves
 * between runs more than some of the margins), so such a ratio is shown but not judged.
 */
export function acrossRuns(r: BenchResults, a: { section: BenchSection; what: string }, b: { section: BenchSection; what: string }): string | undefined {
  const ra = carriedOrigin(r, a.section)?.startedAt ?? r.startedAt;
  const rb = carriedOrigin(r, b.section)?.startedAt ?? r.startedAt;
  if (ra === rb) return undefined;
  const run = (x: string): string => (x === r.startedAt ? 'this run' : `the run of ${x.slice(0, 16).replace('T', ' ')} UTC`);
  return `${a.what} from ${run(ra)}, ${b.what} from ${run(rb)}`;
}

const MIXED_NOTE =
  'Not judged: the two figures of this ratio were measured in different bench runs (`--carry`), and the host\'s speed moves between runs by more than some margins; `npm run bench` with this section and section 1 measured together judges it.';

/** The verdict cell of a target: met / missed, or not judged when the ratio mixes two runs (acrossRuns). */
const verdict = (good: boolean, mixed: string | undefined): string => (mixed ? `not judged (two runs: ${mixed})` : ok(good));

export async function renderReport(r: BenchResults): Promise<string> {
  const L: string[] = [];
  const m = r.machine;
  L.push('# Benchmarks', '');
  L.push(`Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` (bench/run.ts) on ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC; raw figures in bench/BENCHMARKS.json (and bench/out/, not committed).`);
  L.push('Every figure is the median of the runs, with min–max in brackets (n/a when there was one run); each measured job runs in its own Node process');
  L.push('(bench/job.ts), so its wall time, CPU time (user + system) and peak RSS (DuckDB included) are its own.');
  const origins = carriedOrigins(r);
  if (origins.length > 0) {
    const at = (x: string): string => `${x.slice(0, 16).replace('T', ' ')} UTC`;
    const runs = origins.map(
      (c) =>
        `${c.sections.map((s) => `\`${s}\``).join(', ')}: figures of the bench run of ${at(c.startedAt)} (sizes ${c.settings.sizes.map(size).join(', ')}; ${c.settings.runs} run(s) per figure up to 2 M, ${c.settings.largeRuns} above; load average at its start / end ${c.loadAverageAtStart.map(f2).join(' ')} / ${(c.loadAverageAtEnd ?? []).map(f2).join(' ')})`,
    );
    L.push('', `> **Sections carried from ${origins.length > 1 ? 'earlier runs' : 'an earlier run'}.** ${runs.join('; ')}, copied unchanged (\`--carry\`). Only the other sections were measured on ${at(r.startedAt)}; the machine table below is this run's.`);
  }
  if (r.quick) L.push('', '> **Quick run** (`--quick`): one small size, one run of each figure, dashboards timed on the already-built site. It checks the tooling; the figures below are not the ones the targets are about (they are at 1 M and 10 M).');
  L.push('', '## Machine', '');
  L.push(`| | |`, `|---|---|`);
  L.push(`| CPU | ${m.cpus} cores (${m.cpuModel}) |`, `| Memory | ${f1(m.memoryGb)} GB |`, `| OS | ${m.os} |`, `| Node | ${m.node} |`, `| DuckDB | ${m.duckdb} |`);
  L.push(`| Load average at start / end | ${m.loadAverageAtStart.map(f2).join(' ')} / ${(r.loadAverageAtEnd ?? []).map(f2).join(' ')} |`);
  L.push(`| Bench run time | ${f1((r.benchSeconds ?? 0) / 60)} min${r.plan ? ` (estimated ${f1(r.plan.estimateSeconds / 60)} min on a quiet machine; budget ${r.plan.budgetMinutes} min)` : ''}${setupNote(r)} |`);
  L.push(`| Settings | sizes ${r.settings.sizes.map(size).join(', ')}; ${r.settings.runs} run(s) per figure up to 2 M, ${r.settings.largeRuns} above; naive at ${size(r.settings.smallSize)}, incremental at ${(r.settings.incrementalSizes ?? [r.settings.smallSize]).map(size).join(' and ')}; portal page size ${r.settings.pageSize}; DuckDB memory_limit 2 GB |`);
  L.push('', 'Datasets (the project\'s generator, seed 766, 2019-01…2025-12):', '');
  L.push('| dossiers | portal | NSW | files | bytes | portal CSV bytes | generated in (s) |', '|---:|---:|---:|---:|---:|---:|---:|');
  for (const d of Object.values(r.datasets)) L.push(`| ${n0(d.dossiers)} | ${n0(d.portalDossiers)} | ${n0(d.nswDossiers)} | ${n0(d.files)} | ${n0(d.totalBytes)} | ${n0(d.portalCsvBytes)} | ${f1(d.seconds)} |`);

  // 1. End to end
  L.push('', `## 1. End to end${carriedTag(r, 'e2e')}`, '');
  L.push('**portal**: the loopback portal (functions/portal, its own process) serves the generated months; the pipeline pulls every page');
  L.push('(pullPortal), stages the NSW CSV drop and the small files (registry, Biểu 06, PAR, 766), lands everything and runs every');
  L.push('sql/ model with its tests (transform). **drop**: the same, with the portal\'s CSV exports dropped as files instead of the pull.', '');
  L.push('| size | path | wall (s) | CPU (s) | peak RSS (MB) |', '|---|---|---:|---:|---:|');
  for (const [n, e] of Object.entries(r.e2e)) {
    L.push(usageRow(`${size(Number(n))} | portal → land → marts`, e.portal));
    L.push(usageRow(`${size(Number(n))} | CSV drop → land → marts`, e.drop));
  }
  L.push('', 'Phases (median seconds: stage = pull or copy into raw/, land, transform; the loopback portal is a separate process on the same 2 cores, its CPU seconds are shown apart):', '');
  L.push('| size | path | stage | land | transform | portal CPU during the run | rows read | landed | quarantined | raw files |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [n, e] of Object.entries(r.e2e)) {
    for (const mode of ['portal', 'drop'] as const) {
      const runs = e[mode];
      if (!runs?.length) continue;
      const x = runs[0]!.result;
      L.push(`| ${size(Number(n))} | ${mode} | ${f1(median(runs.map((q) => q.result.phases.stage)))} | ${f1(median(runs.map((q) => q.result.phases.land)))} | ${f1(median(runs.map((q) => q.result.phases.transform)))} | ${portalCpu(runs)} | ${n0(x.rowsRead)} | ${n0(x.rowsLanded)} | ${n0(x.rowsQuarantined)} | ${n0(x.rawFiles)} |`);
    }
  }
  const peak = Math.max(0, ...Object.values(r.e2e).flatMap((e) => [...(e.portal ?? []), ...(e.drop ?? [])].map((q) => q.usage.peakRssMb)));
  const biggest = Math.max(...Object.keys(r.e2e).map(Number));
  const phasePeaks = Object.entries(r.e2e).flatMap(([n, e]) =>
    (['portal', 'drop'] as const).flatMap((mode) => {
      const runs = (e[mode] ?? []).filter((q) => q.result.peakRss);
      if (!runs.length) return [];
      const pk = (k: 'stage' | 'land' | 'transform'): string => n0(Math.round(median(runs.map((q) => q.result.peakRss![k]))));
      return [`| ${size(Number(n))} | ${mode} | ${pk('stage')} | ${pk('land')} | ${pk('transform')} |`];
    }),
  );
  if (phasePeaks.length) {
    L.push('', 'Peak RSS by phase (median MB; sampled every 200 ms in the job, DuckDB included; DuckDB memory_limit 2 GB in land and transform):', '');
    L.push('| size | path | stage | land | transform |', '|---|---|---:|---:|---:|', ...phasePeaks);
  }
  L.push('', `Peak RSS target ≤ 3 GB at 10 M: ${biggest >= 10_000_000 ? `${ok(peak <= TARGETS.peakRssMb)} (highest peak of any run: ${n0(Math.round(peak))} MB)` : `not measured at 10 M in this run (highest peak: ${n0(Math.round(peak))} MB at ${size(biggest)})`}.`);

  // 2. Limit
  L.push('', `## 2. The limit: a bare DuckDB script${carriedTag(r, 'baseline')}`, '');
  L.push('bench/lib/baseline.ts, in its own process, same DuckDB memory limit: ONE statement reads every portal CSV export and every NSW');
  L.push('export (typed in the read, dates parsed, NSW fee flag from the catalogue) and writes Hive-partitioned Parquet with DuckDB\'s');
  L.push('PARTITION_BY writer; then the same sql/ models (the same SQL text, loaded by loadModels) run in order as CREATE TABLE … AS on');
  L.push('the same connection, each written to Parquet. Left out, which the project does: the HTTP pull, raw/ copies and SHA-256,');
  L.push('manifests, validation and quarantine, per-file row numbers and lineage, dedupe, per-partition atomic publish, sorted');
  L.push('byte-stable output, model tests. The small datasets (XLSX/JSON through JS readers) are copied in before the clock starts.', '');
  L.push('| size | baseline wall (s) | land (s) | transform (s) | peak RSS (MB) | project drop / baseline | project portal / baseline | target ≤ 1.3 × |', '|---|---:|---:|---:|---:|---:|---:|---|');
  const mixed = acrossRuns(r, { section: 'e2e', what: 'the project' }, { section: 'baseline', what: 'the baseline' });
  for (const [n, b] of Object.entries(r.baseline)) {
    const base = median(b.map((q) => q.usage.wallSec));
    const drop = median((r.e2e[Number(n)]?.drop ?? []).map((q) => q.usage.wallSec));
    const portal = median((r.e2e[Number(n)]?.portal ?? []).map((q) => q.usage.wallSec));
    // The target is on the CSV-drop path (the same input as the baseline); above 2 M only the portal path runs by default.
    const project = Number.isFinite(drop) ? drop : portal;
    L.push(`| ${size(Number(n))} | ${fig(stats(b.map((q) => q.usage.wallSec)))} | ${f1(median(b.map((q) => q.result.land)))} | ${f1(median(b.map((q) => q.result.transform)))} | ${n0(Math.round(median(b.map((q) => q.usage.peakRssMb))))} | ${Number.isFinite(drop) ? `${f2(drop / base)} ×` : 'not run'} | ${f2(portal / base)} × | ${verdict(project / base <= TARGETS.limitRatio, mixed)}${Number.isFinite(drop) ? '' : ' (portal)'} |`);
  }
  for (const [n, b] of Object.entries(r.baseline)) {
    const e = r.e2e[Number(n)];
    const via = e?.drop?.length ? 'CSV-drop' : 'portal';
    const drops = e?.drop?.length ? e.drop : (e?.portal ?? []);
    const base = median(b.map((q) => q.usage.wallSec));
    const drop = median(drops.map((q) => q.usage.wallSec));
    if (mixed || !drops.length || drop / base <= TARGETS.limitRatio) continue;
    const ph = (k: keyof PipelineResult['phases']): number => median(drops.map((q) => q.result.phases[k]));
    const top = Object.entries(drops[0]!.result.landProfile).sort((a, c) => c[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${f1(v)} s`).join(', ');
    L.push('', `Why missed at ${size(Number(n))}: the project's ${via} run spends ${f1(ph('stage'))} s staging (${via === 'portal' ? 'the HTTP pull of every page from the loopback portal, whose own serving runs on the same 2 cores, with a SHA-256 and a raw/ copy of each' : 'raw/ copies, SHA-256, manifests'}), ${f1(ph('land'))} s landing and ${f1(ph('transform'))} s in the models and their tests, against the baseline's ${f1(median(b.map((q) => q.result.land)))} s land and ${f1(median(b.map((q) => q.result.transform)))} s transform. The largest land phases: ${top} (section 6).`);
  }
  if (mixed && Object.keys(r.baseline).length > 0) L.push('', MIXED_NOTE);
  if (Object.keys(r.baseline).length === 0) L.push(`| – | not measured: ${r.skipped.baseline ?? r.skipped[Object.keys(r.skipped).find((k) => k.startsWith('baseline')) ?? ''] ?? 'skipped'} | | | | | | |`);

  // 3. Naive
  L.push('', `## 3. What a user would write instead${carriedTag(r, 'naive')}`, '');
  if (r.naive) {
    const nv = median(r.naive.runs.map((q) => q.usage.wallSec));
    const e = r.e2e[r.naive.size];
    const drop = median((e?.drop ?? []).map((q) => q.usage.wallSec));
    const portal = median((e?.portal ?? []).map((q) => q.usage.wallSec));
    const nr = r.naive.runs;
    const naiveMixed = acrossRuns(r, { section: 'naive', what: 'the naive script' }, { section: 'e2e', what: 'the project' });
    const e0 = e?.drop ?? [];
    const ph = (k: keyof PipelineResult['phases']): number => median(e0.map((q) => q.result.phases[k]));
    const landTransform = ph('land') + ph('transform');
    L.push('bench/lib/naive.ts does the same work a user needs for the same result, in one JS thread: every CSV export read line by line');
    L.push('(readline, a hand-written RFC 4180 split), each row built as the canonical dossier and validated with the project\'s zod');
    L.push('`Dossier` schema and the registry (invalid rows → a quarantine list with file, row and reason), repeated ids quarantined, valid');
    L.push('rows written per partition (source × year × month) with hyparquet-writer (pure JS, SNAPPY), then the Biểu 06 columns per');
    L.push('reporting agency and month computed in JS (holder after mergers, received online / offline, carried over, resolved early / on');
    L.push('time / late with supplement days, pending in time / overdue). It leaves out quarter / half / year periods, the 766 and PAR');
    L.push('models and the landing log. **It is compared with the project\'s land + transform of the CSV drop** (every model, not only');
    L.push('the agency-period ones; staging — copying the files into raw/ — is left out, as the naive script reads them in place); the');
    L.push('end-to-end drop and portal ratios are shown beside it.', '');
    L.push('| size | naive wall (s) | parse + validate / write / Biểu 06 (s) | CPU (s) | peak RSS (MB) | project land + transform, drop (s) | naive / project land + transform | naive / project drop end to end | naive / project portal | target ≥ 20 × |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    L.push(`| ${size(r.naive.size)} | ${fig(stats(nr.map((q) => q.usage.wallSec)))} | ${f1(median(nr.map((q) => q.result.parse)))} / ${f1(median(nr.map((q) => q.result.write)))} / ${f1(median(nr.map((q) => q.result.aggregate)))} | ${f1(median(nr.map((q) => q.usage.cpuSec)))} | ${n0(Math.round(median(nr.map((q) => q.usage.peakRssMb))))} | ${f1(landTransform)} | ${f2(nv / landTransform)} × | ${f2(nv / drop)} × | ${f2(nv / portal)} × | ${verdict(nv / landTransform >= TARGETS.naiveRatio, naiveMixed)} |`);
    const c = r.naive.check;
    if (c) L.push('', `Output check (DuckDB reading the naive Parquet back, not timed): ${n0(c.parquetRows)} rows in ${n0(c.files)} files; ${n0(nr[0]!.result.rowsRead)} lines read = ${n0(nr[0]!.result.dossiers)} written + ${n0(nr[0]!.result.quarantined)} quarantined — ${c.parquetRows === nr[0]!.result.dossiers && c.quarantined === nr[0]!.result.quarantined && nr[0]!.result.rowsRead === c.parquetRows + c.quarantined ? 'every row is accounted for' : '**rows missing**'}.`);
    if (naiveMixed) L.push('', MIXED_NOTE);
    else if (nv / landTransform < TARGETS.naiveRatio) {
      const base = r.baseline[r.naive.size];
      const bw = base ? median(base.map((q) => q.usage.wallSec)) : Number.NaN;
      L.push('', `Why missed: the naive script handles ${n0(Math.round(r.naive.size / nv))} rows/s in one JS thread, so the target needs the project's land + transform at ${f1(nv / TARGETS.naiveRatio)} s or less; it takes ${f1(landTransform)} s (end to end ${f1(drop)} s: stage ${f1(ph('stage'))}, land ${f1(ph('land'))}, transform ${f1(ph('transform'))}).${Number.isFinite(bw) ? ` The bare DuckDB script of section 2 takes ${f1(bw)} s (land ${f1(median(base!.map((q) => q.result.land)))}, every model ${f1(median(base!.map((q) => q.result.transform)))}): ${bw > nv / TARGETS.naiveRatio ? 'the target is out of reach even for it: the naive script does the landing and the monthly Biểu 06 only, where the project builds every model' : 'DuckDB itself would meet it, so the gap is the project\'s own overhead (section 2)'}.` : ''}`);
    }
  } else L.push(`Not measured: ${r.skipped.naive ?? 'skipped'}.`);

  // 4. Incremental
  L.push('', `## 4. Incremental cost: one new month on seven years${carriedTag(r, 'incremental')}`, '');
  const increments = incrementalOutcomes(r);
  if (increments.length > 0) {
    const history = increments.map((inc) => `${f1(inc.result.history.phases.total)} s at ${size(inc.size)}`).join(', ');
    L.push(`A lake holding 2019-01…2025-11 (pulled, landed, transformed once: ${history}; not part of the figure), then 2025-12 pulled`);
    L.push('from the portal with its NSW files and 766 answer, landed and every model rebuilt; repeated on a copy of the same history for');
    L.push('each run. Compared with the full backfill of section 1 (portal) at the same size.', '');
    L.push('| size | new month: stage | land | transform | total (s) | full backfill (s) | share | target ≤ 5 % |', '|---|---:|---:|---:|---:|---:|---:|---|');
    const missed: string[] = [];
    const mixed = acrossRuns(r, { section: 'incremental', what: 'the new month' }, { section: 'e2e', what: 'the backfill' });
    for (const inc of increments) {
      const full = median((r.e2e[inc.size]?.portal ?? []).map((q) => q.usage.wallSec));
      const incs = inc.result.increments;
      const month = stats(incs.map((q) => q.phases.total));
      const ph = (k: keyof PipelineResult['phases']): number => median(incs.map((q) => q.phases[k]));
      const share = month.median / full;
      L.push(`| ${size(inc.size)} | ${f2(ph('stage'))} | ${f2(ph('land'))} | ${f2(ph('transform'))} | ${fig(month, f2)} | ${f1(full)} | ${percentAgainst(share, TARGETS.incrementalShare)} % | ${Number.isFinite(share) ? verdict(share <= TARGETS.incrementalShare, mixed) : 'no backfill measured at this size'} |`);
      if (share > TARGETS.incrementalShare && !mixed) {
        const slow = [...(incs[0]?.transformProfile ?? [])].sort((a, b) => b.seconds - a.seconds).slice(0, 3).map((t) => `${t.model} ${f2(t.seconds)} s`).join(', ');
        missed.push(`at ${size(inc.size)}, ${f1((100 * ph('transform')) / month.median)} % of the new month is the transform (slowest models: ${slow}) and the month's stage and land take ${f2(ph('stage') + ph('land'))} s`);
      }
    }
    if (mixed) L.push('', MIXED_NOTE);
    if (missed.length > 0) {
      L.push('', `Why missed: ${missed.join('; ')}. The incremental models (the staged and per-dossier tables by month of receipt, the period models by report year) rebuild and test only the partitions the month touches (docs/architecture.md, "Incremental models"), but the \`table\` models and the single-file copies of the incremental marts are rebuilt whole, and each of the run's models and tests has a fixed cost.`);
    }
    if (r.skipped.incremental) L.push('', `Not measured at every size: ${r.skipped.incremental}.`);
  } else L.push(`Not measured: ${r.skipped.incremental ?? 'skipped'}.`);

  // 5. Dashboards
  L.push('', `## 5. Dashboards${carriedTag(r, 'dashboards')}`, '');
  if (r.dashboards) {
    const d = r.dashboards.result;
    if (d.built) L.push(`buildDashboards({lakeDir}) on the ${size(r.dashboards.size)} lake of section 1 (\`evidence sources\` + \`evidence build:strict\`), then each page loaded`);
    else L.push(`The site already built in dashboards/build (base path "${d.basePath}"; not rebuilt in a quick run), each page loaded`);
    L.push('in headless Chromium, served on 127.0.0.1 by dashboards/scripts/serve.mjs (the preview server; hashed assets cached as immutable), with every');
    L.push('other request aborted. **Time to interactive** = navigation start to the moment the page responds to an input with the');
    L.push('inputs\' first answers on screen: the latest of DOMContentLoaded\'s end, the app hydrated with no loading placeholder left (every');
    L.push('query of the first render answered; Evidence prerenders them) and, on a page with inputs, its first picker opened by a click and');
    L.push('listing its options. DuckDB-WASM starts lazily, on the first query the page runs or the first intent to use an input (bench/history.md,');
    L.push('change 13): **engine ready** = when every table of the site\'s manifest answers a query in it, i.e. when a changed input can be');
    L.push('re-queried, for a reader who reaches for the first picker as soon as the page is interactive. **Cold**: a new browser context (empty');
    L.push('cache: DuckDB-WASM\'s 34 MB fetched and compiled once started); **warm**: the same page loaded again in that context, as on a second');
    L.push('visit. **Content** = largest contentful paint of the cold load.', '');
    if (d.built) L.push(`Build: ${f1(d.buildSeconds)} s (+ sources ${f1(d.sourcesSeconds)} s; ${f1(d.wallSeconds)} s in all), ${d.pages} pages — target ≤ 90 s: ${ok(d.buildSeconds + d.sourcesSeconds <= TARGETS.buildSec)}.`, '');
    else L.push(`Build: not measured in this quick run (the full run builds; \`--build-dashboards\` forces it). ${d.pages} pages in the site.`, '');
    const warmOf = (page: string): number[] => d.ttiWarm?.find((w) => w.page === page)?.seconds ?? [];
    const lcpOf = (page: string): number[] => d.lcp?.find((w) => w.page === page)?.seconds ?? [];
    const engineOf = (page: string): number[] => d.engine?.find((w) => w.page === page)?.seconds ?? [];
    L.push('| page | interactive, cold (s) | interactive, warm (s) | content, cold (s) | engine ready, cold (s) | target ≤ 2 s (cold / warm) | console errors |', '|---|---:|---:|---:|---:|---|---|');
    for (const p of d.tti) {
      const warm = warmOf(p.page);
      const engine = engineOf(p.page);
      L.push(`| ${p.page} | ${fig(stats(p.seconds), f2)} | ${fig(stats(warm), f2)} | ${fig(stats(lcpOf(p.page)), f2)} | ${engine.length ? fig(stats(engine), f2) : 'no input'} | ${ok(median(p.seconds) <= TARGETS.ttiSec)} / ${warm.length ? ok(median(warm) <= TARGETS.ttiSec) : '–'} | ${p.errors.length ? p.errors.join('; ').replaceAll('|', '\\|') : 'none'} |`);
    }
    const slowPages = d.tti.filter((p) => median(p.seconds) > TARGETS.ttiSec);
    const slowWarm = d.tti.filter((p) => warmOf(p.page).length > 0 && median(warmOf(p.page)) > TARGETS.ttiSec);
    if (slowPages.length || slowWarm.length || (d.built && d.buildSeconds + d.sourcesSeconds > TARGETS.buildSec)) {
      const spread = (p: { page: string; seconds: number[] }): string => {
        const st = stats(p.seconds);
        return `\`${p.page}\` ${f2(st.median)} s (loads ${p.seconds.map(f2).join(', ')}${st.min <= TARGETS.ttiSec ? '; the fastest within the target' : ''})`;
      };
      L.push('', `Why missed (${slowPages.length} of ${d.tti.length} pages over 2 s cold, ${slowWarm.length} warm${slowPages.length ? `: ${slowPages.map(spread).join('; ')}` : ''}): the time to interactive is the page's own JavaScript (Evidence, ECharts: parsed, run and hydrated on the main thread) and the first picker's response; DuckDB-WASM no longer counts (it starts on the first use of an input, bench/history.md change 13). On 2 cores shared with other work the main thread is the limit (load average at the end of this run ${(r.loadAverageAtEnd ?? m.loadAverageAtStart).map(f2).join(' ')}).`);
    }
  } else L.push(`Not measured: ${r.skipped.dashboards ?? 'skipped'}.`);

  // 6. Where the time goes
  L.push('', `## 6. Where the time goes${carriedTag(r, 'e2e')}`, '');
  const slowest = Object.entries(r.e2e).sort(([a], [b]) => Number(b) - Number(a))[0];
  const runs = slowest?.[1].portal ?? slowest?.[1].drop;
  if (slowest && runs?.length) {
    const x = runs[0]!.result;
    const first = runs[0]!;
    if (slowest[1].portal && first.portalCpuSec) {
      L.push(`Stage (the pull) of the largest run (${size(Number(slowest[0]))}, portal, first run): ${f1(x.phases.stage)} s wall, while the loopback portal process used ${f1(first.portalCpuSec)} s CPU building and serving the pages (a DuckDB query and a JSON body per page)${first.portalCpuSec > x.phases.stage / 2 ? ': most of the pull is the test portal\'s own work on the same 2 cores, where a real portal serves from its own machines' : ''}.`, '');
    }
    L.push(`Profile of the largest end-to-end run (${size(Number(slowest[0]))}, ${slowest[1].portal ? 'portal' : 'drop'}, first run). Land phases (seconds, summed over chunks; \`profile\` option of landStaged):`, '');
    L.push('| land phase | s |', '|---|---:|');
    for (const [k, v] of Object.entries(x.landProfile).sort((a, b) => b[1] - a[1])) L.push(`| ${k} | ${f2(v)} |`);
    L.push('', 'Slowest models of the transform:', '');
    L.push('| model | s |', '|---|---:|');
    for (const t of [...x.transformProfile].sort((a, b) => b.seconds - a.seconds).slice(0, 6)) L.push(`| ${t.model} | ${f2(t.seconds)} |`);
  }
  // 7. The 50 M rehearsal: this run's when it has one, else the last one recorded in bench/rehearsal.json.
  const rehearsal = rehearsalOf(r);
  L.push(...renderRehearsal(rehearsal ?? (await savedRehearsal()), rehearsal !== undefined));
  L.push('', await readFile(path.join(BENCH_DIR, 'history.md'), 'utf8').catch(() => ''));
  if (Object.keys(r.skipped).length) {
    L.push('', '## Not measured in this run', '');
    for (const [k, v] of Object.entries(r.skipped)) L.push(`- ${k}: ${v}`);
  }
  L.push('', `Total bench wall time: ${f1((r.benchSeconds ?? 0) / 60)} min (${r.quick ? 'quick run, budget 5 min' : 'full run, budget 45 min'})${setupNote(r)}.`);
  return `${L.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
