/**
 * Incremental transforms (docs/architecture.md, "Incremental models") on real DuckDB over a small
 * generated province: after each step of a sequence — three years of history, (a) a new
 * month, (b) a late update to an old dossier (its month's file resubmitted with a newer updated_at
 * that moves its finish into the next year), (c) a corrected agency registry, (d) another month,
 * (e) a dossier of 2014, before the first report year (a partition only the per-dossier models have),
 * (f) a dossier still pending (it reaches every report year up to the newest year of receipt), (g) files
 * that move the data's last day (the periods that opens and ends, though no changed dossier counts there) —
 * every file under models/ (marts, intermediates, partitions, the state) is byte-identical to a
 * `--full-refresh` rebuild of a copy of the same lake, and the incremental runs rebuilt only the
 * report years the step touched (the other partitions' files are the same inodes as before) and, in
 * the years the last run built, recomputed only the report periods the step reaches, and
 * kept the `table` models none of whose inputs changed (registry-only models in a new month: their
 * files are the same inodes with the same mtime; every table in a run with nothing new).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingestDropDir, land, type TransformSummary } from '../../functions/core/pipeline.js';
import { generateDemo } from '../../functions/generator/index.js';
import { demoContext } from '../helpers/demo-lake.js';
import { transformAndCompare as compareWithFullRefresh } from './full-rebuild.js';

let root = '';
let dataDir = '';
let lakeDir = '';
const ctx = () => demoContext(lakeDir, path.join(root, 'work'));

/** A drop directory holding the registry and the portal and NSW files of the months `keep` accepts. */
function dropOf(name: string, keep: (month: string) => boolean, opts: { registry?: boolean } = {}): string {
  const dir = path.join(root, 'drops', name);
  mkdirSync(dir, { recursive: true });
  if (opts.registry !== false) cpSync(path.join(dataDir, 'registry'), path.join(dir, 'registry'), { recursive: true });
  for (const year of readdirSync(path.join(dataDir, 'portal', 'dossiers'))) {
    for (const f of readdirSync(path.join(dataDir, 'portal', 'dossiers', year))) {
      if (keep(f.slice(0, 7))) {
        mkdirSync(path.join(dir, 'portal', 'dossiers', year), { recursive: true });
        cpSync(path.join(dataDir, 'portal', 'dossiers', year, f), path.join(dir, 'portal', 'dossiers', year, f));
      }
    }
  }
  for (const agency of readdirSync(path.join(dataDir, 'nsw'))) {
    for (const f of readdirSync(path.join(dataDir, 'nsw', agency))) {
      if (keep(f.slice(0, 7))) {
        mkdirSync(path.join(dir, 'nsw', agency), { recursive: true });
        cpSync(path.join(dataDir, 'nsw', agency, f), path.join(dir, 'nsw', agency, f));
      }
    }
  }
  return dir;
}

/** A drop directory holding one portal CSV export of `month` (yyyy-mm) with one data row. */
function oneRowDrop(name: string, month: string, row: string): string {
  const header = readFileSync(path.join(dataDir, 'portal', 'dossiers', '2023', '2023-03.csv'), 'utf8').split('\r\n')[0]!;
  const dir = path.join(root, 'drops', name);
  mkdirSync(path.join(dir, 'portal', 'dossiers', month.slice(0, 4)), { recursive: true });
  writeFileSync(path.join(dir, 'portal', 'dossiers', month.slice(0, 4), `${month}.csv`), `${header}\r\n${row}\r\n`);
  return dir;
}

async function landDrop(dir: string): Promise<void> {
  await ingestDropDir(ctx(), { dir, include: ['registry-agencies', 'registry-procedures', 'portal-csv', 'nsw-csv'] });
  await land(ctx());
}

/** The transform on the lake, then a --full-refresh on a copy of it: every model file must agree. */
const transformAndCompare = (step: string): Promise<TransformSummary> => compareWithFullRefresh(lakeDir, root, step);

