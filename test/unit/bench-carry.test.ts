/**
 * `npm run bench -- --only dashboards --carry <results.json>` (bench/lib/carry.ts): the sections a run
 * does not measure come from the earlier run, named as such in the report; a section the run measured
 * is never replaced, and a section neither run measured keeps saying why.
 */
import { describe, expect, test } from 'vitest';
import { carriedOrigins, carrySections, type BenchSection } from '../../bench/lib/carry.js';
import { percentAgainst, renderReport, type BenchResults } from '../../bench/lib/report.js';

const machine = (load: number[]) => ({ cpus: 2, cpuModel: 'x', memoryGb: 23.5, node: 'v20', duckdb: 'v1', os: 'Linux', loadAverageAtStart: load });
const usage = (wallSec: number) => ({ wallSec, cpuSec: wallSec, peakRssMb: 2000 });
const pipeline = (total: number) => ({
  phases: { stage: 1, land: 2, transform: total - 3, total },
  rowsRead: 10,
  rowsLanded: 10,
  rowsQuarantined: 0,
  rawFiles: 3,
  models: 41,
  landProfile: {},
  transformProfile: [],
});
const dashboards = (seconds: number) => ({
  size: 1_000_000,
  usage: usage(100),
  result: { built: true, basePath: '', buildSeconds: 80, sourcesSeconds: 5, wallSeconds: 90, pages: 37, tti: [{ page: '/', seconds: [seconds, seconds, seconds], errors: [] }] },
});

const earlier = {
  startedAt: '2026-12-03T15:34:59.000Z',
  quick: false,
  machine: machine([1.8, 2, 2]),
  loadAverageAtEnd: [3.3, 2.8, 2.6],
  settings: { sizes: [1_000_000, 10_000_000], runs: 3, largeRuns: 1, smallSize: 1_000_000, pageSize: 5000 },
  datasets: { 1000000: { dataDir: 'd', dossiers: 1_000_000, portalDossiers: 900_000, nswDossiers: 100_000, totalBytes: 1, files: 1, portalCsvBytes: 1, seconds: 9 } },
  e2e: { 1000000: { portal: [{ usage: usage(49.6), result: pipeline(49.6) }] } },
  baseline: {},
  dashboards: dashboards(3.22),
  skipped: { baseline: 'failed: out of disk', naive: 'section skipped by option' },
} as unknown as BenchResults;

const now = (measured: BenchResults['dashboards']) =>
  ({
    startedAt: '2026-12-03T18:40:00.000Z',
    quick: false,
    machine: machine([0.5, 0.5, 0.5]),
    loadAverageAtEnd: [1, 1, 1],
    settings: { sizes: [1_000_000], runs: 3, largeRuns: 3, smallSize: 1_000_000, pageSize: 5000 },
    datasets: {},
    e2e: {},
    baseline: {},
    ...(measured ? { dashboards: measured } : {}),
    skipped: { e2e: 'section skipped by option', baseline: 'section skipped by option', naive: 'section skipped by option', incremental: 'section skipped by option' },
  }) as unknown as BenchResults;

