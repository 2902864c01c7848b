import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { landedTableName, QUARANTINE_TABLE, snapshotDatabaseName } from '../../../functions/core/engine/catalog.js';
import { DATASET_SPECS, LANDING_LOG_COLUMNS, REJECTED_FILES_COLUMNS, type DatasetSpec } from '../../../functions/core/lake/datasets.js';
import { RAW_KINDS } from '../../../functions/core/lake/sources.js';
import type { LakeQueryProps } from './lake-query-props.js';

// The calendar's years and the years partition projection answers for live in the core, which checks
// every partition of the lake against them (functions/core/lake/projection.ts; verify's invariant 5).
export { CALENDAR_SEED, calendarYearRange, projectionYearRange } from '../../../functions/core/lake/projection.js';
import { projectionYearRange } from '../../../functions/core/lake/projection.js';

/**
 * A `yearRange` prop that leaves out a year projectionYearRange() covers would leave landed partitions
 * unread by Athena, so figures lower than DuckDB's with no error: refused at synth.
 */
export function checkYearRange(range: readonly [number, number], needed: readonly [number, number] = projectionYearRange()): void {
  if (range[0] > needed[0] || range[1] < needed[1]) {
    throw new Error(
      `[infra] Failed to define the lake tables: yearRange ${range[0]}–${range[1]} leaves years Athena must read unprojected (dossiers land in ${needed[0]}–${needed[1]}: from the earliest year of receipt the landing accepts to the calendar's last year + 1)`,
    );
  }
}

