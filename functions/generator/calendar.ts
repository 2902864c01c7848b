/**
 * Calendar arithmetic for the demo province, on day numbers (days since 1970-01-01) and minutes,
 * all in local time Asia/Ho_Chi_Minh (UTC+7, no DST), so no time-zone conversion is ever needed.
 */
export const MINUTES_PER_DAY = 1440;

export function dayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
}

export interface Ymd {
  y: number;
  m: number;
  d: number;
}

export function ymdOf(day: number): Ymd {
  const dt = new Date(day * 86_400_000);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function isoDate(day: number): string {
  const { y, m, d } = ymdOf(day);
  return `${y}-${p2(m)}-${p2(d)}`;
}

/** Last day of (year, month). */
export function monthEndDay(year: number, month: number): number {
  return dayOf(year, month + 1, 1) - 1;
}

export function monthKey(year: number, month: number): string {
  return `${year}-${p2(month)}`;
}

/**
 * First day of Tết Nguyên đán (lunar new year) per year; the official break runs from 3 days before
 * to 5 days after it (assumption: a fixed 9-day window, close to the real decisions).
 */
export const TET: Record<number, string> = {
  2018: '2018-02-16',
  2019: '2019-02-05',
  2020: '2020-01-25',
  2021: '2021-02-12',
  2022: '2022-02-01',
  2023: '2023-01-22',
  2024: '2024-02-10',
  2025: '2025-01-29',
  2026: '2026-02-17',
};

function parseIso(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  return dayOf(y ?? 1970, m ?? 1, d ?? 1);
}

/** Fixed-date public holidays (1/1, 30/4, 1/5, 2/9) and the Tết break. */
function buildHolidays(): Set<number> {
  const out = new Set<number>();
  for (let y = 2018; y <= 2027; y++) {
    out.add(dayOf(y, 1, 1));
    out.add(dayOf(y, 4, 30));
    out.add(dayOf(y, 5, 1));
    out.add(dayOf(y, 9, 2));
    const tet = TET[y];
    if (tet) for (let k = -3; k <= 5; k++) out.add(parseIso(tet) + k);
  }
  return out;
}

export const HOLIDAYS = buildHolidays();

export function isHoliday(day: number): boolean {
  return HOLIDAYS.has(day);
}

/** Working day = Monday–Friday and not a holiday. */
export function isWorkingDay(day: number): boolean {
  const w = weekdayOf(day);
  return w >= 1 && w <= 5 && !HOLIDAYS.has(day);
}

/** The day n working days after `day` (n = 0 → `day` itself). */
export function addWorkingDays(day: number, n: number): number {
  let d = day;
  let left = n;
  while (left > 0) {
    d++;
    if (isWorkingDay(d)) left--;
  }
  return d;
}

/** Tết relative offset of `day` in its year, or null if the year has no entry. */
export function tetOffset(day: number): number | null {
  const { y } = ymdOf(day);
  const tet = TET[y];
  return tet ? day - parseIso(tet) : null;
}

/**
 * Cached formatters: dates are drawn from a few thousand days and 1 440 minutes, so the generator
 * formats each once.
 */
export class DateFormats {
  private readonly dmyCache = new Map<number, string>();
  private readonly dmyDashCache = new Map<number, string>();
  private readonly hm: string[] = [];
  private readonly hms: string[] = [];

  constructor() {
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const hh = p2(Math.floor(m / 60));
      const mm = p2(m % 60);
      this.hm.push(`${hh}:${mm}`);
      this.hms.push(`${hh}:${mm}:00`);
    }
  }

  /** Portal CSV: `dd/mm/yyyy HH:mm`. */
  portal(minute: number): string {
    const day = Math.floor(minute / MINUTES_PER_DAY);
    let d = this.dmyCache.get(day);
    if (d === undefined) {
      const { y, m, d: dd } = ymdOf(day);
      d = `${p2(dd)}/${p2(m)}/${y}`;
      this.dmyCache.set(day, d);
    }
    return `${d} ${this.hm[minute - day * MINUTES_PER_DAY]}`;
  }

  /** NSW CSV: `dd-mm-yyyy HH:mm:ss`. */
  nsw(minute: number): string {
    const day = Math.floor(minute / MINUTES_PER_DAY);
    let d = this.dmyDashCache.get(day);
    if (d === undefined) {
      const { y, m, d: dd } = ymdOf(day);
      d = `${p2(dd)}-${p2(m)}-${y}`;
      this.dmyDashCache.set(day, d);
    }
    return `${d} ${this.hms[minute - day * MINUTES_PER_DAY]}`;
  }
}
