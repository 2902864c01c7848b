/**
 * The monthly report pack: reports/<yyyy-mm>/ holds
 *   bao-cao-<yyyy-mm>.docx    the draft report (Nghị định 30/2020/NĐ-CP layout) officials edit and sign
 *   bao-cao-<yyyy-mm>.pdf     the same content as PDF, fonts embedded, two vector charts
 *   bieu06-<yyyy-mm>.xlsx     Biểu 06/VPCP/KSTT of the month (and bieu06-<yyyy>-q<n>.xlsx when the month closes a quarter,
 *                             bieu06-<yyyy>-h1.xlsx in June, bieu06-<yyyy>.xlsx in December: bieu06Workbooks)
 *   manifest.json             each file's sha256 and bytes, and the snapshot it was built from (written last)
 * built from the published snapshot of the month only, so the same snapshot gives the same bytes.
 * A published pack (its manifest exists) is never rewritten: a rerun verifies it; `force` writes a
 * new revision beside it (reports/<yyyy-mm>-r2/, files suffixed -r2), leaving the first untouched.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createError } from '../errors.js';
import { sha256 } from '../lake/raw.js';
import { writeBieu06Xlsx, type Bieu06Sheet } from '../readers/xlsx/bieu06.js';
import { StorageConflictError, type Storage } from '../storage/types.js';
import { SnapshotPeriod } from '../transform/snapshot.js';
import { loadReportData, type AgencyPeriod, type ReportData } from './data.js';
import { renderDocx } from './docx.js';
import { buildReportDoc } from './model.js';
import { renderPdf } from './pdf.js';

export const ReportManifest = z.object({
  period: SnapshotPeriod,
  revision: z.number().int().min(1),
  snapshot: z.object({ period: SnapshotPeriod, as_of: z.string(), manifest_sha256: z.string(), lake_fingerprint: z.string() }),
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number().int(), content_type: z.string() })),
});
export type ReportManifest = z.infer<typeof ReportManifest>;

export const REPORTS_PREFIX = 'reports/';

/** Directory name of a revision: "2025-06", "2025-06-r2", … */
export const revisionDir = (period: string, revision: number): string => (revision === 1 ? period : `${period}-r${revision}`);

const CONTENT_TYPES: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface PackFile {
  name: string;
  body: Buffer;
}

/** Biểu 06 bands: the departments (sở, ban, ngành and the provincial office) and their chi cục. */
function bieu06Sheet(d: ReportData, rows: readonly AgencyPeriod[], synthetic: boolean): Bieu06Sheet {
  const first = rows[0];
  if (!first) throw createError('report', `Failed to build Biểu 06 of ${d.period}: the snapshot has no agency_periods rows for it`);
  const toRow = (a: AgencyPeriod) => ({
    unitName: a.agency_name,
    agencyCode: a.agency_code,
    c: [
      a.received_total,
      a.received_online,
      a.received_offline,
      a.received_carried_over,
      a.resolved_total,
      a.resolved_early,
      a.resolved_on_time,
      a.resolved_late,
      a.pending_total,
      a.pending_in_time,
      a.pending_overdue,
    ],
  });
  const isChiCuc = (a: AgencyPeriod) => a.kind === 'chi_cuc';
  const bands = [
    { name: 'Sở, ban, ngành', rows: rows.filter((a) => !isChiCuc(a)).map(toRow) },
    { name: 'Chi cục', rows: rows.filter(isChiCuc).map(toRow) },
  ].filter((b) => b.rows.length > 0);
  return {
    provinceName: d.provinceName.replace(/^UBND\s+/iu, ''),
    unitLine: `Đơn vị báo cáo: ${d.provinceName} (Sở Nội vụ tổng hợp)`,
    periodType: first.period_type,
    year: first.year,
    periodNo: first.period_no,
    periodStart: first.period_start,
    periodEnd: first.period_end,
    bands,
    bandSubtotals: true,
    ...(synthetic ? { note: 'Số liệu giả lập của tỉnh mẫu — không phải số liệu thật.' } : {}),
  };
}

async function xlsxBytes(sheet: Bieu06Sheet, scratch: string, name: string): Promise<Buffer> {
  const file = path.join(scratch, name);
  await writeBieu06Xlsx(file, sheet);
  return readFile(file);
}

/**
 * The Biểu 06 workbooks of a month's pack, by name: the month's (bieu06-2025-06.xlsx); the quarter's when the
 * month closes one (bieu06-2025-q2.xlsx); the first half's in June (bieu06-2025-h1.xlsx) and the year's in
 * December (bieu06-2025.xlsx), for the six-month and the annual reports. `suffix`: a revision's ('-r2').
 */
export function bieu06Workbooks(
  d: Pick<ReportData, 'period' | 'year' | 'month' | 'agencies' | 'quarterAgencies' | 'halfOrYearAgencies'>,
  suffix = '',
): { name: string; rows: readonly AgencyPeriod[] }[] {
  // Each workbook is named by the period its rows carry, not by the month asked for.
  const named = (rows: readonly AgencyPeriod[]): string => {
    const r = rows[0];
    if (!r || r.period_type === 'month') return `bieu06-${d.period}`;
    if (r.period_type === 'quarter') return `bieu06-${r.year}-q${r.period_no}`;
    if (r.period_type === 'half') return `bieu06-${r.year}-h${r.period_no}`;
    return `bieu06-${r.year}`;
  };
  return [d.agencies, d.quarterAgencies, d.halfOrYearAgencies]
    .filter((rows): rows is AgencyPeriod[] => rows !== undefined)
    .map((rows) => ({ name: `${named(rows)}${suffix}.xlsx`, rows }));
}