describe('bench --carry', () => {
  test('should take the sections this run skipped from the earlier run and name them in the report', async () => {
    const measured = new Set<BenchSection>(['dashboards']);
    const r = carrySections(now(dashboards(1.5) as never), earlier, measured);
    expect(carriedOrigins(r).map((c) => [c.startedAt, c.sections])).toEqual([[earlier.startedAt, ['e2e']]]);
    expect(r.e2e).toBe(earlier.e2e);
    expect(r.datasets[1_000_000]?.portalDossiers).toBe(900_000);
    // measured here: this run's figure, not the earlier 3.22 s
    expect(r.dashboards?.result.tti[0]?.seconds).toEqual([1.5, 1.5, 1.5]);
    // neither run measured these: the reason says so
    expect(r.skipped.baseline).toBe('not measured in the carried run of 2026-12-03 15:34 UTC either: failed: out of disk');
    expect(r.skipped.e2e).toBeUndefined();
    expect(r.skipped.incremental).toBe('section skipped by option');

    const text = await renderReport(r);
    expect(text).toContain('## 1. End to end (carried from the run of 2026-12-03 15:34 UTC)');
    expect(text).toContain('## 6. Where the time goes (carried from the run of 2026-12-03 15:34 UTC)');
    expect(text).toMatch(/## 5\. Dashboards\n/);
    expect(text).toContain('> **Sections carried from an earlier run.** `e2e`: figures of the bench run of 2026-12-03 15:34 UTC (sizes 1 M, 10 M; 3 run(s) per figure up to 2 M, 1 above; load average at its start / end 1.80 2.00 2.00 / 3.30 2.80 2.60)');
    expect(text).toContain('| 1 M | portal → land → marts | 49.6 (n/a, 1 run)');
    expect(text).toContain('| / | 1.50 (1.50–1.50)');
  });

  test('should name the run that measured each section when carrying from a run that carried some itself, as results of either shape', async () => {
    // Run B measured the dashboards and carried e2e from `earlier` (an older file: `carried` one object).
    const b = { ...carrySections(now(dashboards(1.5) as never), earlier, new Set<BenchSection>(['dashboards'])), startedAt: '2026-12-04T09:00:00.000Z' } as BenchResults;
    b.carried = { ...carriedOrigins(b)[0]! };
    // Run C measures nothing but the baseline (none here) and carries the rest from B.
    const c = carrySections(now(undefined), b, new Set<BenchSection>(['baseline']));
    expect(carriedOrigins(c).map((o) => [o.startedAt, o.sections])).toEqual([
      ['2026-12-03T15:34:59.000Z', ['e2e']],
      ['2026-12-04T09:00:00.000Z', ['dashboards']],
    ]);
    const text = await renderReport(c);
    expect(text).toContain('## 1. End to end (carried from the run of 2026-12-03 15:34 UTC)');
    expect(text).toContain('## 5. Dashboards (carried from the run of 2026-12-04 09:00 UTC)');
    expect(text).toContain(
      '> **Sections carried from earlier runs.** `e2e`: figures of the bench run of 2026-12-03 15:34 UTC (sizes 1 M, 10 M; 3 run(s) per figure up to 2 M, 1 above; load average at its start / end 1.80 2.00 2.00 / 3.30 2.80 2.60); `dashboards`: figures of the bench run of 2026-12-04 09:00 UTC (sizes 1 M;',
    );
  });

  test('should never replace a measured section, and carry nothing without an earlier figure', () => {
    const everything = new Set<BenchSection>(['e2e', 'baseline', 'naive', 'incremental', 'dashboards']);
    const r = carrySections(now(undefined), earlier, everything);
    expect(r.carried).toBeUndefined();
    expect(r.e2e).toEqual({});
    expect(r.dashboards).toBeUndefined();
    // the run is not modified in place
    const run = now(undefined);
    carrySections(run, earlier, new Set<BenchSection>());
    expect(run.e2e).toEqual({});
    expect(run.carried).toBeUndefined();
  });

  test('should report one new month per size, judging each against its own backfill, and read the one-size results of earlier runs', async () => {
    const increment = (n: number, month: number, history: number) => ({
      size: n,
      usage: usage(history + month),
      result: { history: pipeline(history), increments: [pipeline(month)], newMonth: '2025-12' },
    });
    const e2e = { 1000000: { portal: [{ usage: usage(40), result: pipeline(40) }] }, 10000000: { portal: [{ usage: usage(320), result: pipeline(320) }] } };
    const both = { ...earlier, e2e, settings: { ...earlier.settings, incrementalSizes: [1_000_000, 10_000_000] }, incremental: [increment(10_000_000, 15, 300), increment(1_000_000, 4, 37)], skipped: {} } as unknown as BenchResults;
    const text = await renderReport(both);
    expect(text).toContain('naive at 1 M, incremental at 1 M and 10 M;');
    expect(text).toContain('transformed once: 37.0 s at 1 M, 300.0 s at 10 M;');
    // 4 of 40 s: missed; 15 of 320 s: met (the rows in size order whatever the results' order)
    expect(text).toMatch(/\| 1 M \| 1\.00 \| 2\.00 \| 1\.00 \| 4\.00 \(n\/a, 1 run\) \| 40\.0 \| 10\.0 % \| \*\*missed\*\* \|\n\| 10 M \| 1\.00 \| 2\.00 \| 12\.00 \| 15\.00 \(n\/a, 1 run\) \| 320\.0 \| 4\.7 % \| met \|/);
    expect(text).toContain('Why missed: at 1 M, 25.0 % of the new month is the transform');
    expect(text.split('\n').find((l) => l.startsWith('Why missed: at 1 M'))).not.toContain('at 10 M');

    const old = { ...earlier, e2e, incremental: increment(1_000_000, 4, 37), skipped: {} } as unknown as BenchResults;
    const oldText = await renderReport(old);
    expect(oldText).toContain('naive at 1 M, incremental at 1 M;');
    expect(oldText).toMatch(/\| 1 M \| 1\.00 \| 2\.00 \| 1\.00 \| 4\.00 \(n\/a, 1 run\) \| 40\.0 \| 10\.0 % \| \*\*missed\*\* \|\n\n/);
  });

  test('should judge a ratio only when one run measured both of its figures', async () => {
    const increment = { size: 1_000_000, usage: usage(41), result: { history: pipeline(37), increments: [pipeline(4)], newMonth: '2025-12' } };
    const base = { usage: usage(20), result: { land: 2, transform: 10 } };
    // `earlier` measured the new month and the baseline (and the 1 M backfill, 49.6 s: 8.1 %, missed).
    const old = { ...earlier, incremental: [increment], baseline: { 1000000: [base] }, skipped: {} } as unknown as BenchResults;
    const oldText = await renderReport(old);
    expect(oldText).toMatch(/\| 49\.6 \| 8\.1 % \| \*\*missed\*\* \|/);
    expect(oldText).toContain('Why missed: at 1 M,');
    expect(oldText).not.toContain('Not judged');
    // This run measures the backfill again (40 s: 10.0 %) and carries the new month and the baseline from `earlier`.
    const run = { ...now(undefined), e2e: { 1000000: { portal: [{ usage: usage(40), result: pipeline(40) }] } }, skipped: {} } as unknown as BenchResults;
    const mixed = carrySections(run, old, new Set<BenchSection>(['e2e', 'dashboards']));
    const text = await renderReport(mixed);
    expect(text).toContain('| 40.0 | 10.0 % | not judged (two runs: the new month from the run of 2026-12-03 15:34 UTC, the backfill from this run) |');
    expect(text).toContain('| 2.00 × | not judged (two runs: the project from this run, the baseline from the run of 2026-12-03 15:34 UTC) (portal) |');
    expect(text).not.toContain('Why missed: at 1 M,');
    expect(text).not.toContain('**missed**');
    expect(text.match(/Not judged: the two figures of this ratio were measured in different bench runs/g)).toHaveLength(2);
    // Carried together from one run, they are judged again.
    const together = carrySections(now(undefined), old, new Set<BenchSection>(['dashboards']));
    expect(await renderReport(together)).toMatch(/\| 49\.6 \| 8\.1 % \| \*\*missed\*\* \|/);
  });

  test('should print a share that misses or meets its target narrowly with the decimals that tell them apart', () => {
    expect(percentAgainst(15.46 / 309.1, 0.05)).toBe('5.002');
    expect(percentAgainst(15.4 / 309.1, 0.05)).toBe('4.98');
    expect(percentAgainst(0.05, 0.05)).toBe('5.0');
    expect(percentAgainst(0.102, 0.05)).toBe('10.2');
    expect(percentAgainst(Number.NaN, 0.05)).toBe('NaN');
  });
});

describe('bench report: run time', () => {
  test("should report a first run's set-up apart from its run time, and say nothing of it where there was none", async () => {
    const fresh = { ...now(dashboards(1.5) as never), benchSeconds: 1200, setupSeconds: 150 } as BenchResults;
    const text = await renderReport(fresh);
    expect(text).toMatch(/\| Bench run time \| 20\.0 min; set-up before measuring, not counted: 2\.5 min \|/);
    expect(text).toContain('Total bench wall time: 20.0 min (full run, budget 45 min); set-up before measuring, not counted: 2.5 min.');
    const ready = await renderReport({ ...fresh, setupSeconds: 0 });
    expect(ready).toMatch(/\| Bench run time \| 20\.0 min \|/);
    expect(ready).not.toContain('set-up');
  });
});
