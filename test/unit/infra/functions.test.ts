import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, test } from 'vitest';
import { PIPELINE_FUNCTIONS_DEFAULTS } from '../../../infra/lib/ingestion/index.js';
import { grants, logicalId, synthStack } from './helpers.js';

const { stack, template } = synthStack();
const b = stack.buckets;
const names: Record<string, string> = {
  [logicalId(stack, b.raw)]: 'raw',
  [logicalId(stack, b.lake)]: 'lake',
  [logicalId(stack, b.quarantine)]: 'quarantine',
  [logicalId(stack, b.athenaResults)]: 'results',
  [logicalId(stack, b.dataKey)]: 'key',
  [logicalId(stack, stack.functions.portalToken)]: 'secret',
  'arn:<AWS::Partition>:glue:ap-southeast-1:111122223333:': 'glue:',
  'arn:<AWS::Partition>:athena:ap-southeast-1:111122223333:': 'athena:',
};
const fns = stack.functions.functions;
const of = (step: keyof typeof fns) => grants(template, logicalId(stack, fns[step].role as never), names);
const kms = ['kms:Decrypt <key.Arn>', 'kms:Encrypt <key.Arn>', 'kms:GenerateDataKey <key.Arn>'];
const xray = ['xray:PutTelemetryRecords *', 'xray:PutTraceSegments *'];
const athena = ['GetQueryExecution', 'GetQueryResults', 'StartQueryExecution', 'StopQueryExecution'].map((a) => `athena:${a} athena:workgroup/cchc-pipeline`);
const glueOn = (actions: string[]) => actions.flatMap((a) => ['glue:catalog', 'glue:database/cchc', 'glue:table/cchc/*'].map((r) => `glue:${a} ${r}`));
const glueRead = ['GetDatabase', 'GetDatabases', 'GetPartition', 'GetPartitions', 'GetTable', 'GetTables'];
/** The lake lock (locks/lake.json) taken by land, transform and snapshot. */
const lock = ['s3:DeleteObject <lake.Arn>/locks/*', 's3:GetObject <lake.Arn>/locks/*', 's3:PutObject <lake.Arn>/locks/*'];
/** Athena's own look at the catalog's `default` database, asked for in each Region whatever the query names. */
const glueDefault = ['CreateDatabase', 'GetDatabase', 'GetDatabases'].flatMap((a) => ['glue:catalog', 'glue:database/default'].map((r) => `glue:${a} ${r}`));
const results = ['s3:GetBucketLocation <lake.Arn>', 's3:GetBucketLocation <results.Arn>', 's3:GetObject <results.Arn>/results/*', 's3:ListBucket <results.Arn>', 's3:PutObject <results.Arn>/results/*'];

describe('PipelineFunctions given the default props', () => {
  test('should default to a drop/nsw prefix, 3008 MiB landing, four Athena models at once, 15 min and one-year logs', () => {
    expect(PIPELINE_FUNCTIONS_DEFAULTS).toEqual({ nswDropPrefix: 'drop/nsw', landMemoryMiB: 3008, athenaModelConcurrency: 4, timeout: Duration.minutes(15), logRetention: logs.RetentionDays.ONE_YEAR, stubBundling: false });
  });

  test('should run every function on nodejs22.x x86_64 (matching the copied DuckDB binding) with tracing', () => {
    const all = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.PIPELINE_ENGINE);
    expect(all).toHaveLength(6);
    for (const f of all) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['x86_64'], Timeout: 900, TracingConfig: { Mode: 'Active' } });
      expect(f.Properties.Environment.Variables).toMatchObject({
        PIPELINE_ENGINE: 'athena',
        ATHENA_WORKGROUP: 'cchc-pipeline',
        ATHENA_DATABASE: 'cchc',
        PIPELINE_WORK_DIR: '/tmp/work',
        // The bundle's copy of sql/ (afterBundling), read by landing, the model loader and the DuckDB shims.
        PIPELINE_SQL_DIR: '/var/task/sql',
      });
      expect(f.Properties.Environment.Variables.PIPELINE_S3_ENDPOINT).toBeUndefined();
    }
  });

  test('should give only the portal pull the token secret ARN, never the token', () => {
    const withSecret = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.PORTAL_TOKEN_SECRET_ARN);
    expect(withSecret).toHaveLength(1);
    expect(withSecret[0]!.Properties.Environment.Variables.PORTAL_TOKEN_SECRET_ARN).toEqual({ Ref: logicalId(stack, stack.functions.portalToken) });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"PORTAL_TOKEN"/);
  });
});

