/**
 * The month a raw file's rejected rows are quarantined under (functions/core/lake/periods.ts): always one
 * Athena's partition projection reads (year 2000 … , month 1 … 12), whatever period the file came with.
 */
import { describe, expect, test } from 'vitest';
import { vietnamMonth, periodParts, pulledMonth, quarantineMonth } from '../../../functions/core/lake/periods.js';
import { periodOfName } from '../../../functions/core/connectors/drop.js';
import { Period } from '../../../functions/core/lake/raw.js';

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

describe('periods of raw files', () => {
  test('should take months 01–12 only: a "2024-13" or "2024-00" is no period', () => {
    expect(periodParts('2024-12')).toEqual({ year: 2024, month: 12 });
    expect(periodParts('2024')).toEqual({ year: 2024, month: 0 });
    expect(periodParts('2024-13')).toEqual({ year: 0, month: 0 });
    expect(periodParts('2024-00')).toEqual({ year: 0, month: 0 });
    expect(Period.safeParse('2024-13').success).toBe(false);
    expect(Period.safeParse('2024-01').success).toBe(true);
    // a vendor export's name: its valid yyyy-mm, else its year
    expect(periodOfName('so-theo-doi-2024-05.xlsx')).toBe('2024-05');
    expect(periodOfName('so-theo-doi-2024-13.xlsx')).toBe('2024');
    expect(periodOfName('bao-cao-2024-123.xlsx')).toBe('2024');
    expect(periodOfName('export.xlsx')).toBeNull();
  });
});

describe('vietnamMonth', () => {
  test("should be Vietnam's month wherever the clock runs: 01:00 on 1 January in Hanoi is still December in UTC", () => {
    expect(vietnamMonth(new Date('2025-12-31T18:00:00Z'))).toEqual({ year: 2026, month: 1 });
    expect(vietnamMonth(new Date('2025-12-31T16:59:59Z'))).toEqual({ year: 2025, month: 12 });
    expect(vietnamMonth(new Date('2026-06-15T00:00:00Z'))).toEqual({ year: 2026, month: 6 });
  });
});
