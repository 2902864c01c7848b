/**
 * The bench's naive baseline (bench/lib/naive.ts) must do the work it claims: every generated
 * dossier parsed and validated in JS, written by the pure-JS Parquet writer to readable
 * per-partition files or quarantined with its row and reason, and the Biểu 06 columns computed per
 * reporting agency and month; otherwise the "project vs naive" ratio in BENCHMARKS.md means nothing.
 */
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkNaiveOutput, runNaive, type NaiveBieu06Row, type NaiveQuarantine, type NaiveResult } from '../../bench/lib/naive.js';
import { DuckDb, literal } from '../../functions/core/engine/duckdb.js';
import { VendorExports } from '../../functions/generator/exports.js';
import { generateDemo } from '../../functions/generator/index.js';

describe('Naive bench baseline on a small generated province', () => {
  let dir: string;
  let generated: number;
  let result: NaiveResult;
  let rows: NaiveBieu06Row[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bench-naive-'));
    const g = await generateDemo({ outDir: path.join(dir, 'data'), dossiers: 2000, seed: 766 });
    // The naive baseline reads the portal and NSW CSV exports; the demo's vendor exports (one agency as a
    // vendor dossier list, one as a sổ theo dõi) are the profiles' work, not in those CSVs.
    const exported = g.perAgencyMonth.filter((r) => VendorExports.holds(r.agency_code)).reduce((n, r) => n + r.dossiers, 0);
    expect(exported).toBeGreaterThan(0);
    generated = g.dossiers - exported;
    result = await runNaive({ dataDir: path.join(dir, 'data'), outDir: path.join(dir, 'out') });
    rows = JSON.parse(await readFile(path.join(dir, 'out', 'agency_months.json'), 'utf8')) as NaiveBieu06Row[];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('should write every generated dossier to Parquet that DuckDB reads back', async () => {
    expect(result.quarantined).toBe(0);
    expect(result.rowsRead).toBe(generated);
    expect(result.dossiers).toBe(generated);
    const check = await checkNaiveOutput(path.join(dir, 'out'));
    expect(check.parquetRows).toBe(generated);
    expect(check.files).toBe(result.partitions);
  });

  test('should keep the Biểu 06 identities in every agency-month row', () => {
    expect(rows.length).toBe(result.groups);
    for (const r of rows) {
      const received = r.received_online + r.received_offline + r.received_carried_over;
      expect(received).toBe(r.resolved_total + r.pending_total);
      expect(r.resolved_total).toBe(r.resolved_early + r.resolved_on_time + r.resolved_late);
      expect(r.pending_total).toBe(r.pending_in_time + r.pending_overdue);
    }
  });

  test('should match the received, resolved and late totals DuckDB computes from the written files', async () => {
    const db = await DuckDb.open({});
    try {
      const files = literal(path.join(dir, 'out', 'landed', 'dossiers', '**', '*.parquet'));
      const counted = `FROM read_parquet(${files}) WHERE status <> 'DA_RUT'`;
      // Finishes after the last reported month (days of an export taken after the year ended) are in no period.
      const lastMonth = literal(rows.map((r) => r.month).sort().at(-1)!);
      const finished = `finished_at IS NOT NULL AND strftime(finished_at, '%Y-%m') <= ${lastMonth}`;
      const online = await db.scalarNumber(`SELECT count(*) ${counted} AND channel = 2`);
      const resolved = await db.scalarNumber(`SELECT count(*) ${counted} AND ${finished}`);
      const late = await db.scalarNumber(`SELECT count(*) ${counted} AND ${finished} AND CAST(finished_at AS DATE) - supplement_days > CAST(due_at AS DATE)`);
      const sum = (k: keyof NaiveBieu06Row): number => rows.reduce((n, r) => n + Number(r[k]), 0);
      expect(sum('received_online')).toBe(online);
      expect(sum('resolved_total')).toBe(resolved);
      expect(sum('resolved_late')).toBe(late);
      expect(online).toBeGreaterThan(0);
      expect(late).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  test('should carry the province pending of each month into the next month', () => {
    const byMonth = new Map<string, { carried: number; pending: number }>();
    for (const r of rows) {
      const m = byMonth.get(r.month) ?? { carried: 0, pending: 0 };
      m.carried += r.received_carried_over;
      m.pending += r.pending_total;
      byMonth.set(r.month, m);
    }
    const months = [...byMonth.keys()].sort();
    for (let i = 1; i < months.length; i++) expect(byMonth.get(months[i]!)!.carried).toBe(byMonth.get(months[i - 1]!)!.pending);
  });
});

describe('Naive bench baseline given bad and repeated rows', () => {
  let dir: string;
  let result: NaiveResult;
  let quarantine: NaiveQuarantine[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bench-naive-bad-'));
    await generateDemo({ outDir: path.join(dir, 'data'), dossiers: 300, seed: 7 });
    const file = path.join(dir, 'data', 'portal', 'dossiers', '2019', '2019-01.csv');
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const channelBad = lines[1]!.split(',');
    channelBad[0] = 'BAD-CHANNEL-1';
    channelBad[3] = '9';
    await appendFile(file, `\n${lines[1]}\n${channelBad.join(',')}\n`);
    result = await runNaive({ dataDir: path.join(dir, 'data'), outDir: path.join(dir, 'out') });
    quarantine = JSON.parse(await readFile(path.join(dir, 'out', 'quarantine.json'), 'utf8')) as NaiveQuarantine[];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('should quarantine the repeated id and the bad channel with file, row and field', () => {
    expect(result.rowsRead).toBe(result.dossiers + result.quarantined);
    expect(quarantine.map((q) => [path.basename(q.file), q.field, q.reason.includes('duplicate')])).toEqual([
      ['2019-01.csv', 'dossier_id', true],
      ['2019-01.csv', 'channel', false],
    ]);
    expect(quarantine[1]!.row).toBe(quarantine[0]!.row + 1);
  });
});
