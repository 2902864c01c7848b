/**
 * Zod schemas of the 766 report answers, matching the real captures in
 * functions/portal/fixtures/dvcqg-766/ (test/unit/connectors/score766.test.ts parses every real file).
 *
 * Objects are loose (unknown keys kept), so a field the portal adds later is carried through to
 * raw/ instead of breaking the pull; the loopback portal's own answers are checked strictly
 * against the real key sets in the tests.
 */
import { z } from 'zod';

const num = z.number();
const numOrNull = z.number().nullable();

export const TimeType = z.enum(['month', 'quarter', 'year']);
export type TimeType = z.infer<typeof TimeType>;

/** The six group scores as the portal's evaluation rows carry them. */
export const GroupScores = z.looseObject({ CKMB: num, TDGQ: num, CLGQ: num, TTTT: num, MDHL: num, MDSH: num });
/** The crawler's spelling: online services as ONLINE instead of CLGQ. */
export const CrawlerGroupScores = z.looseObject({ CKMB: num, TDGQ: num, ONLINE: num, TTTT: num, MDSH: num, MDHL: num });

export const ChildGroup = z.enum(['AGENCY', 'COMMUNE']);

/** Body of POST /api/v1/reporting/evaluation/service-results (and of the detail call, with departmentId). */
export const ServiceResultsRequest = z
  .object({
    timeType: TimeType,
    year: z.number().int().min(2000).max(2100),
    month: z.number().int().min(1).max(12).optional(),
    quarter: z.number().int().min(1).max(4).optional(),
    departmentType: z.string().min(1).default('ADMINISTRATIVE_UNIT'),
    departmentId: z.string().min(1).optional(),
    /** Loopback portal only: capture date (YYYY-MM-DD) when several real captures exist. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.timeType === 'month' && b.month === undefined) ctx.addIssue({ code: 'custom', path: ['month'], message: 'month is required when timeType is month' });
    if (b.timeType === 'quarter' && b.quarter === undefined) ctx.addIssue({ code: 'custom', path: ['quarter'], message: 'quarter is required when timeType is quarter' });
  });
export type ServiceResultsRequest = z.input<typeof ServiceResultsRequest>;

export const EvaluationRow = z.looseObject({
  departmentId: z.string(),
  departmentName: z.string(),
  departmentCode: z.string().nullable(),
  totalScore: num,
  ratio: num,
  scoreDelta: numOrNull,
  groupScores: GroupScores,
  /** Loopback portal, province answers only (assumption, see functions/portal/README.md). */
  childGroup: ChildGroup.optional(),
  rank: z.number().int().optional(),
  groupRank: z.number().int().optional(),
});
export type EvaluationRow = z.infer<typeof EvaluationRow>;

export const ServiceResultsResponse = z.looseObject({
  code: z.string(),
  data: z.looseObject({
    overview: z.looseObject({ departmentName: z.string(), departmentCode: z.string().nullable(), totalScore: num, totalMaxScore: num, ratio: num }),
    growthPercent: numOrNull,
    radar: z.array(z.looseObject({ code: z.string(), name: z.string(), score: num, maxScore: num, ratio: num })),
    donuts: z.looseObject({
      onlineDossier: z.array(z.looseObject({ code: z.string(), name: z.string(), value: num, percent: num })),
      onlineProvision: z.array(z.looseObject({ code: z.string(), name: z.string(), value: num, percent: num })),
    }),
    evaluation: z.array(EvaluationRow),
    monthlyChart: z.array(z.looseObject({ month: z.string(), averageScore: numOrNull })),
    dossierChart: z.array(z.looseObject({ month: z.string(), onTimePct: numOrNull, overduePct: numOrNull })),
  }),
  message: z.string(),
});
export type ServiceResultsResponse = z.infer<typeof ServiceResultsResponse>;

/** One sub-indicator with its numerator and denominator. */
export const Metric = z.looseObject({
  code: z.string(),
  name: z.string(),
  numerator: numOrNull,
  denominator: numOrNull,
  ratio: numOrNull,
  score: numOrNull,
  maxScore: num,
  dataQualityStatus: z.string().optional(),
  dataQualityMessage: z.string().optional(),
});
export type Metric = z.infer<typeof Metric>;

const GroupWithMetrics = z.looseObject({ score: num, maxScore: num, ratio: numOrNull, metrics: z.array(Metric) });

