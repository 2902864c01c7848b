/**
 * Canonical records shared by the generator, the readers, the landing step and the tests.
 *
 * These zod schemas are the single source of truth for field names and types: docs/data-contracts.md
 * is checked against them by test/unit/contracts.test.ts, and the landed Parquet columns are checked
 * against them too. Bulk data (dossiers) is validated inside DuckDB at landing, with the same rules
 * expressed in SQL (sql/landing/); zod validates small files, API envelopes and config.
 */
import { z } from 'zod';

/** Local date `YYYY-MM-DD` (Asia/Ho_Chi_Minh calendar date). */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
/** A calendar month `YYYY-MM` (01–12): pull ranges, snapshot and report periods, the CLI's and handlers' months. */
export const YEAR_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const YearMonth = z.string().regex(YEAR_MONTH, 'expected YYYY-MM');
export type YearMonth = z.infer<typeof YearMonth>;
/** Local timestamp `YYYY-MM-DD HH:MM:SS` in Asia/Ho_Chi_Minh (UTC+7, no DST), no offset stored. */
export const LocalTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'expected YYYY-MM-DD HH:MM:SS (Asia/Ho_Chi_Minh)');

export const Channel = z.union([z.literal(1), z.literal(2), z.literal(3)]);

/**
 * Dossier processing status. The first five are what the project's own exports (portal CSV and API,
 * NSW) carry; the others are what vendor one-stop-shop systems export (docs/data-contracts.md §1.1,
 * how each is counted: §4.8).
 */
export const DossierStatus = z.enum([
  'DANG_XU_LY', // being processed
  'CHO_BO_SUNG', // waiting for the applicant's supplements
  'DA_TRA_KET_QUA', // result handed over to the applicant (finished)
  'DA_RUT', // withdrawn by the applicant (finished; left out of every count, see §4.2)
  'TU_CHOI', // refused after processing (finished; a result)
  'CHUA_TIEP_NHAN', // submitted (online) but not yet received: not a received dossier
  'TU_CHOI_TIEP_NHAN', // refused at intake (không tiếp nhận): never received
  'DUNG_XU_LY', // processing stopped / paused (pending)
  'CHO_THANH_TOAN', // awaiting the applicant's fee payment (nghĩa vụ tài chính; pending)
  'DA_XU_LY', // processed, result not yet handed over (finished: finished_at is the processing end)
]);
export type DossierStatus = z.infer<typeof DossierStatus>;
/** Statuses of a finished dossier (require `finished_at`); TU_CHOI_TIEP_NHAN may have it or not. */
export const FINISHED_STATUSES: readonly DossierStatus[] = ['DA_TRA_KET_QUA', 'DA_RUT', 'TU_CHOI', 'DA_XU_LY'];

/** Kind of result a finished dossier gave (vendor LoaiKetQua). */
export const ResultType = z.enum([
  'KET_QUA', // a result (the permit, certificate…)
  'TRA_LAI', // returned / refused with reasons (counted as a refusal)
  'XIN_LOI', // a late result sent with an apology letter (phiếu xin lỗi và hẹn lại ngày trả)
]);

export const DossierSource = z.enum(['portal', 'nsw']);

