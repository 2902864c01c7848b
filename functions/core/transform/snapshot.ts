/**
 * Monthly snapshots: snapshots/<yyyy-mm>/<mart>.parquet + manifest.json.
 *
 * A snapshot freezes every mart as it was for that month: the models run over the lake as of the
 * month's last day (dossiers received later are left out, later finishes count as pending) and the
 * marts keep only periods up to that month. Files are written first, the manifest last and only once:
 * a published snapshot is never rewritten, whatever data arrives later. The manifest holds no clock
 * time, so the same lake gives byte-identical snapshots.
 */
import { z } from 'zod';
import { createError } from '../errors.js';
import { sha256 } from '../lake/raw.js';
import { pulledAfterMonth } from '../lake/periods.js';
import { YEAR_MONTH, YearMonth } from '../schemas/index.js';
import { StorageConflictError, type Storage } from '../storage/types.js';
import { daysInMonth, isoDate } from '../vi/dates.js';

export const SnapshotPeriod = YearMonth;

export const SnapshotManifest = z.object({
  period: SnapshotPeriod,
  /** Last day of the month: the as-of date of the data. */
  as_of: z.string(),
  /** sha256 over the sorted raw hashes landed when the snapshot was taken. */
  lake_fingerprint: z.string(),
  raw_files: z.number().int(),
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number().int(), rows: z.number().int() })),
  /**
   * Months of the year to date a dossier source has no file for (sourceGaps), frozen so because an
   * operator allowed them (`allowed`; `allowed_partial`: months whose only files were made before they
   * ended, or a pull after the end did not reach their last page, frozen as they stand), discarded the month's file (`discarded`) or said the source has
   * ended (`ended`); absent when every source delivered every month.
   */
  missing_sources: z
    .array(z.object({ source: z.string(), months: z.array(z.string()), cause: z.enum(['allowed', 'allowed_partial', 'discarded', 'ended']), since: z.string().optional() }))
    .optional(),
});
export type SnapshotManifest = z.infer<typeof SnapshotManifest>;

export function monthEnd(period: string): string {
  SnapshotPeriod.parse(period);
  const [y, m] = period.split('-').map(Number) as [number, number];
  return isoDate(y, m, daysInMonth(y, m));
}

export function snapshotManifestKey(period: string): string {
  return `snapshots/${SnapshotPeriod.parse(period)}/manifest.json`;
}

/** Periods that have anything under snapshots/, sorted. */
export async function listSnapshots(storage: Storage): Promise<string[]> {
  const periods = new Set<string>();
  for (const o of await storage.list('snapshots/')) {
    const p = o.key.split('/')[1];
    if (p && SnapshotPeriod.safeParse(p).success) periods.add(p);
  }
  return [...periods].sort();
}

export async function readSnapshotManifest(storage: Storage, period: string): Promise<SnapshotManifest | undefined> {
  const body = await storage.tryGet(snapshotManifestKey(period));
  if (!body) return undefined;
  try {
    return SnapshotManifest.parse(JSON.parse(body.toString('utf8')));
  } catch (cause) {
    throw createError('snapshot', `Failed to read ${snapshotManifestKey(period)}: ${(cause as Error).message}`, { cause });
  }
}

/** Months of a dossier source with no landed file, in the year to date of a snapshot, and why they may be frozen so. */
export interface SourceGap {
  source: string;
  /** The months (YYYY-MM, oldest first). */
  months: string[];
  /**
   * `missing`: nothing lets the snapshot go without them, it is refused; `partial`: the source's only files of
   * those months were made before the month ended (lake/periods.ts, pulledAfterMonth), so they cannot hold its last days, or
   * are pages of a pull after the end that stopped before the month's last page (`unfinished`; holdsMonth), refused
   * too (an operator's `allowMissing` freezes them as they stand, cause `allowed_partial`); `allowed`: an operator let this
   * snapshot (`allowMissing`) or an earlier one go without those months; `discarded`: an operator discarded
   * the source's file of the month; `ended`: the months since the source's last file, which an operator
   * said has ended (`endedSources`, now or for an earlier snapshot, the source having sent nothing since).
   */
  cause: 'missing' | 'partial' | 'allowed' | 'allowed_partial' | 'discarded' | 'ended';
  /** `ended`: the month after the source's last file (the feed has sent nothing since; may be years before the window). */
  since?: string;
  /** `partial`: the months have pages pulled after they ended, but not every page (holdsMonth): the pull stopped before their last page. */
  unfinished?: true;
}
export type FrozenCause = Exclude<SourceGap['cause'], 'missing' | 'partial'>;
/** The causes that refuse a snapshot. */
export const REFUSED_CAUSES: ReadonlySet<SourceGap['cause']> = new Set(['missing', 'partial']);

