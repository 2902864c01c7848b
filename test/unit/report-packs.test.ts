import { describe, expect, test } from 'vitest';
import { bieu06Kind } from '../../functions/core/report/pack.js';

describe('bieu06Kind given the Biểu 06 files of a pack', () => {
  test("should name the quarter's, the half-year's and the year's workbooks, revisions included, and leave the month's plain", () => {
    expect(['bieu06-2025-q2.xlsx', 'bieu06-2025-h1.xlsx', 'bieu06-2025.xlsx', 'bieu06-2025-06.xlsx'].map(bieu06Kind)).toEqual([' quý', ' 6 tháng', ' năm', '']);
    expect(['bieu06-2025-q4-r2.xlsx', 'bieu06-2025-h1-r3.xlsx', 'bieu06-2025-r2.xlsx', 'bieu06-2025-12-r2.xlsx'].map(bieu06Kind)).toEqual([' quý', ' 6 tháng', ' năm', '']);
    expect(bieu06Kind('bao-cao-2025-06.docx')).toBe('');
  });
});
