/**
 * The 766 answers of the loopback portal, in the real shapes (functions/portal/fixtures/dvcqg-766/):
 *
 * - national `service-results` (no departmentId): the captured real answer, served byte for byte,
 *   for the captured period only (year 2026);
 * - a real province (departmentId = the capture's rootDepartmentId or its province code, e.g. Gia
 *   Lai): rebuilt from the crawler's `agencies_<date>.json`; `asOf` picks the capture date;
 * - the demo province (its code, or a UUID derived from it): built from `<dataDir>/score766/<yyyy-mm>.json`;
 * - per-unit detail (assumed endpoint): the crawler's `agencies_detail_<date>.json` element;
 * - the legacy rest.jsp answer: `<dataDir>/score766/<yyyy-mm>.json` byte for byte.
 *
 * What the captures lack is left empty rather than invented: a province's donuts and monthly
 * charts are empty arrays; only the captured 14 sở/ban/ngành are listed (not the communes).
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createError } from '../core/errors.js';
import {
  CrawlerAgenciesDetailFile,
  CrawlerAgenciesFile,
  LegacyReportResponse,
  type CrawlerAgency,
  type DepartmentDetail,
  type LegacyReportRow,
  ServiceResultsRequest,
} from '../core/connectors/score766-schemas.js';

export type ServiceResultsBody = z.infer<typeof ServiceResultsRequest>;

/** A JSON answer: `bytes` when served verbatim, else `body` to serialise. */
export interface Answer {
  status: number;
  bytes?: Buffer;
  body?: unknown;
}

const RADAR = [
  { code: 'CKMB', name: 'Công khai, minh bạch', maxScore: 18, keys: ['CKMB'] },
  { code: 'TDGQ', name: 'Tiến độ giải quyết', maxScore: 20, keys: ['TDGQ'] },
  { code: 'ONLINE_SERVICE', name: 'Dịch vụ trực tuyến', maxScore: 22, keys: ['CLGQ', 'TTTT'] },
  { code: 'MDHL', name: 'Mức độ hài lòng', maxScore: 18, keys: ['MDHL'] },
  { code: 'MDSH', name: 'Số hóa hồ sơ', maxScore: 22, keys: ['MDSH'] },
] as const;
type Groups = { CKMB: number; TDGQ: number; CLGQ: number; TTTT: number; MDHL: number; MDSH: number };

const round2 = (x: number) => Math.round(x * 100) / 100;

interface RealProvince {
  code: string;
  rootDepartmentId: string;
  /** by capture date YYYY-MM-DD */
  agencies: Map<string, CrawlerAgenciesFile>;
  details: Map<string, CrawlerAgenciesDetailFile>;
}

interface DemoProvince {
  code: string;
  name: string;
  departmentId: string;
  dir: string;
}

