/**
 * 766: the recompute from dossiers on a worked example, and the scoring table against every published
 * Gia Lai sub-score (functions/portal/fixtures/dvcqg-766, mapped as docs/data-contracts.md §2.7 says).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFixture, type FixtureRun } from './helpers.js';

const REAL = path.join(import.meta.dirname, '../../functions/portal/fixtures/dvcqg-766/gia-lai/agencies_detail_2026-10-10.json');

interface Metric { code: string; numerator: number | null; denominator: number | null; ratio: number | null; score: number | null; maxScore: number }
interface Detail { departmentId: string; departmentCode: string; componentIndicators: Record<string, { score: number; maxScore: number; ratio?: number; totalOnTime?: number; totalReceived?: number; metrics?: Metric[] }> }

const q = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

/** The real detail file as score766_metrics VALUES rows. */
function realMetricRows(): { rows: string; count: number } {
  const details = (JSON.parse(readFileSync(REAL, 'utf8')) as { agenciesDetail: Detail[] }).agenciesDetail;
  const out: string[] = [];
  for (const d of details) {
    for (const [key, comp] of Object.entries(d.componentIndicators)) {
      const group = key.split('_')[0]!;
      const metrics: Metric[] =
        comp.metrics ??
        (group === 'TDGQ'
          ? [{ code: 'DOSSIER_ON_TIME', numerator: comp.totalOnTime ?? null, denominator: comp.totalReceived ?? null, ratio: comp.ratio ?? null, score: comp.score, maxScore: comp.maxScore }]
          : [{ code: group, numerator: null, denominator: null, ratio: comp.ratio ?? null, score: comp.score, maxScore: comp.maxScore }]);
      for (const m of metrics) {
        const g = group === 'ONLINE' ? 'CLGQ' : group;
        out.push(`('real','year',2026,1,DATE '2026-10-10',${q(d.departmentId)},${q(d.departmentCode)},${q(g)},${q(m.code)},${q(m.code)},${q(m.numerator)},${q(m.denominator)},${q(m.ratio)},${q(m.score)},${q(m.maxScore)})`);
      }
    }
  }
  return { rows: out.join(',\n'), count: out.length };
}

let run: FixtureRun;
const real = realMetricRows();
beforeAll(async () => {
  // Sub-scores at a rounding edge (dataset 'half'): the published score, then what the table recomputes.
  const half = [
    `('half','month',2026,1,DATE '2026-02-01','x1','X.01','CKMB','DOSSIER_SYNC','DOSSIER_SYNC',17,80,21.25,1.28,6)`,
    `('half','month',2026,1,DATE '2026-02-01','x2','X.02','CLGQ','ONLINE_PROVISION','ONLINE_PROVISION',87,160,54.375,2.17,4)`,
    `('half','month',2026,1,DATE '2026-02-01','x3','X.03','CLGQ','ONLINE_PROVISION','ONLINE_PROVISION',87,160,54.375,2.2,4)`,
  ];
  run = await runFixture({ extraScore766Metrics: [real.rows, ...half].join(',\n') });
});
afterAll(async () => {
  await run?.dispose();
});

