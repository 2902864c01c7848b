/**
 * The landed datasets' Parquet layout: columns and DuckDB types (checked against the zod schemas by
 * test/unit/lake/datasets.test.ts), partition columns (in the path only, Hive style, never inside the
 * file, as Athena requires), the key that makes a record unique, and which version wins.
 *
 * The version rule (docs/data-contracts.md §4.5, "Versions: which file wins, and nothing lost"): among the versions of one key, a
 * dossier's own `updated_at` decides first; otherwise, and on a tie, the version from the raw file
 * that ARRIVED later wins (`_arrived`: the file's pull time; then `_name`: its original name, so
 * "…_v2.xlsx" staged in the same second as "….xlsx" wins), never the file's hash. Both are joined
 * from the raw files' metadata at publish time (partitions.ts), not stored in the data. A version
 * that loses is not dropped: it moves to landed/_superseded/<dataset>/ with the file and row that
 * superseded it. Two rows of ONE file with the same key are not versions: the later rows are
 * quarantined at landing ("listed twice in the file").
 */

/**
 * The earliest year of receipt a dossier lands with (sql/landing/dossiers_checked.sql, given it as
 * `landing_params.earliest_year` by land.ts's setLandingParams, quarantines one received before 1 January
 * of it, "before 2000"): landed dossiers are partitioned by their year of
 * receipt, so it is also the first `year=` partition a reader must see (Athena's partition projection,
 * infra/lib/query), and the first year of receipt a rejected row is quarantined under
 * (sql/landing/dossiers_quarantined.sql). test/unit/lake/land.test.ts lands a dossier of 1 January of it and quarantines one
 * of the minute before, so the two cannot disagree.
 */
export const EARLIEST_RECEIPT_YEAR = 2000;

export interface DatasetSpec {
  /** Data columns stored in the file, in order, with DuckDB types. */
  columns: Readonly<Record<string, string>>;
  /** Hive partition columns after `source=`, in path order (integers; columns of the batch table). */
  partitions: readonly ('year' | 'month')[];
  /** A record's identity inside one partition (partition columns are implied). */
  key: readonly string[];
  /**
   * Among versions of one key, the first in this order wins (always ends with lineage for a total
   * order). May use `_arrived` and `_name`, the arrival of the version's raw file.
   */
  winner: string;
  /** Words for the key in a quarantine reason ("the same unit of the same band and period"). */
  keyWords?: string;
}

/** Lineage carried by every landed record: which raw file and which row of it. */
export const LINEAGE_COLUMNS = { raw_hash: 'VARCHAR', raw_row: 'BIGINT' } as const;

/** The later-arrived file first; hash and row only break exact ties (a total order). */
const BY_ARRIVAL = '_arrived DESC NULLS LAST, _name DESC NULLS LAST, raw_hash DESC, raw_row DESC';

