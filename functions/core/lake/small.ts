/**
 * Landing of small files (registry CSVs, XLSX reports, 766 JSON): the JS readers validate them with
 * zod and their own checks; the records are handed to DuckDB in one batch per dataset for all the
 * files of a kind (NDJSON, `SmallRows`), never row by row.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ident, literal, type DuckDb } from '../engine/duckdb.js';
import { PipelineInputError } from '../errors.js';
import {
  CrawlerAgenciesDetailFile,
  DepartmentDetailResponse,
  LegacyReportResponse,
  ServiceResultsResponse,
  type DepartmentDetail,
} from '../connectors/score766-schemas.js';
import { readBieu06Xlsx } from '../readers/xlsx/bieu06.js';
import { readParXlsx } from '../readers/xlsx/par.js';
import { readAgenciesCsv, readProceduresCsv } from '../readers/registry.js';
import type { Agency, QuarantineRecord } from '../schemas/index.js';
import type { Storage } from '../storage/types.js';
import { formatViPeriod, type ViPeriod } from '../vi/periods.js';
import { daysInMonth, isoDate } from '../vi/dates.js';
import { batchColumns, EARLIEST_RECEIPT_YEAR, type LandedDataset } from './datasets.js';
import { calendarPeriod, periodParts, quarantineMonth, type YearMonth } from './periods.js';
import type { RawMeta } from './raw.js';
import { RAW_KINDS } from './sources.js';

export interface SmallLandResult {
  dataset: string;
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
  /** The quarantine partition of the file's rejected rows (its repeated keys' too, land.ts). */
  quarantinedUnder: YearMonth;
}

/**
 * The period a report workbook's rejected rows go under (quarantineMonth), as its landed rows: a Biểu 06's
 * the last month of its "Kỳ báo cáo" (a quarterly one is pulled for its year), a PAR decision's its year.
 */
export function reportQuarantinePeriod(r: { period: { end: string } } | { year: number }): string {
  return 'period' in r ? r.period.end.slice(0, 7) : String(r.year);
}

/** Province codes reserved for synthetic data (the demo province). */
export const SYNTHETIC_PROVINCES = new Set(['H99']);

export function datasetLabel(provinceCode: string | null | undefined): 'demo' | 'real' {
  return provinceCode && SYNTHETIC_PROVINCES.has(provinceCode) ? 'demo' : 'real';
}

type Rec = Record<string, unknown>;

/** What an XLSX reader returned for a file, read ahead of its turn (see `readSmallFileAhead`). */
export type ReadAhead = Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }>;

/**
 * Reads an XLSX report (Biểu 06, PAR) with the landed registry given, ahead of its turn: the land starts
 * it while DuckDB lands the dossiers, so the JS reader and DuckDB work at once. Undefined for kinds
 * read at their turn. The outcome (records or the reader's error) is what landSmallFile would get.
 */
export function readSmallFileAhead(meta: RawMeta, localPath: string, registry: Agency[]): ReadAhead | undefined {
  const common = { sourceFile: meta.original_name, rawHash: meta.sha256, registry };
  const read =
    meta.kind === 'bieu06-xlsx' ? () => readBieu06Xlsx(localPath, common) : meta.kind === 'par-xlsx' ? () => readParXlsx(localPath, common) : undefined;
  if (!read) return undefined;
  return read().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * The period a workbook reports on (the Biểu 06's "Kỳ báo cáo", the PAR decision's year) must be one the
 * lake holds and both engines read: not before EARLIEST_RECEIPT_YEAR (where Athena's year projection
 * starts: a PAR Index of 1995 landed under year=1995 counted on DuckDB only) and not begun after the
 * land's date (a year typed 2052 for 2025 landed its rows under year=2052, past the calendar and Athena's
 * projection; a month not yet begun has no report). Said once, for the file, which stays in raw/ as
 * rejected until a corrected one is dropped (docs/data-contracts.md §2.6, §2.8).
 */