const inode = (rel: string): number => statSync(path.join(lakeDir, rel)).ino;
/** The report periods a run recomputed in the years it narrowed, as "type year/no", sorted. */
const periods = (s: TransformSummary): string[] =>
  (s.incremental.partitions?.periods?.keys ?? []).map((k) => `${k.period_type} ${k.year}/${k.period_no}`).sort();
/** Months of a year with the quarters and halves that hold them and the year, as "type year/no". */
const periodsOf = (year: number, months: number[]): string[] =>
  [...months.map((m) => `month ${year}/${m}`), ...[1, 2, 3, 4].flatMap((q) => (months.some((m) => Math.ceil(m / 3) === q) ? [`quarter ${year}/${q}`] : [])), ...[1, 2].flatMap((h) => (months.some((m) => Math.ceil(m / 6) === h) ? [`half ${year}/${h}`] : [])), `year ${year}/1`];
const PART = (year: number) => `models/marts/agency_periods/year=${year}/data.parquet`;
/** int_dossiers_classified's partition of a month of receipt (yyyymm). */
const DOSSIERS = (month: number) => `models/intermediate/int_dossiers_classified/receipt_month=${month}/data.parquet`;
/** `table` models that read the registry, the seeds or datasets this suite never lands, and no dossier. */
const REGISTRY_ONLY = ['stg_lake__agencies', 'stg_lake__procedures', 'int_agencies_chained', 'agencies', 'calendar_months', 'int_periods_enumerated', 'int_working_days'];
const FILE: Record<string, string> = {
  stg_lake__agencies: 'models/staging/stg_lake__agencies.parquet',
  stg_lake__procedures: 'models/staging/stg_lake__procedures.parquet',
  int_agencies_chained: 'models/intermediate/int_agencies_chained.parquet',
  agencies: 'models/marts/agencies.parquet',
  calendar_months: 'models/seeds/calendar_months.parquet',
  int_periods_enumerated: 'models/intermediate/int_periods_enumerated.parquet',
  int_working_days: 'models/intermediate/int_working_days.parquet',
};
/** inode and mtime of each file: the same after a run that kept the model. */
const stamps = (names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.map((n) => [n, `${statSync(path.join(lakeDir, FILE[n]!)).ino}@${statSync(path.join(lakeDir, FILE[n]!)).mtimeMs}`]));

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'incremental-'));
  dataDir = path.join(root, 'data');
  lakeDir = path.join(root, 'lake');
  await generateDemo({ outDir: dataDir, dossiers: 1500, fromYear: 2023, toYear: 2025, seed: 7 });
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('incremental transform = full rebuild, byte for byte', () => {
  test('should build the history in full (no state yet) with one partition per report year', async () => {
    await landDrop(dropOf('history', (m) => m <= '2025-10'));
    const s = await transformAndCompare('history');
    expect(s.incremental).toEqual({ mode: 'full', reason: 'no state of a previous transform' });
    for (const y of [2023, 2024, 2025]) expect(existsSync(path.join(lakeDir, PART(y)))).toBe(true);
    // One partition of the dossiers per month of receipt, none of another layout.
    const months = readdirSync(path.join(lakeDir, 'models/intermediate/int_dossiers_classified')).sort();
    expect(months[0]).toBe('receipt_month=202301');
    expect(months.at(-1)).toBe('receipt_month=202510');
    expect(months).toHaveLength(34);
    for (const m of [202301, 202412, 202510]) expect(existsSync(path.join(lakeDir, DOSSIERS(m)))).toBe(true);
    expect(existsSync(path.join(lakeDir, 'models/marts/agency_periods.parquet'))).toBe(true);
    expect(existsSync(path.join(lakeDir, 'models/_state/transform.json'))).toBe(true);
  }, 120_000);

  test('(a) a new month rebuilds its report year and its own month of receipt only', async () => {
    const before = { 2023: inode(PART(2023)), 2024: inode(PART(2024)), 2025: inode(PART(2025)) };
    const dossiers = { 202303: inode(DOSSIERS(202303)), 202412: inode(DOSSIERS(202412)), 202510: inode(DOSSIERS(202510)) };
    const kept = stamps(REGISTRY_ONLY);
    const months = inode('models/marts/agency_months.parquet');
    await landDrop(dropOf('month-11', (m) => m === '2025-11', { registry: false }));
    const s = await transformAndCompare('month');
    expect(s.incremental.mode).toBe('incremental');
    // Within 2025 only the periods November's dossiers reach and those whose bounds moved (November
    // and December are new: the data now runs into December) are recomputed; January–October's rows
    // are kept from the year's file (int_agency_periods_counted, incremental_scope: period).
    expect(s.incremental.partitions).toEqual({ column: 'year', values: [2025], periods: { years: [2025], keys: expect.any(Array) } });
    expect(periods(s)).toEqual(periodsOf(2025, [11, 12]).sort());
    // The registry's, the seeds' and the models of only those are kept (not rewritten); a table that
    // reads the dossiers is rebuilt.
    expect(s.incremental.skipped).toEqual(expect.arrayContaining(REGISTRY_ONLY));
    expect(s.incremental.skipped).not.toContain('agency_months');
    expect(s.incremental.skipped).not.toContain('int_periods_reported');
    expect(stamps(REGISTRY_ONLY)).toEqual(kept);
    expect(inode('models/marts/agency_months.parquet')).not.toBe(months);
    expect(inode(PART(2023))).toBe(before[2023]);
    expect(inode(PART(2024))).toBe(before[2024]);
    expect(inode(PART(2025))).not.toBe(before[2025]);
    // The dossiers received in November 2025 only: a new partition; October's, of the same year, kept.
    expect(existsSync(path.join(lakeDir, DOSSIERS(202511)))).toBe(true);
    expect(inode(DOSSIERS(202303))).toBe(dossiers[202303]);
    expect(inode(DOSSIERS(202412))).toBe(dossiers[202412]);
    expect(inode(DOSSIERS(202510))).toBe(dossiers[202510]);
  }, 120_000);

  test('(b) a late update to a dossier received years ago rebuilds the years of both its versions and its month of receipt', async () => {
    // March 2023's portal file, resubmitted with one finished dossier finishing in February 2024 instead.
    const file = path.join(dataDir, 'portal', 'dossiers', '2023', '2023-03.csv');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    const k = lines.findIndex((l, i) => i > 0 && l.includes(',DA_TRA_KET_QUA,'));
    const cells = lines[k]!.split(',');
    const oldFinish = cells[6]!;
    expect(oldFinish.slice(6, 10)).toBe('2023');
    cells[6] = '12/02/2024 09:15';
    cells[15] = '12/02/2024 09:15';
    lines[k] = cells.join(',');
    const drop = path.join(root, 'drops', 'late-update');
    mkdirSync(path.join(drop, 'portal', 'dossiers', '2023'), { recursive: true });
    writeFileSync(path.join(drop, 'portal', 'dossiers', '2023', '2023-03.csv'), lines.join('\r\n'));
    const before2025 = inode(PART(2025));
    const dossiers = { 202303: inode(DOSSIERS(202303)), 202304: inode(DOSSIERS(202304)), 202511: inode(DOSSIERS(202511)) };
    await landDrop(drop);
    const s = await transformAndCompare('late-update');
    expect(s.incremental.mode).toBe('incremental');
    expect(s.incremental.partitions?.values).toEqual(expect.arrayContaining([2023, 2024]));
    expect(s.incremental.partitions?.values).not.toContain(2025);
    // The periods the dossier counts in under either version, received 2023-03, finished in 2023 or
    // 2024-02-12: March–December 2023 and January–February 2024 with their quarters, halves and years.
    expect(s.incremental.partitions?.periods?.years).toEqual([2023, 2024]);
    expect(periods(s)).toEqual([...periodsOf(2023, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), ...periodsOf(2024, [1, 2])].sort());
    expect(inode(PART(2025))).toBe(before2025);
    // The dossier was received in March 2023: that partition of the per-dossier table is rebuilt, no other month.
    expect(inode(DOSSIERS(202303))).not.toBe(dossiers[202303]);
    expect(inode(DOSSIERS(202304))).toBe(dossiers[202304]);
    expect(inode(DOSSIERS(202511))).toBe(dossiers[202511]);
  }, 120_000);

  test('(c) a corrected agency registry rebuilds everything', async () => {
    const drop = path.join(root, 'drops', 'registry-fix');
    mkdirSync(path.join(drop, 'registry'), { recursive: true });
    const text = readFileSync(path.join(dataDir, 'registry', 'agencies.csv'), 'utf8');
    // The name corrected, and the office's start moved back to 2014 (step (e) lands a dossier of 2014).
    const fixed = text.replace('Văn phòng UBND tỉnh,VP UBND tỉnh,van_phong,H99,H99,2019-01-01', 'Văn phòng Ủy ban nhân dân tỉnh,VP UBND tỉnh,van_phong,H99,H99,2014-01-01');
    expect(fixed).not.toBe(text);
    writeFileSync(path.join(drop, 'registry', 'agencies.csv'), fixed);
    const before = stamps(['stg_lake__agencies', 'int_agencies_chained', 'agencies']);
    await landDrop(drop);
    const s = await transformAndCompare('registry');
    expect(s.incremental.mode).toBe('full');
    expect(s.incremental.reason).toContain('agencies');
    // Nothing is kept in a full run; the registry's models are rewritten.
    expect(s.incremental.skipped).toBeUndefined();
    const after = stamps(['stg_lake__agencies', 'int_agencies_chained', 'agencies']);
    for (const n of Object.keys(before)) expect(after[n], n).not.toBe(before[n]);
  }, 120_000);

  test('(d) another month after the correction is incremental again, and a run with nothing new rebuilds nothing', async () => {
    await landDrop(dropOf('month-12', (m) => m === '2025-12', { registry: false }));
    const s = await transformAndCompare('month-12');
    expect(s.incremental.mode).toBe('incremental');
    expect(s.incremental.partitions?.values).toContain(2025);
    expect(s.incremental.partitions?.values).not.toContain(2023);
    // 2026 opens (no file yet: recomputed whole); in 2025, December's periods only.
    expect(s.incremental.partitions?.periods?.years).toEqual([2025]);
    expect(periods(s)).toEqual(periodsOf(2025, [12]).sort());
    expect(s.incremental.skipped).toEqual(expect.arrayContaining(REGISTRY_ONLY));
    const again = await transformAndCompare('nothing-new');
    // Every persisted table is kept (stg_lake__dossiers, a step of the run with no file, is rebuilt).
    expect(again.incremental).toEqual({ mode: 'incremental', reason: '0 new dossier file(s)', partitions: { column: 'year', values: [] }, skipped: expect.any(Array) });
    expect(again.incremental.skipped).toEqual(expect.arrayContaining(['data_quality', 'agency_months', 'int_periods_reported', ...REGISTRY_ONLY]));
    expect(again.incremental.skipped).not.toContain('stg_lake__dossiers');
  }, 120_000);

  test('(e) a dossier received and finished before the first report year rebuilds its year of receipt, which no report period holds', async () => {
    // The landing accepts receipts from 2000; the report periods start in 2015. A file of December
    // 2014 (the office exists since 2014 after step (c)) touches no report year, but the dossier has
    // a row in int_dossiers_classified (year of receipt 2014) and in procedure_years (2014).
    const drop = oneRowDrop('before-2015', '2014-12', 'H99.01-141202-000001,1.005614,H99.01,2,02/12/2014 09:37,16/12/2014 09:37,15/12/2014 15:26,DA_TRA_KET_QUA,0,Có,Có,Có,Có,Có,Không,15/12/2014 15:26');
    const before2025 = { part: inode(PART(2025)), dossiers: inode(DOSSIERS(202512)) };
    await landDrop(drop);
    const s = await transformAndCompare('before-2015');
    // 2014 from the file; 2015–2022 because the data now starts in 2014, so those years' report
    // periods exist (int_periods_reported) — empty ones; 2023–2025 are kept.
    expect(s.incremental).toEqual({ mode: 'incremental', reason: '1 new dossier file(s)', partitions: { column: 'year', values: [2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022] }, skipped: expect.arrayContaining(REGISTRY_ONLY) });
    expect(existsSync(path.join(lakeDir, DOSSIERS(201412)))).toBe(true);
    expect(existsSync(path.join(lakeDir, 'models/marts/procedure_years/year=2014/data.parquet'))).toBe(true);
    expect(inode(PART(2025))).toBe(before2025.part);
    expect(inode(DOSSIERS(202512))).toBe(before2025.dossiers);
  }, 120_000);

  test('(f) a pending dossier reaches the years up to the newest year of receipt, not the calendar\'s end', async () => {
    // Received in June 2024 and still being processed: it counts as pending in every report period
    // from then on — 2024 and 2025, the lake's newest year of receipt (int_periods_reported reports no
    // later year). The calendar seed runs to 2035: those years have no report period and no partition.
    await landDrop(oneRowDrop('pending-2024', '2024-06', 'H99.01-240603-999999,1.005614,H99.01,2,03/06/2024 09:37,17/06/2024 09:37,,DANG_XU_LY,0,Có,Có,Có,Có,Có,Không,03/06/2024 09:37'));
    const s = await transformAndCompare('pending-2024');
    // In 2024, the periods from June on; every period of 2025 (the dossier is pending in all): 2025 whole.
    expect(s.incremental).toEqual({ mode: 'incremental', reason: '1 new dossier file(s)', partitions: { column: 'year', values: [2024, 2025], periods: { years: [2024], keys: expect.any(Array) } }, skipped: expect.arrayContaining(REGISTRY_ONLY) });
    expect(periods(s)).toEqual(periodsOf(2024, [6, 7, 8, 9, 10, 11, 12]).sort());
    expect(existsSync(path.join(lakeDir, PART(2026)))).toBe(false);
  }, 120_000);

  test('(g) a file that moves the data\'s last day recomputes the periods it opens and ends, though no dossier of it counts there', async () => {
    // First the data's last known day is set to 10 April 2026 (a dossier of January updated then).
    await landDrop(oneRowDrop('last-day-april', '2026-01', 'H99.01-260105-999997,1.005614,H99.01,2,05/01/2026 09:00,19/01/2026 09:00,06/01/2026 10:00,DA_TRA_KET_QUA,0,Có,Có,Có,Có,Có,Không,10/04/2026 08:00'));
    await transformAndCompare('last-day-april');
    // Then a dossier received and finished on 1 April 2026, updated on 15 June: it counts in April,
    // the second quarter, the first half and the year; the last day moving to 15 June ends April,
    // opens May and June and moves the ends of the quarter, half and year. January–March and the
    // first quarter are kept.
    await landDrop(oneRowDrop('last-day-june', '2026-04', 'H99.01-260401-999996,1.005614,H99.01,2,01/04/2026 09:00,15/04/2026 09:00,01/04/2026 15:00,DA_TRA_KET_QUA,0,Có,Có,Có,Có,Có,Không,15/06/2026 08:00'));
    const s = await transformAndCompare('last-day-june');
    expect(s.incremental.partitions?.values).toEqual([2026]);
    expect(s.incremental.partitions?.periods?.years).toEqual([2026]);
    expect(periods(s)).toEqual(periodsOf(2026, [4, 5, 6]).sort());
  }, 120_000);
});
