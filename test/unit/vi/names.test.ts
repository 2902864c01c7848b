import { describe, expect, test } from 'vitest';
import type { Agency } from '../../../functions/core/schemas/index.js';
import { matchAgency, nfc, normalizeName, unifyToneMarks } from '../../../functions/core/vi/index.js';

const agency = (code: string, name: string, short: string, from = '2019-01-01', to: string | null = null): Agency => ({
  agency_code: code,
  name,
  short_name: short,
  kind: 'so',
  parent_code: null,
  province_code: 'H99',
  valid_from: from,
  valid_to: to,
  successor_code: null,
});

const REGISTRY: Agency[] = [
  agency('H99.05', 'Sở Tư pháp', 'Tư pháp'),
  agency('H99.07', 'Sở Khoa học và Công nghệ', 'KH&CN', '2019-01-01', '2025-02-28'),
  agency('H99.21', 'Sở Khoa học và Công nghệ', 'KH&CN', '2025-03-01'),
  agency('H99.08', 'Sở Thông tin và Truyền thông', 'TT&TT', '2019-01-01', '2025-02-28'),
  agency('H99.12', 'Sở Văn hoá, Thể thao và Du lịch', 'VHTTDL'),
  agency('H99.01', 'Văn phòng UBND tỉnh', 'Văn phòng UBND'),
  agency('H99.15', 'Ban Quản lý các khu công nghiệp', 'BQL KCN'),
  agency('H99.16', 'Sở Nông nghiệp và Phát triển nông thôn', 'NN&PTNT'),
];

describe('nfc and unifyToneMarks with mixed tone placement', () => {
  test('should compose NFD text', () => {
    const nfd = 'Sở Tư pháp'.normalize('NFD');
    expect(nfd).not.toBe('Sở Tư pháp');
    expect(nfc(nfd)).toBe('Sở Tư pháp');
  });

  test.each([
    ['Hoà', 'Hòa'],
    ['hoà bình', 'hòa bình'],
    ['khoẻ', 'khỏe'],
    ['Thuỷ lợi', 'Thủy lợi'],
    ['tuỳ', 'tùy'],
    ['quý', 'quý'],
    ['Quỳ', 'Quỳ'],
    ['hoàn thành', 'hoàn thành'],
    ['toán', 'toán'],
    ['thuyết', 'thuyết'],
    ['Hòa', 'Hòa'],
    ['HOÀ', 'HÒA'],
  ])('should turn %j into %j', (input, expected) => {
    expect(unifyToneMarks(input)).toBe(expected);
  });
});

describe('normalizeName with prefixes, suffixes and spacing', () => {
  test.each([
    ['Sở Tư pháp', 'tư pháp'],
    ['  SỞ   TƯ  PHÁP ', 'tư pháp'],
    ['Sở Tư pháp - tỉnh Gia Lai', 'tư pháp'],
    ['Sở Tư pháp tỉnh Gia Lai', 'tư pháp tỉnh gia lai'],
    ['Sở Tư pháp, tỉnh Gia Lai', 'tư pháp'],
    ['Sở Tư pháp (tỉnh Hòa Bình Xanh)', 'tư pháp'],
    ['Sở Văn hoá, Thể thao và Du lịch', 'văn hóa, thể thao và du lịch'],
    ['Sở Khoa học & Công nghệ', 'khoa học và công nghệ'],
    ['Văn phòng UBND tỉnh', 'văn phòng ubnd tỉnh'],
    ['UBND tỉnh Gia Lai', 'tỉnh gia lai'],
    ['Ủy ban nhân dân tỉnh Gia Lai', 'tỉnh gia lai'],
    ['Uỷ ban nhân dân tỉnh Gia Lai', 'tỉnh gia lai'],
    ['Ban Quản lý các khu công nghiệp', 'quản lý các khu công nghiệp'],
    ['Sở', 'sở'],
    ['Sở Tư pháp'.normalize('NFD'), 'tư pháp'],
  ])('should key %j as %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
});

describe('matchAgency against a registry with a merger', () => {
  test.each([
    ['H99.05', 'H99.05'],
    ['Sở Tư pháp', 'H99.05'],
    ['Tư pháp', 'H99.05'],
    ['Sở Tư pháp - tỉnh Gia Lai', 'H99.05'],
    ['Sở Tư pháp'.normalize('NFD'), 'H99.05'],
    ['SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH', 'H99.12'],
    ['Sở Văn hóa, Thể thao và Du lịch - tỉnh Gia Lai', 'H99.12'],
    ['Sở Văn hoá, Thể thao và Du lịch'.normalize('NFD'), 'H99.12'],
    ['Văn phòng UBND tỉnh', 'H99.01'],
    ['Ban Quản lý các khu công nghiệp', 'H99.15'],
    ['Sở Nông nghiệp & Phát triển nông thôn', 'H99.16'],
  ])('should match %j to %s', (name, code) => {
    expect(matchAgency(name, REGISTRY)?.agency_code).toBe(code);
  });

  test('should not match an unknown unit or a stripped-prefix collision', () => {
    expect(matchAgency('Sở Ngoại vụ', REGISTRY)).toBeUndefined();
    expect(matchAgency('UBND tỉnh', REGISTRY)).toBeUndefined();
    expect(matchAgency('', REGISTRY)).toBeUndefined();
  });

  test('should pick the unit valid at the date when a name was reused after a merger', () => {
    expect(matchAgency('Sở Khoa học và Công nghệ', REGISTRY, '2024-06-30')?.agency_code).toBe('H99.07');
    expect(matchAgency('Sở Khoa học và Công nghệ', REGISTRY, '2025-06-30')?.agency_code).toBe('H99.21');
    expect(matchAgency('Sở Thông tin và Truyền thông', REGISTRY, '2025-06-30')).toBeUndefined();
  });

  test('should refuse to guess when two codes match the same name and no date is given', () => {
    expect(matchAgency('Sở Khoa học và Công nghệ', REGISTRY)).toBeUndefined();
  });

  test('should pick the unit valid on the last day when a merger falls inside the interval', () => {
    expect(matchAgency('Sở Khoa học và Công nghệ', REGISTRY, { from: '2025-01-01', to: '2025-03-31' })?.agency_code).toBe('H99.21');
    expect(matchAgency('Sở Khoa học và Công nghệ', REGISTRY, { from: '2024-10-01', to: '2024-12-31' })?.agency_code).toBe('H99.07');
  });

  test('should match over an interval that overlaps the validity', () => {
    expect(matchAgency('Sở Thông tin và Truyền thông', REGISTRY, { from: '2025-01-01', to: '2025-03-31' })?.agency_code).toBe('H99.08');
  });
});
