/**
 * The reliability suite's own results: each test that passes records what was tried, what happened
 * and what was kept; scripts/reliability-report.ts turns test-output/reliability/*.json into
 * docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-output/reliability');

export interface CaseResult {
  /** Stable id, e.g. "csv-truncated". */
  id: string;
  /** Group in the report (Bad input, Faults, Invariants, Security). */
  area: string;
  tried: string;
  happened: string;
  kept: string;
}

export interface Recorder {
  add(result: CaseResult): void;
  /** Write test-output/reliability/<suite>.json (call in afterAll). */
  flush(): void;
}

export function recorder(suite: string): Recorder {
  const results: CaseResult[] = [];
  return {
    add(result) {
      results.push(result);
    },
    flush() {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const sorted = [...results].sort((a, b) => a.id.localeCompare(b.id));
      writeFileSync(path.join(RESULTS_DIR, `${suite}.json`), `${JSON.stringify({ suite, results: sorted }, null, 2)}\n`);
    },
  };
}
