/**
 * The raw datasets the models read (`src_<dataset>`), with their column types derived from the zod
 * schemas in ../schemas. An engine uses these to give a dataset that has no files yet an empty,
 * correctly typed relation, so every model still runs.
 */
import type { z } from 'zod';
import {
  Agency,
  Bieu06Row,
  DOSSIER_FIELDS,
  Dossier,
  IsoDate,
  LocalTimestamp,
  ParField,
  ParTotal,
  Procedure,
  Score766,
  Score766Metric,
} from '../schemas/index.js';
import { createError } from '../errors.js';
import { REJECTED_FILES_COLUMNS } from '../lake/datasets.js';
import type { Storage } from '../storage/types.js';

export interface SourceColumn {
  readonly name: string;
  /** ANSI type name understood by DuckDB and Trino. */
  readonly type: 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP';
}

type AnySchema = z.ZodType & { def: { type: string; innerType?: AnySchema; options?: AnySchema[] }; format?: string | null };

function columnType(schema: AnySchema, where: string): SourceColumn['type'] {
  if ((schema as unknown) === IsoDate) return 'DATE';
  if ((schema as unknown) === LocalTimestamp) return 'TIMESTAMP';
  const def = schema.def;
  switch (def.type) {
    case 'nullable':
    case 'optional':
    case 'default':
      if (!def.innerType) break;
      return columnType(def.innerType, where);
    case 'string':
    case 'enum':
      return 'VARCHAR';
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return schema.format === 'safeint' || schema.format === 'int32' ? 'INTEGER' : 'DOUBLE';
    case 'union':
    case 'literal':
      return 'INTEGER'; // the only unions/literals in the schemas are numeric codes (channel)
  }
  throw createError('transform', `Failed to derive a column type for ${where}: unsupported zod type "${def.type}"`);
}

/** Columns of a zod object schema, in declaration order. */
export function columnsOf(schema: z.ZodObject, name: string): SourceColumn[] {
  return Object.entries(schema.shape).map(([col, s]) => ({ name: col, type: columnType(s as AnySchema, `${name}.${col}`) }));
}

const lineage: SourceColumn[] = [
  { name: 'raw_hash', type: 'VARCHAR' },
  { name: 'raw_row', type: 'BIGINT' },
];

function dossierColumns(): SourceColumn[] {
  const byName = new Map(columnsOf(Dossier as unknown as z.ZodObject, 'dossiers').map((c) => [c.name, c]));
  const cols = DOSSIER_FIELDS.map((f) => {
    const c = byName.get(f);
    if (!c) throw createError('transform', `Failed to derive dossier columns: ${f} is not in the Dossier schema`);
    return c;
  });
  return [...cols, ...lineage, { name: 'year', type: 'INTEGER' }, { name: 'month', type: 'INTEGER' }];
}

/** Landed datasets also carry their Hive `source` partition and the lineage columns. */
function landed(cols: SourceColumn[]): SourceColumn[] {
  const extra = [{ name: 'source', type: 'VARCHAR' } as const, ...lineage].filter((c) => !cols.some((x) => x.name === c.name));
  return [...cols, ...extra];
}

/** Every `src_<dataset>` relation the models may read, with its columns. */
export const SOURCE_COLUMNS: Readonly<Record<string, readonly SourceColumn[]>> = {
  src_dossiers: dossierColumns(),
  src_agencies: landed(columnsOf(Agency, 'agencies')),
  src_procedures: landed(columnsOf(Procedure, 'procedures')),
  src_bieu06: landed(columnsOf(Bieu06Row, 'bieu06')),
  src_score766: landed([
    ...columnsOf(Score766, 'score766'),
    { name: 'as_of', type: 'DATE' },
    { name: 'province_code', type: 'VARCHAR' },
    { name: 'dataset_label', type: 'VARCHAR' },
    { name: 'units_total', type: 'INTEGER' },
    { name: 'group_units', type: 'INTEGER' },
  ]),
  src_score766_metrics: landed([...columnsOf(Score766Metric, 'score766_metrics'), { name: 'dataset_label', type: 'VARCHAR' }]),
  src_par_fields: landed(columnsOf(ParField, 'par_fields')),
  src_par_totals: landed(columnsOf(ParTotal, 'par_totals')),
  src_landing_log: [
    { name: 'source', type: 'VARCHAR' },
    { name: 'dataset', type: 'VARCHAR' },
    { name: 'raw_hash', type: 'VARCHAR' },
    { name: 'original_name', type: 'VARCHAR' },
    { name: 'period', type: 'VARCHAR' },
    { name: 'rows_read', type: 'BIGINT' },
    { name: 'rows_landed', type: 'BIGINT' },
    { name: 'rows_quarantined', type: 'BIGINT' },
    { name: 'landed_at', type: 'TIMESTAMP' },
    { name: 'rows_superseded', type: 'BIGINT' },
  ],
  src_rejected_files: Object.entries(REJECTED_FILES_COLUMNS).map(([name, type]) => ({ name, type })),
  src_quarantine: [
    { name: 'dataset', type: 'VARCHAR' },
    { name: 'raw_kind', type: 'VARCHAR' },
    { name: 'source', type: 'VARCHAR' },
    { name: 'raw_hash', type: 'VARCHAR' },
    { name: 'source_file', type: 'VARCHAR' },
    { name: 'row_no', type: 'BIGINT' },
    { name: 'field', type: 'VARCHAR' },
    { name: 'reason', type: 'VARCHAR' },
    { name: 'raw_value', type: 'VARCHAR' },
    { name: 'raw_record', type: 'VARCHAR' },
    { name: 'year', type: 'INTEGER' },
    { name: 'month', type: 'INTEGER' },
  ],
};

