import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { DATASET_SPECS, type DatasetSpec } from '../../../functions/core/lake/datasets.js';
import { RAW_KINDS } from '../../../functions/core/lake/sources.js';
import type { LakeQueryProps } from './lake-query-props.js';

export const LAKE_QUERY_DEFAULTS = {
  databaseName: 'cchc',
  workGroupName: 'cchc-pipeline',
  bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
  yearRange: [2015, 2035] as readonly [number, number],
} as const;

const HIVE_TYPES: Record<string, string> = {
  VARCHAR: 'string',
  INTEGER: 'int',
  BIGINT: 'bigint',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
};

/** The datasets a Glue table is defined for: every landed dataset with a record spec. */
export const LANDED_TABLE_DATASETS = Object.keys(DATASET_SPECS).filter((d) => d !== 'quarantine') as (keyof typeof DATASET_SPECS)[];

/** Sources a dataset's `source=` partition can hold (from the raw kinds that feed it). */
export function sourcesOf(dataset: string): string[] {
  const feeding = (d: string): boolean => d === dataset || (d === 'par' && dataset.startsWith('par_'));
  const set = new Set(Object.values(RAW_KINDS).filter((k) => feeding(k.dataset)).map((k) => k.source as string));
  return [...set].sort();
}

export function hiveType(duckdbType: string, where: string): string {
  const t = HIVE_TYPES[duckdbType];
  if (!t) throw new Error(`[infra] Failed to map the type of ${where}: ${duckdbType} has no Hive type here`);
  return t;
}

/**
 * The query side of the lake: a Glue database, one Parquet table per landed dataset (and one per
 * dataset's quarantine) using partition projection — no crawler, no partition registration — and
 * an Athena workgroup that enforces encrypted results and a bytes-scanned cutoff. Model tables and
 * views are created at run time by the transform (functions/core/engine/athena.ts).
 */
export class LakeQuery extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;
  readonly tables: Record<string, glue.CfnTable> = {};

  constructor(scope: Construct, id: string, props: LakeQueryProps) {
    super(scope, id);
    const p = { ...LAKE_QUERY_DEFAULTS, ...props };
    if (!/^[a-z_][a-z0-9_]*$/.test(p.databaseName)) throw new Error(`[infra] Failed to name the Glue database "${p.databaseName}": expected [a-z_][a-z0-9_]*`);
    this.databaseName = p.databaseName;
    this.workGroupName = p.workGroupName;
    const account = Stack.of(this).account;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: p.databaseName, description: 'Vietnamese administrative-procedure lake: landed datasets and SQL models' },
    });

    for (const dataset of LANDED_TABLE_DATASETS) {
      const spec: DatasetSpec = DATASET_SPECS[dataset];
      this.tables[`landed_${dataset}`] = this.table(`Landed${pascal(dataset)}`, {
        name: `landed_${dataset}`,
        columns: spec.columns,
        location: `s3://${props.lake.bucketName}/landed/${dataset}`,
        template: `s3://${props.lake.bucketName}/landed/${dataset}/source=\${source}`,
        partitions: spec.partitions,
        sources: sourcesOf(dataset),
        yearRange: p.yearRange,
      });
      this.tables[`quarantine_${dataset}`] = this.table(`Quarantine${pascal(dataset)}`, {
        name: `quarantine_${dataset}`,
        columns: DATASET_SPECS.quarantine.columns,
        location: `s3://${props.quarantine.bucketName}/quarantine/dataset=${dataset}`,
        template: `s3://${props.quarantine.bucketName}/quarantine/dataset=${dataset}/source=\${source}`,
        partitions: spec.partitions,
        sources: sourcesOf(dataset),
        yearRange: p.yearRange,
      });
    }

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: p.workGroupName,
      description: 'Pipeline transforms and dashboard builds',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: p.bytesScannedCutoffPerQuery,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.athenaResults.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.dataKey.keyArn },
          expectedBucketOwner: account,
        },
      },
    });
  }

  private table(
    id: string,
    t: { name: string; columns: Readonly<Record<string, string>>; location: string; template: string; partitions: readonly string[]; sources: string[]; yearRange: readonly [number, number] },
  ): glue.CfnTable {
    if (t.sources.length === 0) throw new Error(`[infra] Failed to define table ${t.name}: no raw kind feeds it, so source= has no values`);
    const parameters: Record<string, string> = {
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      'parquet.compression': 'ZSTD',
      'projection.enabled': 'true',
      'projection.source.type': 'enum',
      'projection.source.values': t.sources.join(','),
    };
    let template = t.template;
    for (const col of t.partitions) {
      template += `/${col}=\${${col}}`;
      parameters[`projection.${col}.type`] = 'integer';
      if (col === 'year') parameters['projection.year.range'] = t.yearRange.join(',');
      if (col === 'month') {
        parameters['projection.month.range'] = '1,12';
        parameters['projection.month.digits'] = '2';
      }
    }
    parameters['storage.location.template'] = `${template}/`;
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: t.name,
        tableType: 'EXTERNAL_TABLE',
        parameters,
        partitionKeys: [{ name: 'source', type: 'string' }, ...t.partitions.map((c) => ({ name: c, type: 'int' }))],
        storageDescriptor: {
          location: `${t.location}/`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          // Partition columns live in the path only, never in the file.
          columns: Object.entries(t.columns)
            .filter(([name]) => !t.partitions.includes(name))
            .map(([name, type]) => ({ name, type: hiveType(type, `${t.name}.${name}`) })),
        },
      },
    });
    table.addDependency(this.database);
    return table;
  }
}

function pascal(s: string): string {
  return s.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