export const LAKE_QUERY_DEFAULTS = {
  databaseName: 'cchc',
  workGroupName: 'cchc-pipeline',
  bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
  yearRange: projectionYearRange(),
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

/**
 * The `dataset=` values quarantine/ holds: what landing rejects rows of (functions/core/lake/land.ts for
 * dossiers, small.ts for the registry, Biểu 06 and its cross-checks, PAR totals). A value missing here
 * hides those rows from Athena; test/unit/handlers/land-snapshot.s3.test.ts checks a real landing
 * against this list.
 */
export const QUARANTINE_DATASETS = ['agencies', 'bieu06', 'bieu06_checks', 'dossiers', 'par_fields', 'par_totals', 'procedures', 'score766', 'score766_metrics'] as const;

// landed/landing_log/data.parquet (one row per landed raw file, rebuilt by every land): its columns live
// beside the landed datasets' specs, as the rejected files' do.
export { LANDING_LOG_COLUMNS } from '../../../functions/core/lake/datasets.js';

/** Every `source=` value any raw kind writes. */
export function allSources(): string[] {
  return [...new Set(Object.values(RAW_KINDS).map((k) => k.source as string))].sort();
}

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
 * The query side of the lake: a Glue database, one Parquet table per landed dataset, the landing log
 * and one table over quarantine/ (all datasets), using partition projection — no crawler, no partition registration — and
 * an Athena workgroup that enforces encrypted results and a bytes-scanned cutoff. Model tables and
 * views are created at run time by the transform (functions/core/engine/athena.ts).
 */
export class LakeQuery extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  /** The snapshot's own database: its as-of views and scratch models (functions/core/transform/asof.ts). */
  readonly snapshotDatabase: glue.CfnDatabase;
  readonly snapshotDatabaseName: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;
  readonly tables: Record<string, glue.CfnTable> = {};

  constructor(scope: Construct, id: string, props: LakeQueryProps) {
    super(scope, id);
    const p = { ...LAKE_QUERY_DEFAULTS, ...props };
    if (!/^[a-z_][a-z0-9_]*$/.test(p.databaseName)) throw new Error(`[infra] Failed to name the Glue database "${p.databaseName}": expected [a-z_][a-z0-9_]*`);
    checkYearRange(p.yearRange);
    this.databaseName = p.databaseName;
    this.workGroupName = p.workGroupName;
    const account = Stack.of(this).account;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: p.databaseName, description: 'Vietnamese administrative-procedure lake: landed datasets and SQL models' },
    });
    this.snapshotDatabaseName = snapshotDatabaseName(p.databaseName);
    this.snapshotDatabase = new glue.CfnDatabase(this, 'SnapshotDatabase', {
      catalogId: account,
      databaseInput: { name: this.snapshotDatabaseName, description: 'Monthly snapshots at work: as-of views over the lake tables and the scratch models they feed' },
    });

    for (const dataset of LANDED_TABLE_DATASETS) {
      const spec: DatasetSpec = DATASET_SPECS[dataset];
      const name = landedTableName(dataset);
      this.tables[name] = this.table(`Landed${pascal(dataset)}`, {
        name,
        columns: spec.columns,
        location: `s3://${props.lake.bucketName}/landed/${dataset}`,
        partitions: [{ name: 'source', values: sourcesOf(dataset) }, ...spec.partitions.map((c) => ({ name: c }))],
        yearRange: p.yearRange,
      });
    }
    // One file each, no partitions: the landing log the data-quality models read, and the files a land
    // rejected whole (waiting for an operator or discarded), which the data-quality page lists (absent
    // while there are none).
    for (const [dataset, columns] of [
      ['landing_log', LANDING_LOG_COLUMNS],
      ['rejected_files', REJECTED_FILES_COLUMNS],
    ] as const) {
      this.tables[landedTableName(dataset)] = this.table(`Landed${pascal(dataset)}`, {
        name: landedTableName(dataset),
        columns,
        location: `s3://${props.lake.bucketName}/landed/${dataset}`,
        partitions: [],
        yearRange: p.yearRange,
      });
    }
    // The versions of dossiers a later file replaced (landed/_superseded/dossiers, same partitions):
    // the transform reads it to find the report years a resubmitted file touches (incremental runs).
    this.tables[landedTableName('superseded_dossiers')] = this.table('LandedSupersededDossiers', {
      name: landedTableName('superseded_dossiers'),
      columns: { ...DATASET_SPECS.dossiers.columns, superseded_by_hash: 'VARCHAR', superseded_by_row: 'BIGINT', superseded_at: 'TIMESTAMP' },
      location: `s3://${props.lake.bucketName}/landed/_superseded/dossiers`,
      partitions: [{ name: 'source', values: sourcesOf('dossiers') }, ...DATASET_SPECS.dossiers.partitions.map((c) => ({ name: c }))],
      yearRange: p.yearRange,
    });
    // Every dataset's rejected rows in one table, as the models read them (src_quarantine).
    this.tables[QUARANTINE_TABLE] = this.table('Quarantine', {
      name: QUARANTINE_TABLE,
      columns: DATASET_SPECS.quarantine.columns,
      location: `s3://${props.quarantine.bucketName}/quarantine`,
      partitions: [
        { name: 'dataset', values: [...QUARANTINE_DATASETS] },
        { name: 'source', values: allSources() },
        ...DATASET_SPECS.quarantine.partitions.map((c) => ({ name: c })),
      ],
      yearRange: p.yearRange,
    });

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: p.workGroupName,
      description: 'Pipeline transforms and dashboard builds',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        // Not enforced: Athena fails every CTAS that names its external_location in a workgroup that enforces
        // its result location (Athena user guide, "Troubleshoot workgroup errors"), and every model, test and
        // snapshot export here is such a CTAS. The pipeline's clients set no result location or encryption of
        // their own, so the settings below are what every query uses.
        enforceWorkGroupConfiguration: false,
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

  /**
   * A Parquet table with partition projection: enum partitions (`values`) are strings, year/month
   * integers written unpadded (`month=1`), as functions/core/lake/partitions.ts names them.
   */
  private table(
    id: string,
    t: { name: string; columns: Readonly<Record<string, string>>; location: string; partitions: readonly { name: string; values?: readonly string[] }[]; yearRange: readonly [number, number] },
  ): glue.CfnTable {
    const parameters: Record<string, string> = { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'ZSTD' };
    if (t.partitions.length > 0) {
      parameters['projection.enabled'] = 'true';
      let template = t.location;
      for (const col of t.partitions) {
        template += `/${col.name}=\${${col.name}}`;
        if (col.values) {
          if (col.values.length === 0) throw new Error(`[infra] Failed to define table ${t.name}: no raw kind feeds it, so ${col.name}= has no values`);
          parameters[`projection.${col.name}.type`] = 'enum';
          parameters[`projection.${col.name}.values`] = col.values.join(',');
        } else if (col.name === 'year') {
          parameters['projection.year.type'] = 'integer';
          parameters['projection.year.range'] = t.yearRange.join(',');
        } else if (col.name === 'month') {
          parameters['projection.month.type'] = 'integer';
          parameters['projection.month.range'] = '1,12';
        } else {
          throw new Error(`[infra] Failed to define table ${t.name}: partition ${col.name} has no projection`);
        }
      }
      parameters['storage.location.template'] = `${template}/`;
    }
    const partitionNames = t.partitions.map((c) => c.name);
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: t.name,
        tableType: 'EXTERNAL_TABLE',
        parameters,
        partitionKeys: t.partitions.map((c) => ({ name: c.name, type: c.values ? 'string' : 'int' })),
        storageDescriptor: {
          location: `${t.location}/`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          // Partition columns live in the path only, never in the file.
          columns: Object.entries(t.columns)
            .filter(([name]) => !partitionNames.includes(name))
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
