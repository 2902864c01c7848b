/**
 * The recorded Athena answers (test/fixtures/athena/*.json) and the Lambda environment the handler
 * tests on Athena share: the fixtures read by name, result sets built from them, a result table of
 * any columns, the columns a model's LIMIT 0 query answers, and the stack's environment over an S3
 * loopback on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GetQueryResultsOutput } from '@aws-sdk/client-athena';
import type { TransformModel } from '../../functions/core/transform/index.js';

export const ATHENA_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/athena');

export const fixture = <T>(name: string): T => JSON.parse(readFileSync(path.join(ATHENA_FIXTURES, `${name}.json`), 'utf8')) as T;

/** A recorded one-column result with its header row and these values. */
export function resultSet(name: 'get-query-results-count' | 'get-query-results-failures' | 'get-query-results-columns' | 'get-query-results-tables', values: string[]): GetQueryResultsOutput {
  const out = fixture<GetQueryResultsOutput>(name);
  out.ResultSet!.Rows = [out.ResultSet!.Rows![0]!, ...values.map((v) => ({ Data: [{ VarCharValue: v }] }))];
  return out;
}

/** A result of these columns (all varchar) and rows, header row first, as Athena pages it. */
export function table(columns: string[], rows: string[][]): GetQueryResultsOutput {
  const info = columns.map((c) => ({ Name: c, Label: c, Type: 'varchar' }));
  return { UpdateCount: 0, ResultSet: { Rows: [columns, ...rows].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })), ResultSetMetadata: { ColumnInfo: info } } };
}

/** Columns of a model (its LIMIT 0 query): the mart's YAML columns; an intermediate step's stand-in list with the partition column. */
export function columnsOfModel(models: readonly TransformModel[], sql: string): string[] {
  const model = [...models].sort((a, b) => b.sql.length - a.sql.length).find((m) => sql.includes(m.sql));
  const spec = model?.tests.find((t) => t.kind === 'columns_match');
  if (spec && 'columns' in spec) return spec.columns;
  // A model partitioned by another column (receipt_month) has it too: Athena's CTAS puts it last. A
  // model that names a `month` column (stg_lake__dossiers: the landed partition's) has that one too, as
  // Athena would list it (the engine adds PartitionSelection.prune's filter on it).
  const columns = ['agency_code', 'period_type', 'year', 'period_no', 'received_total', ...(/\bas month\b/i.test(model?.sql ?? '') ? ['month'] : [])];
  return [...columns, ...(model?.partitionBy ?? []).filter((c) => !columns.includes(c))];
}

/** The environment the stack gives the functions, over the S3 loopback at `endpoint`. */
export function lambdaEnv(endpoint: string, workDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PIPELINE_S3_ENDPOINT: endpoint,
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    PIPELINE_LAKE_ROOT: 's3://cchc-lake',
    PIPELINE_RAW_ROOT: 's3://cchc-raw',
    PIPELINE_QUARANTINE_ROOT: 's3://cchc-quarantine',
    PIPELINE_WORK_DIR: workDir,
    PIPELINE_ENGINE: 'athena',
    ATHENA_WORKGROUP: 'cchc-pipeline',
    ATHENA_DATABASE: 'cchc',
    ...extra,
  };
}
