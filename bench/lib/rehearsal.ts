/**
 * The national-scale rehearsal (issue 15 item 4): one end-to-end run at 50 M dossiers, opt-in
 * (`npm run bench -- --sizes 50000000 --runs 1`; it takes hours on 2 cores, so it is not part of the
 * 45-minute full run nor of CI). A run that includes a size of REHEARSAL_MIN or more writes its figures
 * to bench/rehearsal.json (committed), and every later report renders them in its "National-scale
 * rehearsal" section, so a regenerated BENCHMARKS.md keeps them; the section says when and under what
 * load they were measured.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BENCH_DIR, type Usage } from './child.js';
import type { DatasetInfo } from './datasets.js';
import type { LakeStats } from './lake-stats.js';
import type { PipelineResult } from './pipeline-jobs.js';

/** Sizes from here up are a rehearsal (the targets are about 1 M and 10 M). */
export const REHEARSAL_MIN = 20_000_000;
export const REHEARSAL_FILE = path.join(BENCH_DIR, 'rehearsal.json');

export interface RehearsalRecord {
  /** When the bench run started (UTC ISO). */
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; duckdb: string; os: string };
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  size: number;
  dataset?: DatasetInfo;
  mode: 'portal' | 'drop';
  /** Absent when the run failed (see failure). */
  usage?: Usage;
  portalCpuSec?: number;
  result?: Omit<PipelineResult, 'lake'>;
  lake?: LakeStats;
  failure?: string;
}

/** Minimal view of the bench results this needs (bench/lib/report.ts's BenchResults). */
interface ResultsLike {
  startedAt: string;
  machine: RehearsalRecord['machine'] & { loadAverageAtStart: number[] };
  loadAverageAtEnd?: number[];
  settings: { sizes: number[] };
  datasets: Record<number, DatasetInfo>;
  e2e: Record<number, { portal?: { usage: Usage; result: PipelineResult; portalCpuSec?: number }[]; drop?: { usage: Usage; result: PipelineResult; portalCpuSec?: number }[] }>;
  skipped: Record<string, string>;
}

/** The rehearsal of a bench run (its largest size ≥ REHEARSAL_MIN), or undefined when it has none. */
export function rehearsalOf(r: ResultsLike): RehearsalRecord | undefined {
  const size = Math.max(0, ...r.settings.sizes);
  if (size < REHEARSAL_MIN) return undefined;
  const { loadAverageAtStart, ...machine } = r.machine;
  const e = r.e2e[size];
  // The bench runs the portal path first at every size: a run that failed failed on it.
  const mode = e?.drop?.length && !e.portal?.length ? 'drop' : 'portal';
  const run = e?.[mode]?.[0];
  const base: RehearsalRecord = { startedAt: r.startedAt, machine, loadAverageAtStart, loadAverageAtEnd: r.loadAverageAtEnd, size, dataset: r.datasets[size], mode };
  // No e2e attempt at that size (e.g. `--only baseline`): nothing to record, the last rehearsal stands.
  if (!run) return r.skipped[`e2e ${size}`] ? { ...base, failure: r.skipped[`e2e ${size}`] } : undefined;
  const { lake, ...result } = run.result;
  return { ...base, usage: run.usage, portalCpuSec: run.portalCpuSec, result, lake };
}

export async function savedRehearsal(file = REHEARSAL_FILE): Promise<RehearsalRecord | undefined> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as RehearsalRecord) : undefined;
}

const n0 = (x: number): string => Math.round(x).toLocaleString('en-US').replaceAll(',', ' ');
const f1 = (x: number | undefined): string => (x !== undefined && Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number): string => x.toFixed(2);
const size = (n: number): string => `${n / 1_000_000} M`;
const gb = (b: number): string => (b / 2 ** 30).toFixed(2);

