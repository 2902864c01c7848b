/**
 * The whole chain on a generated province: generate → loopback portal → pull → land → transform →
 * snapshot, on real DuckDB and real Parquet.
 */
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withDuckDb, literal } from '../../functions/core/engine/duckdb.js';
import { ingestFiles, land, runAll, snapshot, transform, verify } from '../../functions/core/pipeline.js';
import { startPortal } from '../../functions/portal/server.js';
import { demoContext, ensureDemoLake, REPO, type DemoLake } from '../helpers/demo-lake.js';

let demo: DemoLake;

beforeAll(async () => {
  demo = await ensureDemoLake();
}, 600_000);

function hashTree(dir: string, sub: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet') || e.name.endsWith('.json')) out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  for (const s of sub) walk(path.join(dir, s));
  return out;
}

const parquet = (lake: string, dataset: string): string => literal(`${lake}/landed/${dataset}/**/*.parquet`);

describe('Pipeline on the generated demo province', () => {
  test('should land exactly the generated dossiers per agency, month and source', async () => {
    const expected = new Map(demo.generated.perAgencyMonth.map((r) => [`${r.agency_code}|${r.month}|${r.source}`, r.dossiers]));
    const landed = await withDuckDb((db) =>
      db.all(
        `SELECT agency_code, strftime(received_at, '%Y-%m') AS month, source, count(*) AS n
         FROM read_parquet(${parquet(demo.lakeDir, 'dossiers')}, hive_partitioning = true) GROUP BY ALL`,
      ),
    );
    const got = new Map(landed.map((r) => [`${r.agency_code}|${r.month}|${r.source}`, Number(r.n)]));
    expect(got.size).toBeGreaterThan(100);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    expect(demo.run.landed.rowsRead).toBe(demo.run.landed.rowsLanded + demo.run.landed.rowsQuarantined);
    // The generated province is clean: a quarantined row here is a reader bug (as the exceljs chunk
    // decoding was: "Kết qu��" in the vendor exports), not bad data.
    expect(demo.run.landed.rowsQuarantined).toBe(0);
  });

  test('should reproduce every generated Biểu 06 sheet cell for cell in agency_periods', async () => {
    const diff = await withDuckDb((db) =>
      db.all(
        `WITH sheet AS (
           SELECT * FROM read_parquet(${parquet(demo.lakeDir, 'bieu06')}, hive_partitioning = true)
         ), mart AS (
           SELECT * FROM read_parquet(${literal(`${demo.lakeDir}/models/marts/agency_periods.parquet`)})
         )
         SELECT sheet.period_type, sheet.year, sheet.period_no, sheet.unit_name, sheet.agency_code,
                [sheet.received_total, sheet.received_online, sheet.received_offline, sheet.received_carried_over,
                 sheet.resolved_total, sheet.resolved_early, sheet.resolved_on_time, sheet.resolved_late,
                 sheet.pending_total, sheet.pending_in_time, sheet.pending_overdue] AS sheet_cells,
                [mart.received_total, mart.received_online, mart.received_offline, mart.received_carried_over,
                 mart.resolved_total, mart.resolved_early, mart.resolved_on_time, mart.resolved_late,
                 mart.pending_total, mart.pending_in_time, mart.pending_overdue] AS mart_cells
         FROM sheet
         LEFT JOIN mart ON mart.agency_code = sheet.agency_code AND mart.period_type = sheet.period_type
                        AND mart.year = sheet.year AND mart.period_no = sheet.period_no
         WHERE mart.agency_code IS NULL OR sheet_cells <> mart_cells
         ORDER BY ALL LIMIT 10`,
      ),
    );
    const sheets = await withDuckDb((db) => db.scalarNumber(`SELECT count(*) FROM read_parquet(${parquet(demo.lakeDir, 'bieu06')})`));
    expect(sheets).toBeGreaterThan(500);
    expect(diff).toEqual([]);
  });

  test('should keep the lake invariants: accounting per file, one row per dossier id, snapshot hashes', async () => {
    const ctx = demoContext(demo.lakeDir, path.join(demo.root, 'work-verify'));
    const v = await verify(ctx);
    expect(v.dossiers).toBe(demo.generated.dossiers);
    expect(v.snapshots).toBe(2);
  });
});