export const DATASET_SPECS = {
  dossiers: {
    columns: {
      dossier_id: 'VARCHAR',
      procedure_code: 'VARCHAR',
      agency_code: 'VARCHAR',
      channel: 'INTEGER',
      received_at: 'TIMESTAMP',
      due_at: 'TIMESTAMP',
      finished_at: 'TIMESTAMP',
      status: 'VARCHAR',
      supplement_days: 'INTEGER',
      is_fee_bearing: 'BOOLEAN',
      is_paid_online: 'BOOLEAN',
      is_digitised: 'BOOLEAN',
      has_e_result: 'BOOLEAN',
      is_synced: 'BOOLEAN',
      has_complaint: 'BOOLEAN',
      updated_at: 'TIMESTAMP',
      // Vendor fields, null for the project's own exports (docs/data-contracts.md §1.1).
      returned_at: 'TIMESTAMP',
      supplement_requested_at: 'TIMESTAMP',
      supplement_received_at: 'TIMESTAMP',
      due_at_reset: 'TIMESTAMP',
      result_type: 'VARCHAR',
      deleted_at: 'TIMESTAMP',
      ...LINEAGE_COLUMNS,
    },
    partitions: ['year', 'month'],
    key: ['dossier_id'],
    winner: `updated_at DESC NULLS LAST, ${BY_ARRIVAL}`,
  },
  agencies: {
    columns: {
      agency_code: 'VARCHAR',
      name: 'VARCHAR',
      short_name: 'VARCHAR',
      kind: 'VARCHAR',
      parent_code: 'VARCHAR',
      province_code: 'VARCHAR',
      valid_from: 'DATE',
      valid_to: 'DATE',
      successor_code: 'VARCHAR',
      ...LINEAGE_COLUMNS,
    },
    partitions: [],
    key: ['agency_code', 'valid_from'],
    keyWords: 'the same agency code and valid_from',
    winner: BY_ARRIVAL,
  },
  procedures: {
    columns: {
      procedure_code: 'VARCHAR',
      name: 'VARCHAR',
      field: 'VARCHAR',
      agency_code: 'VARCHAR',
      online_level: 'VARCHAR',
      is_fee_bearing: 'BOOLEAN',
      is_nsw: 'BOOLEAN',
      statutory_days: 'INTEGER',
      original_statutory_days: 'INTEGER',
      ...LINEAGE_COLUMNS,
    },
    partitions: [],
    key: ['procedure_code'],
    keyWords: 'the same procedure code',
    winner: BY_ARRIVAL,
  },
  bieu06: {
    columns: {
      period_type: 'VARCHAR',
      period_no: 'INTEGER',
      period_start: 'DATE',
      period_end: 'DATE',
      band: 'VARCHAR',
      line_no: 'INTEGER',
      unit_name: 'VARCHAR',
      agency_code: 'VARCHAR',
      received_total: 'BIGINT',
      received_online: 'BIGINT',
      received_offline: 'BIGINT',
      received_carried_over: 'BIGINT',
      resolved_total: 'BIGINT',
      resolved_early: 'BIGINT',
      resolved_on_time: 'BIGINT',
      resolved_late: 'BIGINT',
      pending_total: 'BIGINT',
      pending_in_time: 'BIGINT',
      pending_overdue: 'BIGINT',
      ...LINEAGE_COLUMNS,
    },
    partitions: ['year'],
    // Two units of one name in two bands (e.g. a "Văn phòng" under Sở and under UBND cấp xã) are two units.
    key: ['period_type', 'period_start', 'period_end', 'band', 'unit_name'],
    keyWords: 'the same unit name in the same band of the same period',
    winner: BY_ARRIVAL,
  },
  score766: {
    columns: {
      period_type: 'VARCHAR',
      period_no: 'INTEGER',
      as_of: 'DATE',
      dataset_label: 'VARCHAR',
      province_code: 'VARCHAR',
      unit_id: 'VARCHAR',
      unit_name: 'VARCHAR',
      unit_code: 'VARCHAR',
      agency_code: 'VARCHAR',
      unit_group: 'VARCHAR',
      score_ckmb: 'DOUBLE',
      score_tdgq: 'DOUBLE',
      score_clgq: 'DOUBLE',
      score_tttt: 'DOUBLE',
      score_mdhl: 'DOUBLE',
      score_mdsh: 'DOUBLE',
      score_total: 'DOUBLE',
      rank: 'INTEGER',
      group_rank: 'INTEGER',
      units_total: 'INTEGER',
      group_units: 'INTEGER',
      ...LINEAGE_COLUMNS,
    },
    partitions: ['year'],
    key: ['period_type', 'period_no', 'as_of', 'unit_id'],
    keyWords: 'the same unit in the same 766 answer',
    winner: BY_ARRIVAL,
  },
  score766_metrics: {
    columns: {
      period_type: 'VARCHAR',
      period_no: 'INTEGER',
      as_of: 'DATE',
      dataset_label: 'VARCHAR',
      unit_id: 'VARCHAR',
      unit_code: 'VARCHAR',
      group_code: 'VARCHAR',
      metric_code: 'VARCHAR',
      metric_name: 'VARCHAR',
      numerator: 'DOUBLE',
      denominator: 'DOUBLE',
      ratio_pct: 'DOUBLE',
      score: 'DOUBLE',
      max_score: 'DOUBLE',
      ...LINEAGE_COLUMNS,
    },
    partitions: ['year'],
    key: ['period_type', 'period_no', 'as_of', 'unit_id', 'metric_code'],
    keyWords: 'the same unit and sub-indicator in the same 766 answer',
    winner: BY_ARRIVAL,
  },
  par_fields: {
    columns: {
      agency_code: 'VARCHAR',
      agency_name: 'VARCHAR',
      field_no: 'INTEGER',
      field_name: 'VARCHAR',
      max_points: 'DOUBLE',
      self_points: 'DOUBLE',
      appraised_points: 'DOUBLE',
      ...LINEAGE_COLUMNS,
    },
    partitions: ['year'],
    key: ['agency_name', 'field_no'],
    keyWords: 'the same agency and field',
    winner: BY_ARRIVAL,
  },
  par_totals: {
    columns: {
      agency_code: 'VARCHAR',
      agency_name: 'VARCHAR',
      appraised_points: 'DOUBLE',
      appraised_max: 'DOUBLE',
      survey_points: 'DOUBLE',
      survey_max: 'DOUBLE',
      total_points: 'DOUBLE',
      total_max: 'DOUBLE',
      rank: 'INTEGER',
      band: 'VARCHAR',
      ...LINEAGE_COLUMNS,
    },
    partitions: ['year'],
    key: ['agency_name'],
    keyWords: 'the same agency',
    winner: BY_ARRIVAL,
  },
  quarantine: {
    columns: {
      raw_kind: 'VARCHAR',
      source_file: 'VARCHAR',
      row_no: 'BIGINT',
      field: 'VARCHAR',
      reason: 'VARCHAR',
      raw_value: 'VARCHAR',
      raw_record: 'VARCHAR',
      raw_hash: 'VARCHAR',
    },
    partitions: ['year', 'month'],
    // Every reason of a row is kept (two checks failing on one field are two records).
    key: ['raw_hash', 'row_no', 'field', 'reason'],
    winner: 'raw_value, raw_record',
  },
} as const satisfies Record<string, DatasetSpec>;

