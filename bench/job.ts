/**
 * One measured job in its own process: `node --import tsx bench/job.ts <name> '<json params>' <result.json>`.
 * Writes { usage, result } to result.json; usage is this process's own (see lib/child.ts).
 */
import { writeFile } from 'node:fs/promises';
import { runBaseline, type BaselineParams } from './lib/baseline.js';
import type { Usage } from './lib/child.js';
import { runDashboards, type DashboardsParams } from './lib/dashboards.js';
import { generateDataset, type GenerateParams } from './lib/datasets.js';
import { runNaive, type NaiveParams } from './lib/naive.js';
import { runIncremental, runPipeline, type IncrementalParams, type PipelineParams } from './lib/pipeline-jobs.js';

const [name, paramsText, resultFile] = process.argv.slice(2);
if (!name || !paramsText || !resultFile) {
  console.error('usage: bench/job.ts <name> <json params> <result file>');
  process.exit(2);
}
const params: unknown = JSON.parse(paramsText);

const jobs: Record<string, (p: never) => Promise<unknown>> = {
  generate: (p: GenerateParams) => generateDataset(p),
  pipeline: (p: PipelineParams) => runPipeline(p),
  incremental: (p: IncrementalParams) => runIncremental(p),
  baseline: (p: BaselineParams) => runBaseline(p),
  naive: (p: NaiveParams) => runNaive(p),
  dashboards: (p: DashboardsParams) => runDashboards(p),
};

const job = jobs[name];
if (!job) {
  console.error(`[bench] Failed to run job ${name}: unknown job (${Object.keys(jobs).join(', ')})`);
  process.exit(2);
}
const t0 = performance.now();
const result = await job(params as never);
const wallSec = (performance.now() - t0) / 1000;
const ru = process.resourceUsage();
const usage: Usage = { wallSec, cpuSec: (ru.userCPUTime + ru.systemCPUTime) / 1e6, peakRssMb: ru.maxRSS / 1024 };
await writeFile(resultFile, JSON.stringify({ usage, result }));
// DuckDB and the HTTP agent may keep handles; the job is done.
process.exit(0);
