/**
 * A small fixture lake for the sql/ models, laid out as functions/core/lake writes it (Hive
 * partitions in the path only). The dossiers span a period boundary, the 01/3/2025 merger of
 * H99.10 + H99.11 → H99.21, supplement days, NSW rows, a withdrawal, a refusal and pending overdue
 * dossiers. Expectations in test/sql/*.test.ts are computed by hand from these rows.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDb, literal } from '../../functions/core/engine/duckdb.js';

/**
 * id, source, procedure, agency, channel, received, due, finished, status, supplement_days,
 * fee, paid_online, digitised, e_result, synced, complaint, updated, raw_hash
 */
export const FIXTURE_DOSSIERS = `
  ('D01','portal','1.000001','H99.05',2,'2024-12-20 09:00:00','2025-01-11 17:00:00','2025-01-08 10:00:00','DA_TRA_KET_QUA',0,false,false,true ,true ,true ,false,'2025-01-08 10:00:00','h1'),
  ('D02','portal','1.000001','H99.05',1,'2025-01-05 09:00:00','2025-01-15 17:00:00','2025-01-15 16:00:00','DA_TRA_KET_QUA',0,true ,false,true ,true ,true ,false,'2025-01-15 16:00:00','h1'),
  ('D03','portal','1.000001','H99.05',3,'2025-01-06 09:00:00','2025-01-10 17:00:00','2025-01-14 10:00:00','DA_TRA_KET_QUA',4,false,false,true ,false,false,false,'2025-01-14 10:00:00','h1'),
  ('D04','portal','1.000001','H99.05',1,'2025-01-07 09:00:00','2025-01-10 17:00:00','2025-01-13 10:00:00','DA_TRA_KET_QUA',1,true ,false,false,false,true ,true ,'2025-01-13 10:00:00','h1'),
  ('NSW-D05','nsw','2.000002','H99.05',2,'2025-01-20 09:00:00','2025-02-05 17:00:00',NULL,'DANG_XU_LY',0,true ,false,true ,false,true ,false,'2025-04-02 08:00:00','h2'),
  ('D06','portal','1.000001','H99.05',2,'2025-01-25 09:00:00','2025-02-10 17:00:00','2025-02-03 10:00:00','DA_RUT',0,false,false,true ,false,true ,false,'2025-02-03 10:00:00','h1'),
  ('NSW-D07','nsw','2.000002','H99.05',2,'2025-02-10 09:00:00','2025-02-20 17:00:00','2025-02-20 15:00:00','DA_TRA_KET_QUA',0,true ,true ,true ,true ,true ,false,'2025-02-20 15:00:00','h2'),
  ('D08','portal','1.000001','H99.10',2,'2025-02-10 09:00:00','2025-03-10 17:00:00',NULL,'CHO_BO_SUNG',0,false,false,true ,false,true ,false,'2025-04-02 08:00:00','h1'),
  ('D09','portal','1.000001','H99.11',1,'2025-01-15 09:00:00','2025-01-25 17:00:00','2025-01-24 10:00:00','TU_CHOI',0,false,false,true ,false,true ,false,'2025-01-24 10:00:00','h1'),
  ('D10','portal','1.000001','H99.21',2,'2025-03-05 09:00:00','2025-03-15 17:00:00','2025-03-20 10:00:00','DA_TRA_KET_QUA',0,true ,true ,true ,false,true ,false,'2025-03-20 10:00:00','h1'),
  ('D11','portal','1.000001','H99.21',1,'2025-03-28 09:00:00','2025-04-10 17:00:00',NULL,'DANG_XU_LY',0,false,false,true ,false,true ,false,'2025-04-02 08:00:00','h1'),
  ('D12','portal','1.000001','H99.05',2,'2025-03-31 23:30:00','2025-04-05 17:00:00','2025-04-01 09:00:00','DA_TRA_KET_QUA',0,false,false,true ,false,true ,false,'2025-04-01 09:00:00','h1')`;

