import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { DATASET_SPECS } from '../../../functions/core/lake/datasets.js';
import { LAKE_QUERY_DEFAULTS, LANDED_TABLE_DATASETS, sourcesOf } from '../../../infra/lib/query/index.js';
import { synthStack } from './helpers.js';

const { template } = synthStack();

describe('LakeQuery given the default props', () => {
  test('should default to database cchc, workgroup cchc-pipeline, a 10 GiB cutoff and years 2015–2035', () => {
    expect(LAKE_QUERY_DEFAULTS).toEqual({ databaseName: 'cchc', workGroupName: 'cchc-pipeline', bytesScannedCutoffPerQuery: 10 * 1024 ** 3, yearRange: [2015, 2035] });
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'cchc' } });
  });

  test('should project dossiers partitions by source enum and integer year/month with a location template', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'cchc',
      TableInput: {
        Name: 'landed_dossiers',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'source', Type: 'string' }, { Name: 'year', Type: 'int' }, { Name: 'month', Type: 'int' }],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.source.type': 'enum',
          'projection.source.values': 'nsw,portal',
          'projection.year.type': 'integer',
          'projection.year.range': '2015,2035',
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageLake') }, '/landed/dossiers/source=${source}/year=${year}/month=${month}/']] },
        }),
        StorageDescriptor: Match.objectLike({
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          Columns: Match.arrayWith([{ Name: 'dossier_id', Type: 'string' }, { Name: 'channel', Type: 'int' }, { Name: 'received_at', Type: 'timestamp' }]),
        }),
      },
    });
  });

  test('should define a landed and a quarantine table per dataset, columns matching the dataset specs', () => {
    const tables = Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);
    expect(tables.map((t) => t.Name).sort()).toEqual(LANDED_TABLE_DATASETS.flatMap((d) => [`landed_${d}`, `quarantine_${d}`]).sort());
    for (const d of LANDED_TABLE_DATASETS) {
      const t = tables.find((x) => x.Name === `landed_${d}`)!;
      const spec = DATASET_SPECS[d];
      expect(t.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(Object.keys(spec.columns).filter((c) => !(spec.partitions as readonly string[]).includes(c)));
      expect(t.Parameters['projection.source.values']).toBe(sourcesOf(d).join(','));
    }
  });

  test('should enforce the workgroup settings, KMS-encrypted results and the bytes-scanned cutoff', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'cchc-pipeline',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10737418240,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageAthenaResults') }, '/results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageDataKey'), 'Arn'] } },
        },
      },
    });
  });
});
