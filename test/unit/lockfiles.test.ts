/**
 * `npm ci` refuses a lock that lacks other platforms' optional native packages, which a registry
 * that does not serve them leaves out on `npm install`: both locks must stay complete.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO } from '../helpers/demo-lake.js';

describe.each(['package-lock.json', 'dashboards/package-lock.json'])('Lockfile %s', (lock) => {
  test('should already hold every platform package npm ci needs (complete-lock adds none)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-'));
    try {
      const copy = path.join(dir, 'package-lock.json');
      copyFileSync(path.join(REPO, lock), copy);
      const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/complete-lock.mjs'), copy], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('complete-lock: added 0 platform entries');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