describe('score766_agency_months on the fixture', () => {
  test('should recompute January 2025 of H99.05 from dossiers and the published drawn sub-scores', async () => {
    const [r] = await run.rows(`SELECT * FROM score766_agency_months WHERE agency_code = 'H99.05' AND year = 2025 AND month = 1`);
    expect(r).toMatchObject({
      indicator_version: '766-v1',
      received_new: 4,
      resolved_total: 4,
      // CKMB 5 + 4 + 2 (published) + DOSSIER_SYNC 3/4 × 6 = 4,5
      score_ckmb_recomputed: 15.5,
      // DOSSIER_ON_TIME 3/4 × 20
      score_tdgq_recomputed: 15,
      // ONLINE_PROVISION 2/2 × 4 + ONLINE_SUBMISSION 25 % of the 50 % threshold × 8
      score_clgq_recomputed: 8,
      // nothing paid online
      score_tttt_recomputed: 0,
      // satisfaction 3/4 ÷ 90 % × 6 = 5 (D04, late and complained about, is subtracted once: not 100 % − 25 % − 25 %) + petitions 6 + 6 (published)
      score_mdhl_recomputed: 17,
      // e-result 2/4 × 6 + digitised 3/4 × 4 + published 2 + 1 + 2 + 1 + 2
      score_mdsh_recomputed: 14,
      score_total_recomputed: 69.5,
      score_total_published: 79,
      score_ckmb_diff: -1.5,
      score_clgq_diff: -4,
      score_tttt_diff: -5,
      score_mdhl_diff: 1,
      score_total_diff: -9.5,
      has_published: true,
      uses_published_values: true,
      is_complete: true,
    });
    expect(r!.satisfaction_pct).toBeCloseTo(75, 10);
    expect(r!.online_pct).toBeCloseTo(25, 10);
  });

  test('should take the fee-bearing procedures the unit holds as the denominator of ONLINE_PAYMENT_FORMALITY, with dossiers or not', async () => {
    // H99.05 holds two fee-bearing procedures (1.000001, 2.000002). February 2025: one dossier received, NSW-D07
    // (2.000002), paid online; none of 1.000001. The portal's denominator is the catalogue's fee-bearing procedures
    // (the real Gia Lai detail: H21.13 totalFeeFormality 23 beside 0 dossiers with a fee): 1/2 = 50 % of the 80 %
    // threshold → 2,5 of 4. Counting only the procedures people used would give 1/1 → 4. December 2024 has no
    // fee dossier at all: 0/2, not 0/0.
    const rows = await run.rows(
      `SELECT year, month, numerator, denominator, score_recomputed FROM int_score766_agency_metrics_scored
       WHERE agency_code = 'H99.05' AND metric_code = 'ONLINE_PAYMENT_FORMALITY' AND year * 100 + month IN (202412, 202502) ORDER BY year, month`,
    );
    expect(rows).toEqual([
      { year: 2024, month: 12, numerator: 0, denominator: 2, score_recomputed: 0 },
      { year: 2025, month: 2, numerator: 1, denominator: 2, score_recomputed: 2.5 },
    ]);
  });

  test('should leave groups with unpublished drawn sub-scores empty and flag the row incomplete', async () => {
    const [r] = await run.rows(`SELECT score_ckmb_recomputed, score_tdgq_recomputed, score_total_recomputed, is_complete, has_published FROM score766_agency_months WHERE agency_code = 'H99.05' AND year = 2025 AND month = 2`);
    expect(r).toEqual({ score_ckmb_recomputed: null, score_tdgq_recomputed: 20, score_total_recomputed: null, is_complete: false, has_published: false });
  });
});

