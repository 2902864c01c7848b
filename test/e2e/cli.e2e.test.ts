/**
 * The CLI is a thin edge over the core: each command, run as a person would, on a small drop
 * directory, in a fresh process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readBieu06Xlsx } from '../../functions/core/readers/xlsx/bieu06.js';
import { REPO } from '../helpers/demo-lake.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(path.join(REPO, 'node_modules/.bin/tsx'), [path.join(REPO, 'functions/cli/main.ts'), '--lake', path.join(dir, 'lake'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PIPELINE_WORK_DIR: path.join(dir, 'work'), PORTAL_TOKEN: '' },
    timeout: 240_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('CLI commands on a small drop directory', () => {
  test('should generate, ingest, land, transform, snapshot, report and verify, each as one command', async () => {
    expect(cli('generate', '--out', path.join(dir, 'drop'), '--dossiers', '3000').status).toBe(0);
    const pulled = cli('pull', '--source', 'drop', '--dir', path.join(dir, 'drop'));
    expect(pulled.status, pulled.out).toBe(0);
    const landed = cli('land');
    expect(landed.status, landed.out).toBe(0);
    expect(landed.out).toMatch(/Landed \d+ files: (\d+) rows read, \1 landed, 0 quarantined/);
    const t = cli('transform');
    expect(t.status, t.out).toBe(0);
    expect(t.out).toMatch(/Built \d+ models \(full, no state of a previous transform\); \d+ tests passed/);
    expect(cli('snapshot', '--period', '2025-12').out).toContain('Published snapshots/2025-12/');
    expect(cli('snapshot', '--period', '2025-12').out).toContain('was already published; verified');
    const report = cli('report', '--period', '2025-12');
    expect(report.status, report.out).toBe(0);
    expect(report.out).toContain(`Published ${path.join(dir, 'lake', 'reports', '2025-12')}/ (revision 1): bao-cao-2025-12.docx, bao-cao-2025-12.pdf, bieu06-2025-12.xlsx, bieu06-2025-q4.xlsx, bieu06-2025.xlsx\n`);
    expect(cli('report', '--period', '2025-12').out).toContain('was already published; verified 5 files');
    // December's pack carries the annual report's Biểu 06: the year 2025, every unit line read back clean.
    const year = await readBieu06Xlsx(path.join(dir, 'lake', 'reports', '2025-12', 'bieu06-2025.xlsx'));
    expect(year.quarantine).toEqual([]);
    expect(year.checks).toEqual([]);
    expect(year.rows.length).toBeGreaterThan(5);
    expect(new Set(year.rows.map((r) => `${r.period_type} ${r.year} ${r.period_start}`))).toEqual(new Set(['year 2025 2025-01-01']));
    const missing = cli('report', '--period', '2025-11');
    expect(missing.status).toBe(1);
    expect(missing.out).toContain('no published snapshot snapshots/2025-11/');
    expect(missing.out).toContain('Snapshots published: 2025-12.');
    const v = cli('verify');
    expect(v.status, v.out).toBe(0);
    expect(v.out).toMatch(/OK: \d+ files, 3\d{3} dossiers, 1 snapshots/);
    // January 2026 has ended, but no export of it has landed: refused, then frozen once the operator names the sources.
    const undelivered = cli('snapshot', '--period', '2026-01');
    expect(undelivered.status).toBe(1);
    expect(undelivered.out).toContain('Failed to snapshot 2026-01: no dossier file has landed from nsw/H99.04 for 2026-01; from nsw/H99.07.01 for 2026-01; from nsw/H99.09.01 for 2026-01; from portal for 2026-01;');
    const allowed = cli('snapshot', '--period', '2026-01', '--allow-missing', 'portal,nsw');
    expect(allowed.status, allowed.out).toBe(0);
    expect(allowed.out).toContain('Published snapshots/2026-01/');
    // `run` takes the same choice for its snapshot: refused, the run's summary printed, then frozen when named.
    const refusedRun = cli('run', '--snapshot', '2026-02');
    expect(refusedRun.status).toBe(1);
    expect(refusedRun.out).toMatch(/Verified\s+3[\d.]{4,} dossiers, no id twice; .*2 snapshots match their manifests/);
    expect(refusedRun.out).toContain('[run] Failed to snapshot 2026-02: no dossier file has landed from nsw/H99.04 for 2026-02; from nsw/H99.07.01 for 2026-02; from nsw/H99.09.01 for 2026-02; from portal for 2026-02;');
    expect(cli('run', '--allow-missing', 'nsw').out).toContain('--allow-missing and --source-ended are for the snapshot: give --snapshot <month>');
    const allowedRun = cli('run', '--snapshot', '2026-02', '--allow-missing', 'portal,nsw');
    expect(allowedRun.status, allowedRun.out).toBe(0);
    expect(allowedRun.out).toMatch(/Snapshots\s+published 2026-02/);
    // One NSW unit named: the others are still refused by name.
    const oneUnit = cli('snapshot', '--period', '2026-03', '--allow-missing', 'portal,nsw/H99.04');
    expect(oneUnit.status).toBe(1);
    expect(oneUnit.out).toMatch(/Failed to snapshot 2026-03: no dossier file has landed from nsw\/H99\.07\.01 for 2026-03; from nsw\/H99\.09\.01 for 2026-03;/);
  }, 600_000);

  test('should refuse a bad month with a message and a non-zero exit', () => {
    const r = cli('snapshot', '--period', '2025-13');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('expected YYYY-MM');
  });

  test('should say what is missing when pulling the portal without a token', () => {
    const r = cli('pull', '--source', 'portal', '--period', '2025-01');
    expect(r.status).toBe(1);
    expect(r.out).toContain('set PORTAL_TOKEN');
  });

  test('should pull the portal in `run --from` alone (its month), and refuse --to without --from', () => {
    // Without a token the pull it now starts says so (it was skipped without a word).
    const r = cli('run', '--from', '2025-01');
    expect(r.status).toBe(1);
    expect(r.out).toContain('set PORTAL_TOKEN');
    const to = cli('run', '--to', '2025-01');
    expect(to.status).not.toBe(0);
    expect(to.out).toContain('--to needs --from');
  });

  test("should take the portal token from the --config file's portal.token", () => {
    const config = path.join(dir, 'with-token.json');
    writeFileSync(config, JSON.stringify({ portal: { baseUrl: 'http://127.0.0.1:9', token: 'from-the-file' } }));
    const r = cli('--config', config, 'pull', '--source', 'portal', '--period', '2025-01');
    expect(r.status).toBe(1);
    // It went for the portal (refused on the closed port), not for a missing token; the token is never printed.
    expect(r.out).not.toContain('set PORTAL_TOKEN');
    expect(r.out).toContain('127.0.0.1:9');
    expect(r.out).not.toContain('from-the-file');
  });
});
