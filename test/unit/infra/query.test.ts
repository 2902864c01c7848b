import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { DATASET_SPECS, EARLIEST_RECEIPT_YEAR, REJECTED_FILES_COLUMNS } from '../../../functions/core/lake/datasets.js';
import { QUARANTINE_TABLE } from '../../../functions/core/engine/catalog.js';
import { partitionPrefix } from '../../../functions/core/lake/partitions.js';
import { allSources, calendarYearRange, checkYearRange, LAKE_QUERY_DEFAULTS, projectionYearRange, LANDED_TABLE_DATASETS, LANDING_LOG_COLUMNS, QUARANTINE_DATASETS, sourcesOf } from '../../../infra/lib/query/index.js';
import { synthStack } from './helpers.js';

const { template } = synthStack();

describe('LakeQuery given the default props', () => {
  test('should default to database cchc, workgroup cchc-pipeline, a 10 GiB cutoff and years 2000–2036', () => {
    expect(LAKE_QUERY_DEFAULTS).toEqual({ databaseName: 'cchc', workGroupName: 'cchc-pipeline', bytesScannedCutoffPerQuery: 10 * 1024 ** 3, yearRange: [2000, 2036] });
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'cchc' } });
  });

  test("should take the projected years from the calendar seed, so a longer calendar is seen by Athena too", async () => {
    expect(calendarYearRange()).toEqual([2015, 2035]);
    // From the landing's earliest year of receipt (a 2014 dossier counts), to one year past the calendar.
    expect(projectionYearRange()).toEqual([EARLIEST_RECEIPT_YEAR, 2036]);
    // A narrower range given as a prop would leave landed partitions unread: refused at synth.
    expect(() => checkYearRange([2015, 2035])).toThrow(/yearRange 2015–2035 leaves years Athena must read unprojected \(dossiers land in 2000–2036/);
    expect(() => checkYearRange([2000, 2035])).toThrow(/yearRange 2000–2035/);
    expect(() => checkYearRange([1995, 2040])).not.toThrow();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'calendar-'));
    try {
      const file = path.join(dir, 'calendar_months.csv');
      await writeFile(file, 'year,month,quarter,month_start,month_end\n2015,1,1,2015-01-01,2015-01-31\n2050,12,4,2050-12-01,2050-12-31\n');
      expect(calendarYearRange(file)).toEqual([2015, 2050]);
      expect(projectionYearRange(file)).toEqual([2000, 2051]);
      await writeFile(file, 'year,month,quarter,month_start,month_end\n2015,1,1,2015-01-01,2015-01-31\nx,12,4,2050-12-01,2050-12-31\n');
      expect(() => calendarYearRange(file)).toThrow(/calendar_months\.csv: row 3 has no integer year/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
          'projection.year.range': '2000,2036',
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
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

  test('should project months unpadded (month=1), as landing names the partitions', () => {
    const tables = Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);
    for (const t of tables) expect(Object.keys(t.Parameters).filter((k) => k.endsWith('.digits'))).toEqual([]);
    expect(partitionPrefix('landed', 'dossiers', { source: 'portal', year: 2025, month: 3 }, DATASET_SPECS.dossiers)).toBe('landed/dossiers/source=portal/year=2025/month=3');
  });

  test('should define a table per landed dataset and the landing log, columns matching what landing writes', () => {
    const tables = Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);
    expect(tables.map((t) => t.Name).sort()).toEqual([...LANDED_TABLE_DATASETS.map((d) => `landed_${d}`), 'landed_landing_log', 'landed_rejected_files', 'landed_superseded_dossiers', QUARANTINE_TABLE].sort());
    const log = tables.find((x) => x.Name === 'landed_landing_log')!;
    expect(log.PartitionKeys).toEqual([]);
    expect(log.Parameters['projection.enabled']).toBeUndefined();
    expect(log.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(Object.keys(LANDING_LOG_COLUMNS));
    const rejected = tables.find((x) => x.Name === 'landed_rejected_files')!;
    expect(rejected.PartitionKeys).toEqual([]);
    expect(rejected.StorageDescriptor.Columns).toEqual(Object.entries(REJECTED_FILES_COLUMNS).map(([Name, t]) => ({ Name, Type: t === 'TIMESTAMP' ? 'timestamp' : t === 'BIGINT' ? 'bigint' : 'string' })));
    for (const d of LANDED_TABLE_DATASETS) {
      const t = tables.find((x) => x.Name === `landed_${d}`)!;
      const spec = DATASET_SPECS[d];
      expect(t.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(Object.keys(spec.columns).filter((c) => !(spec.partitions as readonly string[]).includes(c)));
      expect(t.Parameters['projection.source.values']).toBe(sourcesOf(d).join(','));
    }
  });

  test('should define one quarantine table over the quarantine bucket, projected by dataset, source, year and month', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Name: QUARANTINE_TABLE,
        PartitionKeys: [{ Name: 'dataset', Type: 'string' }, { Name: 'source', Type: 'string' }, { Name: 'year', Type: 'int' }, { Name: 'month', Type: 'int' }],
        Parameters: Match.objectLike({
          'projection.dataset.type': 'enum',
          'projection.dataset.values': QUARANTINE_DATASETS.join(','),
          'projection.source.type': 'enum',
          'projection.source.values': allSources().join(','),
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageQuarantine') }, '/quarantine/dataset=${dataset}/source=${source}/year=${year}/month=${month}/']],
          },
        }),
        StorageDescriptor: Match.objectLike({
          Columns: Object.keys(DATASET_SPECS.quarantine.columns).map((c) => ({ Name: c, Type: c === 'row_no' ? 'bigint' : 'string' })),
        }),
      },
    });
    expect(partitionPrefix('quarantine', 'dossiers', { source: 'nsw', year: 2024, month: 1 }, DATASET_SPECS.quarantine)).toBe('quarantine/dataset=dossiers/source=nsw/year=2024/month=1');
  });

  test('should leave the workgroup settings unenforced (a CTAS naming its external_location fails in a workgroup that enforces them), with KMS-encrypted results and the bytes-scanned cutoff', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'cchc-pipeline',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: false,
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