describe('PipelineFunctions permissions given least privilege', () => {
  test('should let the portal pull write raw/ and manifest/, its state, and read the secret', () => {
    expect(of('pullPortal')).toEqual(
      [
        ...kms,
        's3:GetObject <lake.Arn>/state/*',
        's3:GetObject <raw.Arn>/manifest/*',
        's3:GetObject <raw.Arn>/raw/*',
        's3:ListBucket <lake.Arn>',
        's3:ListBucket <raw.Arn>',
        's3:PutObject <lake.Arn>/state/*',
        's3:PutObject <raw.Arn>/manifest/*',
        's3:PutObject <raw.Arn>/raw/*',
        'secretsmanager:DescribeSecret <secret>',
        'secretsmanager:GetSecretValue <secret>',
        ...xray,
      ].sort(),
    );
  });

  test('should let the NSW pull read only the drop prefix and write raw/ and manifest/', () => {
    expect(of('pullNsw')).toEqual(
      [...kms, 's3:GetObject <raw.Arn>/drop/nsw/*', 's3:GetObject <raw.Arn>/manifest/*', 's3:GetObject <raw.Arn>/raw/*', 's3:ListBucket <raw.Arn>', 's3:PutObject <raw.Arn>/manifest/*', 's3:PutObject <raw.Arn>/raw/*', ...xray].sort(),
    );
  });

  test('should let landing read raw/, write landed/ and quarantine/, and never touch models or Athena', () => {
    expect(of('land')).toEqual(
      [
        ...kms,
        ...lock,
        's3:GetObject <lake.Arn>/landed/*',
        's3:GetObject <quarantine.Arn>/quarantine/*',
        's3:GetObject <raw.Arn>/manifest/*',
        's3:GetObject <raw.Arn>/raw/*',
        's3:ListBucket <lake.Arn>',
        's3:ListBucket <quarantine.Arn>',
        's3:ListBucket <raw.Arn>',
        's3:PutObject <lake.Arn>/landed/*',
        // An upgrade moves an older lake's quarantine files to their new partitions.
        's3:DeleteObject <quarantine.Arn>/quarantine/*',
        's3:PutObject <quarantine.Arn>/quarantine/*',
        's3:PutObject <raw.Arn>/manifest/*',
        ...xray,
      ].sort(),
    );
  });

  test('should let the transform run Athena in its workgroup, manage its Glue tables and write only models/', () => {
    expect(of('transform')).toEqual(
      [
        ...kms,
        ...lock,
        ...athena,
        ...new Set([...glueOn([...glueRead, 'BatchCreatePartition', 'BatchDeletePartition', 'CreatePartition', 'CreateTable', 'DeletePartition', 'DeleteTable', 'UpdateTable']), ...glueDefault]),
        ...results,
        's3:AbortMultipartUpload <lake.Arn>/models/*',
        's3:DeleteObject <lake.Arn>/models/*',
        's3:GetObject <lake.Arn>/landed/*',
        's3:GetObject <lake.Arn>/models/*',
        's3:GetObject <quarantine.Arn>/quarantine/*',
        's3:ListBucket <lake.Arn>',
        's3:ListBucket <quarantine.Arn>',
        's3:ListMultipartUploadParts <lake.Arn>/models/*',
        's3:PutObject <lake.Arn>/models/*',
        ...xray,
      ].sort(),
    );
  });

  test('should let the snapshot run Athena over the lake tables, manage only its own database, and write its scratch prefix and snapshots/', () => {
    const glueAt = (db: string, actions: string[]) => actions.flatMap((a) => ['glue:catalog', `glue:database/${db}`, `glue:table/${db}/*`].map((r) => `glue:${a} ${r}`));
    const write = ['BatchCreatePartition', 'BatchDeletePartition', 'CreatePartition', 'CreateTable', 'DeletePartition', 'DeleteTable', 'UpdateTable'];
    expect(of('snapshot')).toEqual(
      [
        ...kms,
        ...lock,
        ...athena,
        ...new Set([...glueAt('cchc', glueRead), ...glueAt('cchc_snapshot', [...glueRead, ...write]), ...glueDefault]),
        ...results,
        's3:AbortMultipartUpload <lake.Arn>/work/snapshot/*',
        's3:DeleteObject <lake.Arn>/work/snapshot/*',
        's3:GetObject <lake.Arn>/landed/*',
        's3:GetObject <lake.Arn>/snapshots/*',
        's3:GetObject <lake.Arn>/work/snapshot/*',
        's3:GetObject <quarantine.Arn>/quarantine/*',
        's3:GetObject <raw.Arn>/manifest/*',
        's3:ListBucket <lake.Arn>',
        's3:ListBucket <quarantine.Arn>',
        's3:ListBucket <raw.Arn>',
        's3:ListMultipartUploadParts <lake.Arn>/work/snapshot/*',
        's3:PutObject <lake.Arn>/snapshots/*',
        's3:PutObject <lake.Arn>/work/snapshot/*',
        ...xray,
      ].sort(),
    );
    // The lake's own models are never written by the snapshot.
    expect(of('snapshot').filter((g) => g.includes('/models/') || g.includes('glue:CreateTable glue:table/cchc/'))).toEqual([]);
  });

  test('should size the snapshot for Athena work: no DuckDB, no lake copy in /tmp (default 512 MiB ephemeral), its own database named', () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, fns.snapshot)]!;
    expect(fn.Properties).toMatchObject({ MemorySize: 1024, EphemeralStorage: { Size: 512 } });
    expect(fn.Properties.Environment.Variables.ATHENA_SNAPSHOT_DATABASE).toBe('cchc_snapshot');
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'cchc_snapshot' } });
  });

  test('should run the Athena steps four models at a time: hundreds of statements one after the other would not fit 15 minutes', () => {
    for (const step of ['transform', 'snapshot'] as const) {
      const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, fns[step])]!;
      expect(fn.Properties.Environment.Variables.ATHENA_MODEL_CONCURRENCY, step).toBe('4');
    }
    expect(PIPELINE_FUNCTIONS_DEFAULTS.athenaModelConcurrency).toBe(4);
  });

  test('should let the report read the published snapshots and meta.json, write only reports/, and take no lock', () => {
    expect(of('report')).toEqual(
      [
        ...kms,
        's3:GetObject <lake.Arn>/meta.json',
        's3:GetObject <lake.Arn>/reports/*',
        's3:GetObject <lake.Arn>/snapshots/*',
        's3:ListBucket <lake.Arn>',
        's3:PutObject <lake.Arn>/reports/*',
        ...xray,
      ].sort(),
    );
  });

  test('should give the report function the packaged fonts directory', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.REPORT_FONTS_DIR);
    expect(fn!.Properties.Environment.Variables.REPORT_FONTS_DIR).toBe('/var/task/fonts');
    expect(fn!.Properties.Description).toBe('cchc pipeline: report.ts');
  });
});