export type LandedDataset = keyof typeof DATASET_SPECS;

/** What landed/_superseded/<dataset>/ adds to the dataset's columns: who superseded the row, when. */
export const SUPERSEDED_COLUMNS = { superseded_by_hash: 'VARCHAR', superseded_by_row: 'BIGINT', superseded_at: 'TIMESTAMP' } as const;

/** Columns of a dataset's batch table before publishing: `source`, the partition values, the data. */
export function batchColumns(dataset: LandedDataset): Record<string, string> {
  const spec: DatasetSpec = DATASET_SPECS[dataset];
  const parts = Object.fromEntries(spec.partitions.map((p) => [p, 'INTEGER']));
  return { source: 'VARCHAR', ...parts, ...spec.columns };
}

/** What the landing log and the rejected files say of a raw file first: its kind, where it lands, its hash, name, period and size. */
const RAW_FILE_COLUMNS = {
  raw_kind: 'VARCHAR',
  source: 'VARCHAR',
  dataset: 'VARCHAR',
  raw_hash: 'VARCHAR',
  original_name: 'VARCHAR',
  period: 'VARCHAR',
  bytes: 'BIGINT',
} as const;

/**
 * landed/landing_log/data.parquet (land.ts, publishLandingLog): one row per landed raw file, rebuilt by
 * every land. Its columns (Glue: infra/lib/query; the models read some of them as src_landing_log).
 */
export const LANDING_LOG_COLUMNS = {
  ...RAW_FILE_COLUMNS,
  rows_read: 'BIGINT',
  rows_landed: 'BIGINT',
  rows_quarantined: 'BIGINT',
  pulled_at: 'TIMESTAMP',
  landed_at: 'TIMESTAMP',
  /** Rows of the file a later version superseded (landed/_superseded/), the latest such file and when it arrived. */
  rows_superseded: 'BIGINT',
  superseded_by: 'VARCHAR',
  superseded_at: 'TIMESTAMP',
} as const;

/**
 * landed/rejected_files/data.parquet (land.ts, publishRejectedFiles): the files a land rejected whole. Its
 * columns (Glue: infra/lib/query; the models: src_rejected_files).
 */
export const REJECTED_FILES_COLUMNS = {
  ...RAW_FILE_COLUMNS,
  pulled_at: 'TIMESTAMP',
  rejected_at: 'TIMESTAMP',
  /** Null while the file waits for an operator. */
  discarded_at: 'TIMESTAMP',
  /** The land's error, naming the file, and where it knows them the row and field. */
  error: 'VARCHAR',
  /** The error's class (errors.ts, REJECT_REASONS); null for a file rejected before classes were recorded. */
  reason: 'VARCHAR',
} as const;
