/**
 * Dossier generation, one month of receipt at a time: each dossier's whole life (received, due,
 * finished or pending as of AS_OF) is drawn when it is created, so a month can be written and
 * forgotten — memory stays bounded by one month whatever the total.
 */
import type { DossierStatus } from '../core/schemas/index.js';

/** The statuses the demo's own exports (portal, NSW) carry: the first five of the contract. */
export type GenStatus = Extract<DossierStatus, 'DANG_XU_LY' | 'CHO_BO_SUNG' | 'DA_TRA_KET_QUA' | 'DA_RUT' | 'TU_CHOI'>;
import { addWorkingDays, dayOf, DateFormats, isHoliday, monthEndDay, MINUTES_PER_DAY, tetOffset, weekdayOf, ymdOf } from './calendar.js';
import { CRLF, csvField } from './csv.js';
import { cumulate, pickWeighted, rngFor } from './prng.js';
import type { Registry } from './registry.js';
import { AS_OF_DAY, AS_OF_MINUTE, MERGER_TURBULENCE, P, yearParams } from './world.js';

export interface GenDossier {
  procedure: number;
  /** Agency index at receipt = holderOf(procedure's agency, received day). */
  agency: number;
  channel: 1 | 2 | 3;
  nsw: boolean;
  receivedMin: number;
  /** NSW "Ngày nộp": when the trader submitted (before reception). */
  submittedMin: number;
  dueMin: number;
  /** -1 while pending as of AS_OF. */
  finishedMin: number;
  status: GenStatus;
  supplementDays: number;
  fee: boolean;
  paidOnline: boolean;
  digitised: boolean;
  eResult: boolean;
  synced: boolean;
  complaint: boolean;
  updatedMin: number;
  id: string;
}

/** Relative receipt volume of one day (weekends, holidays, Tết rush and dip). */
export function dayWeight(day: number): number {
  const tet = tetOffset(day);
  if (isHoliday(day)) return 0.03;
  const w = weekdayOf(day);
  let base = w === 0 ? 0.03 : w === 6 ? 0.12 : 1;
  if (tet !== null) {
    if (tet >= -12 && tet <= -4) base *= 1.25; // rush before the break
    else if (tet >= 6 && tet <= 14) base *= 0.7; // slow restart after it
  }
  return base;
}