function checkReportPeriod(file: string, period: ViPeriod, latestDate: string, o: { ended?: string } = {}): void {
  const name = formatViPeriod(period.periodType, period.year, period.periodNo);
  if (period.year < EARLIEST_RECEIPT_YEAR) {
    throw new PipelineInputError('land', file, `the report period (${name}) is before ${EARLIEST_RECEIPT_YEAR}, the first year the lake accepts: is its year mistyped?`, { code: 'period_too_early' });
  }
  if (period.start > latestDate) {
    throw new PipelineInputError('land', file, `the report period (${name}) begins after the land's date (${latestDate}): is its year mistyped?`, { code: 'period_in_future' });
  }
  if (o.ended && period.end > latestDate) {
    throw new PipelineInputError('land', file, `the report period (${name}) has not ended by the land's date (${latestDate}): ${o.ended}; is its year mistyped?`, { code: 'period_not_ended' });
  }
}

/**
 * The period a 766 answer was pulled for (its raw meta's, from the pull or the drop file's name): its rows
 * land under it, so a file without one, or with one the lake cannot hold (checkReportPeriod), is refused;
 * without a period its rows landed under year=0, which no report reads.
 */
function answerPeriod(meta: RawMeta, file: string, latestDate: string): void {
  const p = meta.period;
  if (p === null) {
    throw new PipelineInputError('land', file, 'no period: a 766 answer lands under the month or year it was pulled for (name the file by it, e.g. score766/2025-06.json, or ingest it with --period)', { code: 'period_missing' });
  }
  const { year, month } = periodParts(p);
  if (meta.kind === 'score766-legacy' && month === 0) {
    throw new PipelineInputError('land', file, `the period ${p} is a year: a legacy 766 answer is for one month (name the file by it, e.g. score766/2025-06.json, or ingest it with --period YYYY-MM)`, { code: 'period_missing' });
  }
  checkReportPeriod(file, calendarPeriod(year, month), latestDate);
}

async function ahead<T>(pending: ReadAhead | undefined, read: () => Promise<T>): Promise<T> {
  if (!pending) return read();
  const r = await pending;
  if (!r.ok) throw r.error;
  return r.value as T;
}

/**
 * Lands one small file into `input.rows` (the caller inserts them with the kind's other files once all
 * are read, `SmallRows.insert`, so a file that fails leaves nothing behind). `db` is only read (the
 * landed registry, for the XLSX readers).
 */