const AGENCIES = `
  ('H99','UBND tỉnh Hòa Bình Xanh','UBND tỉnh','ubnd_tinh',NULL,'H99',DATE '2015-01-01',NULL,NULL),
  ('H99.05','Sở Tư pháp','Tư pháp','so',NULL,'H99',DATE '2015-01-01',NULL,NULL),
  ('H99.10','Sở Kế hoạch và Đầu tư','KH&ĐT','so',NULL,'H99',DATE '2015-01-01',DATE '2025-02-28','H99.21'),
  ('H99.11','Sở Tài chính','Tài chính','so',NULL,'H99',DATE '2015-01-01',DATE '2025-02-28','H99.21'),
  ('H99.21','Sở Tài chính (hợp nhất)','Tài chính (mới)','so',NULL,'H99',DATE '2025-03-01',NULL,NULL)`;

const PROCEDURES = `
  ('1.000001','Cấp phiếu lý lịch tư pháp','Lý lịch tư pháp','H99.05','toan_trinh',true,false,10,15),
  ('2.000002','Kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu','Tiêu chuẩn đo lường chất lượng','H99.05','mot_phan',true,true,5,5)`;

/** dataset_label, province, period_type, year, period_no, as_of, unit_id, name, code, agency, group, 6 groups, total, rank, group_rank */
const SCORE766 = `
  ('demo','H99','month',2025,1,DATE '2025-02-05','U05','Sở Tư pháp','H99.05','H99.05','AGENCY',17.0,15.0,12.0,5.0,16.0,14.0,79.0,3,2),
  ('demo','H99','month',2024,12,DATE '2025-01-05','U05','Sở Tư pháp','H99.05','H99.05','AGENCY',17.0,16.0,12.0,5.0,16.0,14.0,80.0,2,1),
  ('real','H21','year',2026,1,DATE '2026-09-24','G17','Sở Văn hóa, Thể thao và Du lịch - tỉnh Gia Lai','H21.17',NULL,'AGENCY',11.79,19.96,6.70,8.61,18.0,14.18,79.24,2,1),
  ('real','H21','year',2026,1,DATE '2026-10-10','G17','Sở Văn hóa, Thể thao và Du lịch - tỉnh Gia Lai','H21.17',NULL,'AGENCY',11.79,19.97,6.72,8.61,18.0,14.18,79.27,1,1)`;

/** Published sub-indicators of H99.05 for January 2025 (the non-computable ones feed the recompute). */
const SCORE766_METRICS = `
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','CKMB','PUBLISH_ON_TIME','Công bố đúng hạn',NULL,NULL,NULL,5.0,6.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','CKMB','PUBLIC_UPDATE_ON_TIME','Cập nhật đúng hạn',NULL,NULL,NULL,4.0,4.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','CKMB','PUBLIC_CONTENT_FULL','Đầy đủ nội dung',NULL,NULL,NULL,2.0,2.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','CKMB','DOSSIER_SYNC','Đồng bộ',5,5,100,6.0,6.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','MDSH','REUSED_DIGITIZED_DATA','Tái sử dụng',NULL,NULL,NULL,2.0,2.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','MDSH','SYNCED_WITH_DVCQG_PERSONAL_STORAGE','Kho dữ liệu',NULL,NULL,NULL,1.0,4.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','MDSH','CITIZEN_DATA_CONNECTED_DOSSIER','Dữ liệu dân cư',NULL,NULL,NULL,2.0,2.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','MDSH','CITIZEN_DATA_CONNECTED_FORMALITY','Kết nối dân cư',NULL,NULL,NULL,1.0,2.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','MDSH','ELECTRONIC_CERTIFIED_COPY','Chứng thực điện tử',NULL,NULL,NULL,2.0,2.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','MDHL','PETITION_PROCESSING_ON_TIME','PAKN đúng hạn',0,0,0,6.0,6.0),
  ('demo','month',2025,1,DATE '2025-02-05','U05','H99.05','MDHL','PETITION_HANDLING_SATISFACTION','Hài lòng PAKN',0,0,0,6.0,6.0)`;

