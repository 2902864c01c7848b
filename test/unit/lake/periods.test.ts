/**
 * The month a raw file's rejected rows are quarantined under (functions/core/lake/periods.ts): always one
 * Athena's partition projection reads (year 2000 … , month 1 … 12), whatever period the file came with.
 */
import { describe, expect, test } from 'vitest';
import { pulledMonth, quarantineMonth } from '../../../functions/core/lake/periods.js';

const landing = { year: 2026, month: 12 };

describe('pulledMonth', () => {
  test('should give a month period from 2000 to the landing month, and nothing for any other period', () => {
    expect(pulledMonth('2024-05', landing)).toEqual({ year: 2024, month: 5 });
    expect(pulledMonth('2000-01', landing)).toEqual({ year: 2000, month: 1 });
    expect(pulledMonth('2026-12', landing)).toEqual({ year: 2026, month: 12 });
    // a year: the dossiers' own months of receipt decide (sql/landing/dossiers_quarantined.sql)
    expect(pulledMonth('2024', landing)).toEqual({ year: 0, month: 0 });
    expect(pulledMonth(null, landing)).toEqual({ year: 0, month: 0 });
    expect(pulledMonth('1999-12', landing)).toEqual({ year: 0, month: 0 });
    expect(pulledMonth('2027-01', landing)).toEqual({ year: 0, month: 0 });
    expect(pulledMonth('2026-12', { year: 2026, month: 11 })).toEqual({ year: 0, month: 0 });
  });
});

describe('quarantineMonth', () => {
  test("should give the month pulled for, a past year's December, the landing month while the year runs, and the landing month otherwise", () => {
    expect(quarantineMonth('2024-05', landing)).toEqual({ year: 2024, month: 5 });
    expect(quarantineMonth('2024', landing)).toEqual({ year: 2024, month: 12 });
    expect(quarantineMonth('2026', { year: 2026, month: 7 })).toEqual({ year: 2026, month: 7 });
    expect(quarantineMonth(null, landing)).toEqual(landing);
    expect(quarantineMonth('1999', landing)).toEqual(landing);
    expect(quarantineMonth('1999-06', landing)).toEqual(landing);
    expect(quarantineMonth('2052', landing)).toEqual(landing);
    expect(quarantineMonth('2052-06', landing)).toEqual(landing);
  });
});
