/**
 * The demo world's fixed parameters: the "as of" date, yearly trends and per-dossier probabilities.
 * All of them are assumptions chosen to look like published provincial reports (docs/domain.md §1–2);
 * docs/data-contracts.md lists them.
 */
import { dayOf, MINUTES_PER_DAY } from './calendar.js';

/** The data world is "as of" this date: nothing finishes later; later finishes are pending. */
export const AS_OF = '2026-01-05';
export const AS_OF_DAY = dayOf(2026, 1, 5);
/** Last minute of the as-of day. */
export const AS_OF_MINUTE = AS_OF_DAY * MINUTES_PER_DAY + MINUTES_PER_DAY - 1;

export interface YearParams {
  /** Relative dossier volume. */
  growth: number;
  /** Chance a dossier of a toàn trình / một phần procedure is submitted online. */
  onlineFull: number;
  onlinePartial: number;
  /** Base chance of late processing (× agency lateFactor). */
  late: number;
  digitised: number;
  eResult: number;
  synced: number;
  /** Chance a fee-bearing online dossier is paid online (in person/postal: a tenth of it). */
  paidOnline: number;
}

export const YEARS: Record<number, YearParams> = {
  2019: { growth: 0.82, onlineFull: 0.2, onlinePartial: 0.08, late: 0.07, digitised: 0.1, eResult: 0.05, synced: 0.7, paidOnline: 0.1 },
  2020: { growth: 0.78, onlineFull: 0.36, onlinePartial: 0.15, late: 0.06, digitised: 0.15, eResult: 0.1, synced: 0.78, paidOnline: 0.2 },
  2021: { growth: 0.84, onlineFull: 0.55, onlinePartial: 0.3, late: 0.05, digitised: 0.25, eResult: 0.2, synced: 0.85, paidOnline: 0.32 },
  2022: { growth: 0.95, onlineFull: 0.7, onlinePartial: 0.45, late: 0.04, digitised: 0.45, eResult: 0.4, synced: 0.9, paidOnline: 0.45 },
  2023: { growth: 1, onlineFull: 0.8, onlinePartial: 0.6, late: 0.03, digitised: 0.65, eResult: 0.6, synced: 0.94, paidOnline: 0.58 },
  2024: { growth: 1.08, onlineFull: 0.9, onlinePartial: 0.75, late: 0.022, digitised: 0.82, eResult: 0.75, synced: 0.97, paidOnline: 0.7 },
  2025: { growth: 1.12, onlineFull: 0.96, onlinePartial: 0.88, late: 0.018, digitised: 0.92, eResult: 0.85, synced: 0.98, paidOnline: 0.8 },
};

export function yearParams(year: number): YearParams {
  const p = YEARS[year];
  if (!p) throw new Error(`[pipeline] [generator] Failed to get year parameters: no parameters for ${year}`);
  return p;
}

/** Late chance multiplier in the months right after the 01/3/2025 mergers (assumption). */
export const MERGER_TURBULENCE: Record<string, number> = { '2025-03': 2.5, '2025-04': 2, '2025-05': 1.5 };

export const P = {
  /** Share of offline dossiers sent by public postal service (channel 3). */
  postal: 0.05,
  withdrawn: 0.008,
  refused: 0.012,
  /** Waits for the applicant's supplements (1–21 calendar days). */
  supplement: 0.07,
  /** Resolved exactly on the due date (else early, when the statutory time allows). */
  onTime: 0.22,
  /** Stuck dossiers: late by 20–150 working days (carry-over across months and years). */
  stuck: 0.004,
  complaint: 0.004,
  complaintIfLate: 0.05,
} as const;