/** One dossier (hồ sơ), the canonical record both the portal and the NSW map to. */
export const Dossier = z
  .object({
    dossier_id: z.string().min(1).max(64),
    source: DossierSource,
    procedure_code: z.string().min(1).max(32),
    agency_code: z.string().min(1).max(32),
    channel: Channel,
    received_at: LocalTimestamp,
    /** The ORIGINAL due date (ngày hẹn trả at receipt); null for a procedure with no due date. */
    due_at: LocalTimestamp.nullable(),
    finished_at: LocalTimestamp.nullable(),
    status: DossierStatus,
    supplement_days: z.number().int().min(0).max(3650),
    is_fee_bearing: z.boolean(),
    is_paid_online: z.boolean(),
    is_digitised: z.boolean(),
    has_e_result: z.boolean(),
    is_synced: z.boolean(),
    has_complaint: z.boolean(),
    updated_at: LocalTimestamp,
    // Vendor fields (nullable; the project's own exports leave them null): docs/data-contracts.md §1.1.
    /** Result handed over to the applicant (ngày trả kết quả, NgayTra); ≥ finished_at. */
    returned_at: LocalTimestamp.nullish(),
    /** Supplements requested from the applicant (NgayYeuCauBoSung). */
    supplement_requested_at: LocalTimestamp.nullish(),
    /** Supplements received (NgayTiepNhanBoSung). */
    supplement_received_at: LocalTimestamp.nullish(),
    /** The due date the source re-set after a supplement wait, as exported; never used for counting. */
    due_at_reset: LocalTimestamp.nullish(),
    result_type: ResultType.nullish(),
    /** Soft-deleted in the source system (DeletedOn): landed, never counted. */
    deleted_at: LocalTimestamp.nullish(),
  })
  .superRefine((d, ctx) => {
    if (d.finished_at !== null && d.finished_at < d.received_at) {
      ctx.addIssue({ code: 'custom', path: ['finished_at'], message: 'finished before received' });
    }
    if (d.due_at !== null && d.due_at < d.received_at) {
      ctx.addIssue({ code: 'custom', path: ['due_at'], message: 'due before received' });
    }
    if (d.is_paid_online && !d.is_fee_bearing) {
      ctx.addIssue({ code: 'custom', path: ['is_paid_online'], message: 'paid online but not fee-bearing' });
    }
    const finishedStatus = FINISHED_STATUSES.includes(d.status);
    if (d.status !== 'TU_CHOI_TIEP_NHAN' && finishedStatus !== (d.finished_at !== null)) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'status disagrees with finished_at' });
    }
  });
export type Dossier = z.infer<typeof Dossier>;
/** Field names of the canonical dossier, in Parquet column order. */
export const DOSSIER_FIELDS = [
  'dossier_id',
  'source',
  'procedure_code',
  'agency_code',
  'channel',
  'received_at',
  'due_at',
  'finished_at',
  'status',
  'supplement_days',
  'is_fee_bearing',
  'is_paid_online',
  'is_digitised',
  'has_e_result',
  'is_synced',
  'has_complaint',
  'updated_at',
  'returned_at',
  'supplement_requested_at',
  'supplement_received_at',
  'due_at_reset',
  'result_type',
  'deleted_at',
] as const;

export const AgencyKind = z.enum(['ubnd_tinh', 'so', 'ban', 'van_phong', 'thanh_tra', 'chi_cuc']);

/** Agency registry row: one row per unit and validity interval. */
export const Agency = z.object({
  agency_code: z.string().min(1).max(32),
  name: z.string().min(1).max(300),
  short_name: z.string().min(1).max(120),
  kind: AgencyKind,
  parent_code: z.string().nullable(),
  province_code: z.string().min(1).max(16),
  valid_from: IsoDate,
  valid_to: IsoDate.nullable(), // last day the unit existed (inclusive); null = still exists
  successor_code: z.string().nullable(),
});
export type Agency = z.infer<typeof Agency>;

export const OnlineLevel = z.enum(['toan_trinh', 'mot_phan', 'khong']);

/** Procedure (TTHC) catalogue row. */
export const Procedure = z.object({
  procedure_code: z.string().min(1).max(32),
  name: z.string().min(1).max(500),
  field: z.string().min(1).max(200),
  agency_code: z.string().min(1).max(32),
  online_level: OnlineLevel,
  is_fee_bearing: z.boolean(),
  is_nsw: z.boolean(),
  statutory_days: z.number().int().min(0).max(365),
  original_statutory_days: z.number().int().min(0).max(365),
});
export type Procedure = z.infer<typeof Procedure>;

export const PeriodType = z.enum(['month', 'quarter', 'half', 'year']);

/** One line of a Biểu 06/VPCP/KSTT sheet (columns 3–13), per unit and report period. */
export const Bieu06Row = z.object({
  period_type: PeriodType,
  year: z.number().int().min(2000).max(2100),
  period_no: z.number().int().min(1).max(12), // month 1–12, quarter 1–4, half 1–2, year 1
  period_start: IsoDate,
  period_end: IsoDate,
  band: z.string(),
  line_no: z.number().int().min(1),
  unit_name: z.string().min(1),
  agency_code: z.string().nullable(), // matched against the registry by name
  received_total: z.number().int().min(0), // c3
  received_online: z.number().int().min(0), // c4
  received_offline: z.number().int().min(0), // c5 (in person + postal)
  received_carried_over: z.number().int().min(0), // c6
  resolved_total: z.number().int().min(0), // c7
  resolved_early: z.number().int().min(0), // c8
  resolved_on_time: z.number().int().min(0), // c9
  resolved_late: z.number().int().min(0), // c10
  pending_total: z.number().int().min(0), // c11
  pending_in_time: z.number().int().min(0), // c12
  pending_overdue: z.number().int().min(0), // c13
});
export type Bieu06Row = z.infer<typeof Bieu06Row>;

