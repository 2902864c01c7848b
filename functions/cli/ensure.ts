/**
 * Set-up that `npm start` and `npm test` do for themselves on a fresh machine: the dashboards' own
 * node_modules (their separate lockfile) and Debian's chromium for the browser tests. Where it
 * cannot, it says what to run instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DASHBOARDS_DIR = path.join(REPO_ROOT, 'dashboards');
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new Error(`[pipeline] [setup] Failed to run ${cmd} ${args.join(' ')} in ${cwd} (exit ${r.status ?? r.signal})`);
}

/**
 * npm ci in dashboards/ when its node_modules is missing or older than its lockfile or any of the
 * reviewed patches its postinstall applies (dashboards/patches/): a new patch is never left unapplied.
 */
export function ensureDashboardDeps(log: (m: string) => void = console.error): void {
  const lock = path.join(DASHBOARDS_DIR, 'package-lock.json');
  if (!existsSync(lock)) return;
  const marker = path.join(DASHBOARDS_DIR, 'node_modules', '.package-lock.json');
  const patches = path.join(DASHBOARDS_DIR, 'patches');
  const inputs = [lock, path.join(DASHBOARDS_DIR, 'package.json'), ...(existsSync(patches) ? readdirSync(patches).map((f) => path.join(patches, f)) : [])];
  const newest = Math.max(...inputs.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
  if (existsSync(marker) && statSync(marker).mtimeMs >= newest) return;
  log('Installing the dashboards\' own dependencies (dashboards/package-lock.json, one time, ~2 min)…');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], DASHBOARDS_DIR);
}

export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}

/** Debian's chromium for the browser tests; installed with apt-get when we are root. */
export function ensureChromium(log: (m: string) => void = console.error): string {
  const found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      '[pipeline] [setup] Failed to find Chromium for the browser tests: install Debian\'s package with `sudo apt-get update && sudo apt-get install -y chromium` (or set CHROMIUM_PATH), then run npm test again.',
    );
  }
  log('Installing Debian\'s chromium for the browser tests (apt-get, one time)…');
  run('apt-get', ['update', '-qq'], REPO_ROOT);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], REPO_ROOT);
  const installed = findChromium();
  if (!installed) throw new Error('[pipeline] [setup] Failed to install chromium: apt-get finished but /usr/bin/chromium is missing');
  return installed;
}

export const PDFTOTEXT_CANDIDATES = ['/usr/bin/pdftotext', '/usr/local/bin/pdftotext'];

/** pdftotext/pdftoppm (Debian's poppler-utils) for the report tests; installed with apt-get when we are root. */
export function ensurePoppler(log: (m: string) => void = console.error): string {
  const found = PDFTOTEXT_CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      '[pipeline] [setup] Failed to find pdftotext for the report tests: install Debian\'s package with `sudo apt-get update && sudo apt-get install -y poppler-utils`, then run npm test again.',
    );
  }
  log('Installing Debian\'s poppler-utils for the report tests (apt-get, one time)…');
  run('apt-get', ['update', '-qq'], REPO_ROOT);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'poppler-utils'], REPO_ROOT);
  const installed = PDFTOTEXT_CANDIDATES.find((p) => existsSync(p));
  if (!installed) throw new Error('[pipeline] [setup] Failed to install poppler-utils: apt-get finished but pdftotext is missing');
  return installed;
}