/**
 * What a Biểu 06 file of a pack covers, from its name (bieu06Workbooks' names): ' quý'
 * (bieu06-2025-q2), ' 6 tháng' (bieu06-2025-h1), ' năm' (bieu06-2025), '' for the month's (bieu06-2025-06);
 * a revision's `-r2` suffix aside.
 */
export function bieu06Kind(name: string): string {
  const m = /^bieu06-\d{4}(?:-(q[1-4]|h[12]|\d{2}))?(?:-r\d+)?\.xlsx$/.exec(name);
  if (!m) return '';
  const p = m[1];
  return p === undefined ? ' năm' : p.startsWith('q') ? ' quý' : p.startsWith('h') ? ' 6 tháng' : '';
}

/** Build every file of the pack (pure: same data → same bytes). */
export async function buildPackFiles(d: ReportData, opts: { workDir: string; suffix?: string }): Promise<PackFile[]> {
  const s = opts.suffix ?? '';
  const doc = buildReportDoc(d);
  const scratch = path.join(opts.workDir, `report-xlsx-${d.period}-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  try {
    const files: PackFile[] = [
      { name: `bao-cao-${d.period}${s}.docx`, body: await renderDocx(doc) },
      { name: `bao-cao-${d.period}${s}.pdf`, body: await renderPdf(doc) },
    ];
    for (const [i, w] of bieu06Workbooks(d, s).entries()) {
      files.push({ name: w.name, body: await xlsxBytes(bieu06Sheet(d, w.rows, d.synthetic), scratch, `${i}.xlsx`) });
    }
    return files;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface ReportPackSummary {
  period: string;
  revision: number;
  /** Key prefix of the pack, e.g. reports/2025-06/ */
  prefix: string;
  /** false: the pack was already published and was only verified. */
  published: boolean;
  files: { name: string; bytes: number; sha256: string }[];
}

export interface ReportPackOptions {
  period: string;
  /** Write a new revision beside a published pack. */
  force?: boolean;
  workDir: string;
}

async function readManifest(storage: Storage, key: string): Promise<ReportManifest | undefined> {
  const body = await storage.tryGet(key);
  if (!body) return undefined;
  try {
    return ReportManifest.parse(JSON.parse(body.toString('utf8')));
  } catch (cause) {
    throw createError('report', `Failed to read ${key}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Build the pack of `period` from `lake` (its published snapshot) and publish it to `target`
 * (default: the lake) under reports/<dir>/: files first, the manifest last and create-once.
 */
export async function buildReportPack(lake: Storage, opts: ReportPackOptions, target: Storage = lake): Promise<ReportPackSummary> {
  const period = SnapshotPeriod.parse(opts.period);
  // The newest published revision decides: verify it, or (force) write the next one.
  let revision = 1;
  let latest: ReportManifest | undefined;
  for (;;) {
    const m = await readManifest(target, `${REPORTS_PREFIX}${revisionDir(period, revision)}/manifest.json`);
    if (!m) break;
    latest = m;
    revision++;
  }
  if (latest && !opts.force) {
    const prefix = `${REPORTS_PREFIX}${revisionDir(period, latest.revision)}/`;
    for (const f of latest.files) {
      const body = await target.tryGet(`${prefix}${f.name}`);
      if (!body || sha256(body) !== f.sha256) throw createError('report', `Failed to verify ${prefix}${f.name}: it differs from the published manifest`);
    }
    return { period, revision: latest.revision, prefix, published: false, files: latest.files.map(({ name, bytes, sha256: h }) => ({ name, bytes, sha256: h })) };
  }

  const data = await loadReportData(lake, { period, workDir: opts.workDir });
  const suffix = revision === 1 ? '' : `-r${revision}`;
  const files = await buildPackFiles(data, { workDir: opts.workDir, suffix });
  const prefix = `${REPORTS_PREFIX}${revisionDir(period, revision)}/`;
  for (const f of files) await target.put(`${prefix}${f.name}`, f.body, { contentType: CONTENT_TYPES[f.name.split('.').pop() ?? ''] ?? 'application/octet-stream' });
  const manifest: ReportManifest = {
    period,
    revision,
    snapshot: { period, as_of: data.asOf, manifest_sha256: data.snapshot.manifestSha256, lake_fingerprint: data.snapshot.lakeFingerprint },
    files: files.map((f) => ({ name: f.name, sha256: sha256(f.body), bytes: f.body.length, content_type: CONTENT_TYPES[f.name.split('.').pop() ?? '']! })),
  };
  try {
    await target.put(`${prefix}manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`, { ifNoneMatch: true, contentType: 'application/json' });
  } catch (err) {
    if (err instanceof StorageConflictError) throw createError('report', `Failed to publish ${prefix}: another run published it first; run again`, { cause: err });
    throw err;
  }
  return { period, revision, prefix, published: true, files: manifest.files.map(({ name, bytes, sha256: h }) => ({ name, bytes, sha256: h })) };
}

/** Every published pack (newest period first, then newest revision first), for the "Báo cáo" page. */
export async function listReportPacks(storage: Storage): Promise<(ReportManifest & { prefix: string })[]> {
  const out: (ReportManifest & { prefix: string })[] = [];
  for (const o of await storage.list(REPORTS_PREFIX)) {
    const m = /^reports\/(\d{4}-\d{2}(?:-r\d+)?)\/manifest\.json$/.exec(o.key);
    if (!m) continue;
    const manifest = await readManifest(storage, o.key);
    if (manifest) out.push({ ...manifest, prefix: `${REPORTS_PREFIX}${m[1]}/` });
  }
  return out.sort((a, b) => b.period.localeCompare(a.period) || b.revision - a.revision);
}