export async function landSmallFile(
  db: DuckDb,
  input: {
    meta: RawMeta;
    localPath: string;
    storage: Storage;
    rows: SmallRows;
    readAhead?: ReadAhead;
    /** The land's latest plausible date (YYYY-MM-DD, its "now + 1 day"): no report covers a period after it. */
    latestDate: string;
    /** The land's month: rejected rows of a file without a usable period are quarantined under it. */
    landing: YearMonth;
  },
): Promise<SmallLandResult> {
  const { meta, localPath } = input;
  const file = meta.original_name;
  const source = RAW_KINDS[meta.kind].source;
  const common = { sourceFile: file, rawHash: meta.sha256 };
  const lineage = (row: number): Rec => ({ raw_hash: meta.sha256, raw_row: row });
  const fallback = periodParts(meta.period);
  // Where the file's rejected rows go: the month it was pulled for (quarantineMonth), or, once read, the
  // last month of the period a Biểu 06 or PAR workbook reports on, as its landed rows (a quarterly Biểu 06
  // is pulled for its year, and its rows are the quarter's: under the year's December, or the landing
  // month while the year ran, they lay apart from the period they were about).
  let under = quarantineMonth(meta.period, input.landing);
  const quarantine = (dataset: string, recs: readonly QuarantineRecord[]): void => input.rows.addQuarantine(quarantineRows(dataset, source, meta, under, recs));

  switch (meta.kind) {
    case 'registry-agencies': {
      const r = await readAgenciesCsv(localPath, { sourceFile: file });
      input.rows.add('agencies', r.rows.map((a, i) => ({ source, ...a, ...lineage(r.rowNos[i]!) })));
      quarantine('agencies', r.quarantine);
      return { dataset: 'agencies', rowsRead: r.rowsRead, rowsLanded: r.rows.length, rowsQuarantined: r.quarantine.length, quarantinedUnder: under };
    }
    case 'registry-procedures': {
      const r = await readProceduresCsv(localPath, { sourceFile: file });
      input.rows.add('procedures', r.rows.map((p, i) => ({ source, ...p, ...lineage(r.rowNos[i]!) })));
      quarantine('procedures', r.quarantine);
      return { dataset: 'procedures', rowsRead: r.rowsRead, rowsLanded: r.rows.length, rowsQuarantined: r.quarantine.length, quarantinedUnder: under };
    }
    case 'bieu06-xlsx': {
      const r = await ahead(input.readAhead, async () => readBieu06Xlsx(localPath, { ...common, registry: await landedRegistry(db) }));
      checkReportPeriod(file, r.period, input.latestDate);
      under = quarantineMonth(reportQuarantinePeriod(r), input.landing);
      input.rows.add('bieu06', r.rows.map((row, i) => ({ source, ...row, ...lineage(r.sheetRows[i]!) })));
      quarantine('bieu06', r.quarantine);
      quarantine('bieu06_checks', r.checks);
      return { dataset: 'bieu06', rowsRead: r.rowsRead, rowsLanded: r.rows.length, rowsQuarantined: r.quarantine.length, quarantinedUnder: under };
    }
    case 'par-xlsx': {
      const r = await ahead(input.readAhead, async () => readParXlsx(localPath, { ...common, registry: await landedRegistry(db) }));
      checkReportPeriod(file, calendarPeriod(r.year, 0), input.latestDate, { ended: 'a PAR Index is decided after its year' });
      under = quarantineMonth(reportQuarantinePeriod(r), input.landing);
      input.rows.add('par_totals', r.totals.map((t, i) => ({ source, ...t, ...lineage(i + 1) })));
      input.rows.add('par_fields', r.fields.map((f, i) => ({ source, ...f, ...lineage(i + 1) })));
      quarantine('par_totals', r.quarantine);
      return { dataset: 'par', rowsRead: r.rowsRead, rowsLanded: r.totals.length, rowsQuarantined: r.quarantine.length, quarantinedUnder: under };
    }
    case 'score766-legacy': {
      answerPeriod(meta, file, input.latestDate);
      const doc = parseJson(await readFile(localPath, 'utf8'), LegacyReportResponse, file);
      const rows = doc.data.map((u, i) => {
        const code = str(u.MA_COQUAN);
        const province = code ? code.split('.')[0]! : null;
        return {
          source,
          period_type: 'month',
          year: fallback.year,
          period_no: fallback.month,
          as_of: monthEnd(fallback.year, fallback.month),
          dataset_label: datasetLabel(province),
          province_code: province,
          unit_id: String(u.ID),
          unit_name: String(u.TEN).normalize('NFC'),
          unit_code: code,
          agency_code: code,
          unit_group: Number(u.LOAI_COQUAN) === 3 ? 'COMMUNE' : 'AGENCY',
          score_ckmb: u.CKMB,
          score_tdgq: u.TDGQ,
          score_clgq: u.CLGQ,
          score_tttt: u.TTTT,
          score_mdhl: u.MDHL,
          score_mdsh: u.MDSH,
          score_total: u.TONG_SCORE,
          rank: null,
          group_rank: null,
          units_total: null,
          group_units: null,
          ...lineage(i + 1),
        };
      });
      input.rows.add('score766', rows);
      return { dataset: 'score766', rowsRead: rows.length, rowsLanded: rows.length, rowsQuarantined: 0, quarantinedUnder: under };
    }
    case 'score766-results': {
      answerPeriod(meta, file, input.latestDate);
      const doc = parseJson(await readFile(localPath, 'utf8'), ServiceResultsResponse, file);
      const asOf = meta.as_of ?? meta.pulled_at.slice(0, 10);
      const periodType = meta.period && meta.period.length === 7 ? 'month' : 'year';
      const overview = doc.data.overview as Rec;
      const counted = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
      const rows = doc.data.evaluation.map((u, i) => {
        const code = u.departmentCode ?? null;
        const isProvince = code !== null && !code.includes('.');
        const province = code ? code.split('.')[0]! : null;
        const groups = u.groupScores as Record<string, number | null | undefined>;
        return {
          source,
          period_type: periodType,
          year: fallback.year,
          period_no: periodType === 'month' ? fallback.month : 1,
          as_of: asOf,
          dataset_label: 'real',
          province_code: province,
          unit_id: String(u.departmentId),
          unit_name: String(u.departmentName).normalize('NFC'),
          unit_code: code,
          agency_code: code,
          unit_group: isProvince ? 'PROVINCE' : String((u as Rec).childGroup ?? 'AGENCY'),
          score_ckmb: groups.CKMB ?? null,
          score_tdgq: groups.TDGQ ?? null,
          score_clgq: groups.CLGQ ?? groups.ONLINE ?? null,
          score_tttt: groups.TTTT ?? null,
          score_mdhl: groups.MDHL ?? null,
          score_mdsh: groups.MDSH ?? null,
          score_total: u.totalScore,
          rank: (u as Rec).rank ?? (isProvince ? i + 1 : null),
          group_rank: (u as Rec).groupRank ?? null,
          // How many units the ranks are out of: the province's counts, or the provinces answered.
          units_total: isProvince ? doc.data.evaluation.length : counted(overview.totalUnitsCount),
          group_units: isProvince
            ? doc.data.evaluation.length
            : counted((u as Rec).childGroup === 'COMMUNE' ? overview.communeCount : overview.agencyCount),
          ...lineage(i + 1),
        };
      });
      input.rows.add('score766', rows);
      return { dataset: 'score766', rowsRead: rows.length, rowsLanded: rows.length, rowsQuarantined: 0, quarantinedUnder: under };
    }
    case 'score766-detail':
    case 'score766-metrics': {
      answerPeriod(meta, file, input.latestDate);
      const units = detailUnits(await readFile(localPath, 'utf8'), file);
      const asOf = meta.as_of ?? units.asOf ?? (meta.kind === 'score766-metrics' ? monthEnd(fallback.year, fallback.month) : meta.pulled_at.slice(0, 10));
      const periodType = meta.period && meta.period.length === 7 ? 'month' : 'year';
      const rows: Rec[] = [];
      for (const u of units.units) {
        for (const m of u.metrics) {
          rows.push({
            source,
            period_type: periodType,
            year: fallback.year,
            period_no: periodType === 'month' ? fallback.month : 1,
            as_of: asOf,
            dataset_label: datasetLabel(u.unitCode?.split('.')[0]),
            unit_id: u.unitId,
            unit_code: u.unitCode,
            ...m,
            ...lineage(rows.length + 1),
          });
        }
      }
      input.rows.add('score766_metrics', rows);
      return { dataset: 'score766_metrics', rowsRead: rows.length, rowsLanded: rows.length, rowsQuarantined: 0, quarantinedUnder: under };
    }
    default:
      throw new PipelineInputError('land', file, `no reader for ${meta.kind}`, { code: 'unreadable' });
  }
}

