/**
 * Measured jobs run in their own Node process, so one job's peak RSS, CPU time and heap never
 * pollute another's. The child (bench/job.ts) reports `process.resourceUsage()` at its end: maxRSS
 * covers DuckDB's native memory too, since DuckDB runs inside the process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(BENCH_DIR, '..');

export interface Usage {
  /** Wall time of the job's work (inside the child, after imports). */
  wallSec: number;
  /** User + system CPU time of the whole child process. */
  cpuSec: number;
  /** Peak resident set size of the child process, MB. */
  peakRssMb: number;
}

export interface JobOutcome<R> {
  usage: Usage;
  result: R;
}

/** Run `bench/job.ts <name>` in a fresh Node process and return what it reported. */
export async function runJob<R>(name: string, params: unknown, opts: { outDir: string; cpuProf?: string; log?: (line: string) => void } ): Promise<JobOutcome<R>> {
  await mkdir(opts.outDir, { recursive: true });
  const resultFile = path.join(opts.outDir, `job-${name}-${process.pid}-${Date.now()}.json`);
  const args = ['--import', 'tsx'];
  if (opts.cpuProf) args.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`);
  args.push(path.join(BENCH_DIR, 'job.ts'), name, JSON.stringify(params), resultFile);
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'inherit', 'pipe'] });
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString('utf8');
      stderr.push(text);
      for (const line of text.split('\n')) if (line.trim()) opts.log?.(`  [${name}] ${line}`);
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    // Its first lines (where Node prints the error) and its last ones (the cause, after the SQL and stack).
    const all = stderr.join('');
    throw new Error(`[bench] Failed to run job ${name}: exit code ${String(code)}\n${all.length <= 6000 ? all : `${all.slice(0, 2000)}\n…\n${all.slice(-4000)}`}`);
  }
  const out = JSON.parse(await readFile(resultFile, 'utf8')) as JobOutcome<R>;
  await rm(resultFile, { force: true });
  return out;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(values: number[]): Stats {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const median = n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
  return { median, min: v[0]!, max: v[n - 1]!, n };
}

/**
 * One line for a failed job (bench/run.ts `skipped`): the job's first line and the job's own error
 * line ("Failed to materialise int_dossiers_attributed …: IO Error: … No space left on device"), else
 * the last error Node printed — not the SQL text or stack that happens to start the output's tail.
 */
export function failureSummary(message: string, max = 600): string {
  // without the "[bench]" / "[pipeline]" / "[cause]:" tags and the brackets Node prints around a cause
  const lines = message
    .split('\n')
    .map((l) => l.replace(/^(\s*\[[\w ]+\]:?\s*)+/, '').replace(/^\[(.*)\]$/, '$1').trim())
    .filter(Boolean);
  const first = lines[0] ?? '';
  const rest = lines.slice(1).filter((l) => !/^at /.test(l));
  // the job's own error line (it names the step and carries its cause), else the last error Node printed
  const cause = rest.find((l) => /Failed to /.test(l)) ?? rest.filter((l) => /\b\w*Error\b:/.test(l)).at(-1);
  return (cause && !first.includes(cause) ? `${first}: ${cause}` : first).slice(0, max);
}


/**
 * Write back what the harness itself wrote (a copied lake, a restored history) before a measured run
 * starts: `sync`, the coreutils command. Without it the run's first fsync paid for flushing the copy
 * (a month's land waited 0.2 s on putting one 1 MB partition right after a 160 MB copy of the
 * history; bench/history.md, change 73). A monthly run in production starts on a lake at rest.
 */
export function settleDisk(): void {
  execFileSync('sync');
}
