/**
 * vi-VN dates: dd/mm/yyyy, often not zero-padded ("23/6/2022"); the NSW writes dd-mm-yyyy HH:mm:ss.
 * Results are local (Asia/Ho_Chi_Minh) ISO text: `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS`.
 */
import { ViParseError } from './errors.js';

const DATE = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$/u;
const DATE_TIME = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$/u;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `YYYY-MM-DD` from parts, checking the calendar. */
export function isoDate(year: number, month: number, day: number, input = `${day}/${month}/${year}`): string {
  if (month < 1 || month > 12) throw new ViParseError('vi-VN date', input, `month ${month} is not 1–12`);
  if (year < 1900 || year > 2100) throw new ViParseError('vi-VN date', input, `year ${year} is outside 1900–2100`);
  const dim = daysInMonth(year, month);
  if (day < 1 || day > dim) throw new ViParseError('vi-VN date', input, `day ${day} does not exist in ${pad2(month)}/${year} (1–${dim})`);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

function clean(s: string): string {
  return s.normalize('NFC').replace(/[\s\u00a0\u202f]+/gu, ' ').trim();
}

/** "23/6/2022" or "23-06-2022" → "2022-06-23". */
export function parseViDate(s: string): string {
  const t = clean(String(s));
  const m = DATE.exec(t);
  if (!m) throw new ViParseError('vi-VN date', s, 'expected dd/mm/yyyy (e.g. "23/6/2022")');
  return isoDate(Number(m[4]), Number(m[3]), Number(m[1]), s);
}

/**
 * "03/05/2024 08:15" → "2024-05-03 08:15:00"; the NSW form "03-05-2024 08:15:00" too. Seconds default
 * to 00; hours may be one digit.
 */
export function parseViDateTime(s: string): string {
  const t = clean(String(s));
  const m = DATE_TIME.exec(t);
  if (!m) throw new ViParseError('vi-VN date-time', s, 'expected dd/mm/yyyy HH:mm[:ss] (e.g. "03/05/2024 08:15")');
  const date = isoDate(Number(m[4]), Number(m[3]), Number(m[1]), s);
  const hh = Number(m[5]);
  const mi = Number(m[6]);
  const ss = m[7] === undefined ? 0 : Number(m[7]);
  if (hh > 23) throw new ViParseError('vi-VN date-time', s, `hour ${hh} is not 0–23`);
  if (mi > 59) throw new ViParseError('vi-VN date-time', s, `minute ${mi} is not 0–59`);
  if (ss > 59) throw new ViParseError('vi-VN date-time', s, `second ${ss} is not 0–59`);
  return `${date} ${pad2(hh)}:${pad2(mi)}:${pad2(ss)}`;
}

/** "2025-03-31" → "31/3/2025" (the unpadded form reports use); `{ pad: true }` → "31/03/2025". */
export function formatViDate(iso: string, opts: { pad?: boolean } = {}): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso);
  if (!m) throw new RangeError(`[pipeline] [vi] Failed to format date ${JSON.stringify(iso)}: expected YYYY-MM-DD`);
  const d = Number(m[3]);
  const mo = Number(m[2]);
  return opts.pad ? `${pad2(d)}/${pad2(mo)}/${m[1]}` : `${d}/${mo}/${m[1]}`;
}
