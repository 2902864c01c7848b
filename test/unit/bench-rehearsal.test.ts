/**
 * The 50 M rehearsal's figures (bench/lib/rehearsal.ts) must survive the next `npm run bench`: a run
 * with a rehearsal size records them, a run without one leaves the record alone, and the report
 * renders every phase's wall, CPU and peak RSS with the load average it was measured under.
 */
import { describe, expect, test } from 'vitest';
import { failureSummary } from '../../bench/lib/child.js';
import { rehearsalOf, renderRehearsal } from '../../bench/lib/rehearsal.js';
import type { PipelineResult } from '../../bench/lib/pipeline-jobs.js';

const machine = { cpus: 2, cpuModel: 'x', memoryGb: 23.5, node: 'v20', duckdb: 'v1', os: 'Linux', loadAverageAtStart: [5, 4, 3] };
const result: PipelineResult = {
  phases: { stage: 600, land: 900, transform: 1200, total: 2700 },
  peakRss: { stage: 400, land: 2500, transform: 2800 },
  loadAverage: { stage: 6, land: 7, transform: 8 },
  phaseCpu: { stage: 500, land: 1500, transform: 2000 },
  rowsRead: 50_000_100,
  rowsLanded: 50_000_000,
  rowsQuarantined: 100,
  rawFiles: 12_000,
  models: 41,
  landProfile: {},
  transformProfile: [],
  lake: { files: 3, bytes: 3 * 2 ** 30, tables: { 'landed/dossiers': { files: 2, bytes: 2 * 2 ** 30, years: { '2019': { files: 1, bytes: 2 ** 30 }, '2020': { files: 1, bytes: 2 ** 30 } } }, 'models/marts/agency_periods': { files: 1, bytes: 2 ** 30, years: { '2019': { files: 1, bytes: 2 ** 30 } } } } },
};
const results = (sizes: number[], e2e: Record<number, unknown>, skipped: Record<string, string> = {}) => ({
  startedAt: '2026-12-03T14:00:00.000Z',
  machine,
  loadAverageAtEnd: [9, 8, 7],
  settings: { sizes },
  datasets: {},
  e2e: e2e as never,
  skipped,
});

describe('the national-scale rehearsal record', () => {
  test('should record the largest size at or above 20 M, with its lake, and render every phase', () => {
    const rec = rehearsalOf(results([1_000_000, 50_000_000], { 50000000: { portal: [{ usage: { wallSec: 2710, cpuSec: 4100, peakRssMb: 2900 }, result, portalCpuSec: 300 }] } }));
    expect(rec?.size).toBe(50_000_000);
    expect(rec?.lake?.tables['landed/dossiers']?.bytes).toBe(2 * 2 ** 30);
    expect(rec?.result && 'lake' in rec.result).toBe(false);
    const text = renderRehearsal(rec, false).join('\n');
    expect(text).toContain('read from bench/rehearsal.json');
    expect(text).toContain('| land | 900.0 | 1500.0 | 2 500 | 7.0 |');
    expect(text).toContain('| whole job | 2710.0 | 4100.0 | 2 900 | |');
    expect(text).toContain('Peak RSS ≤ 3 GB: met');
    expect(text).toContain('50 000 100 read = 50 000 000 landed + 100 quarantined;');
    expect(text).toContain('| landed/ | 2 | 2.00 |');
    expect(text).toContain('2019 1024, 2020 1024');
    expect(text).toContain('at its end: 9.00 8.00 7.00');
  });

  test('should record a failed rehearsal with its reason, and nothing for a run without one', () => {
    const failed = rehearsalOf(results([50_000_000], {}, { 'e2e 50000000': 'failed: Out of Memory Error' }));
    expect(failed?.failure).toBe('failed: Out of Memory Error');
    // a failed run is recorded on the path the bench runs first at every size
    expect(failed?.mode).toBe('portal');
    expect(renderRehearsal(failed, true).join('\n')).toContain('**Did not complete**: failed: Out of Memory Error');
    // A 10 M run, or a rehearsal size whose e2e section did not run, leaves bench/rehearsal.json alone.
    expect(rehearsalOf(results([1_000_000, 10_000_000], {}))).toBeUndefined();
    expect(rehearsalOf(results([50_000_000], {}))).toBeUndefined();
    expect(renderRehearsal(undefined, false).join('\n')).toContain('Not run yet');
  });
});

describe('the one line a failed job leaves in the report', () => {
  test('should keep the job\'s own error line with its cause, not the SQL or stack that follow it', () => {
    const stderr = [
      '/work/x/functions/core/errors.ts:6',
      '  const err = new Error(`[pipeline] [${scope}] ${message}`);',
      'Error: [pipeline] [transform] Failed to materialise int_dossiers_attributed (sql/intermediate/int_dossiers_attributed.sql): [pipeline] [duckdb] Failed to run SQL: IO Error: No space left on device',
      '--- SQL ---',
      '  d.is_paid_online,',
      '    at createError (/work/x/functions/core/errors.ts:6:15)',
      '  [cause]: Error: [pipeline] [duckdb] Failed to run SQL: IO Error: No space left on device',
    ].join('\n');
    expect(failureSummary(`[bench] Failed to run job pipeline: exit code 1\n${stderr}`)).toBe(
      'Failed to run job pipeline: exit code 1: Error: [pipeline] [transform] Failed to materialise int_dossiers_attributed (sql/intermediate/int_dossiers_attributed.sql): [pipeline] [duckdb] Failed to run SQL: IO Error: No space left on device',
    );
    // no job line: the last error Node printed
    expect(failureSummary('[bench] Failed to run job x: exit code 1\n  d.a,\n  [cause]: [Error: IO Error: disk full]')).toBe('Failed to run job x: exit code 1: Error: IO Error: disk full');
    expect(failureSummary('Out of Memory Error')).toBe('Out of Memory Error');
  });
});