describe('Pipeline on the real 766 data (national answer and Gia Lai)', () => {
  const real = path.join(REPO, 'functions/portal/fixtures/dvcqg-766');
  const units = (where: string) =>
    withDuckDb((db) =>
      db.all(
        `SELECT unit_id, unit_code, unit_name, unit_short_name, CAST(as_of AS VARCHAR) AS as_of, rank, units_total, group_rank, group_units,
                score_total, score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdhl, score_mdsh, score_total_change, rank_change
         FROM read_parquet(${literal(`${demo.lakeDir}/models/marts/score766_units.parquet`)})
         WHERE dataset_label = 'real' AND ${where} ORDER BY as_of, rank`,
      ),
    );

  test('should land the 34 provinces with their published totals, group scores and ranks', async () => {
    const published = JSON.parse(readFileSync(path.join(real, 'service-results.response.json'), 'utf8')).data.evaluation as {
      departmentId: string; departmentCode: string; totalScore: number; groupScores: Record<string, number>;
    }[];
    const rows = await units(`unit_group = 'PROVINCE'`);
    expect(rows).toHaveLength(34);
    expect(rows.map((r) => [r.unit_id, r.unit_code, r.score_total, r.score_ckmb, r.score_tdgq, r.score_clgq, r.score_tttt, r.score_mdhl, r.score_mdsh, r.rank, r.units_total])).toEqual(
      published.map((p, i) => [p.departmentId, p.departmentCode, p.totalScore, p.groupScores.CKMB, p.groupScores.TDGQ, p.groupScores.CLGQ, p.groupScores.TTTT, p.groupScores.MDHL, p.groupScores.MDSH, i + 1, 34]),
    );
  });

  test('should land Gia Lai\'s agencies on both dates with ranks out of 149 units and of the agency group, and their change', async () => {
    const files = ['2026-09-24', '2026-10-10'].map((d) => JSON.parse(readFileSync(path.join(real, `gia-lai/agencies_${d}.json`), 'utf8')));
    const rows = await units(`unit_group = 'AGENCY' AND province_code = 'H21'`);
    expect(rows).toHaveLength(files[0].agencies.length + files[1].agencies.length);
    const byKey = new Map(rows.map((r) => [`${r.as_of}|${r.unit_id}`, r]));
    for (const [k, d] of ['2026-09-24', '2026-10-10'].entries()) {
      for (const a of files[k].agencies) {
        const r = byKey.get(`${d}|${a.departmentId}`)!;
        expect(r).toMatchObject({ unit_name: a.departmentName, score_total: a.totalScore, rank: a.rank, group_rank: a.groupRank, units_total: 149, group_units: 14 });
        expect(r.unit_short_name).toBe(a.departmentName.replace(' - tỉnh Gia Lai', ''));
      }
    }
    for (const a of files[1].agencies) {
      const before = files[0].agencies.find((b: { departmentId: string }) => b.departmentId === a.departmentId);
      const r = byKey.get(`2026-10-10|${a.departmentId}`)!;
      expect(r.score_total_change).toBeCloseTo(a.totalScore - before.totalScore, 2);
      expect(r.rank_change).toBe(before.rank - a.rank);
    }
  });
});

describe('Pipeline on the real 766 sub-indicators (Gia Lai, 10/10/2026)', () => {
  test('should recompute every published sub-score the table defines to ±0,01, landed through the real connector', async () => {
    const detail = JSON.parse(readFileSync(path.join(REPO, 'functions/portal/fixtures/dvcqg-766/gia-lai/agencies_detail_2026-10-10.json'), 'utf8'));
    const published = detail.agenciesDetail.flatMap((u: { componentIndicators: Record<string, { metrics?: unknown[] }> }) =>
      Object.values(u.componentIndicators).flatMap((g) => g.metrics ?? [g]),
    );
    const rows = await withDuckDb((db) =>
      db.all(
        `SELECT metric_code, score_published, score_recomputed, score_diff FROM read_parquet(${literal(`${demo.lakeDir}/models/marts/score766_metrics.parquet`)})
         WHERE dataset_label = 'real' AND province_code = 'H21' ORDER BY metric_code`,
      ),
    );
    expect(rows).toHaveLength(published.length);
    const recomputed = rows.filter((r) => r.score_recomputed !== null);
    expect(recomputed.length).toBeGreaterThanOrEqual(200);
    expect(recomputed.filter((r) => Math.abs(Number(r.score_diff)) > 0.01)).toEqual([]);
    // Documented exceptions (docs/data-contracts.md §4.3): groups published without sub-indicators,
    // and sub-indicators with no points in the table.
    expect([...new Set(rows.filter((r) => r.score_recomputed === null).map((r) => r.metric_code))].sort()).toEqual([
      'ONLINE',
      'PETITION_CLASSIFICATION_STAFF',
      'PETITION_CLASSIFICATION_TTHC',
      'TTTT',
    ]);
  });

  test("should find every group's published sub-scores summing to its published group score, and the groups to the total", async () => {
    const sums = await withDuckDb((db) =>
      db.all(
        `WITH m AS (
           SELECT unit_id, group_code, sum(score_published) AS s FROM read_parquet(${literal(`${demo.lakeDir}/models/marts/score766_metrics.parquet`)})
           WHERE dataset_label = 'real' AND province_code = 'H21' GROUP BY ALL
         ), u AS (
           SELECT * FROM read_parquet(${literal(`${demo.lakeDir}/models/marts/score766_units.parquet`)})
           WHERE dataset_label = 'real' AND province_code = 'H21' AND as_of = DATE '2026-10-10'
         )
         SELECT u.unit_id, m.group_code, m.s,
                CASE m.group_code WHEN 'CKMB' THEN u.score_ckmb WHEN 'TDGQ' THEN u.score_tdgq WHEN 'CLGQ' THEN u.score_clgq
                     WHEN 'TTTT' THEN u.score_tttt WHEN 'MDHL' THEN u.score_mdhl WHEN 'MDSH' THEN u.score_mdsh END AS g,
                u.score_total, u.score_ckmb + u.score_tdgq + u.score_clgq + u.score_tttt + u.score_mdhl + u.score_mdsh AS groups
         FROM m JOIN u USING (unit_id)`,
      ),
    );
    expect(sums).toHaveLength(14 * 6);
    expect(sums.filter((r) => Math.abs(Number(r.s) - Number(r.g)) > 0.011)).toEqual([]);
    expect(sums.filter((r) => Math.abs(Number(r.groups) - Number(r.score_total)) > 0.011)).toEqual([]);
  });
});