function str(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : String(v);
}

/** The last day of a month (of December when the month is 0: a period of a whole year), YYYY-MM-DD. */
function monthEnd(year: number, month: number): string {
  const m = month === 0 ? 12 : month;
  return isoDate(year, m, daysInMonth(year, m));
}

/**
 * A JSON document as read from a small file: a UTF-8 byte-order mark (Notepad, PowerShell, some exports
 * write one) is not part of the JSON (JSON.parse would point at an invisible character, so it is dropped
 * and the file read as usual); an empty file and text that is not JSON refuse the file, each classed.
 */
function jsonDocument(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new PipelineInputError('land', file, 'the file is empty (expected a JSON document)', { code: 'empty_file' });
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new PipelineInputError('land', file, `not valid JSON (${(cause as Error).message})`, { cause, code: 'not_json' });
  }
}

function parseJson<T>(text: string, schema: z.ZodType<T>, file: string): T {
  const json = jsonDocument(text, file);
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new PipelineInputError('land', file, `unexpected shape: ${issue.message}`, { field: issue.path.join('.'), code: 'unexpected_shape' });
  }
  return r.data;
}

interface DetailUnit {
  unitId: string;
  unitCode: string | null;
  metrics: Rec[];
}

/** The demo's per-month detail file: units with a flat metrics[] (code, group, numerator, …). */
const DemoMetricsFile = z.looseObject({
  asOf: z.string().optional(),
  units: z.array(
    z.looseObject({
      ID: z.string(),
      MA_COQUAN: z.string().nullable().optional(),
      metrics: z.array(z.looseObject({ code: z.string(), group: z.string(), name: z.string().optional() })),
    }),
  ),
});