/**
 * A month's file of a source: a landed file, or a delivery of bytes landed before (raw.ts, recordDelivery).
 * `pulled_at` (ISO 8601): when the bytes were pulled or staged; `made_at`: when a drop file was written there
 * (lake/periods.ts, pulledAfterMonth); with neither, the file is taken as made after its month.
 */
export type SourceMonthFile = { dataset: string; source: string; period: string | null; pulled_at?: string; made_at?: string; page?: number; pages?: number };

/**
 * Whether a month's files made after it ended hold the whole month. A file that is not a page of a paged pull
 * (a CSV export of the month, an NSW unit's file, a page staged before pages were recorded) does. Pages of the
 * portal API do once every page of the month, up to the page count its newest page gave, came after the end:
 * a pull that failed after its first pages has not seen the rest of the month (a later page of an earlier
 * such pull still holds its rows).
 */
export function holdsMonth(afterEnd: readonly SourceMonthFile[]): boolean {
  if (afterEnd.length === 0) return false;
  const pages = afterEnd.filter((f) => f.page !== undefined && f.pages !== undefined);
  if (pages.length < afterEnd.length) return true;
  const when = (f: SourceMonthFile): string => f.pulled_at ?? '';
  const newest = pages.reduce((a, b) => (when(b) > when(a) || (when(b) === when(a) && b.pages! > a.pages!) ? b : a));
  const seen = new Set(pages.map((f) => f.page));
  for (let p = 1; p <= newest.pages!; p++) if (!seen.has(p)) return false;
  return true;
}

/** A name an operator gives a source by: a dossier source (`portal`, `nsw`) or one NSW unit (`nsw/H99.02`: connectors/nsw-drop.ts's agency codes). */
export const SOURCE_NAME = /^[a-z0-9_-]+(\/[A-Za-z0-9][A-Za-z0-9._-]{0,31})?$/;

/** Whether an operator's names cover a gap's source: the source itself (`nsw/H99.05`, `portal`) or, for an NSW unit, its whole source (`nsw`). */
export function namesUnit(names: readonly string[] | undefined, source: string): boolean {
  return !!names?.some((n) => n === source || source.startsWith(`${n}/`));
}

export function nextMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}

/**
 * The months of the snapshot's year to date, up to `period`, that a dossier source (portal, nsw, …) has
 * no landed file for, from the source's first month on. A snapshot is published once and never rewritten,
 * and its month, year to date and trends would keep such a month's dossiers out for good, under a manifest
 * saying "as of" the month's last day. A file counts for the month it declares (the portal API's month
 * pull, a portal CSV drop `2025-06.csv`, an NSW unit's `2025-06.csv`, a vendor export named by its month);
 * a file of a whole year (a vendor's yearly list) or of no period says nothing of one month. The source is
 * the unit (`portal`), or each NSW unit of the drop (`nsw/<agency>`: pipeline.ts, gapUnit). A month counts
 * only with a file made once the month had ended (in Vietnam: lake/periods.ts, pulledAfterMonth): an
 * export pulled or staged before then (the daily pull of the month running, a vendor export made on the
 * 20th) cannot hold the month's last days, and a month with only such files is `partial` unless another cause
 * below applies; so is a month pulled page by page after its end whose pull stopped before its last page (holdsMonth). Each month without a file (or with only such files) is `discarded` (its file was discarded), `ended`
 * (after the source's last file, the source said ended now or by the newest earlier snapshot while nothing
 * came since), `allowed` (named now, or allowed or ended in an earlier snapshot; `allowed_partial` for a month with
 * files made too early), else `partial` (it has such files) or `missing`.
 */