describe('Pipeline rerun on the same input', () => {
  const copy = path.join(REPO, 'test-output', 'pipeline-rerun');
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test('should land nothing new and leave every Parquet byte-identical', async () => {
    rmSync(copy, { recursive: true, force: true });
    cpSync(demo.root, copy, { recursive: true });
    const lakeDir = path.join(copy, 'lake');
    const before = hashTree(lakeDir, ['landed', 'quarantine', 'models', 'snapshots', 'manifest']);
    const portal = await startPortal({ dataDir: path.join(copy, 'data'), token: 't', realDir: path.join(REPO, 'functions/portal/fixtures/dvcqg-766'), port: 0 });
    try {
      const ctx = demoContext(lakeDir, path.join(copy, 'work'), portal.url);
      const again = await runAll(ctx, {
        drop: { dir: path.join(copy, 'data'), include: ['registry-agencies', 'registry-procedures', 'nsw-csv', 'bieu06-xlsx', 'par-xlsx', 'score766-metrics'] },
        portal: { from: '2019-01', to: '2025-12', token: 't' },
        score766: { from: '2022-08', to: '2025-12', tinhId: 'H99' },
        real766: true,
        snapshots: ['2025-05', '2025-12'],
      });
      expect(again.staged.staged).toBe(0);
      expect(again.landed.files).toHaveLength(0);
      expect(again.snapshots.every((s) => !s.published)).toBe(true);
    } finally {
      await portal.close();
    }
    const after = hashTree(lakeDir, ['landed', 'quarantine', 'models', 'snapshots', 'manifest']);
    expect(Object.keys(after).length).toBeGreaterThan(100);
    expect(after).toEqual(before);
  });

  test('should never change a published snapshot when later data arrives', async () => {
    const lakeDir = path.join(copy, 'lake');
    const ctx = demoContext(lakeDir, path.join(copy, 'work'));
    const published = hashTree(lakeDir, ['snapshots/2025-05']);
    const martBefore = createHash('sha256').update(readFileSync(path.join(lakeDir, 'models/marts/agency_months.parquet'))).digest('hex');
    // A late CSV export for May 2025 with dossiers nobody had seen.
    const header = readFileSync(path.join(copy, 'data/portal/dossiers/2025/2025-05.csv'), 'utf8').split('\r\n')[0]!;
    const agency = (await withDuckDb((db) => db.all(`SELECT agency_code FROM read_parquet(${literal(`${lakeDir}/models/marts/agency_months.parquet`)}) WHERE year = 2025 AND month = 5 LIMIT 1`)))[0]!.agency_code;
    const procedure = (await withDuckDb((db) => db.all(`SELECT procedure_code FROM read_parquet(${parquet(lakeDir, 'procedures')}) LIMIT 1`)))[0]!.procedure_code;
    const late = path.join(copy, 'late-2025-05.csv');
    writeFileSync(late, `${header}\r\nLATE-1,${procedure},${agency},2,20/05/2025 09:00,30/05/2025 17:00,,DANG_XU_LY,0,Không,Không,Có,Không,Có,Không,20/05/2025 09:00\r\n`);
    await ingestFiles(ctx, { kind: 'portal-csv', files: [late], period: '2025-05' });
    const landed = await land(ctx);
    expect(landed.rowsRead).toBe(1);
    expect(landed.rowsLanded).toBe(1);
    await transform(ctx);
    const martAfter = createHash('sha256').update(readFileSync(path.join(lakeDir, 'models/marts/agency_months.parquet'))).digest('hex');
    const s = await snapshot(ctx, { period: '2025-05' });
    expect(s.published).toBe(false);
    expect(hashTree(lakeDir, ['snapshots/2025-05'])).toEqual(published);
    expect(martAfter).not.toBe(martBefore);
    expect(statSync(path.join(lakeDir, 'snapshots/2025-05/manifest.json')).isFile()).toBe(true);
  });
});
