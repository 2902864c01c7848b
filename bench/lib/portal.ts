/**
 * The loopback portal in its own process (functions/portal/main.ts on an ephemeral 127.0.0.1 port),
 * so the server's CPU and memory are not counted as the pipeline's.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './child.js';
import { BENCH_TOKEN } from './pipeline-jobs.js';

export interface PortalProcess {
  url: string;
  /** CPU seconds (user + system) the portal process has used so far; 0 where /proc is unavailable. */
  cpuSeconds(): number;
  close(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function procCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

export async function startPortalProcess(dataDir: string): Promise<PortalProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'functions/portal/main.ts'), '--data', dataDir, '--real', path.join(REPO, 'functions/portal/fixtures/dvcqg-766'), '--port', '0'],
    { cwd: REPO, env: { ...process.env, PORTAL_TOKEN: BENCH_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const errors: string[] = [];
  child.stderr?.on('data', (b: Buffer) => errors.push(b.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`[bench] Failed to start the portal: exit ${String(code)}\n${errors.join('')}`)));
  });
  return {
    url,
    cpuSeconds: () => procCpuSeconds(child.pid),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
