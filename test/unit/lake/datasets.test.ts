/**
 * The landed datasets' Parquet layout (DATASET_SPECS, functions/core/lake/datasets.ts) against the
 * canonical zod schemas (functions/core/schemas/index.ts), the typed empty relations the engine
 * gives the models (SOURCE_COLUMNS), and docs/data-contracts.md §1: the same columns with compatible
 * types; every key and winner column exists; every winner ends with the lineage, so the version
 * order is total; and on real DuckDB the key and the winner run over the batch table's columns.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { ident, withDuckDb } from '../../../functions/core/engine/duckdb.js';
import { batchColumns, DATASET_SPECS, LINEAGE_COLUMNS, type DatasetSpec, type LandedDataset } from '../../../functions/core/lake/datasets.js';
import * as schemas from '../../../functions/core/schemas/index.js';
import { columnsOf, SOURCE_COLUMNS } from '../../../functions/core/transform/sources.js';

const DOC = readFileSync(path.join(import.meta.dirname, '../../../docs/data-contracts.md'), 'utf8');
const RECORDS = DOC.slice(DOC.indexOf('## 1. Canonical records'), DOC.indexOf('## 2. Sources'));

/** The canonical record each landed dataset holds. */
const SCHEMA_OF: Record<Exclude<LandedDataset, 'quarantine'>, z.ZodObject> = {
  dossiers: schemas.Dossier as unknown as z.ZodObject,
  agencies: schemas.Agency,
  procedures: schemas.Procedure,
  bieu06: schemas.Bieu06Row,
  score766: schemas.Score766,
  score766_metrics: schemas.Score766Metric,
  par_fields: schemas.ParField,
  par_totals: schemas.ParTotal,
};

/** Columns landed beside the published record (docs/data-contracts.md §1.5). */
const LANDED_EXTRAS: Partial<Record<LandedDataset, readonly string[]>> = {
  score766: ['as_of', 'province_code', 'dataset_label', 'units_total', 'group_units'],
  score766_metrics: ['dataset_label'],
};

const LINEAGE = Object.keys(LINEAGE_COLUMNS);
const RECORD_DATASETS = Object.keys(SCHEMA_OF) as (keyof typeof SCHEMA_OF)[];
const ALL_DATASETS = Object.keys(DATASET_SPECS) as LandedDataset[];
const spec = (d: LandedDataset): DatasetSpec => DATASET_SPECS[d];

/** INTEGER and BIGINT are one family (counts are BIGINT in Parquet, int in zod). */
const family = (t: string): string => (t === 'BIGINT' || t === 'INTEGER' ? 'integer' : t);

/** The column each ORDER BY term of a winner sorts by. */
const winnerColumns = (winner: string): string[] => winner.split(',').map((t) => t.trim().split(/\s+/)[0] ?? '');

describe('DATASET_SPECS against the zod schemas', () => {
  test('should cover every record dataset and the quarantine', () => {
    expect(ALL_DATASETS.sort()).toEqual([...RECORD_DATASETS, 'quarantine'].sort());
  });

  test.each(RECORD_DATASETS)('should store exactly the fields of the %s record, minus its partitions, plus the landed extras and the lineage', (dataset) => {
    const s = spec(dataset);
    // `source` is the Hive partition source=…, like year and month: in the path, never in the file.
    const inPath = new Set<string>(['source', ...s.partitions]);
    const fromSchema = columnsOf(SCHEMA_OF[dataset], dataset).filter((c) => !inPath.has(c.name));
    const expected = [...fromSchema.map((c) => c.name), ...(LANDED_EXTRAS[dataset] ?? []), ...LINEAGE];
    expect(Object.keys(s.columns).sort()).toEqual([...expected].sort());
    for (const c of fromSchema) expect(family(s.columns[c.name as keyof typeof s.columns] as string), `${dataset}.${c.name}`).toBe(family(c.type));
    expect(Object.entries(s.columns).filter(([name]) => LINEAGE.includes(name))).toEqual(Object.entries(LINEAGE_COLUMNS));
  });

  test('should keep the dossier columns in the canonical Parquet order (DOSSIER_FIELDS without source)', () => {
    expect(Object.keys(DATASET_SPECS.dossiers.columns)).toEqual([...schemas.DOSSIER_FIELDS.filter((f) => f !== 'source'), ...LINEAGE]);
  });

  test('should keep the quarantine columns those of a QuarantineRecord, its dataset in the path', () => {
    const record = Object.keys(schemas.QuarantineRecord.shape).filter((f) => f !== 'dataset');
    // raw_kind names the raw file's kind, which the record's dataset does not tell (dossiers come from three kinds).
    expect(Object.keys(DATASET_SPECS.quarantine.columns).sort()).toEqual([...record, 'raw_kind'].sort());
  });
});