/** Units with sub-indicators: a department-detail answer, the crawler's detail file, or the demo's file. */
function detailUnits(text: string, file: string): { asOf?: string; units: DetailUnit[] } {
  const json = jsonDocument(text, file);
  const fromDetail = (d: DepartmentDetail): DetailUnit => ({ unitId: String(d.departmentId), unitCode: d.departmentCode ?? null, metrics: metricsOf(d) });
  const single = DepartmentDetailResponse.safeParse(json);
  if (single.success) return { units: [fromDetail(single.data.data)] };
  const crawler = CrawlerAgenciesDetailFile.safeParse(json);
  if (crawler.success) return { units: (crawler.data.agenciesDetail as DepartmentDetail[]).map(fromDetail) };
  const demo = DemoMetricsFile.safeParse(json);
  if (demo.success) {
    return {
      asOf: demo.data.asOf,
      units: demo.data.units.map((u) => ({
        unitId: u.ID,
        unitCode: u.MA_COQUAN ?? null,
        metrics: u.metrics.map((m: Rec) => ({
          group_code: String(m.group),
          metric_code: String(m.code),
          metric_name: String(m.name ?? m.code).normalize('NFC'),
          numerator: num(m.numerator),
          denominator: num(m.denominator),
          ratio_pct: num(m.ratio),
          score: num(m.score),
          max_score: num(m.maxScore),
        })),
      })),
    };
  }
  throw new PipelineInputError('land', file, 'not a 766 detail file: expected a department-detail answer, agenciesDetail[] or units[] with metrics[]', { code: 'unexpected_shape' });
}

/** Groups the detail publishes as one figure, by the metric code they stand for. */
const WHOLE_GROUP_METRIC: Record<string, string> = { TDGQ: 'DOSSIER_ON_TIME', ONLINE: 'ONLINE', CLGQ: 'ONLINE', TTTT: 'TTTT' };

