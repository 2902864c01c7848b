import type { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';

export interface PipelineFunctionsProps {
  readonly raw: s3.IBucket;
  readonly lake: s3.IBucket;
  readonly quarantine: s3.IBucket;
  readonly athenaResults: s3.IBucket;
  readonly dataKey: kms.IKey;
  readonly databaseName: string;
  /** The snapshot's own Glue database (as-of views, scratch models). @default `<databaseName>_snapshot` */
  readonly snapshotDatabaseName?: string;
  readonly workGroupName: string;
  /** Base URL of the provincial dossier portal API. */
  readonly portalBaseUrl: string;
  /**
   * Prefix of the raw bucket where agencies drop NSW CSV exports.
   * @default 'drop/nsw'
   */
  readonly nswDropPrefix?: string;
  /**
   * Memory of the landing function (DuckDB runs inside it).
   * @default 3008
   */
  readonly landMemoryMiB?: number;
  /**
   * Models (and their tests) the transform and the snapshot run at once on Athena (`ATHENA_MODEL_CONCURRENCY`,
   * 1–16; default 4): each Athena statement spends seconds queued and planned, and several hundred of them one
   * after the other would not fit the 15-minute Lambda run. Keep it within the account's active DML query quota.
   */
  readonly athenaModelConcurrency?: number;
  /**
   * Timeout of every function.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the functions' log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Replace esbuild bundling by a stub inline handler (template tests only; never deploy this).
   * @default false
   */
  readonly stubBundling?: boolean;
}
