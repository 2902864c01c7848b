/**
 * The landed datasets' Parquet layout: columns and DuckDB types (checked against the zod schemas by
 * test/unit/lake/datasets.test.ts), partition columns (in the path only, Hive style, never inside the
 * file, as Athena requires), the key that makes a record unique, and which version wins.
 */

export interface DatasetSpec {
  /** Data columns stored in the file, in order, with DuckDB types. */
  columns: Readonly<Record<string, string>>;
  /** Hive partition columns after `source=`, in path order (integers; columns of the batch table). */
  partitions: readonly ('year' | 'month')[];
  /** A record's identity inside one partition (partition columns are implied). */
  key: readonly string[];
  /** Among versions of one key, the first in this order wins (always ends with lineage for a total order). */
  winner: string;
}

/** Lineage carried by every landed record: which raw file and which row of it. */
export const LINEAGE_COLUMNS = { raw_hash: 'VARCHAR', raw_row: 'BIGINT' } as const;

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
      ...LINEAGE_COLUMNS,
    },
    partitions: ['year', 'month'],
    key: ['dossier_id'],
    winner: 'updated_at DESC, raw_hash DESC, raw_row DESC',
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
    winner: 'raw_hash DESC, raw_row DESC',
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
    winner: 'raw_hash DESC, raw_row DESC',
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
    key: ['period_type', 'period_start', 'period_end', 'unit_name'],
    winner: 'raw_hash DESC, raw_row DESC',
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
    winner: 'raw_hash DESC, raw_row DESC',
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
    winner: 'raw_hash DESC, raw_row DESC',
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
    winner: 'raw_hash DESC, raw_row DESC',
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
    winner: 'raw_hash DESC, raw_row DESC',
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
    key: ['raw_hash', 'row_no', 'field'],
    winner: 'reason',
  },
} as const satisfies Record<string, DatasetSpec>;

export type LandedDataset = keyof typeof DATASET_SPECS;

/** Columns of a dataset's batch table before publishing: `source`, the partition values, the data. */
export function batchColumns(dataset: LandedDataset): Record<string, string> {
  const spec: DatasetSpec = DATASET_SPECS[dataset];
  const parts = Object.fromEntries(spec.partitions.map((p) => [p, 'INTEGER']));
  return { source: 'VARCHAR', ...parts, ...spec.columns };
}
