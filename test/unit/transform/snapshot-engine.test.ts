/**
 * Snapshots built by the query engine (as-of views of sql/snapshots/as_of/ over the lake, marts cut
 * on the engine) against the snapshot the code built before (test/helpers/legacy-snapshot.ts: as-of
 * Parquet copies of the sources and a second DuckDB over the marts' files): the same files, byte for
 * byte, and the same manifest, over a generated province with quarantined rows, 766, PAR and Biểu 06.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../../functions/core/engine/duckdb-engine.js';
import { literal, withDuckDb } from '../../../functions/core/engine/duckdb.js';
import { SQL_DIR } from '../../../functions/core/lake/landing-sql.js';
import { ingestDropDir, land, snapshot, type PipelineContext } from '../../../functions/core/pipeline.js';
import { planDrop } from '../../../functions/core/connectors/drop.js';
import { AS_OF_RELATION, loadAsOfViews, martCut, registerAsOfSources } from '../../../functions/core/transform/asof.js';
import { readSnapshotManifest, type SnapshotFile } from '../../../functions/core/transform/snapshot.js';
import { SOURCE_NAMES } from '../../../functions/core/transform/sources.js';
import { AS_OF_CUTS, loadModels } from '../../../functions/core/transform/models.js';
import { LocalStorage } from '../../../functions/core/storage/local.js';
import { generateDemo } from '../../../functions/generator/index.js';
import { demoContext } from '../../helpers/demo-lake.js';
import { legacySnapshotFiles } from '../../helpers/legacy-snapshot.js';

const PERIODS = ['2025-06', '2024-12'];
let tmp = '';
let ctx: PipelineContext;
const legacy = new Map<string, SnapshotFile[]>();
let lastNsw = '';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'snapshot-engine-'));
  const data = path.join(tmp, 'data');
  await generateDemo({ outDir: data, dossiers: 3000, fromYear: 2024, toYear: 2025 });
  // A bad record, so quarantine/ has rows for the as-of view to cut.
  const nsw = (await planDrop(data)).filter((f) => f.kind === 'nsw-csv').map((f) => f.path);
  // And one in the last month's export, after both snapshot months: its file is in the landing log
  // every snapshot reads, so its quarantined row must be too (data_quality's test: found = counted).
  for (const file of [nsw[0]!, nsw.at(-1)!]) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.splice(3, 0, `999;H99BAD;1.0${lines[0]!.endsWith('\r') ? '\r' : ''}`);
    await writeFile(file, lines.join('\n'));
  }
  lastNsw = path.basename(nsw.at(-1)!);
  ctx = demoContext(path.join(tmp, 'lake'), path.join(tmp, 'work'));
  await ingestDropDir(ctx, { dir: data });
  await land(ctx);
  for (const p of PERIODS) legacy.set(p, await legacySnapshotFiles(path.join(tmp, 'lake'), p, path.join(tmp, 'legacy-work')));
  for (const p of PERIODS) await snapshot(ctx, { period: p });
}, 300_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('snapshot given a landed local lake', () => {
  test.each(PERIODS)('should publish %s byte-identical to the snapshot the copy-based code built', async (period) => {
    const manifest = (await readSnapshotManifest(ctx.storage, period))!;
    const before = legacy.get(period)!;
    expect(manifest.files.map((f) => f.name)).toEqual(before.map((f) => f.name));
    expect(manifest.files.length).toBeGreaterThan(15);
    for (const f of before) {
      const body = await ctx.storage.get(`snapshots/${period}/${f.name}`);
      expect(body.equals(f.body), `${period}/${f.name}`).toBe(true);
      expect(manifest.files.find((m) => m.name === f.name)?.rows, f.name).toBe(f.rows);
    }
    // Something was cut: later periods are not in the month's snapshot.
    expect(before.find((f) => f.name === 'province_months.parquet')!.rows).toBeGreaterThan(0);
    // The reference reads each dossier's one version: this lake has no replaced one (the versions known on
    // the date are snapshot-versions.test.ts's).
    expect(await ctx.storage.listKeys('landed/_superseded/')).toEqual([]);
  });

  test('should give a month earlier fewer rows than a month later (the as-of views and the cut apply)', async () => {
    const rows = async (p: string, n: string) => (await readSnapshotManifest(ctx.storage, p))!.files.find((f) => f.name === n)!.rows;
    expect(await rows('2024-12', 'province_months.parquet')).toBeLessThan(await rows('2025-06', 'province_months.parquet'));
  });

  test('should count in every month the quarantined rows of every file the snapshot lists, a file pulled for a later month included', async () => {
    for (const period of PERIODS) {
      const rows = await withDuckDb(async (db) => {
        const file = path.join(tmp, `dq-${period}.parquet`);
        await writeFile(file, await ctx.storage.get(`snapshots/${period}/data_quality.parquet`));
        return db.all(`SELECT original_name, rows_quarantined, quarantined_rows_found FROM read_parquet(${literal(file)}) WHERE rows_quarantined > 0 ORDER BY original_name`);
      });
      expect(rows.map((r) => String(r.original_name).split('/').at(-1)), period).toContain(lastNsw);
      for (const r of rows) expect(Number(r.quarantined_rows_found), `${period} ${String(r.original_name)}`).toBe(Number(r.rows_quarantined));
    }
  });

  test('should write no model of the snapshot over the lake models', async () => {
    expect(await ctx.storage.list('models/')).toEqual([]);
  });
});

describe('as-of views (sql/snapshots/as_of/)', () => {
  test('should have one view per filtered source, each reading its lake table and snapshot_as_of only (the dossiers also their ledger)', () => {
    const views = loadAsOfViews(SQL_DIR);
    expect(views.map((v) => v.source)).toEqual(['src_bieu06', 'src_dossiers', 'src_par_fields', 'src_par_totals', 'src_score766', 'src_score766_metrics']);
    for (const v of views) expect(SOURCE_NAMES).toContain(v.source);
    // The quarantine, like the landing log and the registry, is read whole (bench/history.md, 133).
    expect(views.find((v) => v.source === 'src_quarantine')).toBeUndefined();
    expect(views.find((v) => v.source === 'src_dossiers')!.table).toBe('landed_dossiers');
    expect(views.filter((v) => v.ledgers.length > 0).map((v) => [v.source, v.ledgers])).toEqual([['src_dossiers', ['landed_superseded_dossiers']]]);
  });

  test('should count PAR results of year Y from 01/3 of Y+1, not before', async () => {
    const engine = await DuckDbEngine.create({ lakeRoot: path.join(tmp, 'lake'), workDir: path.join(tmp, 'work'), writeParquet: false });
    try {
      const all = (await engine.query("SELECT DISTINCT year FROM read_parquet('" + path.join(tmp, 'lake', 'landed', 'par_totals') + "/**/*.parquet', hive_partitioning = true) ORDER BY year")).map((r) => Number(r.year));
      const years = async (asOf: string) => {
        await registerAsOfSources(engine, ctx.storage, asOf, SQL_DIR);
        return (await engine.query('SELECT DISTINCT year FROM src_par_totals ORDER BY year')).map((r) => Number(r.year));
      };
      expect(all).toContain(2024);
      expect(await years('2025-02-28')).not.toContain(2024);
      expect(await years('2025-03-01')).toContain(2024);
      expect((await engine.query(`SELECT as_of_date FROM ${AS_OF_RELATION}`)).map((r) => String(r.as_of_date))).toEqual(['2025-03-01']);
    } finally {
      await engine.close();
    }
  });

  test('should leave a dossier finished after the date pending, and drop one received after it', async () => {
    const engine = await DuckDbEngine.create({ lakeRoot: path.join(tmp, 'lake'), workDir: path.join(tmp, 'work'), writeParquet: false });
    try {
      await registerAsOfSources(engine, ctx.storage, '2025-06-30', SQL_DIR);
      const [later] = await engine.query(`SELECT count(*) AS n FROM src_dossiers WHERE CAST(received_at AS DATE) > DATE '2025-06-30'`);
      expect(Number(later!.n)).toBe(0);
      const [pending] = await engine.query(
        `SELECT count(*) AS n FROM src_dossiers a JOIN landed_dossiers d USING (dossier_id, raw_hash, raw_row)
         WHERE CAST(d.finished_at AS DATE) > DATE '2025-06-30' AND a.finished_at IS NULL AND a.status = 'DANG_XU_LY'`,
      );
      expect(Number(pending!.n)).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });
});