export function sourceGaps(input: {
  period: string;
  files: readonly SourceMonthFile[];
  discarded?: readonly SourceMonthFile[];
  allowMissing?: readonly string[];
  endedSources?: readonly string[];
  /** Months earlier published snapshots were frozen without (allowed or ended), as `source@YYYY-MM`. */
  allowedBefore?: ReadonlySet<string>;
  /** The `since` of each source the newest earlier published snapshot recorded as ended. */
  endedBefore?: ReadonlyMap<string, string>;
}): SourceGap[] {
  const period = SnapshotPeriod.parse(input.period);
  const monthsOf = (files: readonly SourceMonthFile[]): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    for (const f of files) {
      if (f.dataset !== 'dossiers' || !f.period || !YEAR_MONTH.test(f.period)) continue;
      let set = out.get(f.source);
      if (!set) out.set(f.source, (set = new Set()));
      set.add(f.period);
    }
    return out;
  };
  const delivered = monthsOf(input.files);
  // Months whose files made after they ended hold them (holdsMonth): a month whose files all came before its
  // end, or whose pull after its end stopped before its last page, is partial.
  const afterEnd = new Map<string, SourceMonthFile[]>();
  for (const f of input.files) {
    if (f.dataset !== 'dossiers' || !f.period || !YEAR_MONTH.test(f.period) || !pulledAfterMonth(f)) continue;
    const key = `${f.source}@${f.period}`;
    afterEnd.set(key, [...(afterEnd.get(key) ?? []), f]);
  }
  const complete = (source: string, m: string): boolean => holdsMonth(afterEnd.get(`${source}@${m}`) ?? []);
  const discarded = monthsOf(input.discarded ?? []);
  const allowedBefore = input.allowedBefore ?? new Set<string>();
  const gaps: SourceGap[] = [];
  for (const [source, months] of [...delivered].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...months].sort();
    const first = sorted[0]!;
    if (first > period) continue;
    // The newest file up to the snapshot's month (a file of a later month is not "since").
    const last = sorted.filter((m) => m <= period).at(-1)!;
    // Ended: said now, or by the newest earlier snapshot, since the month after the same last file. A snapshot
    // that recorded an NSW unit's whole source (`nsw`, before units were expected) ended it for each unit that
    // has sent nothing since; its allowed months are each unit's.
    const parent = source.includes('/') ? source.slice(0, source.indexOf('/')) : undefined;
    const parentSince = parent ? input.endedBefore?.get(parent) : undefined;
    const ended =
      namesUnit(input.endedSources, source) || input.endedBefore?.get(source) === nextMonth(last) || (parentSince !== undefined && nextMonth(last) <= parentSince);
    const allowedEarlier = (m: string): boolean => allowedBefore.has(`${source}@${m}`) || (parent !== undefined && allowedBefore.has(`${parent}@${m}`));
    const byCause: Record<SourceGap['cause'], string[]> = { missing: [], partial: [], allowed: [], allowed_partial: [], discarded: [], ended: [] };
    const unfinished: string[] = [];
    const yearStart = `${period.slice(0, 4)}-01`;
    for (let m = first > yearStart ? first : yearStart; m <= period; m = nextMonth(m)) {
      if (complete(source, m)) continue;
      const cause: SourceGap['cause'] = discarded.get(source)?.has(m)
        ? 'discarded'
        : ended && m > last
          ? 'ended'
          : namesUnit(input.allowMissing, source) || allowedEarlier(m)
            ? months.has(m)
              ? 'allowed_partial'
              : 'allowed'
            : months.has(m)
              ? 'partial'
              : 'missing';
      // A partial month with pages pulled after its end: the pull stopped before the month's last page.
      if (cause === 'partial' && afterEnd.has(`${source}@${m}`)) unfinished.push(m);
      else byCause[cause].push(m);
    }
    for (const cause of ['missing', 'partial', 'allowed', 'allowed_partial', 'discarded', 'ended'] as const) {
      if (byCause[cause].length) gaps.push({ source, months: byCause[cause], cause, ...(cause === 'ended' ? { since: nextMonth(last) } : {}) });
      if (cause === 'partial' && unfinished.length) gaps.push({ source, months: unfinished, cause, unfinished: true });
    }
  }
  return gaps;
}

/** Snapshot files as built, before publishing. */
export interface SnapshotFile {
  name: string;
  body: Buffer;
  rows: number;
}

/**
 * Publish files then the manifest (create-once). Returns false when the snapshot already existed
 * (nothing written).
 */
export async function publishSnapshot(
  storage: Storage,
  period: string,
  files: readonly SnapshotFile[],
  lake: { fingerprint: string; rawFiles: number; gaps?: readonly SourceGap[] },
): Promise<SnapshotManifest | undefined> {
  if (await storage.exists(snapshotManifestKey(period))) return undefined;
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  if (lake.gaps?.some((g) => REFUSED_CAUSES.has(g.cause))) throw createError('snapshot', `Failed to publish ${period}: a dossier source has months nothing allows it to be frozen without`);
  const frozenGaps = (lake.gaps ?? []).map((g) => ({ source: g.source, months: g.months, cause: g.cause as FrozenCause, ...(g.since ? { since: g.since } : {}) }));
  for (const f of sorted) {
    if (!/^[a-z0-9_]+\.parquet$/.test(f.name)) throw createError('snapshot', `Failed to publish ${f.name}: not a mart file name`);
    await storage.put(`snapshots/${period}/${f.name}`, f.body);
  }
  const manifest: SnapshotManifest = {
    period,
    as_of: monthEnd(period),
    lake_fingerprint: lake.fingerprint,
    raw_files: lake.rawFiles,
    files: sorted.map((f) => ({ name: f.name, sha256: sha256(f.body), bytes: f.body.length, rows: f.rows })),
    ...(frozenGaps.length ? { missing_sources: frozenGaps } : {}),
  };
  try {
    await storage.put(snapshotManifestKey(period), `${JSON.stringify(manifest, null, 2)}\n`, { ifNoneMatch: true, contentType: 'application/json' });
  } catch (err) {
    if (err instanceof StorageConflictError) return undefined; // another run published it first
    throw err;
  }
  return manifest;
}