/** year, agency_code, agency_name, appraised, appraised_max, survey, survey_max, total, total_max, rank, band */
const PAR_TOTALS = `
  (2024,'H99.05','Sở Tư pháp',60.37,70,25.0,30,85.37,100,6,'Tốt'),
  (2025,'H99.05','Sở Tư pháp',59.45,70,24.0,30,83.45,100,13,'Khá'),
  (2024,'H99.10','Sở Kế hoạch và Đầu tư',62.0,70,26.0,30,88.0,100,2,'Tốt'),
  (2024,'H99.06','Sở Y tế',55.0,70,22.0,30,77.0,100,9,'Khá'),
  (2025,'H99.21','Sở Tài chính (hợp nhất)',63.0,70,27.0,30,90.0,100,1,'Tốt'),
  (2025,NULL,'Ban Dân tộc',50.0,70,20.0,30,70.0,100,14,'Trung bình')`;

/** year, agency_code, agency_name, field_no, field_name, max, self, appraised */
const PAR_FIELDS = `
  (2024,'H99.05','Sở Tư pháp',1,'Cải cách thể chế',6.0,6.0,5.0),
  (2025,'H99.05','Sở Tư pháp',1,'Cải cách thể chế',6.5,6.5,6.5),
  (2025,'H99.05','Sở Tư pháp',2,'Cải cách TTHC',10.0,9.0,8.0)`;

/** source, dataset, raw_hash, original_name, period, read, landed, quarantined, landed_at, superseded */
const LANDING_LOG = `
  ('portal','dossiers','h1','portal/dossiers/2025/2025-01.csv','2025-01',11,10,1,TIMESTAMP '2025-04-02 09:00:00',0),
  ('nsw','dossiers','h2','nsw/H99.05/2025-01.csv','2025-01',2,2,0,TIMESTAMP '2025-04-02 09:05:00',0),
  ('registry','agencies','h3','registry/agencies.csv',NULL,5,5,0,TIMESTAMP '2025-04-01 08:00:00',0),
  ('decision','par','h8','par/chi-so-cchc.xlsx','2025',6,5,1,TIMESTAMP '2025-03-01 08:00:00',0),
  ('report','bieu06','h5','bieu06/2025-Q1.xlsx','2025-Q1',1,1,0,TIMESTAMP '2025-04-01 08:30:00',0),
  -- Two more lines of Q1 from another workbook (bieu06_reconciliation).
  ('report','bieu06','h10','bieu06/2025-Q1-bo-sung.xlsx','2025-Q1',2,2,0,TIMESTAMP '2025-04-01 08:40:00',0),
  -- The first Biểu 06 of the quarter, whose one row the corrected h5 replaced (landed/_superseded/bieu06).
  ('report','bieu06','h9','bieu06/2025-Q1-v1.xlsx','2025-Q1',1,1,0,TIMESTAMP '2025-04-01 08:10:00',1)`;

export interface FixtureOptions {
  /** Extra rows appended to the dossier VALUES list (same column order as FIXTURE_DOSSIERS). */
  extraDossiers?: string;
  /** Extra rows appended to the procedures VALUES list (same column order as PROCEDURES). */
  extraProcedures?: string;
  /** Extra rows appended to the score766 VALUES list (same column order as SCORE766). */
  extraScore766?: string;
  /** Extra rows appended to the score766_metrics VALUES list (same column order as SCORE766_METRICS). */
  extraScore766Metrics?: string;
  /** Extra rows appended to the PAR totals VALUES list (same column order as PAR_TOTALS). */
  extraParTotals?: string;
  /**
   * Dossier rows of a vendor export, in a second file of each partition: the FIXTURE_DOSSIERS columns
   * followed by returned_at, supplement_requested_at, supplement_received_at, due_at_reset, result_type,
   * deleted_at (the fixture's own file has none of them: they read as null).
   */
  vendorDossiers?: string;
  /** Leave these datasets without files (to test empty sources). */
  omit?: string[];
}

