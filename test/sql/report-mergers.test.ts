/**
 * sql/reports/monthly_mergers.sql and monthly_par.sql on a tiny registry: the mergers a month's report
 * footnotes (those of its own year, and those of the PAR Index year its table shows) and the number of units
 * the PAR year before ranked (ranks out of another number are not compared).
 */
import { describe, expect, test } from 'vitest';
import { withDuckDb } from '../../functions/core/engine/duckdb.js';
import { readReportSql } from '../../functions/core/transform/report-sql.js';

async function run(name: 'monthly_mergers' | 'monthly_par', params: Record<string, string | number>): Promise<Record<string, unknown>[]> {
  return withDuckDb(async (db) => {
    // H99.10 and H99.11 → H99.21 on 01/03/2025, which ends on 30/06/2025 (the province's merger: its break_date
    // is then 01/07/2025, its formation stays 01/03/2025); H99.05 unchanged. The columns of `agencies` as a
    // snapshot published before it had formed_on holds them.
    await db.run(`CREATE TABLE agencies AS SELECT * FROM (VALUES
      ('H99.05', 'Sở Tư pháp', 'H99', DATE '2015-01-01', CAST(NULL AS DATE), NULL, NULL, CAST(NULL AS DATE)),
      ('H99.10', 'Sở Kế hoạch và Đầu tư', 'H99', DATE '2015-01-01', DATE '2025-02-28', 'H99.21', NULL, DATE '2025-03-01'),
      ('H99.11', 'Sở Tài chính', 'H99', DATE '2015-01-01', DATE '2025-02-28', 'H99.21', NULL, DATE '2025-03-01'),
      ('H99.21', 'Sở Tài chính (hợp nhất)', 'H99', DATE '2025-03-01', DATE '2025-06-30', 'H77.05', 'H99.10, H99.11', DATE '2025-07-01')
    ) AS t(agency_code, agency_name, province_code, valid_from, valid_to, successor_code, predecessor_codes, break_date)`);
    // PAR 2024: three units ranked; 2025: two.
    await db.run(`CREATE TABLE par_agency_years AS SELECT * FROM (VALUES
      (2024, 'H99.05', 'Sở Tư pháp', 80.0, 1), (2024, 'H99.10', 'Sở Kế hoạch và Đầu tư', 75.0, 2), (2024, 'H99.11', 'Sở Tài chính', 70.0, 3),
      (2025, 'H99.21', 'Sở Tài chính (hợp nhất)', 85.0, 1), (2025, 'H99.05', 'Sở Tư pháp', 82.0, 2)
    ) AS t(year, agency_code, agency_name, total_points, rank)`);
    return db.all(await readReportSql(name), params);
  });
}

describe('the mergers a monthly report footnotes', () => {
  test("should give a 2026 report the 2025 mergers when its PAR table is 2025's, and none when it is 2026's", async () => {
    const of2026 = await run('monthly_mergers', { year: 2026, par_year: 2025, as_of: '2026-03-31', province_code: 'H99' });
    expect(of2026.map((m) => [m.agency_code, String(m.break_date), m.predecessor_codes])).toEqual([['H99.21', '2025-03-01', ['H99.10', 'H99.11']]]);
    expect(await run('monthly_mergers', { year: 2026, par_year: 2026, as_of: '2026-03-31', province_code: 'H99' })).toEqual([]);
    // 2025's own reports: from March (its formation, not the day it ended), whatever the PAR year.
    expect((await run('monthly_mergers', { year: 2025, par_year: 2024, as_of: '2025-03-31', province_code: 'H99' })).map((m) => m.agency_code)).toEqual(['H99.21']);
    expect(await run('monthly_mergers', { year: 2025, par_year: 2024, as_of: '2025-02-28', province_code: 'H99' })).toEqual([]);
  });

  test('should give the PAR table the number of units the year before ranked', async () => {
    const rows = await run('monthly_par', { province_code: 'H99' });
    expect(rows.map((r) => [r.year, r.agency_code, Number(r.prev_units_ranked)])).toEqual([
      [2025, 'H99.21', 3],
      [2025, 'H99.05', 3],
    ]);
  });
});