export const ComponentIndicators = z.looseObject({
  TDGQ_TienDoGiaiQuyet: z.looseObject({
    totalReceived: numOrNull,
    totalOnTime: numOrNull,
    totalOverdue: numOrNull,
    avgProcessingDays: numOrNull,
    ratio: numOrNull,
    score: num,
    maxScore: num,
  }),
  CKMB_CongKhaiMinhBach: GroupWithMetrics,
  MDSH_SoHoaHoSo: GroupWithMetrics,
  ONLINE_DichVuTrucTuyen: z.looseObject({ score: num, maxScore: num, ratio: numOrNull }),
  TTTT_ThanhToanTrucTuyen: z.looseObject({
    score: num,
    maxScore: num,
    ratio: numOrNull,
    totalDossierOnlinePaymentSuccess: numOrNull,
    totalDossierFinancialObligation: numOrNull,
    totalDossierOnlineFormalityPaymentSuccess: numOrNull,
    totalFeeFormality: numOrNull,
  }),
  MDHL_MucDoHaiLong: GroupWithMetrics.extend({
    totalPetitions: numOrNull,
    classifiedPetitions: numOrNull,
    totalDossiers: numOrNull,
    averageScore: numOrNull,
  }),
});

/** One unit with every sub-indicator (element of gia-lai/agencies_detail_*.json → agenciesDetail[]). */
export const DepartmentDetail = z.looseObject({
  departmentId: z.string(),
  departmentName: z.string(),
  departmentCode: z.string().nullable(),
  childGroup: ChildGroup,
  totalScore: num,
  ratio: num,
  scoreDelta: numOrNull,
  groupScores: CrawlerGroupScores,
  componentIndicators: ComponentIndicators,
  rank: z.number().int().nullable(),
  groupRank: z.number().int().nullable(),
});
export type DepartmentDetail = z.infer<typeof DepartmentDetail>;

/** Answer of the loopback portal's detail call (assumption: see functions/portal/README.md). */
export const DepartmentDetailResponse = z.looseObject({ code: z.string(), data: DepartmentDetail, message: z.string() });
export type DepartmentDetailResponse = z.infer<typeof DepartmentDetailResponse>;

/** Body of the legacy POST /jsp/rest.jsp. */
export const LegacyReportRequest = z.object({
  service: z.literal('report_tinh_766_service'),
  type: z.string().default('ref'),
  year: z.number().int().min(2000).max(2100),
  month: z.number().int().min(1).max(12),
  tinhId: z.string().min(1),
});
export type LegacyReportRequest = z.input<typeof LegacyReportRequest>;

export const LegacyReportRow = z.looseObject({
  ID: z.union([z.string(), z.number()]),
  TEN: z.string(),
  MA_COQUAN: z.string().nullable(),
  /** 2 = sở/ban/ngành, 3 = xã/phường. */
  LOAI_COQUAN: z.number().int(),
  CAPDONVIID: z.union([z.string(), z.number()]).nullable(),
  CKMB: num,
  TDGQ: num,
  CLGQ: num,
  TTTT: num,
  MDHL: num,
  MDSH: num,
  TONG_SCORE: num,
});
export type LegacyReportRow = z.infer<typeof LegacyReportRow>;
export const LegacyReportResponse = z.looseObject({ data: z.array(LegacyReportRow) });
export type LegacyReportResponse = z.infer<typeof LegacyReportResponse>;

// ---- The crawler's files (functions/portal/fixtures/dvcqg-766/<province>/) ----

export const CrawlerMetadata = z.looseObject({
  province: z.string(),
  provinceCode: z.string(),
  rootDepartmentId: z.string(),
  runDateStr: z.string(),
  timeType: TimeType,
  year: z.number().int(),
  period: z.number().int().nullable(),
  periodLabel: z.string(),
  extractedAt: z.string(),
  sourceUrl: z.string().optional(),
});

export const CrawlerAgency = z.looseObject({
  departmentId: z.string(),
  departmentName: z.string(),
  departmentCode: z.string().nullable(),
  childGroup: ChildGroup,
  totalScore: num,
  ratio: num,
  scoreDelta: numOrNull,
  groupScores: CrawlerGroupScores,
  rank: z.number().int().nullable(),
  groupRank: z.number().int().nullable(),
});
export type CrawlerAgency = z.infer<typeof CrawlerAgency>;

export const CrawlerAgenciesFile = z.looseObject({
  metadata: CrawlerMetadata,
  overview: z.looseObject({
    departmentName: z.string(),
    departmentCode: z.string().nullable(),
    totalScore: num,
    totalMaxScore: num,
    ratio: num,
    scoreDelta: numOrNull,
    groupScores: GroupScores,
    growthPercent: numOrNull,
    totalUnitsCount: z.number().int(),
    agencyCount: z.number().int(),
    communeCount: z.number().int(),
  }),
  count: z.number().int(),
  agencies: z.array(CrawlerAgency),
});
export type CrawlerAgenciesFile = z.infer<typeof CrawlerAgenciesFile>;

export const CrawlerAgenciesDetailFile = z.looseObject({
  metadata: CrawlerMetadata,
  count: z.number().int(),
  agenciesDetail: z.array(DepartmentDetail),
});
export type CrawlerAgenciesDetailFile = z.infer<typeof CrawlerAgenciesDetailFile>;