/** The report's section for a rehearsal record (`current`: measured in this bench run, else read from bench/rehearsal.json). */
export function renderRehearsal(rec: RehearsalRecord | undefined, current: boolean): string[] {
  const L: string[] = ['', '## 7. National-scale rehearsal', ''];
  if (!rec) {
    L.push('Not run yet: `npm run bench -- --sizes 50000000 --runs 1` (opt-in, hours on 2 cores) writes bench/rehearsal.json, which every later report shows here.');
    return L;
  }
  const when = rec.startedAt.slice(0, 16).replace('T', ' ');
  const verb = rec.usage ? 'Measured' : 'Attempted';
  L.push(`${current ? `${verb} in this run` : `${verb} by an earlier, opt-in run (\`npm run bench -- --sizes 50000000 --runs 1\`), read from bench/rehearsal.json`}: ${size(rec.size)} dossiers, ${rec.mode} path, one run, started ${when} UTC on ${rec.machine.cpus} cores / ${f1(rec.machine.memoryGb)} GB (DuckDB ${rec.machine.duckdb}, memory_limit 2 GB). Where the load averages below exceed the cores, other work shared the machine and inflated the wall times (CPU seconds are the job's own).`);
  if (rec.dataset) L.push('', `Dataset: ${n0(rec.dataset.dossiers)} dossiers (${n0(rec.dataset.portalDossiers)} portal, ${n0(rec.dataset.nswDossiers)} NSW), ${n0(rec.dataset.files)} files, ${gb(rec.dataset.totalBytes)} GiB (portal CSV ${gb(rec.dataset.portalCsvBytes)} GiB), generated in ${f1(rec.dataset.seconds / 60)} min.`);
  L.push('', `Load average (1, 5, 15 min) at the bench's start: ${rec.loadAverageAtStart.map(f2).join(' ')}; at its end: ${(rec.loadAverageAtEnd ?? []).map(f2).join(' ') || '–'}.`);
  if (!rec.usage || !rec.result) {
    L.push('', `**Did not complete**: ${rec.failure ?? 'no figures'}.`);
    return L;
  }
  const x = rec.result;
  const peak = rec.usage.peakRssMb;
  L.push('', '| phase | wall (s) | CPU (s) | peak RSS (MB) | mean load average (1 min) |', '|---|---:|---:|---:|---:|');
  for (const k of ['stage', 'land', 'transform'] as const) {
    L.push(`| ${k} | ${f1(x.phases[k])} | ${f1(x.phaseCpu?.[k])} | ${x.peakRss ? n0(x.peakRss[k]) : '–'} | ${f1(x.loadAverage?.[k])} |`);
  }
  L.push(`| whole job | ${f1(rec.usage.wallSec)} | ${f1(rec.usage.cpuSec)} | ${n0(peak)} | |`);
  if (rec.portalCpuSec !== undefined) L.push('', `The loopback portal (its own process on the same cores) used ${f1(rec.portalCpuSec)} s CPU serving the pull.`);
  L.push('', `Rows: ${n0(x.rowsRead)} read = ${n0(x.rowsLanded)} landed + ${n0(x.rowsQuarantined)} quarantined${x.rowsRead === x.rowsLanded + x.rowsQuarantined ? '' : ' — **rows unaccounted for**'}; ${n0(x.rawFiles)} raw files; ${x.models} models. Peak RSS ≤ 3 GB: ${peak <= 3072 ? 'met' : '**missed**'} (${n0(peak)} MB).`);
  if (rec.lake) {
    const t = rec.lake.tables;
    const sum = (prefix: string): { files: number; bytes: number } =>
      Object.entries(t).filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => ({ files: s.files + v.files, bytes: s.bytes + v.bytes }), { files: 0, bytes: 0 });
    L.push('', 'The lake it left (the inputs of the cost model in docs/deploy.md):', '', '| area | files | GiB |', '|---|---:|---:|');
    for (const a of ['raw/', 'manifest/', 'landed/', 'quarantine/', 'models/']) {
      const s = sum(a);
      if (s.files) L.push(`| ${a} | ${n0(s.files)} | ${gb(s.bytes)} |`);
    }
    L.push(`| whole lake | ${n0(rec.lake.files)} | ${gb(rec.lake.bytes)} |`);
    const dossiers = t['landed/dossiers'];
    if (dossiers) {
      L.push('', '`landed/dossiers` by year of receipt (MiB): ' + Object.entries(dossiers.years).sort().map(([y, v]) => `${y} ${(v.bytes / 2 ** 20).toFixed(0)}`).join(', ') + '.');
    }
  }
  return L;
}