/** Write the fixture lake under `lakeRoot`. */
export async function writeFixtureLake(lakeRoot: string, options: FixtureOptions = {}): Promise<void> {
  const db = await DuckDb.open();
  const omit = new Set(options.omit ?? []);
  const write = async (dataset: string, select: string, partitionBy: string[], root = 'landed') => {
    if (omit.has(dataset)) return;
    const dir = path.join(lakeRoot, root === 'landed' ? `landed/${dataset}` : 'quarantine');
    await mkdir(dir, { recursive: true });
    await db.run(`COPY (${select}) TO ${literal(dir)} (FORMAT PARQUET, PARTITION_BY (${partitionBy.join(', ')}), OVERWRITE_OR_IGNORE true)`);
  };
  try {
    const dossierRows = FIXTURE_DOSSIERS + (options.extraDossiers ? `,${options.extraDossiers}` : '');
    await write(
      'dossiers',
      `SELECT dossier_id, source, procedure_code, agency_code, CAST(channel AS INTEGER) AS channel,
              CAST(received_at AS TIMESTAMP) AS received_at, CAST(due_at AS TIMESTAMP) AS due_at,
              CAST(finished_at AS TIMESTAMP) AS finished_at, status, CAST(supplement_days AS INTEGER) AS supplement_days,
              is_fee_bearing, is_paid_online, is_digitised, has_e_result, is_synced, has_complaint,
              CAST(updated_at AS TIMESTAMP) AS updated_at, raw_hash, CAST(row_number() OVER (ORDER BY dossier_id) AS BIGINT) AS raw_row,
              year(CAST(received_at AS TIMESTAMP)) AS year, month(CAST(received_at AS TIMESTAMP)) AS month
       FROM (VALUES ${dossierRows}) AS v(dossier_id, source, procedure_code, agency_code, channel, received_at, due_at, finished_at,
              status, supplement_days, is_fee_bearing, is_paid_online, is_digitised, has_e_result, is_synced, has_complaint, updated_at, raw_hash)`,
      ['source', 'year', 'month'],
    );
    if (options.vendorDossiers && !omit.has('dossiers')) {
      await db.run(
        `COPY (
           SELECT dossier_id, source, procedure_code, agency_code, CAST(channel AS INTEGER) AS channel,
                  CAST(received_at AS TIMESTAMP) AS received_at, CAST(due_at AS TIMESTAMP) AS due_at,
                  CAST(finished_at AS TIMESTAMP) AS finished_at, status, CAST(supplement_days AS INTEGER) AS supplement_days,
                  is_fee_bearing, is_paid_online, is_digitised, has_e_result, is_synced, has_complaint,
                  CAST(updated_at AS TIMESTAMP) AS updated_at,
                  CAST(returned_at AS TIMESTAMP) AS returned_at, CAST(supplement_requested_at AS TIMESTAMP) AS supplement_requested_at,
                  CAST(supplement_received_at AS TIMESTAMP) AS supplement_received_at, CAST(due_at_reset AS TIMESTAMP) AS due_at_reset,
                  CAST(result_type AS VARCHAR) AS result_type, CAST(deleted_at AS TIMESTAMP) AS deleted_at,
                  raw_hash, CAST(row_number() OVER (ORDER BY dossier_id) AS BIGINT) AS raw_row,
                  year(CAST(received_at AS TIMESTAMP)) AS year, month(CAST(received_at AS TIMESTAMP)) AS month
           FROM (VALUES ${options.vendorDossiers}) AS v(dossier_id, source, procedure_code, agency_code, channel, received_at, due_at, finished_at,
                  status, supplement_days, is_fee_bearing, is_paid_online, is_digitised, has_e_result, is_synced, has_complaint, updated_at, raw_hash,
                  returned_at, supplement_requested_at, supplement_received_at, due_at_reset, result_type, deleted_at)
         ) TO ${literal(path.join(lakeRoot, 'landed/dossiers'))} (FORMAT PARQUET, PARTITION_BY (source, year, month), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'vendor_{i}')`,
      );
    }
    await write(
      'agencies',
      `SELECT *, 'h3' AS raw_hash, CAST(1 AS BIGINT) AS raw_row, 'registry' AS source FROM (VALUES ${AGENCIES})
       AS v(agency_code, name, short_name, kind, parent_code, province_code, valid_from, valid_to, successor_code)`,
      ['source'],
    );
    await write(
      'procedures',
      `SELECT procedure_code, name, field, agency_code, online_level, is_fee_bearing, is_nsw,
              CAST(statutory_days AS INTEGER) AS statutory_days, CAST(original_statutory_days AS INTEGER) AS original_statutory_days,
              'h4' AS raw_hash, CAST(1 AS BIGINT) AS raw_row, 'registry' AS source
       FROM (VALUES ${PROCEDURES}${options.extraProcedures ? `,${options.extraProcedures}` : ''}) AS v(procedure_code, name, field, agency_code, online_level, is_fee_bearing, is_nsw, statutory_days, original_statutory_days)`,
      ['source'],
    );
    await write(
      'bieu06',
      `SELECT 'quarter' AS period_type, 1 AS period_no, DATE '2025-01-01' AS period_start, DATE '2025-03-31' AS period_end,
              'Sở, ban, ngành' AS band, 1 AS line_no, 'Sở Tư pháp' AS unit_name, 'H99.05' AS agency_code,
              CAST(8 AS BIGINT) AS received_total, CAST(4 AS BIGINT) AS received_online, CAST(3 AS BIGINT) AS received_offline,
              CAST(1 AS BIGINT) AS received_carried_over, CAST(6 AS BIGINT) AS resolved_total, CAST(2 AS BIGINT) AS resolved_early,
              CAST(3 AS BIGINT) AS resolved_on_time, CAST(1 AS BIGINT) AS resolved_late, CAST(2 AS BIGINT) AS pending_total,
              CAST(1 AS BIGINT) AS pending_in_time, CAST(1 AS BIGINT) AS pending_overdue,
              'h5' AS raw_hash, CAST(1 AS BIGINT) AS raw_row, 'xlsx' AS source, 2025 AS year
       UNION ALL
       -- Another workbook's two lines of Q1 (bieu06_reconciliation): one under a name the registry lacks, and
       -- one under H99.10, which ended on 28/02/2025 and so has no Q1 row (H99.21 reports its dossiers).
       SELECT 'quarter', 1, DATE '2025-01-01', DATE '2025-03-31', 'Sở, ban, ngành', 1, 'Ban Quản lý khu kinh tế', NULL,
              3, 3, 0, 0, 3, 3, 0, 0, 0, 0, 0, 'h10', CAST(1 AS BIGINT), 'xlsx', 2025
       UNION ALL
       SELECT 'quarter', 1, DATE '2025-01-01', DATE '2025-03-31', 'Sở, ban, ngành', 2, 'Sở Kế hoạch và Đầu tư', 'H99.10',
              1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 'h10', CAST(2 AS BIGINT), 'xlsx', 2025`,
      ['source', 'year'],
    );
    await write(
      'score766',
      `SELECT period_type, CAST(period_no AS INTEGER) AS period_no, as_of, dataset_label, province_code, unit_id, unit_name, unit_code,
              agency_code, unit_group, score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdhl, score_mdsh, score_total,
              CAST(rank AS INTEGER) AS rank, CAST(group_rank AS INTEGER) AS group_rank, 'h6' AS raw_hash, CAST(1 AS BIGINT) AS raw_row,
              CASE WHEN dataset_label = 'demo' THEN 'portal' ELSE 'dvcqg' END AS source, year
       FROM (VALUES ${SCORE766}${options.extraScore766 ? `,${options.extraScore766}` : ''}) AS v(dataset_label, province_code, period_type, year, period_no, as_of, unit_id, unit_name, unit_code,
              agency_code, unit_group, score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdhl, score_mdsh, score_total, rank, group_rank)`,
      ['source', 'year'],
    );
    await write(
      'score766_metrics',
      `SELECT period_type, CAST(period_no AS INTEGER) AS period_no, as_of, dataset_label, unit_id, unit_code, group_code, metric_code,
              metric_name, CAST(numerator AS DOUBLE) AS numerator, CAST(denominator AS DOUBLE) AS denominator,
              CAST(ratio_pct AS DOUBLE) AS ratio_pct, CAST(score AS DOUBLE) AS score, CAST(max_score AS DOUBLE) AS max_score,
              'h7' AS raw_hash, CAST(1 AS BIGINT) AS raw_row, 'portal' AS source, year
       FROM (VALUES ${SCORE766_METRICS}${options.extraScore766Metrics ? `,${options.extraScore766Metrics}` : ''}) AS v(dataset_label, period_type, year, period_no, as_of, unit_id, unit_code, group_code,
              metric_code, metric_name, numerator, denominator, ratio_pct, score, max_score)`,
      ['source', 'year'],
    );
    await write(
      'par_totals',
      `SELECT agency_code, agency_name, CAST(appraised_points AS DOUBLE) AS appraised_points, CAST(appraised_max AS DOUBLE) AS appraised_max,
              CAST(survey_points AS DOUBLE) AS survey_points, CAST(survey_max AS DOUBLE) AS survey_max,
              CAST(total_points AS DOUBLE) AS total_points, CAST(total_max AS DOUBLE) AS total_max, CAST(rank AS INTEGER) AS rank, band,
              'h8' AS raw_hash, CAST(1 AS BIGINT) AS raw_row, 'xlsx' AS source, year
       FROM (VALUES ${PAR_TOTALS}${options.extraParTotals ? `,${options.extraParTotals}` : ''}) AS v(year, agency_code, agency_name, appraised_points, appraised_max, survey_points, survey_max,
              total_points, total_max, rank, band)`,
      ['source', 'year'],
    );
    await write(
      'par_fields',
      `SELECT agency_code, agency_name, CAST(field_no AS INTEGER) AS field_no, field_name, CAST(max_points AS DOUBLE) AS max_points,
              CAST(self_points AS DOUBLE) AS self_points, CAST(appraised_points AS DOUBLE) AS appraised_points,
              'h8' AS raw_hash, CAST(1 AS BIGINT) AS raw_row, 'xlsx' AS source, year
       FROM (VALUES ${PAR_FIELDS}) AS v(year, agency_code, agency_name, field_no, field_name, max_points, self_points, appraised_points)`,
      ['source', 'year'],
    );
    if (!omit.has('landing_log')) {
      await mkdir(path.join(lakeRoot, 'landed/landing_log'), { recursive: true });
      await db.run(
        `COPY (SELECT source, dataset, raw_hash, original_name, period, CAST(rows_read AS BIGINT) AS rows_read,
                      CAST(rows_landed AS BIGINT) AS rows_landed, CAST(rows_quarantined AS BIGINT) AS rows_quarantined, landed_at,
                      CAST(rows_superseded AS BIGINT) AS rows_superseded
               FROM (VALUES ${LANDING_LOG}) AS v(source, dataset, raw_hash, original_name, period, rows_read, rows_landed, rows_quarantined, landed_at, rows_superseded))
         TO ${literal(path.join(lakeRoot, 'landed/landing_log/data.parquet'))} (FORMAT PARQUET)`,
      );
    }
    await write(
      'quarantine',
      `SELECT 'portal-csv' AS raw_kind, 'portal/dossiers/2025/2025-01.csv' AS source_file, CAST(5 AS BIGINT) AS row_no,
              'received_at' AS field, 'invalid date' AS reason, '32/01/2025' AS raw_value, '{}' AS raw_record, 'h1' AS raw_hash,
              'dossiers' AS dataset, 'portal' AS source, 2025 AS year, 1 AS month
       UNION ALL
       -- A PAR workbook's rejected row: quarantined under par_totals, its file logged under par.
       SELECT 'par-xlsx', 'par/chi-so-cchc.xlsx', CAST(9 AS BIGINT), 'total_points', 'total ≠ appraised + survey', '71,5', '{}', 'h8',
              'par_totals', 'decision', 2025, 1
       UNION ALL
       -- The Biểu 06 workbook's totals row and a band subtotal disagree with its unit rows: checks, not rows.
       SELECT 'bieu06-xlsx', 'bieu06/2025-Q1.xlsx', CAST(15 AS BIGINT), 'c3', 'sheet row 15: Tổng cộng c3 (9) ≠ sum of unit rows (8)', '9', '{}', 'h5',
              'bieu06_checks', 'report', 2025, 3
       UNION ALL
       SELECT 'bieu06-xlsx', 'bieu06/2025-Q1.xlsx', CAST(13 AS BIGINT), 'c11', 'sheet row 13: subtotal "Cộng" of band "Sở, ban, ngành" c11 (3) ≠ sum of its unit rows, sheet rows 12–12 (2)', '3', '{}', 'h5',
              'bieu06_checks', 'report', 2025, 3`,
      ['dataset', 'source', 'year', 'month'],
      'quarantine',
    );
  } finally {
    db.close();
  }
}
