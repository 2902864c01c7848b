/**
 * Vietnamese text for display (NFC) and for matching (normalizeName). Matching keys are never shown:
 * prefixes such as "Sở" are stripped only to compare names, the display name keeps them.
 */
import type { Agency } from '../schemas/index.js';

/** Unicode NFC; every text the pipeline stores goes through this. */
export function nfc(s: string): string {
  return s.normalize('NFC');
}

// Tone marks as combining characters (NFD): grave, acute, tilde, hook above, dot below.
const TONE = '\u0300\u0301\u0303\u0309\u0323';
// Old/new placement differs only in open syllables ending in oa, oe, uy (hoà/hòa, khoẻ/khỏe, thuỷ/thủy).
// "qu" + y keeps the tone on y in both styles (quý), so a leading q is excluded for uy.
const OA_OE = new RegExp(`^([bcdfghklmnpqrstvxđ]*)o([ae])([${TONE}])$`, 'u');
const UY = new RegExp(`^([bcdfghklmnprstvxđ]*[bcdfghklmnprstvxđ]|)u(y)([${TONE}])$`, 'u');

/** Move the tone of hoà/khoẻ/thuỷ-style syllables to the first vowel (hòa/khỏe/thủy); word must be lower case. */
function unifyToneWord(word: string): string {
  const d = word.normalize('NFD');
  const m = OA_OE.exec(d);
  if (m) return `${m[1]}o${m[3]}${m[2]}`.normalize('NFC');
  const u = UY.exec(d);
  if (u && !(u[1] ?? '').endsWith('q')) return `${u[1]}u${u[3]}${u[2]}`.normalize('NFC');
  return word;
}

/** Unify tone-mark placement to the "hòa" style, keeping case of plain letters; input any normalization. */
export function unifyToneMarks(s: string): string {
  return s
    .normalize('NFC')
    .split(/(\s+|[^\p{L}]+)/u)
    .map((w) => (/^\p{L}+$/u.test(w) ? restoreCase(w, unifyToneWord(w.toLowerCase())) : w))
    .join('');
}

function restoreCase(original: string, lowered: string): string {
  if (original === original.toLowerCase()) return lowered;
  const o = [...original];
  return [...lowered].map((c, i) => (o[i] !== undefined && o[i] !== o[i]!.toLowerCase() ? c.toUpperCase() : c)).join('');
}

// Order matters: longer prefixes first. "Văn phòng" and "Chi cục" are kept: they name different units.
const PREFIXES = ['ủy ban nhân dân', 'ubnd', 'sở', 'ban'];
// " - tỉnh Gia Lai", ", tỉnh Gia Lai", " (tỉnh Gia Lai)", " - TP Hồ Chí Minh", " thuộc tỉnh X".
const PROVINCE_SUFFIX = /\s*(?:[-–—,]|\bthuộc\b|\()\s*(?:tỉnh|thành phố|tp\.?)\s+[^()\-–—,]+\)?$/u;

/**
 * Matching key of a unit name: NFC, lower case, tone placement unified ("Hoà" → "hòa"), "&" → "và",
 * spaces and dashes collapsed, a trailing province (" - tỉnh Gia Lai") and a leading "Sở" / "Ban" /
 * "UBND" / "Ủy ban nhân dân" removed (only when something remains). For matching only, never display.
 */
export function normalizeName(s: string): string {
  let t = unifyToneMarks(String(s).normalize('NFC').toLowerCase())
    // Both tone placements of "ủy/uỷ" are unified above; the Unicode apostrophes/quotes are dropped.
    .replace(/[\u2018\u2019\u201c\u201d"'`]/gu, '')
    .replace(/&/gu, ' và ')
    .replace(/[\s\u00a0\u202f]+/gu, ' ')
    .replace(/\s*[–—]\s*/gu, ' - ')
    .replace(/[.;:]+$/u, '')
    .trim();
  for (;;) {
    const stripped = t.replace(PROVINCE_SUFFIX, '').trim();
    if (stripped === t || stripped === '') break;
    t = stripped;
  }
  for (const p of PREFIXES) {
    if (t.startsWith(`${p} `) && t.length > p.length + 1) {
      t = t.slice(p.length + 1).trim();
      break;
    }
  }
  return t;
}

/** A date, or an interval that must overlap the unit's validity. */
export type AtDate = string | { readonly from: string; readonly to: string };

function validAt(a: Agency, at: AtDate | undefined): boolean {
  if (at === undefined) return true;
  const from = typeof at === 'string' ? at : at.from;
  const to = typeof at === 'string' ? at : at.to;
  return a.valid_from <= to && (a.valid_to === null || a.valid_to >= from);
}

/**
 * Find the registry unit a name (or code) refers to: an exact agency_code first, else a unit whose
 * normalized name or short name equals the normalized input, among units valid at `atDate` (a date
 * or an interval that must overlap; if two codes share the name over the interval, the one valid on
 * its last day wins). Returns undefined when nothing matches or when two different codes still match
 * (ambiguous: never guess).
 */
export function matchAgency(name: string, registry: readonly Agency[], atDate?: AtDate): Agency | undefined {
  const raw = String(name).normalize('NFC').trim();
  const byCode = registry.filter((a) => a.agency_code === raw && validAt(a, atDate));
  if (byCode.length > 0) return byCode[0];
  const key = normalizeName(raw);
  if (key === '') return undefined;
  const hits = registry.filter((a) => validAt(a, atDate) && (normalizeName(a.name) === key || normalizeName(a.short_name) === key));
  const unique = (list: Agency[]): Agency | undefined => (new Set(list.map((a) => a.agency_code)).size === 1 ? list[0] : undefined);
  const found = unique(hits);
  if (found || hits.length === 0 || atDate === undefined || typeof atDate === 'string') return found;
  // Over an interval a name reused by a successor (a merger mid-period) matches two codes: the unit
  // valid on the last day wins, as reports attribute a period to the units that exist at its end.
  return unique(hits.filter((a) => validAt(a, atDate.to)));
}