describe('DATASET_SPECS against the engine\'s typed empty relations', () => {
  test.each(RECORD_DATASETS)('should give the models the same columns for src_%s whether or not anything has landed', (dataset) => {
    const s = spec(dataset);
    const landedCols = { source: 'VARCHAR', ...Object.fromEntries(s.partitions.map((p) => [p, 'INTEGER'])), ...s.columns } as Record<string, string>;
    const empty = SOURCE_COLUMNS[`src_${dataset}`] ?? [];
    expect(empty.map((c) => c.name).sort()).toEqual(Object.keys(landedCols).sort());
    for (const c of empty) expect(family(c.type), `src_${dataset}.${c.name}`).toBe(family(landedCols[c.name] ?? ''));
  });
});

describe('DATASET_SPECS keys and winners', () => {
  test.each(ALL_DATASETS)('should key %s by columns it stores', (dataset) => {
    const s = spec(dataset);
    expect(s.key.length).toBeGreaterThan(0);
    expect(s.key.filter((k) => !(k in s.columns))).toEqual([]);
  });

  test.each(RECORD_DATASETS)('should end the winner of %s with the lineage, so the version order is total', (dataset) => {
    const s = spec(dataset);
    expect(s.winner).toMatch(/raw_hash DESC, raw_row DESC$/);
    // Every other term sorts by a stored column or the raw file's arrival (_arrived, _name).
    expect(winnerColumns(s.winner).filter((c) => !(c in s.columns) && c !== '_arrived' && c !== '_name')).toEqual([]);
  });

  test('should hold the quarantine\'s lineage in its key instead (one record per file, row, field and reason)', () => {
    const s = DATASET_SPECS.quarantine;
    expect(s.key).toEqual(expect.arrayContaining(['raw_hash', 'row_no']));
    expect(winnerColumns(s.winner).filter((c) => !(c in s.columns))).toEqual([]);
  });

  test('should run every key and winner on DuckDB: of two versions of one key, the later-arrived file\'s wins', async () => {
    const lit = (t: string): string =>
      ({ VARCHAR: "'k'", DATE: "DATE '2025-01-31'", TIMESTAMP: "TIMESTAMP '2025-01-31 08:00:00'", DOUBLE: '1.5', BOOLEAN: 'true' })[t] ?? '1';
    await withDuckDb(async (db) => {
      for (const dataset of ALL_DATASETS) {
        const cols: Record<string, string> = { ...batchColumns(dataset), _arrived: 'TIMESTAMP', _name: 'VARCHAR' };
        const table = ident(`batch_${dataset}`);
        await db.run(`CREATE TABLE ${table} (${Object.entries(cols).map(([n, t]) => `${ident(n)} ${t}`).join(', ')})`);
        const s = spec(dataset);
        const version = (name: string, arrived: string, hash: string, row: number, value: string): Record<string, string> => ({
          ...Object.fromEntries(s.key.map((k) => [k, lit(cols[k] ?? '')])),
          _arrived: `TIMESTAMP '${arrived}'`,
          _name: `'${name}'`,
          ...(dataset === 'quarantine' ? { raw_value: `'${value}'` } : { raw_hash: `'${hash}'`, raw_row: String(row) }),
        });
        for (const v of [version('a.csv', '2025-02-01 08:00:00', 'bbb', 2, 'y'), version('b.csv', '2025-02-02 08:00:00', 'aaa', 1, 'x')]) {
          await db.run(`INSERT INTO ${table} (${Object.keys(v).map(ident).join(', ')}) VALUES (${Object.values(v).join(', ')})`);
        }
        const won = await db.all(
          `SELECT _name FROM (SELECT _name, row_number() OVER (PARTITION BY ${s.key.map(ident).join(', ')} ORDER BY ${s.winner}) AS r FROM ${table}) WHERE r = 1`,
        );
        // Records: the later arrival wins even though its hash and row sort lower. Quarantine: one record (raw_value 'x').
        expect(won.map((r) => r._name), dataset).toEqual(['b.csv']);
      }
    });
  });
});

describe('DATASET_SPECS against docs/data-contracts.md §1', () => {
  test.each(ALL_DATASETS)('should document every column %s stores', (dataset) => {
    const missing = Object.keys(spec(dataset).columns).filter((c) => !RECORDS.includes(`\`${c}\``) && !(dataset === 'quarantine' && c === 'raw_kind'));
    expect(missing).toEqual([]);
  });
});
