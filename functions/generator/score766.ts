/**
 * 766 scores per unit and month, computed from the month's dossiers with the versioned scoring table
 * sql/seeds/score766_indicators.csv (the one file the SQL models use too).
 *
 * Attribution: receipt-based indicators count dossiers received in the month, finish-based ones
 * dossiers resolved (DA_TRA_KET_QUA, TU_CHOI) in the month; both under holderOf(agency, month end).
 * Withdrawn (DA_RUT) dossiers are left out, as in Biểu 06.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Score766Group } from '../core/schemas/index.js';
import { dayOf, isoDate, MINUTES_PER_DAY, monthEndDay, monthKey, ymdOf } from './calendar.js';
import { parseCsv } from '../core/transform/models.js';
import { SCORE766_INDICATOR_HEADER } from './csv.js';
import type { GenDossier } from './dossiers.js';
import { hash32, rngFor } from './prng.js';
import { PROVINCE_CODE, type Registry } from './registry.js';

export const SCORE766_INDICATORS_PATH = fileURLToPath(new URL('../../sql/seeds/score766_indicators.csv', import.meta.url));

export const Score766Indicator = z.object({
  version: z.string().min(1),
  valid_from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  group_code: Score766Group,
  metric_code: z.string().regex(/^[A-Z0-9_]+$/),
  metric_name: z.string().min(1),
  max_score: z.coerce.number().min(0).max(100),
  rule: z.enum(['linear', 'threshold']),
  threshold_pct: z.string().transform((s, ctx) => {
    if (s === '') return null;
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0 || n > 100) {
      ctx.addIssue({ code: 'custom', message: 'expected a percentage in (0, 100]' });
      return z.NEVER;
    }
    return n;
  }),
  empty_rule: z.enum(['full', 'zero']),
  basis: z.string().min(1),
});
export type Score766Indicator = z.infer<typeof Score766Indicator>;

/** Read and validate the scoring table (header must match SCORE766_INDICATOR_HEADER exactly). */
export function loadScore766Indicators(path = SCORE766_INDICATORS_PATH): Score766Indicator[] {
  const rows = parseCsv(readFileSync(path, 'utf8'), path);
  const header = rows[0] ?? [];
  if (header.join(',') !== SCORE766_INDICATOR_HEADER.join(',')) {
    throw new Error(`[pipeline] [score766] Failed to read ${path}: header must be ${SCORE766_INDICATOR_HEADER.join(',')}`);
  }
  const out: Score766Indicator[] = [];
  rows.slice(1).forEach((cells, i) => {
    if (cells.length === 1 && cells[0] === '') return;
    const rec = Object.fromEntries(SCORE766_INDICATOR_HEADER.map((h, j) => [h, cells[j] ?? '']));
    const parsed = Score766Indicator.safeParse(rec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`[pipeline] [score766] Failed to read ${path} (row ${i + 1}, field "${String(issue?.path[0] ?? '')}"): ${issue?.message ?? 'invalid'}`);
    }
    out.push(parsed.data);
  });
  const maxima = new Map<string, number>();
  for (const r of out) maxima.set(r.version, (maxima.get(r.version) ?? 0) + r.max_score);
  for (const [v, sum] of maxima) {
    if (Math.abs(sum - 100) > 1e-9) throw new Error(`[pipeline] [score766] Failed to read ${path}: version ${v} maxima sum to ${sum}, not 100`);
  }
  return out;
}

/** Round to 2 decimals, half up, after clearing binary noise at 6 decimals (SQL: cast(round(cast(x as decimal(38, 6)), 2) as double)). */
export function round2(x: number): number {
  return Math.round(Math.round(x * 1e6) / 1e4) / 100;
}

