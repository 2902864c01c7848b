import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

export interface LakeQueryProps {
  readonly lake: s3.IBucket;
  readonly quarantine: s3.IBucket;
  readonly athenaResults: s3.IBucket;
  readonly dataKey: kms.IKey;
  /**
   * Glue database name ([a-z_][a-z0-9_]*).
   * @default 'cchc'
   */
  readonly databaseName?: string;
  /**
   * Athena workgroup name.
   * @default 'cchc-pipeline'
   */
  readonly workGroupName?: string;
  /**
   * Queries scanning more than this many bytes are cancelled by Athena.
   * @default 10 GiB
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * First and last year partition projection answers for: a year outside it is never read by Athena, so
   * a range that does not cover the default is refused at synth (checkYearRange).
   * @default from the landing's earliest year of receipt to the calendar seed's last year + 1
   * (sql/seeds/calendar_months.csv: 2000, 2036; projectionYearRange)
   */
  readonly yearRange?: readonly [number, number];
}
