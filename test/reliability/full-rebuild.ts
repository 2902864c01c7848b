/**
 * The incremental suites' check (docs/architecture.md, "Incremental models"): a transform of the lake,
 * then a `--full-refresh` transform of a copy of it, and every file under models/ of the two compared.
 */
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { transform, type TransformSummary } from '../../functions/core/pipeline.js';
import { demoContext } from '../helpers/demo-lake.js';

/** Every file under <lake>/<sub>/ (default models/), by path relative to the lake → sha256. */
export function modelHashes(lake: string, sub = 'models'): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(lake, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(path.join(lake, sub));
  return out;
}

/**
 * The transform on `lakeDir` (work directory <root>/work), then a --full-refresh on a copy of it under
 * `root`: every model file must agree. `what` names the step in a failure's message.
 */
export async function transformAndCompare(lakeDir: string, root: string, step: string, what = step): Promise<TransformSummary> {
  const summary = await transform(demoContext(lakeDir, path.join(root, 'work')));
  const copy = path.join(root, `full-${step}`);
  const work = path.join(root, `work-${step}`);
  cpSync(lakeDir, copy, { recursive: true });
  const full = await transform(demoContext(copy, work), { fullRefresh: true });
  expect(full.incremental.mode).toBe('full');
  const incremental = modelHashes(lakeDir);
  const reference = modelHashes(copy);
  expect(Object.keys(incremental).sort(), what).toEqual(Object.keys(reference).sort());
  for (const [file, hash] of Object.entries(reference)) expect(incremental[file], `${what}: ${file}`).toBe(hash);
  rmSync(copy, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  return summary;
}
