/**
 * Report period labels: "Tháng 2/2025", "Quý 1/2025" (also "Quý I/2025", "Quý 1 năm 2025"),
 * "6 tháng đầu năm 2025" / "6 tháng 2025" (first half), "6 tháng cuối năm 2025" (second half),
 * "Năm 2024". Case- and whitespace-insensitive, NFC/NFD tolerant.
 */
import { daysInMonth, isoDate } from './dates.js';
import { ViParseError } from './errors.js';

export type ViPeriodType = 'month' | 'quarter' | 'half' | 'year';

export interface ViPeriod {
  readonly periodType: ViPeriodType;
  readonly year: number;
  /** month 1–12, quarter 1–4, half 1–2, year 1 */
  readonly periodNo: number;
  /** first day, YYYY-MM-DD */
  readonly start: string;
  /** last day (inclusive), YYYY-MM-DD */
  readonly end: string;
}

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

/** The period from its type, year and number, with first and last day. */
export function viPeriod(periodType: ViPeriodType, year: number, periodNo: number): ViPeriod {
  const max = { month: 12, quarter: 4, half: 2, year: 1 }[periodType];
  if (!Number.isInteger(periodNo) || periodNo < 1 || periodNo > max) {
    throw new ViParseError('report period', `${periodType} ${periodNo}/${year}`, `${periodType} number must be 1–${max}`);
  }
  const months = { month: 1, quarter: 3, half: 6, year: 12 }[periodType];
  const firstMonth = (periodNo - 1) * months + 1;
  const lastMonth = firstMonth + months - 1;
  return {
    periodType,
    year,
    periodNo,
    start: isoDate(year, firstMonth, 1),
    end: isoDate(year, lastMonth, daysInMonth(year, lastMonth)),
  };
}

/** Parse a period label (the whole text must be the label). */
export function parseViPeriod(s: string): ViPeriod {
  const t = String(s).normalize('NFC').toLowerCase().replace(/[\s\u00a0\u202f]+/gu, ' ').trim();
  const year = (y: string | undefined): number => {
    const n = Number(y);
    if (n < 1900 || n > 2100) throw new ViParseError('report period', s, `year ${y} is outside 1900–2100`);
    return n;
  };
  let m = /^tháng (\d{1,2}) ?(?:\/|năm) ?(\d{4})$/u.exec(t);
  if (m) {
    const mo = Number(m[1]);
    if (mo < 1 || mo > 12) throw new ViParseError('report period', s, `month ${mo} is not 1–12`);
    return viPeriod('month', year(m[2]), mo);
  }
  m = /^quý (\d|iv|iii|ii|i) ?(?:\/|năm) ?(\d{4})$/u.exec(t);
  if (m) {
    const q = ROMAN[m[1] ?? ''] ?? Number(m[1]);
    if (q < 1 || q > 4) throw new ViParseError('report period', s, `quarter ${m[1]} is not 1–4`);
    return viPeriod('quarter', year(m[2]), q);
  }
  m = /^6 tháng(?: (đầu|cuối))?(?: năm| \/|\/)? ?(\d{4})$/u.exec(t);
  if (m) return viPeriod('half', year(m[2]), m[1] === 'cuối' ? 2 : 1);
  m = /^năm (\d{4})$/u.exec(t);
  if (m) return viPeriod('year', year(m[1]), 1);
  throw new ViParseError(
    'report period',
    s,
    'expected "Tháng m/yyyy", "Quý q/yyyy", "6 tháng đầu năm yyyy", "6 tháng cuối năm yyyy" or "Năm yyyy"',
  );
}

/** The label reports use: "Tháng 2/2025", "Quý 1/2025", "6 tháng đầu năm 2025", "6 tháng cuối năm 2025", "Năm 2024". */
export function formatViPeriod(periodType: ViPeriodType, year: number, periodNo: number): string {
  switch (periodType) {
    case 'month':
      return `Tháng ${periodNo}/${year}`;
    case 'quarter':
      return `Quý ${periodNo}/${year}`;
    case 'half':
      return `6 tháng ${periodNo === 2 ? 'cuối' : 'đầu'} năm ${year}`;
    case 'year':
      return `Năm ${year}`;
  }
}
