import { describe, expect, test } from 'vitest';
import type { AgencyPeriod } from '../../../functions/core/report/data.js';
import { bieu06Workbooks } from '../../../functions/core/report/pack.js';

const rows = (t: AgencyPeriod['period_type'], no = 1): AgencyPeriod[] => [{ agency_code: 'H99.05', period_type: t, year: 2025, period_no: no } as AgencyPeriod];

describe('bieu06Workbooks given the months of a year', () => {
  test("should add the quarter's workbook at a quarter's end, the first half's in June and the year's in December, each named by its rows' period", () => {
    const names = (month: number, extra: object = {}) =>
      bieu06Workbooks({ period: `2025-${String(month).padStart(2, '0')}`, year: 2025, month, agencies: rows('month'), ...extra }).map((w) => [w.name, w.rows[0]?.period_type]);
    expect(names(5)).toEqual([['bieu06-2025-05.xlsx', 'month']]);
    expect(names(6, { quarterAgencies: rows('quarter', 2), halfOrYearAgencies: rows('half') })).toEqual([
      ['bieu06-2025-06.xlsx', 'month'],
      ['bieu06-2025-q2.xlsx', 'quarter'],
      ['bieu06-2025-h1.xlsx', 'half'],
    ]);
    expect(names(9, { quarterAgencies: rows('quarter', 3) })).toEqual([['bieu06-2025-09.xlsx', 'month'], ['bieu06-2025-q3.xlsx', 'quarter']]);
    expect(names(12, { quarterAgencies: rows('quarter', 4), halfOrYearAgencies: rows('year') })).toEqual([
      ['bieu06-2025-12.xlsx', 'month'],
      ['bieu06-2025-q4.xlsx', 'quarter'],
      ['bieu06-2025.xlsx', 'year'],
    ]);
    expect(bieu06Workbooks({ period: '2025-12', year: 2025, month: 12, agencies: rows('month'), halfOrYearAgencies: rows('year') }, '-r2').map((w) => w.name)).toEqual([
      'bieu06-2025-12-r2.xlsx',
      'bieu06-2025-r2.xlsx',
    ]);
  });
});
