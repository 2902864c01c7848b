import { describe, expect, test } from 'vitest';
import { ViParseError, formatViNumber, formatViPercent, parseViInteger, parseViNumber, parseViPercent } from '../../../functions/core/vi/index.js';

describe('parseViNumber with vi-VN text', () => {
  test.each([
    ['1.492', 1492],
    ['83,45', 83.45],
    ['33,33%', 33.33],
    ['33,33 %', 33.33],
    ['100%', 100],
    ['1.234.567,8', 1234567.8],
    ['-1,92', -1.92],
    ['\u22121,92', -1.92],
    ['+7', 7],
    ['0', 0],
    ['-0', 0],
    ['0,5', 0.5],
    ['1,492', 1.492],
    ['11.122.091', 11122091],
    ['  1.492\u00a0', 1492],
    ['1\u00a0492', 1492],
    ['1 234 567,5', 1234567.5],
    ['95,73\u202f%', 95.73],
    ['6,5', 6.5],
    ['007', 7],
  ])('should read %j as %d', (input, expected) => {
    expect(parseViNumber(input)).toBe(expected);
  });
});

describe('parseViNumber with invalid or ambiguous text', () => {
  test.each([
    ['', /empty text/],
    ['   ', /empty text/],
    ['abc', /expected digits/],
    ['1,492.5', /English-style number/],
    ['1.5', /ambiguous "\."/],
    ['83.45', /ambiguous "\."/],
    ['1.49', /ambiguous/],
    ['1.4925', /ambiguous/],
    ['1..492', /expected digits/],
    ['1,2,3', /expected digits/],
    ['12 34', /expected digits/],
    ['--1', /expected digits/],
    ['1%%', /expected digits/],
    [',5', /expected digits/],
    ['5,', /expected digits/],
  ])('should reject %j with a clear error', (input, message) => {
    expect(() => parseViNumber(input)).toThrow(ViParseError);
    expect(() => parseViNumber(input)).toThrow(message);
  });

  test('should name the input in the error message', () => {
    expect(() => parseViNumber('1,492.5')).toThrow('[pipeline] [vi] Failed to parse vi-VN number "1,492.5"');
  });
});

describe('parseViNumber in lenient mode', () => {
  test.each([
    ['83.45', 83.45],
    ['1.5', 1.5],
    ['1,492.5', 1492.5],
    ['1.492', 1492],
    ['1,492', 1.492],
    ['-0.25%', -0.25],
  ])('should read %j as %d', (input, expected) => {
    expect(parseViNumber(input, { lenient: true })).toBe(expected);
  });

  test('should still reject text that is no number', () => {
    expect(() => parseViNumber('1.2.3,4.5', { lenient: true })).toThrow(ViParseError);
  });
});

describe('parseViInteger with vi-VN text', () => {
  test.each([
    ['1.492', 1492],
    ['0', 0],
    ['810', 810],
  ])('should read %j as %d', (input, expected) => {
    expect(parseViInteger(input)).toBe(expected);
  });

  test.each([
    ['1,5', /not a whole number/],
    ['10%', /percent is not an integer/],
  ])('should reject %j', (input, message) => {
    expect(() => parseViInteger(input)).toThrow(message);
  });
});

describe('parseViPercent with and without a percent sign', () => {
  test.each([
    ['33,33%', 0.3333],
    ['33,33 %', 0.3333],
    ['100%', 1],
    ['91,49%', 0.9149],
    ['2,70%', 0.027],
    ['0%', 0],
    ['50', 0.5],
  ])('should read %j as the ratio %d', (input, expected) => {
    expect(parseViPercent(input)).toBe(expected);
  });
});

describe('formatViNumber and formatViPercent with fixed decimals', () => {
  test.each([
    [1492, 0, '1.492'],
    [83.45, 2, '83,45'],
    [-1.92, 2, '-1,92'],
    [1234567.891, 2, '1.234.567,89'],
    [11122091, 0, '11.122.091'],
    [0.5, 0, '1'],
    [1.005, 2, '1,01'],
    [-0.001, 2, '0,00'],
    [999.999, 2, '1.000,00'],
    [0, 1, '0,0'],
  ])('should format %d with %d decimals as %j', (n, d, expected) => {
    expect(formatViNumber(n, d)).toBe(expected);
  });

  test.each([
    [33.33, '33,33%'],
    [100, '100,00%'],
    [6.5, '6,50%'],
  ])('should format the percent %d as %j', (pct, expected) => {
    expect(formatViPercent(pct)).toBe(expected);
  });

  test('should round-trip through parseViNumber', () => {
    for (const n of [0, 1, 12.5, 1492, 83.45, -1.92, 1234567.8, 33.33]) {
      expect(parseViNumber(formatViNumber(n, 2))).toBe(n);
    }
  });

  test('should reject a non-finite number', () => {
    expect(() => formatViNumber(Number.NaN)).toThrow(/not finite/);
  });
});