/** Deterministic UUID-shaped id for a demo unit or province (the real ones are UUIDv7s). */
export function demoDepartmentId(code: string): string {
  const h = createHash('sha256').update(`demo-department:${code}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class EvaluationData {
  private constructor(
    private readonly national: { request: { timeType: string; year: number }; bytes: Buffer } | undefined,
    private readonly provinces: RealProvince[],
    private readonly demo: DemoProvince,
  ) {}

  static async load(opts: { dataDir: string; realDir?: string; provinceCode?: string }): Promise<EvaluationData> {
    const demo = await loadDemo(opts.dataDir, opts.provinceCode);
    if (!opts.realDir) return new EvaluationData(undefined, [], demo);
    const realDir = path.resolve(opts.realDir);
    const bytes = await readFile(path.join(realDir, 'service-results.response.json'));
    const request = z
      .object({ timeType: z.string(), year: z.number().int() })
      .parse(JSON.parse(await readFile(path.join(realDir, 'service-results.request.json'), 'utf8')));
    const provinces: RealProvince[] = [];
    for (const entry of await readdir(realDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(realDir, entry.name);
      let province: RealProvince | undefined;
      for (const name of (await readdir(dir)).sort()) {
        const m = /^agencies(_detail)?_(\d{4}-\d{2}-\d{2})\.json$/.exec(name);
        if (!m) continue;
        const file = path.join(dir, name);
        const json = JSON.parse(await readFile(file, 'utf8')) as unknown;
        const parsed = (m[1] ? CrawlerAgenciesDetailFile : CrawlerAgenciesFile).safeParse(json);
        if (!parsed.success) throw createError('portal', `Failed to read ${file}: ${z.prettifyError(parsed.error)}`);
        const meta = parsed.data.metadata;
        province ??= { code: meta.provinceCode, rootDepartmentId: meta.rootDepartmentId, agencies: new Map(), details: new Map() };
        if (m[1]) province.details.set(m[2]!, parsed.data as CrawlerAgenciesDetailFile);
        else province.agencies.set(m[2]!, parsed.data as CrawlerAgenciesFile);
      }
      if (province) provinces.push(province);
    }
    return new EvaluationData({ request, bytes }, provinces, demo);
  }

  get demoProvince(): { code: string; name: string; departmentId: string } {
    return { code: this.demo.code, name: this.demo.name, departmentId: this.demo.departmentId };
  }

  async serviceResults(body: ServiceResultsBody): Promise<Answer> {
    if (body.departmentId === undefined) {
      if (!this.national) return notFound('no national capture is loaded (start the portal with realDir)');
      const r = this.national.request;
      if (body.timeType !== r.timeType || body.year !== r.year) {
        return notFound(`the national answer exists only for timeType "${r.timeType}", year ${r.year}`);
      }
      return { status: 200, bytes: this.national.bytes };
    }
    const real = this.provinces.find((p) => p.rootDepartmentId === body.departmentId || p.code === body.departmentId);
    if (real) return this.realProvince(real, body);
    if (body.departmentId === this.demo.departmentId || body.departmentId === this.demo.code) return this.demoProvinceAnswer(body);
    return notFound(`unknown departmentId "${body.departmentId}"`);
  }

  detail(body: ServiceResultsBody): Answer {
    if (body.departmentId === undefined) return badRequest('departmentId is required');
    for (const p of this.provinces) {
      const picked = pickCapture(p.details, body);
      if ('error' in picked) continue;
      const unit = picked.file.agenciesDetail.find((a: DepartmentDetail) => a.departmentId === body.departmentId || a.departmentCode === body.departmentId);
      if (unit) return { status: 200, body: { code: 'OK', data: unit, message: 'OK' } };
    }
    return notFound(`no sub-indicator detail for departmentId "${body.departmentId}" (${describePeriod(body)}${body.asOf ? `, asOf ${body.asOf}` : ''})`);
  }

  async legacy(body: { year: number; month: number; tinhId: string }): Promise<Answer> {
    if (body.tinhId !== this.demo.code) return notFound(`unknown tinhId "${body.tinhId}" (this portal serves ${this.demo.code})`);
    const period = `${body.year}-${String(body.month).padStart(2, '0')}`;
    const bytes = await readFile(path.join(this.demo.dir, `${period}.json`)).catch(() => undefined);
    if (!bytes) return notFound(`no 766 report for ${period}`);
    return { status: 200, bytes };
  }

  private realProvince(p: RealProvince, body: ServiceResultsBody): Answer {
    const picked = pickCapture(p.agencies, body);
    if ('error' in picked) return notFound(picked.error);
    const file = picked.file;
    const ov = file.overview;
    const evaluation = file.agencies.map((a: CrawlerAgency) => ({
      departmentId: a.departmentId,
      departmentName: a.departmentName,
      departmentCode: a.departmentCode,
      totalScore: a.totalScore,
      ratio: a.ratio,
      scoreDelta: a.scoreDelta,
      groupScores: { CKMB: a.groupScores.CKMB, TDGQ: a.groupScores.TDGQ, CLGQ: a.groupScores.ONLINE, TTTT: a.groupScores.TTTT, MDHL: a.groupScores.MDHL, MDSH: a.groupScores.MDSH },
      childGroup: a.childGroup,
      rank: a.rank,
      groupRank: a.groupRank,
    }));
    return {
      status: 200,
      // The province's overview also counts its units (as the crawler captured it): ranks read "23/149".
      body: answer(
        {
          departmentName: ov.departmentName,
          departmentCode: ov.departmentCode,
          totalScore: ov.totalScore,
          totalMaxScore: ov.totalMaxScore,
          ratio: ov.ratio,
          totalUnitsCount: ov.totalUnitsCount,
          agencyCount: ov.agencyCount,
          communeCount: ov.communeCount,
        },
        ov.growthPercent,
        ov.groupScores,
        evaluation,
      ),
    };
  }

  private async demoProvinceAnswer(body: ServiceResultsBody): Promise<Answer> {
    const label = body.timeType === 'month' ? `${body.year}-${String(body.month).padStart(2, '0')}` : body.timeType === 'quarter' ? `${body.year}-q${body.quarter}` : `${body.year}`;
    const rows = await readLegacy(path.join(this.demo.dir, `${label}.json`));
    if (!rows) return notFound(`no 766 scores for ${this.demo.code} ${describePeriod(body)} (expected score766/${label}.json)`);
    let previous: LegacyReportRow[] | undefined;
    if (body.timeType === 'month') {
      const prev = body.month === 1 ? `${body.year - 1}-12` : `${body.year}-${String((body.month ?? 1) - 1).padStart(2, '0')}`;
      previous = await readLegacy(path.join(this.demo.dir, `${prev}.json`));
    }
    const code = this.demo.code;
    const own = rows.find((r) => r.MA_COQUAN === code);
    const units = rows.filter((r) => r.MA_COQUAN !== code);
    const sorted = [...units].sort((a, b) => b.TONG_SCORE - a.TONG_SCORE || String(a.MA_COQUAN).localeCompare(String(b.MA_COQUAN)));
    const groupSeen = new Map<number, number>();
    const evaluation = sorted.map((r, i) => {
      const groupRank = (groupSeen.get(r.LOAI_COQUAN) ?? 0) + 1;
      groupSeen.set(r.LOAI_COQUAN, groupRank);
      const before = previous?.find((p) => String(p.ID) === String(r.ID));
      return {
        departmentId: String(r.ID),
        departmentName: r.TEN,
        departmentCode: r.MA_COQUAN,
        totalScore: r.TONG_SCORE,
        ratio: r.TONG_SCORE,
        scoreDelta: before ? round2(r.TONG_SCORE - before.TONG_SCORE) : null,
        groupScores: { CKMB: r.CKMB, TDGQ: r.TDGQ, CLGQ: r.CLGQ, TTTT: r.TTTT, MDHL: r.MDHL, MDSH: r.MDSH },
        childGroup: r.LOAI_COQUAN === 3 ? ('COMMUNE' as const) : ('AGENCY' as const),
        rank: i + 1,
        groupRank,
      };
    });
    // The province's own score when the file has its row; otherwise the mean of its units (assumption).
    const mean = (k: keyof Groups | 'TONG_SCORE') => (units.length ? round2(units.reduce((s, r) => s + r[k], 0) / units.length) : 0);
    const groups: Groups = own
      ? { CKMB: own.CKMB, TDGQ: own.TDGQ, CLGQ: own.CLGQ, TTTT: own.TTTT, MDHL: own.MDHL, MDSH: own.MDSH }
      : { CKMB: mean('CKMB'), TDGQ: mean('TDGQ'), CLGQ: mean('CLGQ'), TTTT: mean('TTTT'), MDHL: mean('MDHL'), MDSH: mean('MDSH') };
    const total = own ? own.TONG_SCORE : mean('TONG_SCORE');
    return { status: 200, body: answer({ departmentName: this.demo.name, departmentCode: code, totalScore: total, totalMaxScore: 100, ratio: total }, null, groups, evaluation) };
  }
}

function answer(overview: object, growthPercent: number | null, groups: Groups, evaluation: object[]): object {
  const radar = RADAR.map((g) => {
    const score = round2(g.keys.reduce((s, k) => s + groups[k], 0));
    return { code: g.code, name: g.name, score, maxScore: g.maxScore, ratio: round2((score / g.maxScore) * 100) };
  });
  return {
    code: 'OK',
    data: { overview, growthPercent, radar, donuts: { onlineDossier: [], onlineProvision: [] }, evaluation, monthlyChart: [], dossierChart: [] },
    message: 'OK',
  };
}

/** The capture matching the period (crawler metadata) and asOf (default: the latest). */
function pickCapture<T extends { metadata: { timeType: string; year: number; period: number | null } }>(
  captures: Map<string, T>,
  body: ServiceResultsBody,
): { file: T } | { error: string } {
  const dates = [...captures.keys()].sort();
  const date = body.asOf ?? dates[dates.length - 1];
  const file = date === undefined ? undefined : captures.get(date);
  if (!file) return { error: `no capture for asOf ${body.asOf} (available: ${dates.join(', ') || 'none'})` };
  const m = file.metadata;
  const period = body.timeType === 'month' ? (body.month ?? null) : body.timeType === 'quarter' ? (body.quarter ?? null) : null;
  if (m.timeType !== body.timeType || m.year !== body.year || m.period !== period) {
    return { error: `the capture of ${date} covers timeType "${m.timeType}", year ${m.year}${m.period ? `, period ${m.period}` : ''}; asked for ${describePeriod(body)}` };
  }
  return { file };
}

function describePeriod(b: ServiceResultsBody): string {
  return b.timeType === 'month' ? `month ${b.month}/${b.year}` : b.timeType === 'quarter' ? `quarter ${b.quarter}/${b.year}` : `year ${b.year}`;
}

async function readLegacy(file: string): Promise<LegacyReportRow[] | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = LegacyReportResponse.safeParse(JSON.parse(text));
  if (!parsed.success) throw createError('portal', `Failed to read ${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.data;
}

async function loadDemo(dataDir: string, provinceCode: string | undefined): Promise<DemoProvince> {
  const dir = path.join(path.resolve(dataDir), 'score766');
  let meta: Record<string, unknown> = {};
  try {
    meta = JSON.parse(await readFile(path.join(dataDir, 'meta.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    // no meta.json: fall back to the province code
  }
  const province = (typeof meta.province === 'object' && meta.province !== null ? meta.province : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const code = provinceCode ?? str(province.code) ?? str(province.province_code) ?? str(meta.provinceCode) ?? str(meta.province_code) ?? 'H99';
  const name = str(province.name) ?? str(meta.provinceName) ?? str(meta.province_name) ?? (typeof meta.province === 'string' ? meta.province : undefined) ?? `Tỉnh ${code}`;
  return { code, name, departmentId: demoDepartmentId(code), dir };
}

function notFound(message: string): Answer {
  return { status: 404, body: { code: 'NOT_FOUND', message } };
}
function badRequest(message: string): Answer {
  return { status: 400, body: { code: 'BAD_REQUEST', message } };
}
