/**
 * periodScope (functions/core/transform/incremental.ts): the report periods an incremental run
 * recomputes within the years it rebuilds, for the models with `incremental_scope: period`.
 */
import { describe, expect, test } from 'vitest';
import { periodScope } from '../../../functions/core/transform/incremental.js';

/** The state's line of a period: "type|year|no|start|end|complete". */
const line = (type: string, year: number, no: number, start: string, end: string, complete = true): string => `${type}|${year}|${no}|${start}|${end}|${complete}`;
const Q = (year: number, q: number, end = `${year}-${String(q * 3).padStart(2, '0')}-${q === 1 || q === 4 ? 31 : 30}`, complete = true) =>
  line('quarter', year, q, `${year}-${String(q * 3 - 2).padStart(2, '0')}-01`, end, complete);
const keys = (s: ReturnType<typeof periodScope>) => s?.keys.map((k) => `${k.period_type} ${k.year}/${k.period_no}`);

describe('periodScope', () => {
  const before = [Q(2024, 1), Q(2024, 2), Q(2024, 3), Q(2024, 4), Q(2025, 1), Q(2025, 2, '2025-05-10', false)];

  test('should recompute the periods a changed dossier\'s span overlaps, its first and last day included', () => {
    const s = periodScope([2024], before, before, [{ from: '2024-03-31', to: '2024-04-01' }]);
    expect(s?.years).toEqual([2024]);
    expect(keys(s)).toEqual(['quarter 2024/1', 'quarter 2024/2']);
    // An open span (9999-12-31) reaches every later period of the year.
    expect(keys(periodScope([2024], before, before, [{ from: '2024-05-01', to: '9999-12-31' }]))).toEqual(['quarter 2024/2', 'quarter 2024/3', 'quarter 2024/4']);
  });

  test('should recompute the periods whose bounds or completeness moved, and list a removed one so its rows go', () => {
    const after = [...before.slice(0, 3), Q(2025, 1), Q(2025, 2, '2025-06-30', true), Q(2025, 3, '2025-07-02', false)];
    // 2024: Q4 is gone; 2025: Q2 ended, Q3 opened; Q1 kept. No dossier changed.
    const s = periodScope([2024, 2025], after, before, []);
    expect(s?.years).toEqual([2024, 2025]);
    expect(keys(s)).toEqual(['quarter 2024/4', 'quarter 2025/2', 'quarter 2025/3']);
  });

  test('should recompute whole a year the last run did not build, or whose every period is reached', () => {
    const after = [...before, Q(2026, 1, '2026-01-05', false)];
    expect(periodScope([2026], after, before, [])).toBeUndefined();
    expect(periodScope([2024], before, before, [{ from: '2023-12-01', to: '2024-12-31' }])).toBeUndefined();
    // Only the years given are looked at.
    expect(periodScope([], before, before, [{ from: '2024-01-01', to: '2024-01-02' }])).toBeUndefined();
  });
});
