/**
 * The months of a snapshot's year to date a dossier source has no landed file for (sourceGaps): per
 * source, from month files only, and what lets a snapshot be frozen without them.
 */
import { describe, expect, test } from 'vitest';
import { monthEndInstant, pulledAfterMonth } from '../../../functions/core/lake/periods.js';
import { holdsMonth, sourceGaps, type SourceMonthFile } from '../../../functions/core/transform/snapshot.js';

const file = (source: string, period: string | null, dataset = 'dossiers'): SourceMonthFile => ({ dataset, source, period });
const months = (source: string, ...ms: string[]): SourceMonthFile[] => ms.map((m) => file(source, m));

describe('the months a dossier source has not delivered', () => {
  test('should name the month a source has no file for, after months it had', () => {
    const files = [...months('portal', '2025-04', '2025-05', '2025-06'), ...months('nsw', '2025-04', '2025-05')];
    expect(sourceGaps({ period: '2025-06', files })).toEqual([{ source: 'nsw', months: ['2025-06'], cause: 'missing' }]);
    expect(sourceGaps({ period: '2025-05', files })).toEqual([]);
  });

  test('should name a gap earlier in the year to date, though the month itself came (its year to date would lack it)', () => {
    const files = months('nsw', '2025-01', '2025-02', '2025-04', '2025-05', '2025-06');
    expect(sourceGaps({ period: '2025-06', files })).toEqual([{ source: 'nsw', months: ['2025-03'], cause: 'missing' }]);
    // Not a gap of the year before: January's year to date is January.
    expect(sourceGaps({ period: '2026-01', files: [...files, ...months('nsw', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01')] })).toEqual([]);
  });

  test('should expect nothing before a source began, and read no year file, file without a period or other dataset as a month', () => {
    expect(sourceGaps({ period: '2025-06', files: months('nsw', '2025-07') })).toEqual([]);
    expect(sourceGaps({ period: '2025-06', files: months('nsw', '2025-04', '2025-06') })).toEqual([{ source: 'nsw', months: ['2025-05'], cause: 'missing' }]);
    // A vendor's yearly list (DanhSachHoSo_H99.16_2025.xlsx) says nothing of June: neither delivered nor expected.
    expect(sourceGaps({ period: '2025-06', files: [file('portal', '2025'), file('portal', '2024')] })).toEqual([]);
    expect(sourceGaps({ period: '2025-06', files: [file('portal', '2025-05'), file('portal', '2025')] })).toEqual([{ source: 'portal', months: ['2025-06'], cause: 'missing' }]);
    expect(sourceGaps({ period: '2025-06', files: [file('portal', null)] })).toEqual([]);
    expect(sourceGaps({ period: '2025-06', files: [file('report', '2025-05', 'score766')] })).toEqual([]);
  });

  test('should let an operator free a month: a discarded file of it, the source named, or the month allowed by an earlier snapshot', () => {
    const files = [...months('portal', '2025-04', '2025-05'), ...months('nsw', '2025-04')];
    expect(sourceGaps({ period: '2025-06', files, discarded: [file('nsw', '2025-05'), file('portal', '2025-06')] })).toEqual([
      { source: 'nsw', months: ['2025-06'], cause: 'missing' },
      { source: 'nsw', months: ['2025-05'], cause: 'discarded' },
      { source: 'portal', months: ['2025-06'], cause: 'discarded' },
    ]);
    expect(sourceGaps({ period: '2025-06', files, allowMissing: ['nsw'] })).toEqual([
      { source: 'nsw', months: ['2025-05', '2025-06'], cause: 'allowed' },
      { source: 'portal', months: ['2025-06'], cause: 'missing' },
    ]);
    // May was allowed when May was frozen (and is recorded again); the portal's June is new and missing.
    expect(sourceGaps({ period: '2025-06', files: [...files, file('nsw', '2025-06')], allowedBefore: new Set(['nsw@2025-05']) })).toEqual([
      { source: 'nsw', months: ['2025-05'], cause: 'allowed' },
      { source: 'portal', months: ['2025-06'], cause: 'missing' },
    ]);
  });

  test('should keep months allowed by any other snapshot of the year, but allow no new month by them', () => {
    const files = months('nsw', '2025-01', '2025-02');
    // March was lost and allowed; April is late: still missing (an allowance is for months, not for the source).
    expect(sourceGaps({ period: '2025-04', files, allowedBefore: new Set(['nsw@2025-03']) })).toEqual([
      { source: 'nsw', months: ['2025-04'], cause: 'missing' },
      { source: 'nsw', months: ['2025-03'], cause: 'allowed' },
    ]);
  });

  test('should keep a source an operator said has ended ended, while it sends nothing, also across a year', () => {
    const files = months('nsw', '2025-09', '2025-10');
    expect(sourceGaps({ period: '2025-11', files, endedSources: ['nsw'] })).toEqual([{ source: 'nsw', months: ['2025-11'], cause: 'ended', since: '2025-11' }]);
    expect(sourceGaps({ period: '2025-12', files, endedBefore: new Map([['nsw', '2025-11']]) })).toEqual([
      { source: 'nsw', months: ['2025-11', '2025-12'], cause: 'ended', since: '2025-11' },
    ]);
    expect(sourceGaps({ period: '2027-02', files, endedBefore: new Map([['nsw', '2025-11']]) })).toEqual([
      { source: 'nsw', months: ['2027-01', '2027-02'], cause: 'ended', since: '2025-11' },
    ]);
    // Not once it sent a file again: the next gap is a gap.
    const again = [...files, file('nsw', '2025-12')];
    expect(sourceGaps({ period: '2026-02', files: [...again, file('nsw', '2026-01')], endedBefore: new Map([['nsw', '2025-11']]) })).toEqual([
      { source: 'nsw', months: ['2026-02'], cause: 'missing' },
    ]);
    // A hole before the last file is not "ended": it is missing unless allowed.
    expect(sourceGaps({ period: '2025-12', files: [...files, file('nsw', '2025-12')], endedSources: ['nsw'] })).toEqual([{ source: 'nsw', months: ['2025-11'], cause: 'missing' }]);
  });

  test('should count a month only with a file pulled once the month had ended in Vietnam, else name it partial', () => {
    // June ends at 00:00 on 01/07 in Asia/Ho_Chi_Minh: 17:00 on 30/06 UTC; December's end is in the next year.
    expect(monthEndInstant('2025-06')).toBe('2025-06-30T17:00:00.000Z');
    expect(monthEndInstant('2025-12')).toBe('2025-12-31T17:00:00.000Z');
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-06-30T16:59:59.999Z' })).toBe(false);
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-06-30T17:00:00.000Z' })).toBe(true);
    // A year's file or one without a pull time is not a month's file pulled early.
    expect(pulledAfterMonth({ period: '2025', pulled_at: '2025-01-02T00:00:00Z' })).toBe(true);
    expect(pulledAfterMonth({ period: '2025-06' })).toBe(true);
    // A drop file written on the 20th and staged after the month: made on the 20th (the earlier of the two).
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-07-02T00:00:00Z', made_at: '2025-06-20T00:00:00Z' })).toBe(false);
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-07-02T00:00:00Z', made_at: '2025-07-01T00:00:00Z' })).toBe(true);
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-06-20T00:00:00Z', made_at: '2025-07-01T00:00:00Z' })).toBe(false);
    // A file time before the month began (an unzipped archive's 1980, a restored backup) is no export of it: the pull time decides.
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-07-02T00:00:00Z', made_at: '1980-01-01T00:00:00Z' })).toBe(true);
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-07-02T00:00:00Z', made_at: '2025-05-31T16:59:59Z' })).toBe(true);
    expect(pulledAfterMonth({ period: '2025-06', pulled_at: '2025-07-02T00:00:00Z', made_at: '2025-05-31T17:00:00Z' })).toBe(false);

    const at = (source: string, period: string, pulled_at: string): SourceMonthFile => ({ dataset: 'dossiers', source, period, pulled_at });
    const files = [at('portal', '2025-04', '2025-05-01T01:00:00Z'), at('portal', '2025-05', '2025-05-20T03:00:00Z'), at('portal', '2025-06', '2025-06-30T16:59:00Z')];
    // May was pulled on the 20th and June a minute before it ended (23:59 in Vietnam): neither holds its month.
    expect(sourceGaps({ period: '2025-06', files })).toEqual([{ source: 'portal', months: ['2025-05', '2025-06'], cause: 'partial' }]);
    // May pulled again after it ended (another file, or the same bytes: a delivery): May counts.
    expect(sourceGaps({ period: '2025-06', files: [...files, at('portal', '2025-05', '2025-06-02T00:00:00Z')] })).toEqual([{ source: 'portal', months: ['2025-06'], cause: 'partial' }]);
    // The operator freezes the month as it stands; a discarded later file gives it up; a month with no file is missing.
    expect(sourceGaps({ period: '2025-06', files, allowMissing: ['portal'] })).toEqual([{ source: 'portal', months: ['2025-05', '2025-06'], cause: 'allowed_partial' }]);
    expect(sourceGaps({ period: '2025-07', files, allowedBefore: new Set(['portal@2025-05', 'portal@2025-06', 'portal@2025-07']) })).toEqual([
      { source: 'portal', months: ['2025-07'], cause: 'allowed' },
      { source: 'portal', months: ['2025-05', '2025-06'], cause: 'allowed_partial' },
    ]);
    expect(sourceGaps({ period: '2025-06', files, discarded: [at('portal', '2025-06', '2025-07-01T00:00:00Z')] })).toEqual([
      { source: 'portal', months: ['2025-05'], cause: 'partial' },
      { source: 'portal', months: ['2025-06'], cause: 'discarded' },
    ]);
    expect(sourceGaps({ period: '2025-07', files })).toEqual([
      { source: 'portal', months: ['2025-07'], cause: 'missing' },
      { source: 'portal', months: ['2025-05', '2025-06'], cause: 'partial' },
    ]);
  });

  test("should read what a snapshot recorded for the whole NSW (allowed months, an ended feed) as each unit's", () => {
    const files = [...months('nsw/H99.04', '2025-01', '2025-02', '2025-03'), ...months('nsw/H99.09', '2025-01', '2025-02')];
    // March was allowed for `nsw` when units were not expected yet: H99.09's March is allowed.
    expect(sourceGaps({ period: '2025-03', files, allowedBefore: new Set(['nsw@2025-03']) })).toEqual([{ source: 'nsw/H99.09', months: ['2025-03'], cause: 'allowed' }]);
    // `nsw` said ended since April (the month after its last file): every unit that has sent nothing since ends.
    expect(sourceGaps({ period: '2025-05', files, endedBefore: new Map([['nsw', '2025-04']]) })).toEqual([
      { source: 'nsw/H99.04', months: ['2025-04', '2025-05'], cause: 'ended', since: '2025-04' },
      { source: 'nsw/H99.09', months: ['2025-03', '2025-04', '2025-05'], cause: 'ended', since: '2025-03' },
    ]);
    // A unit that sent a file after that is not ended by it.
    expect(sourceGaps({ period: '2025-05', files: [...files, file('nsw/H99.09', '2025-05')], endedBefore: new Map([['nsw', '2025-04']]) })).toEqual([
      { source: 'nsw/H99.04', months: ['2025-04', '2025-05'], cause: 'ended', since: '2025-04' },
      { source: 'nsw/H99.09', months: ['2025-03', '2025-04'], cause: 'missing' },
    ]);
  });
});

describe('a month pulled page by page after its end', () => {
  const page = (n: number, pages: number, pulled_at: string): SourceMonthFile => ({ dataset: 'dossiers', source: 'portal', period: '2025-06', pulled_at, page: n, pages });
  const before = '2025-06-20T00:00:00Z';
  const after = '2025-07-01T01:00:00Z';
  const later = '2025-07-02T01:00:00Z';
  const gaps = (...files: SourceMonthFile[]) => sourceGaps({ period: '2025-06', files: [...months('portal', '2025-05').map((f) => ({ ...f, pulled_at: '2025-06-01T00:00:00Z' })), ...files] });

  test('should count the month only once every page up to the newest page count came after its end', () => {
    // Every page of June pulled before its end, then page 1 of 3 after it: the pull stopped there.
    expect(gaps(page(1, 3, before), page(2, 3, before), page(3, 3, before), page(1, 3, after))).toEqual([{ source: 'portal', months: ['2025-06'], cause: 'partial', unfinished: true }]);
    expect(holdsMonth([page(1, 3, after), page(2, 3, after)])).toBe(false);
    expect(gaps(page(1, 3, after), page(2, 3, after), page(3, 3, after))).toEqual([]);
    // Pages of two pulls after the end, the newer one stopped after page 1: the month as the first held it.
    expect(gaps(page(1, 2, after), page(2, 2, after), page(1, 2, later))).toEqual([]);
    // The newer pull found the month longer (a late dossier): its page 3 is not held.
    expect(gaps(page(1, 2, after), page(2, 2, after), page(1, 3, later))).toEqual([{ source: 'portal', months: ['2025-06'], cause: 'partial', unfinished: true }]);
    // Only pages before the end: the partial of a month not yet ended, not an unfinished pull.
    expect(gaps(page(1, 1, before))).toEqual([{ source: 'portal', months: ['2025-06'], cause: 'partial' }]);
    // A file that is not a page (a CSV export of the month made after its end) holds the month.
    expect(gaps(page(1, 3, after), { dataset: 'dossiers', source: 'portal', period: '2025-06', pulled_at: after })).toEqual([]);
    // An operator's allowMissing freezes it as it stands.
    expect(sourceGaps({ period: '2025-06', files: [page(1, 2, after)], allowMissing: ['portal'] })).toEqual([{ source: 'portal', months: ['2025-06'], cause: 'allowed_partial' }]);
  });
});
