/**
 * vi-VN numbers: decimal comma, thousands dot ("1.492" = 1492, "83,45" = 83.45, "33,33%").
 *
 * Strict by default: a '.' must be a thousands separator followed by groups of exactly three digits,
 * so the English-style "1,492.5" and the ambiguous "1.5" are rejected with a clear error. Spreadsheet
 * tools sometimes write machine-style text ("83.45"); `{ lenient: true }` accepts those too:
 *   - a single '.' not followed by exactly three digits is a decimal point ("1.5", "83.45");
 *   - comma thousands groups with a dot decimal ("1,492.5").
 * Even in lenient mode "1.492" stays 1492 (the vi-VN reading wins) and "1,492" stays 1.492.
 * Whitespace (incl. NBSP and narrow NBSP) around the number and around '%' is ignored; a space or NBSP
 * may also separate thousands groups ("1 492"). Signs: '-', '+', and the Unicode minus '−'.
 */
import { ViParseError } from './errors.js';

export interface ParseViNumberOptions {
  /** Also accept machine/English-style text ("83.45", "1,492.5"); see the module comment. */
  readonly lenient?: boolean;
}

const SPACES = /[\s\u00a0\u202f\u2007]/gu;
// Strict vi-VN: integer part plain or dot/space grouped by 3, optional comma decimals.
const VI = /^([+-])?(\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+)(?:,(\d+))?$/u;
const EN_DOT_DECIMAL = /^([+-])?(\d+)\.(\d+)$/u;
const EN_GROUPED = /^([+-])?(\d{1,3}(?:,\d{3})+)\.(\d+)$/u;

interface Parsed {
  readonly value: number;
  readonly percent: boolean;
  /** The number in JS syntax ("-1492.5"), for exact decimal shifting. */
  readonly canonical: string;
}

function parseCore(s: string, opts: ParseViNumberOptions, what: string): Parsed {
  if (typeof s !== 'string') throw new ViParseError(what, String(s), 'not a string');
  // Collapse inner whitespace to one plain space so "1 492" can be a grouped number.
  let t = s.normalize('NFC').replace(SPACES, ' ').trim().replace(/ +/gu, ' ').replace(/\u2212/gu, '-');
  if (t === '') throw new ViParseError(what, s, 'empty text');
  let percent = false;
  if (t.endsWith('%')) {
    percent = true;
    t = t.slice(0, -1).trimEnd();
  }
  t = t.replace(/^([+-]) /u, '$1');
  let sign = '';
  let intPart: string;
  let frac: string | undefined;
  const vi = VI.exec(t);
  if (vi) {
    sign = vi[1] ?? '';
    intPart = (vi[2] ?? '').replace(/[. ]/gu, '');
    frac = vi[3];
  } else {
    const dot = EN_DOT_DECIMAL.exec(t);
    const grouped = EN_GROUPED.exec(t);
    const en = dot ?? grouped;
    if (!en) {
      throw new ViParseError(what, s, 'expected digits with "." thousands groups of 3 and a "," decimal (e.g. "1.492", "83,45", "33,33%")');
    }
    if (!opts.lenient) {
      throw new ViParseError(
        what,
        s,
        dot
          ? 'ambiguous "." — in vi-VN "." separates thousands in groups of 3 and "," is the decimal mark (write "1,5" for one and a half); pass { lenient: true } to accept a "." decimal'
          : 'English-style number ("," thousands, "." decimal); vi-VN writes "1.492,5" — pass { lenient: true } to accept it',
      );
    }
    sign = en[1] ?? '';
    intPart = (en[2] ?? '').replace(/,/gu, '');
    frac = en[3];
  }
  const canonical = `${sign === '-' ? '-' : ''}${intPart}${frac !== undefined ? `.${frac}` : ''}`;
  const value = Number(canonical);
  if (!Number.isFinite(value)) throw new ViParseError(what, s, 'number out of range');
  return { value: value === 0 ? 0 : value, percent, canonical };
}

/** Parse a vi-VN number; a trailing '%' is dropped and the percent returned as a number ("33,33%" → 33.33). */
export function parseViNumber(s: string, opts: ParseViNumberOptions = {}): number {
  return parseCore(s, opts, 'vi-VN number').value;
}

/** Parse a vi-VN integer ("1.492" → 1492); rejects decimals and percents. */
export function parseViInteger(s: string, opts: ParseViNumberOptions = {}): number {
  const p = parseCore(s, opts, 'vi-VN integer');
  if (p.percent) throw new ViParseError('vi-VN integer', s, 'a percent is not an integer');
  if (!Number.isSafeInteger(p.value)) throw new ViParseError('vi-VN integer', s, 'not a whole number');
  return p.value;
}

/**
 * Parse a vi-VN percent into a 0–1 ratio ("33,33%" → 0.3333, "100 %" → 1). The '%' sign is optional
 * ("33,33" is read as 33,33 %). The decimal point is shifted in text, so there is no binary rounding
 * noise (0.3333, not 0.33329999999999999).
 */
export function parseViPercent(s: string, opts: ParseViNumberOptions = {}): number {
  const p = parseCore(s, opts, 'vi-VN percent');
  const v = Number(`${p.canonical}e-2`);
  return v === 0 ? 0 : v;
}

function roundHalfAway(n: number, decimals: number): string {
  // toFixed rounds binary values (1.005 → "1.00"); nudge by a relative epsilon first.
  const eps = Math.abs(n) * Number.EPSILON * 4;
  return (n < 0 ? n - eps : n + eps).toFixed(decimals);
}

/**
 * `n` in units of its last shown decimal, as formatViNumber rounds it (83.455 at 2 decimals → 8346): a
 * difference of two shown figures taken from these is the difference of what the reader sees.
 */
export function shownUnits(n: number, decimals = 0): number {
  if (!Number.isFinite(n)) throw new RangeError(`[pipeline] [vi] Failed to round number: ${n} is not finite`);
  const v = Math.round(Number(roundHalfAway(n, decimals)) * 10 ** decimals);
  return v === 0 ? 0 : v;
}

/** Format a number the vi-VN way: "1.492", "83,45", "-1,92". `decimals` are fixed (default 0). */
export function formatViNumber(n: number, decimals = 0): string {
  if (!Number.isFinite(n)) throw new RangeError(`[pipeline] [vi] Failed to format number: ${n} is not finite`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new RangeError(`[pipeline] [vi] Failed to format number: decimals ${decimals} out of 0..20`);
  }
  const fixed = roundHalfAway(n, decimals);
  const negative = fixed.startsWith('-');
  const [intDigits = '0', frac] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = intDigits.replace(/\B(?=(\d{3})+(?!\d))/gu, '.');
  const body = frac !== undefined ? `${grouped},${frac}` : grouped;
  const isZero = /^[0.,]+$/u.test(body);
  return negative && !isZero ? `-${body}` : body;
}

/** Format a percent given as a number of percent (33.33 → "33,33%"), vi-VN style. */
export function formatViPercent(pct: number, decimals = 2): string {
  return `${formatViNumber(pct, decimals)}%`;
}