/** Relative receipt volume of a month (yearly growth × its days). */
export function monthWeight(year: number, month: number): number {
  let sum = 0;
  for (let d = dayOf(year, month, 1); d <= monthEndDay(year, month); d++) sum += dayWeight(d);
  return sum * yearParams(year).growth;
}

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function generateMonth(reg: Registry, seed: number, year: number, month: number, count: number, procCumulative: Float64Array): GenDossier[] {
  const rng = rngFor(seed, 'dossiers', year, month);
  const yp = yearParams(year);
  const turbulence = MERGER_TURBULENCE[`${year}-${p2(month)}`] ?? 1;
  const first = dayOf(year, month, 1);
  const last = monthEndDay(year, month);
  const days: number[] = [];
  const weights: number[] = [];
  for (let d = first; d <= last; d++) {
    days.push(d);
    weights.push(dayWeight(d));
  }
  const dayCum = cumulate(weights);
  const out: GenDossier[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const procedure = reg.procedures[pickWeighted(procCumulative, rng.next())];
    if (!procedure) throw new Error('[pipeline] [generator] Failed to pick a procedure');
    const p = procedure.row;
    const day = days[pickWeighted(dayCum, rng.next())] ?? first;
    const wd = weekdayOf(day);
    const working = wd >= 1 && wd <= 5 && !isHoliday(day);
    const minuteOfDay = working ? rng.int(450, 1019) : wd === 6 && !isHoliday(day) ? rng.int(450, 690) : rng.int(420, 1260);
    const receivedMin = day * MINUTES_PER_DAY + minuteOfDay;
    const agency = reg.holderOf(procedure.agencyIndex, day);
    const agencyRow = reg.agencies[agency];
    const lateFactor = agencyRow?.lateFactor ?? 1;

    let channel: 1 | 2 | 3;
    if (p.is_nsw) channel = 2;
    else {
      const pOnline = p.online_level === 'toan_trinh' ? yp.onlineFull : p.online_level === 'mot_phan' ? yp.onlinePartial : 0;
      channel = rng.chance(pOnline) ? 2 : rng.chance(P.postal) ? 3 : 1;
    }
    const dueDay = addWorkingDays(day, p.statutory_days);
    const dueMin = dueDay * MINUTES_PER_DAY + minuteOfDay;

    // Outcome.
    const u = rng.next();
    let status: GenStatus;
    let baseDay: number;
    let supplementDays = 0;
    let late = false;
    if (u < P.withdrawn) {
      status = 'DA_RUT';
      baseDay = addWorkingDays(day, rng.int(0, Math.min(3, p.statutory_days)));
    } else {
      status = u < P.withdrawn + P.refused ? 'TU_CHOI' : 'DA_TRA_KET_QUA';
      if (rng.chance(P.stuck)) {
        late = true;
        baseDay = addWorkingDays(dueDay, rng.int(20, 150));
      } else if (rng.chance(yp.late * lateFactor * turbulence)) {
        late = true;
        baseDay = addWorkingDays(dueDay, rng.int(1, 8));
      } else if (p.statutory_days === 0 || rng.chance(P.onTime)) {
        baseDay = dueDay;
      } else {
        const k = Math.floor(Math.pow(rng.next(), 1.6) * p.statutory_days);
        baseDay = addWorkingDays(day, Math.min(k, p.statutory_days - 1));
      }
      // NSW exports carry no supplement wait (canonical supplement_days = 0), so NSW dossiers never wait.
      if (!p.is_nsw && rng.chance(P.supplement)) supplementDays = 1 + Math.floor(Math.pow(rng.next(), 2) * 21);
    }
    const finishDay = baseDay + supplementDays;
    let finishedMin = finishDay === day ? Math.min(day * MINUTES_PER_DAY + 1439, receivedMin + rng.int(10, 180)) : finishDay * MINUTES_PER_DAY + rng.int(450, 1019);
    if (finishedMin > AS_OF_MINUTE) {
      finishedMin = -1;
      supplementDays = Math.min(supplementDays, AS_OF_DAY - day);
      status = supplementDays > 0 ? 'CHO_BO_SUNG' : 'DANG_XU_LY';
    }
    const finished = finishedMin >= 0;
    const fee = p.is_fee_bearing;
    const paidOnline = fee && rng.chance(channel === 2 ? yp.paidOnline : yp.paidOnline / 10);
    const digitised = rng.chance(yp.digitised);
    const eResult = status === 'DA_TRA_KET_QUA' && rng.chance(yp.eResult);
    const synced = p.is_nsw ? true : rng.chance(yp.synced);
    const complaint = rng.chance(late ? P.complaintIfLate : P.complaint);
    out[i] = {
      procedure: procedure.index,
      agency,
      channel,
      nsw: p.is_nsw,
      receivedMin,
      submittedMin: receivedMin - rng.int(5, 600),
      dueMin,
      finishedMin,
      status,
      supplementDays,
      fee,
      paidOnline,
      digitised: p.is_nsw ? true : digitised,
      eResult,
      synced,
      complaint: p.is_nsw ? false : complaint,
      updatedMin: finished ? finishedMin : receivedMin,
      id: '',
    };
  }
  // Order of receipt (stable: ties keep generation order), then ids numbered per unit and day.
  const order = out.map((_, i) => i).sort((a, b) => (out[a]?.receivedMin ?? 0) - (out[b]?.receivedMin ?? 0) || a - b);
  const sorted = order.map((i) => out[i] as GenDossier);
  const seq = new Map<string, number>();
  for (const d of sorted) {
    const code = reg.agencies[d.agency]?.row.agency_code ?? '';
    const day = Math.floor(d.receivedMin / MINUTES_PER_DAY);
    const { y, m, d: dd } = ymdOf(day);
    const ymd = `${p2(y % 100)}${p2(m)}${p2(dd)}`;
    const key = `${d.nsw ? 'N' : 'P'}|${code}|${ymd}`;
    const n = (seq.get(key) ?? 0) + 1;
    seq.set(key, n);
    d.id = d.nsw ? `${code.replaceAll('.', '')}${ymd}${String(n).padStart(5, '0')}` : `${code}-${ymd}-${String(n).padStart(6, '0')}`;
  }
  return sorted;
}

const yesNo = (b: boolean): string => (b ? 'Có' : 'Không');

/** One portal CSV line (docs/data-contracts.md §2.3). */
export function portalLine(d: GenDossier, reg: Registry, fmt: DateFormats): string {
  const proc = reg.procedures[d.procedure]?.row.procedure_code ?? '';
  const agency = reg.agencies[d.agency]?.row.agency_code ?? '';
  return (
    [
      d.id,
      proc,
      agency,
      String(d.channel),
      fmt.portal(d.receivedMin),
      fmt.portal(d.dueMin),
      d.finishedMin >= 0 ? fmt.portal(d.finishedMin) : '',
      d.status,
      String(d.supplementDays),
      yesNo(d.fee),
      yesNo(d.paidOnline),
      yesNo(d.digitised),
      yesNo(d.eResult),
      yesNo(d.synced),
      yesNo(d.complaint),
      fmt.portal(d.updatedMin),
    ].join(',') + CRLF
  );
}

export const NSW_STATUS_TEXT: Record<GenStatus, string> = {
  DANG_XU_LY: 'Đang xử lý',
  CHO_BO_SUNG: 'Chờ bổ sung',
  DA_TRA_KET_QUA: 'Đã cấp phép',
  TU_CHOI: 'Từ chối',
  DA_RUT: 'Đã rút',
};

/** One NSW CSV line (docs/data-contracts.md §2.5); `stt` is the 1-based row number in the file. */
export function nswLine(d: GenDossier, stt: number, reg: Registry, fmt: DateFormats): string {
  const proc = reg.procedures[d.procedure]?.row;
  const agency = reg.agencies[d.agency]?.row.agency_code ?? '';
  return (
    [
      String(stt),
      d.id,
      proc?.procedure_code ?? '',
      csvField(proc?.name ?? '', ';'),
      agency,
      fmt.nsw(d.submittedMin),
      fmt.nsw(d.receivedMin),
      fmt.nsw(d.dueMin),
      d.finishedMin >= 0 ? fmt.nsw(d.finishedMin) : '',
      NSW_STATUS_TEXT[d.status],
      d.paidOnline ? 'x' : '',
      d.eResult ? 'x' : '',
    ].join(';') + CRLF
  );
}