export const SOURCE_NAMES: readonly string[] = Object.keys(SOURCE_COLUMNS);

/**
 * Ledgers the transform reads to plan an incremental run (functions/core/transform/incremental.ts),
 * never the models: `src_superseded_dossiers` = landed/_superseded/dossiers/ (the versions a later
 * file replaced, with the file that replaced them).
 */
export const LEDGER_COLUMNS: Readonly<Record<string, readonly SourceColumn[]>> = {
  src_superseded_dossiers: [
    ...dossierColumns(),
    { name: 'superseded_by_hash', type: 'VARCHAR' },
    { name: 'superseded_by_row', type: 'BIGINT' },
    { name: 'superseded_at', type: 'TIMESTAMP' },
  ],
};

/**
 * The lake tables of the ledgers (LEDGER_COLUMNS) where an as-of view reads them, with their prefix: on
 * Athena the Glue table the stack defines for landed/_superseded/dossiers.
 */
export const LEDGER_TABLES: Readonly<Record<string, { ledger: string; prefix: string }>> = {
  landed_superseded_dossiers: { ledger: 'src_superseded_dossiers', prefix: 'landed/_superseded/dossiers' },
};

/**
 * Default storage locations of the sources under a lake root (a directory or URI prefix), as
 * functions/core/lake writes them: landed/<dataset>/source=…/[year=…/[month=…/]]data.parquet,
 * quarantine/dataset=…/source=…/year=…/month=…/data.parquet, landed/landing_log/data.parquet,
 * landed/rejected_files/data.parquet.
 */
export function lakeSourceLocations(lake: string | Pick<Storage, 'locate'>, overrides: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SOURCE_NAMES) out[name] = lakePrefixLocation(lake, sourcePrefix(name));
  return { ...out, ...overrides };
}

/** The lake prefix of a source: landed/<dataset>, or quarantine. */
export function sourcePrefix(source: string): string {
  const dataset = source.slice('src_'.length);
  return dataset === 'quarantine' ? 'quarantine' : `landed/${dataset}`;
}

/**
 * Where a lake prefix lives: under a root directory or URI, or where a Storage puts its keys (a
 * RoutedStorage sends quarantine/ to its own bucket).
 */
export function lakePrefixLocation(lake: string | Pick<Storage, 'locate'>, prefix: string): string {
  if (typeof lake === 'string') return `${lake.replace(/\/+$/, '')}/${prefix}`;
  return lake.locate(`${prefix}/x`).replace(/[\\/]x$/, '');
}

/**
 * The name the query engines give a landed dataset's full, unfiltered table (on Athena the Glue table
 * the stack defines: landed_<dataset>, quarantine), by the source it stands for. Snapshots read these
 * under their as-of views (sql/snapshots/as_of/).
 */
export function lakeTableName(source: string): string {
  const dataset = source.slice('src_'.length);
  return dataset === 'quarantine' ? 'quarantine' : `landed_${dataset}`;
}

/** The source a lake table name stands for (lakeTableName's inverse), if it is one. */
export function sourceOfLakeTable(table: string): string | undefined {
  const source = table === 'quarantine' ? 'src_quarantine' : table.startsWith('landed_') ? `src_${table.slice('landed_'.length)}` : undefined;
  return source && SOURCE_NAMES.includes(source) ? source : undefined;
}
