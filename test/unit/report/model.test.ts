import { describe, expect, test } from 'vitest';
import type { AgencyPeriod } from '../../../functions/core/report/data.js';
import { fmtRate, fmtRateChange, mergerNote, onTimeRanks, placeName } from '../../../functions/core/report/model.js';

const agency = (code: string, rate: number | null, resolved = 10): AgencyPeriod => ({ agency_code: code, on_time_rate: rate, resolved_total: resolved }) as AgencyPeriod;

describe('onTimeRanks given equal on-time rates', () => {
  test('should give equals one rank and skip the places they take (1, 1, 3), not 1, 1, 2', () => {
    const ranks = onTimeRanks([agency('A', 1), agency('B', 0.9), agency('C', 1, 2), agency('D', 0.5)]);
    expect(Object.fromEntries(ranks)).toEqual({ A: 1, C: 1, B: 3, D: 4 });
  });

  test('should leave an agency without a resolved dossier unranked', () => {
    const ranks = onTimeRanks([agency('A', null, 0), agency('B', 0.8)]);
    expect(ranks.has('A')).toBe(false);
    expect(ranks.get('B')).toBe(1);
  });
});

describe('report formatting given vi-VN', () => {
  test('should print rates as percents with a decimal comma and changes in percentage points', () => {
    expect(fmtRate(0.83451)).toBe('83,45%');
    expect(fmtRate(null)).toBe('–');
    expect(fmtRateChange(0.9649, 0.9302)).toBe('+3,47 điểm %');
    expect(fmtRateChange(0.5, 0.6296)).toBe('-12,96 điểm %');
  });

  test('should take the place name from the province name', () => {
    expect(placeName('UBND tỉnh Sông Xanh')).toBe('Sông Xanh');
    expect(placeName('Thành phố Hà Nội')).toBe('Hà Nội');
  });
});

describe('mergerNote given the 2025 mergers', () => {
  test('should say a unit merged under an old name merges the old unit and the others, never that it takes itself over', () => {
    expect(mergerNote({ agency_name: 'Sở Khoa học và Công nghệ', break_date: '2025-03-01', predecessor_names: ['Sở Khoa học và Công nghệ', 'Sở Thông tin và Truyền thông'] })).toBe(
      'Sở Khoa học và Công nghệ: từ ngày 1/3/2025, hợp nhất Sở Khoa học và Công nghệ (cũ) và Sở Thông tin và Truyền thông (sắp xếp tổ chức bộ máy năm 2025).',
    );
  });

  test('should say a unit takes over predecessors of other names', () => {
    expect(mergerNote({ agency_name: 'Sở Nội vụ', break_date: '2025-03-01', predecessor_names: ['Sở Lao động - Thương binh và Xã hội'] })).toBe(
      'Sở Nội vụ: từ ngày 1/3/2025 tiếp nhận Sở Lao động - Thương binh và Xã hội (sắp xếp tổ chức bộ máy năm 2025).',
    );
  });
});
