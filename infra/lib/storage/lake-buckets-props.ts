import type { Duration, RemovalPolicy } from 'aws-cdk-lib';

export interface LakeBucketsProps {
  /**
   * What happens to the buckets and the key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Empty the buckets on deletion (only honoured with RemovalPolicy.DESTROY; dev stacks).
   * @default false
   */
  readonly autoDeleteObjects?: boolean;
  /**
   * Raw objects move to S3 Standard-IA after this long (they are read again only for rebuilds).
   * @default Duration.days(90)
   */
  readonly rawInfrequentAccessAfter?: Duration;
  /**
   * Old versions of raw objects are kept this long.
   * @default Duration.days(365)
   */
  readonly rawNoncurrentVersionExpiration?: Duration;
  /**
   * Athena query results are kept this long.
   * @default Duration.days(7)
   */
  readonly athenaResultsExpiration?: Duration;
  /**
   * Access logs are kept this long.
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;
}