describe('score766_metrics on the real Gia Lai sub-indicators', () => {
  test('should reproduce every published sub-score the table defines to ±0,01', async () => {
    const rows = await run.rows(
      `SELECT unit_code, metric_code, numerator, denominator, score_published, score_recomputed, is_reproduced
       FROM score766_metrics WHERE dataset_label = 'real' AND rule IS NOT NULL AND score_published IS NOT NULL`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(190);
    expect(rows.filter((r) => r.is_reproduced !== true)).toEqual([]);
  });

  test('should leave ONLINE and TTTT, which publish no sub-indicators, without a recomputed score', async () => {
    const rows = await run.rows(`SELECT DISTINCT metric_code, rule, score_recomputed FROM score766_metrics WHERE dataset_label = 'real' AND metric_code IN ('ONLINE', 'TTTT') ORDER BY metric_code`);
    expect(rows).toEqual([
      { metric_code: 'ONLINE', rule: null, score_recomputed: null },
      { metric_code: 'TTTT', rule: null, score_recomputed: null },
    ]);
  });

  test('should round a sub-score ending in 5 at the third decimal up, and count a difference of exactly 0,01 as reproduced', async () => {
    const rows = await run.rows(
      `SELECT unit_code, metric_code, score_recomputed, score_published, score_diff, is_reproduced FROM score766_metrics WHERE dataset_label = 'half' ORDER BY unit_code`,
    );
    expect(rows).toEqual([
      // DOSSIER_SYNC 17 of 80 × 6 = 1,275 exactly (1,27499… as a DOUBLE): 1,28.
      { unit_code: 'X.01', metric_code: 'DOSSIER_SYNC', score_recomputed: 1.28, score_published: 1.28, score_diff: 0, is_reproduced: true },
      // ONLINE_PROVISION 87 of 160 × 4 = 2,175: 2,18; published 2,17 is 0,01 away (0,010000000000000009 as DOUBLEs): within ±0,01.
      { unit_code: 'X.02', metric_code: 'ONLINE_PROVISION', score_recomputed: 2.18, score_published: 2.17, score_diff: 0.01, is_reproduced: true },
      // 0,02 away: not reproduced.
      { unit_code: 'X.03', metric_code: 'ONLINE_PROVISION', score_recomputed: 2.18, score_published: 2.2, score_diff: -0.02, is_reproduced: false },
    ]);
    // The dossier-recomputed sub-scores round the same way (no model rounds a DOUBLE twice).
    for (const file of ['intermediate/int_score766_agency_metrics_scored.sql', 'marts/score766_metrics.sql']) {
      const sql = readFileSync(path.join(import.meta.dirname, '../../sql', file), 'utf8');
      expect(sql).not.toMatch(/round\(round\(/);
      expect(sql).toMatch(/cast\(round\(cast\(m?[a-z.]*max_score \* least\(1, .* as decimal\(38, 6\)\), 2\) as double\)/);
    }
  });

  test('should show a worked threshold example: REUSED_DIGITIZED_DATA 20/741 under 80 % → 0,07 of 2', async () => {
    const [r] = await run.rows(`SELECT score_recomputed, score_published FROM score766_metrics WHERE unit_code = 'H21.09' AND metric_code = 'REUSED_DIGITIZED_DATA'`);
    expect(r).toEqual({ score_recomputed: 0.07, score_published: 0.07 });
  });
});

describe('score766_units on published rows', () => {
  test('should give the change vs the previous capture of the same unit and period type', async () => {
    const rows = await run.rows(`SELECT dataset_label, unit_id, CAST(as_of AS VARCHAR) AS as_of, score_total_change, rank_change, band, period_label FROM score766_units ORDER BY dataset_label, unit_id, as_of`);
    expect(rows).toEqual([
      { dataset_label: 'demo', unit_id: 'U05', as_of: '2025-01-05', score_total_change: null, rank_change: null, band: 'Tốt', period_label: 'Tháng 12/2024' },
      { dataset_label: 'demo', unit_id: 'U05', as_of: '2025-02-05', score_total_change: -1, rank_change: -1, band: 'Khá', period_label: 'Tháng 1/2025' },
      { dataset_label: 'real', unit_id: 'G17', as_of: '2026-09-24', score_total_change: null, rank_change: null, band: 'Khá', period_label: 'Năm 2026' },
      { dataset_label: 'real', unit_id: 'G17', as_of: '2026-10-10', score_total_change: 0.03, rank_change: 1, band: 'Khá', period_label: 'Năm 2026' },
    ]);
  });
});

describe('score766_units across the 01/03/2025 merger', () => {
  // February 2025: three units ranked; March: two, Sở Tài chính's unit (U11) now the merged H99.21.
  const rows = [
    `('demo','H99','month',2025,2,DATE '2025-03-05','U05','Sở Tư pháp','H99.05','H99.05','AGENCY',17.0,15.0,12.0,5.0,16.0,13.0,78.0,1,1)`,
    `('demo','H99','month',2025,2,DATE '2025-03-05','U10','Sở Kế hoạch và Đầu tư','H99.10','H99.10','AGENCY',15.0,15.0,10.0,5.0,13.0,12.0,70.0,3,3)`,
    `('demo','H99','month',2025,2,DATE '2025-03-05','U11','Sở Tài chính','H99.11','H99.11','AGENCY',16.0,15.0,11.0,5.0,15.0,13.0,75.0,2,2)`,
    `('demo','H99','month',2025,3,DATE '2025-04-05','U05','Sở Tư pháp','H99.05','H99.05','AGENCY',17.0,15.0,12.0,5.0,16.0,12.0,77.0,2,2)`,
    `('demo','H99','month',2025,3,DATE '2025-04-05','U11','Sở Tài chính','H99.21','H99.21','AGENCY',17.0,16.0,12.0,5.0,16.0,14.0,80.0,1,1)`,
    // The year to date captured twice, on 20/02 (before the merger) and 20/03 (after it).
    `('demo','H99','year',2025,1,DATE '2025-02-20','U11','Sở Tài chính','H99.11','H99.11','AGENCY',16.0,15.0,11.0,5.0,15.0,13.0,75.0,2,2)`,
    `('demo','H99','year',2025,1,DATE '2025-03-20','U11','Sở Tài chính','H99.21','H99.21','AGENCY',17.0,16.0,12.0,5.0,16.0,14.0,80.0,1,1)`,
  ];
  let merged: FixtureRun;
  beforeAll(async () => {
    merged = await runFixture({ extraScore766: rows.join(',\n') });
  });
  afterAll(async () => {
    await merged?.dispose();
  });

  test('should quote no rank change among another number of units, and no change at all for a unit that absorbed others', async () => {
    const got = await merged.rows(
      `SELECT unit_id, period_no, units_total, prev_units_total, score_total_change, rank_change, is_merged FROM score766_units
       WHERE dataset_label = 'demo' AND year = 2025 AND period_type = 'month' ORDER BY unit_id, period_no`,
    );
    expect(got).toEqual([
      // January after December, one unit ranked in each: the change stands.
      { unit_id: 'U05', period_no: 1, units_total: 1, prev_units_total: 1, score_total_change: -1, rank_change: -1, is_merged: false },
      // February out of 3 after January out of 1, March out of 2: the score changes stand, the ranks do not compare.
      { unit_id: 'U05', period_no: 2, units_total: 3, prev_units_total: 1, score_total_change: -1, rank_change: null, is_merged: false },
      { unit_id: 'U05', period_no: 3, units_total: 2, prev_units_total: 3, score_total_change: -1, rank_change: null, is_merged: false },
      { unit_id: 'U10', period_no: 2, units_total: 3, prev_units_total: null, score_total_change: null, rank_change: null, is_merged: false },
      { unit_id: 'U11', period_no: 2, units_total: 3, prev_units_total: null, score_total_change: null, rank_change: null, is_merged: false },
      // H99.21 took in H99.10 and H99.11 on 01/03/2025: 80 after 75 is not the same unit's +5.
      { unit_id: 'U11', period_no: 3, units_total: 2, prev_units_total: 3, score_total_change: null, rank_change: null, is_merged: true },
    ]);
    // Two captures of the same year to date, the merger between them: the later one is not the same unit's change.
    const year = await merged.rows(`SELECT CAST(as_of AS VARCHAR) AS as_of, score_total_change, rank_change, is_merged FROM score766_units WHERE unit_id = 'U11' AND period_type = 'year' ORDER BY as_of`);
    expect(year).toEqual([
      { as_of: '2025-02-20', score_total_change: null, rank_change: null, is_merged: false },
      { as_of: '2025-03-20', score_total_change: null, rank_change: null, is_merged: true },
    ]);
  });
});

describe('par_agency_years and par_field_scores on the fixture', () => {
  test('should report 83,45 after 85,37 as −1,92 points and rank 13 after 6 as −7', async () => {
    const [r] = await run.rows(`SELECT total_points, prev_total_points, score_change, rank, prev_rank, rank_change, units_ranked, is_new_unit, is_merged FROM par_agency_years WHERE unit_key = 'H99.05' AND year = 2025`);
    expect(r).toEqual({ total_points: 83.45, prev_total_points: 85.37, score_change: -1.92, rank: 13, prev_rank: 6, rank_change: -7, units_ranked: 3, is_new_unit: false, is_merged: false });
  });

  test('should flag a unit formed by the merger as new and merged, and key unmatched units by name', async () => {
    const rows = await run.rows(`SELECT unit_key, is_new_unit, is_merged, rank_change FROM par_agency_years WHERE year = 2025 AND unit_key <> 'H99.05' ORDER BY unit_key`);
    expect(rows).toEqual([
      { unit_key: 'Ban Dân tộc', is_new_unit: true, is_merged: false, rank_change: null },
      { unit_key: 'H99.21', is_new_unit: true, is_merged: true, rank_change: null },
    ]);
  });

  test('should leave the changes empty where the years do not compare: a unit merged or ended within the year, ranks among other numbers of units', async () => {
    // H99.10 (Sở Kế hoạch và Đầu tư) ended on 28/02/2025 yet scored for 2025; a fourth 2025 unit puts 4 ranks against 2024's 3.
    const other = await runFixture({
      extraParTotals: `(2025,'H99.10','Sở Kế hoạch và Đầu tư',61.0,70,25.0,30,86.0,100,5,'Tốt')`,
    });
    try {
      const rows = await other.rows(`SELECT unit_key, units_ranked, prev_rank, rank_change, prev_total_points, score_change, total_ratio_change, is_merged FROM par_agency_years WHERE year = 2025 AND unit_key IN ('H99.05', 'H99.10') ORDER BY unit_key`);
      expect(rows).toEqual([
        { unit_key: 'H99.05', units_ranked: 4, prev_rank: 6, rank_change: null, prev_total_points: 85.37, score_change: -1.92, total_ratio_change: expect.closeTo(-0.0192, 10), is_merged: false },
        { unit_key: 'H99.10', units_ranked: 4, prev_rank: 2, rank_change: null, prev_total_points: 88, score_change: null, total_ratio_change: null, is_merged: true },
      ]);
    } finally {
      await other.dispose();
    }
  });

  test('should compare fields as score ÷ max across years', async () => {
    const [r] = await run.rows(`SELECT score_ratio, prev_score_ratio, score_ratio_change FROM par_field_scores WHERE unit_key = 'H99.05' AND year = 2025 AND field_no = 1`);
    expect(r!.score_ratio).toBeCloseTo(1, 10);
    expect(r!.prev_score_ratio).toBeCloseTo(5 / 6, 10);
    expect(r!.score_ratio_change).toBeCloseTo(1 / 6, 10);
  });
});
