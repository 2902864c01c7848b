/**
 * Every kind of raw input the lake accepts, and where its records land. A raw file is stored under
 * raw/<kind>/<sha256>.<ext> exactly as pulled; landing turns it into records of one or more datasets.
 */

export const RAW_KINDS = {
  /** One page of the portal's paged dossier API (JSON). */
  'portal-api': { dataset: 'dossiers', source: 'portal', ext: 'json', bulk: true },
  /** The portal's CSV export (one file per month of receipt). */
  'portal-csv': { dataset: 'dossiers', source: 'portal', ext: 'csv', bulk: true },
  /** An NSW export as an agency downloads it. */
  'nsw-csv': { dataset: 'dossiers', source: 'nsw', ext: 'csv', bulk: true },
  /**
   * A vendor system's dossier export (XLSX), read through the mapping profile its meta names
   * (functions/core/profiles/, docs/data-contracts.md §2.9); its rows land under the profile's source.
   */
  'dossier-export': { dataset: 'dossiers', source: 'portal', ext: 'xlsx', bulk: true },
  /** Agency registry CSV. */
  'registry-agencies': { dataset: 'agencies', source: 'registry', ext: 'csv', bulk: false },
  /** Procedure catalogue CSV. */
  'registry-procedures': { dataset: 'procedures', source: 'registry', ext: 'csv', bulk: false },
  /** Biểu 06/VPCP/KSTT workbook. */
  'bieu06-xlsx': { dataset: 'bieu06', source: 'report', ext: 'xlsx', bulk: false },
  /** PAR Index decision table workbook. */
  'par-xlsx': { dataset: 'par', source: 'decision', ext: 'xlsx', bulk: false },
  /** 766 report service, legacy shape (per unit and month). */
  'score766-legacy': { dataset: 'score766', source: 'portal', ext: 'json', bulk: false },
  /** 766 sub-indicators per unit (demo detail file). */
  'score766-metrics': { dataset: 'score766_metrics', source: 'portal', ext: 'json', bulk: false },
  /** Current national service-results answer (units of a province, or the 34 provinces). */
  'score766-results': { dataset: 'score766', source: 'dvcqg', ext: 'json', bulk: false },
  /** Per-unit sub-indicator detail as the crawler of the national portal stores it. */
  'score766-detail': { dataset: 'score766_metrics', source: 'dvcqg', ext: 'json', bulk: false },
} as const;

export type RawKind = keyof typeof RAW_KINDS;
export const RAW_KIND_NAMES = Object.keys(RAW_KINDS) as RawKind[];

export function isRawKind(value: string): value is RawKind {
  return Object.hasOwn(RAW_KINDS, value);
}
