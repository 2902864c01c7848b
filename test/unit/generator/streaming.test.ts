import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'gen-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateDemo at a larger scale', () => {
  // 600 000 dossiers held at once would need well over 150 MB of heap (≈ 250 bytes each); written
  // month by month they fit in a small one. An 80 MB old-space limit makes the process die with
  // "heap out of memory" if the generator ever keeps all dossiers — a memory bound, not a timing.
  test('should write 600 000 dossiers within an 80 MB heap', async () => {
    const { stdout } = await run(process.execPath, ['--max-old-space-size=80', '--import', 'tsx', join(import.meta.dirname, 'run-generator.ts'), join(root, 'big'), '600000'], {
      cwd: join(import.meta.dirname, '../../..'),
      maxBuffer: 1 << 20,
    });
    const out = JSON.parse(stdout) as { dossiers: number; files: number; totalBytes: number };
    expect(out.dossiers).toBe(600_000);
    expect(out.totalBytes).toBeGreaterThan(600_000 * 100);
  }, 180_000);
});
