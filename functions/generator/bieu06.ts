/**
 * Biểu 06 counting from the dossiers as they are generated (docs/data-contracts.md "Biểu 06 period
 * rules"). For a period [S, E] and a dossier d that is not withdrawn (DA_RUT dossiers are left out of
 * the form entirely), counted in the row of holderOf(d.agency, E):
 *   c6  carried over: received before S and not finished before S
 *   c4  online:       received in [S, E] with channel 2 (NSW dossiers are channel 2)
 *   c5  offline:      received in [S, E] with channel 1 or 3;           c3 = c4 + c5 + c6
 *   c7  resolved:     finished in [S, E]; by (finished date − supplement_days) vs due date:
 *                     c8 early (<), c9 on time (=), c10 late (>);       c7 = c8 + c9 + c10
 *   c11 pending:      not finished by E (or pending as of the data date); c11 = c3 − c7
 *                     c12 in time: due date + supplement_days ≥ E; c13 overdue: due date + supplement_days < E
 *                     (the resolution's comparison at E: a dossier that finishes on time is never overdue before)
 * Dates are calendar dates (Asia/Ho_Chi_Minh); times of day never matter.
 */
import { dayOf, isoDate, MINUTES_PER_DAY, monthEndDay } from './calendar.js';
import type { GenDossier } from './dossiers.js';
import type { Band, Registry } from './registry.js';
import { BANDS } from './registry.js';

export interface Period {
  type: 'quarter' | 'year';
  year: number;
  no: number;
  startDay: number;
  endDay: number;
}

export function buildPeriods(fromYear: number, toYear: number): { quarters: Period[]; years: Period[] } {
  const quarters: Period[] = [];
  const years: Period[] = [];
  for (let y = fromYear; y <= toYear; y++) {
    for (let q = 1; q <= 4; q++) quarters.push({ type: 'quarter', year: y, no: q, startDay: dayOf(y, q * 3 - 2, 1), endDay: monthEndDay(y, q * 3) });
    years.push({ type: 'year', year: y, no: 1, startDay: dayOf(y, 1, 1), endDay: dayOf(y, 12, 31) });
  }
  return { quarters, years };
}

/** Index of the period containing `day`, or -1 before the first / periods.length after the last. */
function periodIndex(periods: Period[], day: number): number {
  const firstP = periods[0];
  const lastP = periods[periods.length - 1];
  if (!firstP || !lastP) return -1;
  if (day < firstP.startDay) return -1;
  if (day > lastP.endDay) return periods.length;
  let lo = 0;
  let hi = periods.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((periods[mid]?.endDay ?? 0) < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const C = 11;

/** Per period × agency counters of columns c3…c13. */
export class Bieu06Counter {
  readonly counts: Float64Array[];
  constructor(
    readonly periods: Period[],
    private readonly reg: Registry,
  ) {
    this.counts = periods.map(() => new Float64Array(reg.agencies.length * C));
  }

  add(d: GenDossier): void {
    if (d.status === 'DA_RUT') return;
    const recvDay = Math.floor(d.receivedMin / MINUTES_PER_DAY);
    const finDay = d.finishedMin >= 0 ? Math.floor(d.finishedMin / MINUTES_PER_DAY) : Number.POSITIVE_INFINITY;
    const dueDay = Math.floor(d.dueMin / MINUTES_PER_DAY);
    const pRecv = periodIndex(this.periods, recvDay);
    if (pRecv < 0 || pRecv >= this.periods.length) return;
    const pFin = finDay === Number.POSITIVE_INFINITY ? this.periods.length : periodIndex(this.periods, finDay);
    const last = Math.min(pFin, this.periods.length - 1);
    for (let p = pRecv; p <= last; p++) {
      const period = this.periods[p] as Period;
      const row = this.reg.holderOf(d.agency, period.endDay);
      const arr = this.counts[p] as Float64Array;
      const o = row * C;
      // c3 (index 0) = c4 + c5 + c6
      arr[o] = (arr[o] ?? 0) + 1;
      if (p === pRecv) {
        const k = d.channel === 2 ? 1 : 2;
        arr[o + k] = (arr[o + k] ?? 0) + 1;
      } else arr[o + 3] = (arr[o + 3] ?? 0) + 1;
      if (finDay <= period.endDay) {
        arr[o + 4] = (arr[o + 4] ?? 0) + 1;
        const cmp = finDay - d.supplementDays - dueDay;
        const k = cmp < 0 ? 5 : cmp === 0 ? 6 : 7;
        arr[o + k] = (arr[o + k] ?? 0) + 1;
      } else {
        arr[o + 8] = (arr[o + 8] ?? 0) + 1;
        const k = dueDay + d.supplementDays >= period.endDay ? 9 : 10;
        arr[o + k] = (arr[o + k] ?? 0) + 1;
      }
    }
  }

  /** Rows per band for period `p`: every reporting unit valid on the period's last day, in code order. */
  rows(p: number): { band: Band; rows: { unitName: string; agencyCode: string; c: number[] }[] }[] {
    const period = this.periods[p] as Period;
    const arr = this.counts[p] as Float64Array;
    return BANDS.map((band) => ({
      band,
      rows: this.reg.agencies
        .filter((a) => a.reports && a.band === band && a.validFromDay <= period.endDay && period.endDay <= a.validToDay)
        .map((a) => ({ unitName: a.row.name, agencyCode: a.row.agency_code, c: Array.from(arr.subarray(a.index * C, a.index * C + C)) })),
    }));
  }

  /** Sanity: no dossier counted under a unit that is not valid on the period end. */
  orphans(p: number): number {
    const period = this.periods[p] as Period;
    const arr = this.counts[p] as Float64Array;
    let n = 0;
    for (const a of this.reg.agencies) {
      const valid = a.reports && a.validFromDay <= period.endDay && period.endDay <= a.validToDay;
      if (!valid) n += arr[a.index * C] ?? 0;
    }
    return n;
  }
}

export const periodStartIso = (p: Period): string => isoDate(p.startDay);
export const periodEndIso = (p: Period): string => isoDate(p.endDay);