/** Score one sub-indicator: empty (no denominator) → empty_rule; linear ratio × max; threshold min(1, ratio ÷ t) × max. */
export function scoreIndicator(ind: Pick<Score766Indicator, 'max_score' | 'rule' | 'threshold_pct' | 'empty_rule'>, numerator: number | null, denominator: number | null): { ratioPct: number | null; score: number } {
  if (denominator === null || numerator === null || denominator === 0) {
    return { ratioPct: null, score: ind.empty_rule === 'full' ? ind.max_score : 0 };
  }
  const ratio = numerator / denominator;
  const t = ind.rule === 'threshold' ? (ind.threshold_pct ?? 100) / 100 : 1;
  return { ratioPct: round2(ratio * 100), score: round2(ind.max_score * Math.min(1, ratio / t)) };
}

// Counter slots per (month, unit).
const R_TOTAL = 0;
const R_ONLINE = 1;
const R_SYNCED = 2;
const R_DIGITISED = 3;
const R_FEE = 4;
const R_FEE_PAID = 5;
const R_COMPLAINT = 6;
const F_RESOLVED = 7;
const F_ON_TIME = 8;
const F_E_RESULT = 9;
const F_OK = 10;
const SLOTS = 11;

export interface Score766Month {
  year: number;
  month: number;
  startDay: number;
  endDay: number;
}

export interface MetricOut {
  code: string;
  group: Score766Group;
  name: string;
  numerator: number | null;
  denominator: number | null;
  ratio: number | null;
  score: number;
  maxScore: number;
}

export interface UnitScore {
  ID: string;
  TEN: string;
  MA_COQUAN: string;
  LOAI_COQUAN: 2;
  CAPDONVIID: string;
  CKMB: number;
  TDGQ: number;
  CLGQ: number;
  TTTT: number;
  MDHL: number;
  MDSH: number;
  TONG_SCORE: number;
}

