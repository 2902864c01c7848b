import { describe, expect, test } from 'vitest';
import { ViParseError, formatViDate, formatViPeriod, parseViDate, parseViDateTime, parseViPeriod, viPeriod } from '../../../functions/core/vi/index.js';

describe('parseViDate with valid dates', () => {
  test.each([
    ['23/6/2022', '2022-06-23'],
    ['01/8/2022', '2022-08-01'],
    ['1/3/2025', '2025-03-01'],
    ['31/12/2024', '2024-12-31'],
    ['29/2/2024', '2024-02-29'],
    ['03-05-2024', '2024-05-03'],
    [' 23/06/2022 ', '2022-06-23'],
  ])('should read %j as %j', (input, expected) => {
    expect(parseViDate(input)).toBe(expected);
  });
});

describe('parseViDate with invalid dates', () => {
  test.each([
    ['', /expected dd\/mm\/yyyy/],
    ['2022-06-23', /expected dd\/mm\/yyyy/],
    ['6/23/2022', /month 23 is not 1–12/],
    ['29/2/2025', /day 29 does not exist in 02\/2025/],
    ['31/4/2024', /day 31 does not exist/],
    ['0/1/2024', /day 0 does not exist/],
    ['23/6/22', /expected dd\/mm\/yyyy/],
    ['23/6-2022', /expected dd\/mm\/yyyy/],
  ])('should reject %j', (input, message) => {
    expect(() => parseViDate(input)).toThrow(ViParseError);
    expect(() => parseViDate(input)).toThrow(message);
  });
});

describe('parseViDateTime with portal and NSW forms', () => {
  test.each([
    ['03/05/2024 08:15', '2024-05-03 08:15:00'],
    ['3/5/2024 8:15', '2024-05-03 08:15:00'],
    ['03-05-2024 08:15:00', '2024-05-03 08:15:00'],
    ['31/12/2024 23:59:59', '2024-12-31 23:59:59'],
  ])('should read %j as %j', (input, expected) => {
    expect(parseViDateTime(input)).toBe(expected);
  });

  test.each([
    ['03/05/2024', /expected dd\/mm\/yyyy HH:mm/],
    ['03/05/2024 24:00', /hour 24/],
    ['03/05/2024 08:60', /minute 60/],
    ['03/05/2024 08:15:61', /second 61/],
    ['31/02/2024 08:15', /day 31 does not exist/],
  ])('should reject %j', (input, message) => {
    expect(() => parseViDateTime(input)).toThrow(message);
  });
});

describe('formatViDate with and without padding', () => {
  test('should write the unpadded and the padded forms', () => {
    expect(formatViDate('2025-03-31')).toBe('31/3/2025');
    expect(formatViDate('2025-03-01', { pad: true })).toBe('01/03/2025');
  });
});

describe('parseViPeriod with period labels', () => {
  test.each([
    ['Tháng 2/2025', 'month', 2025, 2, '2025-02-01', '2025-02-28'],
    ['tháng 2 năm 2024', 'month', 2024, 2, '2024-02-01', '2024-02-29'],
    ['Tháng 12/2024', 'month', 2024, 12, '2024-12-01', '2024-12-31'],
    ['Quý 1/2025', 'quarter', 2025, 1, '2025-01-01', '2025-03-31'],
    ['QUÝ IV/2024', 'quarter', 2024, 4, '2024-10-01', '2024-12-31'],
    ['Quý 3 năm 2025', 'quarter', 2025, 3, '2025-07-01', '2025-09-30'],
    ['6 tháng đầu năm 2025', 'half', 2025, 1, '2025-01-01', '2025-06-30'],
    ['6 tháng 2025', 'half', 2025, 1, '2025-01-01', '2025-06-30'],
    ['6 tháng cuối năm 2024', 'half', 2024, 2, '2024-07-01', '2024-12-31'],
    ['Năm 2024', 'year', 2024, 1, '2024-01-01', '2024-12-31'],
    ['năm 2024', 'year', 2024, 1, '2024-01-01', '2024-12-31'],
    ['Quý 1/2025'.normalize('NFD'), 'quarter', 2025, 1, '2025-01-01', '2025-03-31'],
  ])('should read %j', (label, periodType, year, periodNo, start, end) => {
    expect(parseViPeriod(label)).toEqual({ periodType, year, periodNo, start, end });
  });

  test.each([
    ['Quý 5/2025', /quarter 5 is not 1–4/],
    ['Tháng 13/2025', /month 13 is not 1–12/],
    ['9 tháng năm 2025', /expected "Tháng m\/yyyy"/],
    ['Quý 1', /expected "Tháng m\/yyyy"/],
    ['', /expected/],
    ['Năm 1850', /year 1850 is outside/],
  ])('should reject %j', (label, message) => {
    expect(() => parseViPeriod(label)).toThrow(ViParseError);
    expect(() => parseViPeriod(label)).toThrow(message);
  });

  test('should give back the label formatViPeriod writes', () => {
    for (const [t, n] of [['month', 2], ['quarter', 1], ['half', 1], ['half', 2], ['year', 1]] as const) {
      const p = viPeriod(t, 2025, n);
      expect(parseViPeriod(formatViPeriod(t, 2025, n))).toEqual(p);
    }
  });
});