/** The sub-indicators of one unit, flattened (group code, metric code, numerator, …). */
export function metricsOf(u: DepartmentDetail): Rec[] {
  const out: Rec[] = [];
  const groups = (u.componentIndicators ?? {}) as Record<string, Rec>;
  for (const [key, g] of Object.entries(groups)) {
    const group = key.split('_')[0]!;
    const groupCode = group === 'ONLINE' ? 'CLGQ' : group;
    const metrics = Array.isArray(g.metrics) ? (g.metrics as Rec[]) : null;
    if (metrics) {
      for (const m of metrics) {
        out.push({
          group_code: groupCode,
          metric_code: String(m.code),
          metric_name: String(m.name ?? m.code).normalize('NFC'),
          numerator: num(m.numerator),
          denominator: num(m.denominator),
          ratio_pct: num(m.ratio),
          score: num(m.score),
          max_score: num(m.maxScore),
        });
      }
    } else {
      // A group published as one figure (e.g. TDGQ: totalOnTime / totalReceived) becomes one metric,
      // named as in sql/seeds/score766_indicators.csv (docs/data-contracts.md §2.7).
      out.push({
        group_code: groupCode,
        metric_code: WHOLE_GROUP_METRIC[group] ?? group,
        metric_name: key,
        numerator: num(g.totalOnTime ?? g.numerator),
        denominator: num(g.totalReceived ?? g.denominator),
        ratio_pct: num(g.ratio),
        score: num(g.score),
        max_score: num(g.maxScore),
      });
    }
  }
  return out;
}

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The landed agency registry, for matching unit names in reports. */
export async function landedRegistry(db: DuckDb): Promise<Agency[]> {
  const rows = await db.all(
    `SELECT agency_code, name, short_name, kind, parent_code, province_code,
            CAST(valid_from AS VARCHAR) AS valid_from, CAST(valid_to AS VARCHAR) AS valid_to, successor_code
     FROM ref_agencies`,
  ).catch(() => []);
  return rows as unknown as Agency[];
}

let batchSeq = 0;

/**
 * The rows small files land, per batch table, as NDJSON lines: one file's while it is read, then the
 * kind's (`merge`), inserted with ONE read_json per table (`insert`). One INSERT per file and dataset
 * cost ≈ 6 ms each, 0.5 s of the 100 k bench land's 117 small files (bench/history.md, change 58).
 */
export class SmallRows {
  private readonly lines = new Map<string, string[]>();

  /** A dataset's records (each with the dataset's batch columns; a missing one is NULL). */
  add(dataset: LandedDataset, rows: readonly Rec[]): void {
    const keys = Object.keys(batchColumns(dataset));
    this.push(dataset, rows.map((r) => JSON.stringify(pick(r, keys))));
  }

  /** Quarantine records (batch_quarantine, with the dataset they were meant for). */
  addQuarantine(rows: readonly Rec[]): void {
    this.push('quarantine', rows.map((r) => JSON.stringify(r)));
  }

  /** Take `other`'s rows after this one's (a file's rows into its kind's, in file order). */
  merge(other: SmallRows): void {
    for (const [table, lines] of other.lines) this.push(table, lines);
  }

  /** Insert every table's rows, one statement per table, and empty the collector. */
  async insert(db: DuckDb, workDir: string): Promise<void> {
    for (const [table, lines] of this.lines) {
      const cols = table === 'quarantine' ? { dataset: 'VARCHAR', ...batchColumns('quarantine') } : batchColumns(table as LandedDataset);
      const file = path.join(workDir, `batch-${table}-${++batchSeq}.ndjson`);
      await writeFile(file, lines.join('\n'));
      const colSpec = `{${Object.entries(cols).map(([c, t]) => `${literal(c)}: ${literal(t)}`).join(', ')}}`;
      await db.run(`INSERT INTO ${ident(`batch_${table}`)} BY NAME SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited', columns = ${colSpec})`);
      await rm(file, { force: true });
    }
    this.lines.clear();
  }

  private push(table: string, lines: string[]): void {
    if (lines.length === 0) return;
    const held = this.lines.get(table);
    if (held) for (const l of lines) held.push(l);
    else this.lines.set(table, [...lines]);
  }
}

function pick(r: Rec, keys: string[]): Rec {
  const out: Rec = {};
  for (const k of keys) out[k] = r[k] ?? null;
  return out;
}

function quarantineRows(
  dataset: string,
  source: string,
  meta: RawMeta,
  partition: YearMonth,
  recs: readonly QuarantineRecord[],
): Rec[] {
  return recs.map((q) => ({
    dataset,
    source,
    year: partition.year,
    month: partition.month,
    raw_kind: meta.kind,
    source_file: q.source_file,
    row_no: q.row_no,
    field: q.field,
    reason: q.reason,
    raw_value: q.raw_value,
    raw_record: q.raw_record,
    raw_hash: meta.sha256,
  }));
}