describe('as-of views over a lake with nothing landed', () => {
  test('should stand every view on the empty, typed tables (a source with no files is a table, not a view)', async () => {
    const empty = path.join(tmp, 'empty-lake');
    const engine = await DuckDbEngine.create({ lakeRoot: empty, workDir: path.join(tmp, 'work'), writeParquet: false });
    try {
      const views = await registerAsOfSources(engine, new LocalStorage(empty), '2025-06-30', SQL_DIR);
      expect(views).toHaveLength(6);
      for (const v of views) expect(Number((await engine.query(`SELECT count(*) AS n FROM ${v.source}`))[0]!.n), v.source).toBe(0);
      expect(await engine.columns('src_dossiers')).toContain('finished_at');
    } finally {
      await engine.close();
    }
  });
});

describe('martCut', () => {
  test.each([
    ['period_start', "period_start <= CAST('2025-06-30' AS DATE)"],
    ['year_month', 'year * 100 + month <= 202506'],
    ['as_of', "as_of <= CAST('2025-06-30' AS DATE)"],
    ['year', 'year <= 2025'],
    ['none', '1 = 1'],
  ] as const)('should cut a mart declared %s by %s', (cut, sql) => {
    expect(martCut(cut, '2025-06-30')).toBe(sql);
  });

  test('should cut every mart of sql/ by the cut its YAML declares', () => {
    const cuts = Object.fromEntries(loadModels(SQL_DIR).filter((m) => m.layer === 'marts').map((m) => [m.name, m.asOfCut]));
    expect(Object.values(cuts)).not.toContain(undefined);
    // One of each kind, and the ones whose columns would read otherwise: agency_months has year and
    // month but is cut by its period_start; outlook_backtest has a month but no year, so is whole.
    expect(new Set(Object.values(cuts))).toEqual(new Set(AS_OF_CUTS));
    expect(cuts).toMatchObject({ agency_months: 'period_start', score766_agency_months: 'year_month', score766_units: 'as_of', procedure_years: 'year', outlook_backtest: 'none' });
  });
});