/** The six group codes the portal publishes (the decision's "online services" split in two). */
export const Score766Group = z.enum(['CKMB', 'TDGQ', 'CLGQ', 'TTTT', 'MDHL', 'MDSH']);
export type Score766Group = z.infer<typeof Score766Group>;

/** 766 scores of one unit for one period, as published. */
export const Score766 = z.object({
  period_type: PeriodType,
  year: z.number().int(),
  period_no: z.number().int().min(1).max(12),
  unit_id: z.string().min(1), // portal ID or departmentId (UUID)
  unit_name: z.string().min(1),
  unit_code: z.string().nullable(), // MA_COQUAN / departmentCode, e.g. H21.17
  agency_code: z.string().nullable(), // registry code it maps to
  unit_group: z.enum(['AGENCY', 'COMMUNE', 'PROVINCE']),
  score_ckmb: z.number().min(0).max(18),
  score_tdgq: z.number().min(0).max(20),
  score_clgq: z.number().min(0).max(12),
  score_tttt: z.number().min(0).max(10),
  score_mdhl: z.number().min(0).max(18),
  score_mdsh: z.number().min(0).max(22),
  score_total: z.number().min(0).max(100),
  rank: z.number().int().nullable(),
  group_rank: z.number().int().nullable(),
});
export type Score766 = z.infer<typeof Score766>;

/** One 766 sub-indicator of one unit and period, with its numerator and denominator. */
export const Score766Metric = z.object({
  period_type: PeriodType,
  year: z.number().int(),
  period_no: z.number().int(),
  as_of: IsoDate,
  unit_id: z.string(),
  unit_code: z.string().nullable(),
  group_code: Score766Group,
  metric_code: z.string(),
  metric_name: z.string(),
  numerator: z.number().nullable(),
  denominator: z.number().nullable(),
  ratio_pct: z.number().nullable(),
  score: z.number(),
  max_score: z.number(),
});
export type Score766Metric = z.infer<typeof Score766Metric>;

/** PAR Index: one field (lĩnh vực) of one agency in one year. */
export const ParField = z.object({
  year: z.number().int(),
  agency_code: z.string().nullable(),
  agency_name: z.string().min(1),
  field_no: z.number().int().min(1),
  field_name: z.string().min(1),
  max_points: z.number().min(0),
  /** null when the decision publishes only final scores (no self-assessment column). */
  self_points: z.number().min(0).nullable(),
  appraised_points: z.number().min(0),
});
export type ParField = z.infer<typeof ParField>;

/** PAR Index: one agency's totals in one year. */
export const ParTotal = z.object({
  year: z.number().int(),
  agency_code: z.string().nullable(),
  agency_name: z.string().min(1),
  appraised_points: z.number().min(0),
  appraised_max: z.number().min(0),
  survey_points: z.number().min(0),
  survey_max: z.number().min(0),
  total_points: z.number().min(0),
  total_max: z.number().min(0),
  rank: z.number().int().min(1),
  /** null when the decision publishes no band (Xếp loại). */
  band: z.string().min(1).nullable(),
});
export type ParTotal = z.infer<typeof ParTotal>;

/** A record that failed validation, kept with why. */
export const QuarantineRecord = z.object({
  dataset: z.string(),
  source_file: z.string(),
  raw_hash: z.string(),
  row_no: z.number().int(), // 1-based data row in the source file (header rows excluded)
  field: z.string().nullable(),
  reason: z.string(),
  raw_value: z.string().nullable(),
  raw_record: z.string(), // the whole row as JSON text, neutralised for spreadsheets on export
});
export type QuarantineRecord = z.infer<typeof QuarantineRecord>;