/** A stable UUID-shaped id for a unit code (not seed dependent: unit identities do not change). */
export function unitId(code: string): string {
  const r = rngFor(hash32(code), 'unit-id', code);
  const hex = (n: number): string => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + r.int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`;
}

export class Score766Counter {
  readonly months: Score766Month[];
  private readonly counts: Float64Array[];
  private readonly feeProcsPaid = new Map<string, Set<number>>();
  private readonly firstDay: number;

  constructor(
    private readonly reg: Registry,
    fromYear: number,
    fromMonth: number,
    toYear: number,
  ) {
    this.months = [];
    for (let y = fromYear; y <= toYear; y++) {
      for (let m = y === fromYear ? fromMonth : 1; m <= 12; m++) this.months.push({ year: y, month: m, startDay: dayOf(y, m, 1), endDay: monthEndDay(y, m) });
    }
    this.firstDay = this.months[0]?.startDay ?? 0;
    this.counts = this.months.map(() => new Float64Array(reg.agencies.length * SLOTS));
  }

  private monthIndex(day: number): number {
    if (day < this.firstDay) return -1;
    const { y, m } = ymdOf(day);
    const first = this.months[0];
    if (!first) return -1;
    const i = (y - first.year) * 12 + (m - first.month);
    return i < this.months.length ? i : -1;
  }

  add(d: GenDossier): void {
    if (d.status === 'DA_RUT') return;
    const recvDay = Math.floor(d.receivedMin / MINUTES_PER_DAY);
    const mr = this.monthIndex(recvDay);
    if (mr >= 0) {
      const month = this.months[mr] as Score766Month;
      const unit = this.reg.holderOf(d.agency, month.endDay);
      const a = this.counts[mr] as Float64Array;
      const o = unit * SLOTS;
      a[o + R_TOTAL]! += 1;
      if (d.channel === 2) a[o + R_ONLINE]! += 1;
      if (d.synced) a[o + R_SYNCED]! += 1;
      if (d.digitised) a[o + R_DIGITISED]! += 1;
      if (d.complaint) a[o + R_COMPLAINT]! += 1;
      if (d.fee) {
        a[o + R_FEE]! += 1;
        const key = `${mr}|${unit}`;
        if (d.paidOnline) {
          a[o + R_FEE_PAID]! += 1;
          let t = this.feeProcsPaid.get(key);
          if (!t) this.feeProcsPaid.set(key, (t = new Set()));
          t.add(d.procedure);
        }
      }
    }
    if (d.finishedMin >= 0) {
      const finDay = Math.floor(d.finishedMin / MINUTES_PER_DAY);
      const mf = this.monthIndex(finDay);
      if (mf >= 0) {
        const month = this.months[mf] as Score766Month;
        const unit = this.reg.holderOf(d.agency, month.endDay);
        const a = this.counts[mf] as Float64Array;
        const o = unit * SLOTS;
        const onTime = finDay - d.supplementDays <= Math.floor(d.dueMin / MINUTES_PER_DAY);
        a[o + F_RESOLVED]! += 1;
        if (onTime) a[o + F_ON_TIME]! += 1;
        if (d.eResult) a[o + F_E_RESULT]! += 1;
        if (onTime && !d.complaint) a[o + F_OK]! += 1;
      }
    }
  }

  /** Units scored in month i: reporting units valid on the month's last day, in code order. */
  units(i: number): number[] {
    const month = this.months[i] as Score766Month;
    return this.reg.agencies.filter((a) => a.reports && a.validFromDay <= month.endDay && month.endDay <= a.validToDay).map((a) => a.index);
  }

  /** Legacy answer and per-unit metrics for month i. */
  score(i: number, seed: number, table: Score766Indicator[]): { legacy: { data: UnitScore[] }; metrics: unknown } {
    const month = this.months[i] as Score766Month;
    const monthStartIso = isoDate(month.startDay);
    const indicators = latestVersion(table, monthStartIso);
    const a = this.counts[i] as Float64Array;
    const data: UnitScore[] = [];
    const units: unknown[] = [];
    for (const u of this.units(i)) {
      const agency = this.reg.agencies[u];
      if (!agency) continue;
      const o = u * SLOTS;
      const c = (k: number): number => a[o + k] ?? 0;
      const procs = this.reg.procedures.filter((p) => this.reg.holderOf(p.agencyIndex, month.endDay) === u);
      const nProcs = procs.length;
      const key = `${i}|${u}`;
      const rng = rngFor(seed, 'score766', monthKey(month.year, month.month), agency.row.agency_code);
      const unitRng = rngFor(seed, 'score766-unit', agency.row.agency_code);
      const quality = 0.55 + unitRng.next() * 0.4; // stable per unit
      const trend = Math.min(1, 0.6 + 0.1 * (month.year - 2022) + 0.008 * month.month);
      const drawn = (den: number, base: number): number => Math.max(0, Math.min(den, Math.round(den * Math.min(1, Math.max(0, base + (rng.next() - 0.5) * 0.1)))));
      const binomial = (n: number, p: number): number => {
        let k = 0;
        for (let j = 0; j < n; j++) if (rng.chance(p)) k++;
        return k;
      };
      const nd: Record<string, [number | null, number | null]> = {
        PUBLISH_ON_TIME: [drawn(nProcs, quality * trend), nProcs],
        PUBLIC_UPDATE_ON_TIME: [drawn(nProcs, 0.75 + quality * 0.25), nProcs],
        PUBLIC_CONTENT_FULL: [drawn(nProcs, 0.9 + quality * 0.1), nProcs],
        DOSSIER_SYNC: [c(R_SYNCED), c(R_TOTAL)],
        DOSSIER_ON_TIME: [c(F_ON_TIME), c(F_RESOLVED)],
        ONLINE_PROVISION: [procs.filter((p) => p.row.online_level !== 'khong').length, nProcs],
        ONLINE_SUBMISSION: [c(R_ONLINE), c(R_TOTAL)],
        ONLINE_PAYMENT_DOSSIER: [c(R_FEE_PAID), c(R_FEE)],
        // Fee-bearing procedures the unit holds, with dossiers or not (the portal's totalFeeFormality).
        ONLINE_PAYMENT_FORMALITY: [this.feeProcsPaid.get(key)?.size ?? 0, procs.filter((p) => p.row.is_fee_bearing).length],
        DOSSIER_RECEIVING_SATISFACTION: [c(F_OK), c(F_RESOLVED)],
        PETITION_PROCESSING_ON_TIME: [binomial(c(R_COMPLAINT), 0.7 + quality * 0.3), c(R_COMPLAINT)],
        PETITION_HANDLING_SATISFACTION: [binomial(c(R_COMPLAINT), 0.6 + quality * 0.35), c(R_COMPLAINT)],
        ORIGINAL_RESULT_AVAILABLE: [c(F_E_RESULT), c(F_RESOLVED)],
        SO_HOA_GIAY_TO_GIAI_QUYET: [c(R_DIGITISED), c(R_TOTAL)],
        REUSED_DIGITIZED_DATA: [drawn(c(R_TOTAL), 0.3 * trend + quality * 0.6), c(R_TOTAL)],
        SYNCED_WITH_DVCQG_PERSONAL_STORAGE: [drawn(c(R_TOTAL), 0.1 * trend + quality * 0.2), c(R_TOTAL)],
        CITIZEN_DATA_CONNECTED_DOSSIER: [drawn(c(R_TOTAL), 0.2 * trend + quality * 0.3), c(R_TOTAL)],
        CITIZEN_DATA_CONNECTED_FORMALITY: [drawn(nProcs, 0.1 + quality * 0.3 * trend), nProcs],
        ELECTRONIC_CERTIFIED_COPY: [null, null],
      };
      const groups: Record<Score766Group, number> = { CKMB: 0, TDGQ: 0, CLGQ: 0, TTTT: 0, MDHL: 0, MDSH: 0 };
      const metrics: MetricOut[] = [];
      for (const ind of indicators) {
        const [num, den] = nd[ind.metric_code] ?? [null, null];
        const { ratioPct, score } = scoreIndicator(ind, num, den);
        groups[ind.group_code] += score;
        metrics.push({ code: ind.metric_code, group: ind.group_code, name: ind.metric_name, numerator: num, denominator: den, ratio: ratioPct, score, maxScore: ind.max_score });
      }
      for (const g of Score766Group.options) groups[g] = round2(groups[g]);
      const total = round2(Score766Group.options.reduce((s, g) => s + groups[g], 0));
      const id = unitId(agency.row.agency_code);
      data.push({ ID: id, TEN: agency.row.name, MA_COQUAN: agency.row.agency_code, LOAI_COQUAN: 2, CAPDONVIID: unitId(PROVINCE_CODE), ...groups, TONG_SCORE: total });
      units.push({ ID: id, MA_COQUAN: agency.row.agency_code, TEN: agency.row.name, groups, TONG_SCORE: total, metrics });
    }
    data.sort((x, y) => y.TONG_SCORE - x.TONG_SCORE || x.MA_COQUAN.localeCompare(y.MA_COQUAN));
    return {
      legacy: { data },
      metrics: {
        year: month.year,
        month: month.month,
        tinhId: PROVINCE_CODE,
        asOf: isoDate(month.endDay),
        scoringVersion: indicators[0]?.version ?? null,
        units,
      },
    };
  }
}

/** The rows of the newest version whose valid_from ≤ the period start. */
export function latestVersion(table: Score766Indicator[], periodStartIso: string): Score766Indicator[] {
  const versions = [...new Set(table.filter((r) => r.valid_from <= periodStartIso).map((r) => `${r.valid_from}|${r.version}`))].sort();
  const pick = versions[versions.length - 1];
  if (!pick) throw new Error(`[pipeline] [score766] Failed to pick a scoring version: none valid on ${periodStartIso}`);
  const [, version] = pick.split('|');
  return table.filter((r) => r.version === version);
}
