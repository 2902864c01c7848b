import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LakeBucketsProps } from './lake-buckets-props.js';

export const LAKE_BUCKETS_DEFAULTS = {
  removalPolicy: RemovalPolicy.RETAIN,
  autoDeleteObjects: false,
  rawInfrequentAccessAfter: Duration.days(90),
  rawNoncurrentVersionExpiration: Duration.days(365),
  athenaResultsExpiration: Duration.days(7),
  accessLogsExpiration: Duration.days(365),
} as const;

/**
 * The pipeline's buckets: raw (versioned, pulled bytes), lake (landed/, models/, snapshots/),
 * quarantine, Athena results, the static site and the access logs they all write to.
 * Data buckets use one customer-managed KMS key with yearly rotation; every bucket blocks public
 * access and refuses plain HTTP.
 */
export class LakeBuckets extends Construct {
  readonly dataKey: kms.Key;
  readonly accessLogs: s3.Bucket;
  readonly raw: s3.Bucket;
  readonly lake: s3.Bucket;
  readonly quarantine: s3.Bucket;
  readonly athenaResults: s3.Bucket;
  readonly site: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeBucketsProps = {}) {
    super(scope, id);
    const p = { ...LAKE_BUCKETS_DEFAULTS, ...props };
    const removalPolicy = p.removalPolicy;
    const autoDeleteObjects = removalPolicy === RemovalPolicy.DESTROY && p.autoDeleteObjects;
    const abortUploads: s3.LifecycleRule = { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) };

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Encrypts the pipeline data buckets (raw, lake, quarantine, Athena results)',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access logs and CloudFront standard logs cannot be written with SSE-KMS.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard (legacy) logging writes with an ACL.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [abortUploads, { id: 'ExpireLogs', expiration: p.accessLogsExpiration }],
      removalPolicy,
      autoDeleteObjects,
    });

    const dataBucket = (id: string, extra: Partial<s3.BucketProps>): s3.Bucket =>
      new s3.Bucket(this, id, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.dataKey,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `s3/${id.toLowerCase()}/`,
        removalPolicy,
        autoDeleteObjects,
        ...extra,
      });

    this.raw = dataBucket('Raw', {
      versioned: true,
      lifecycleRules: [
        abortUploads,
        {
          id: 'RawToInfrequentAccess',
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: p.rawInfrequentAccessAfter }],
          noncurrentVersionExpiration: p.rawNoncurrentVersionExpiration,
        },
      ],
    });
    // Not versioned: models/ is rewritten to a fresh prefix every run and old runs are deleted.
    this.lake = dataBucket('Lake', { lifecycleRules: [abortUploads] });
    // Never expired: the quarantine is half of the lake's accounting (rows read = landed + quarantined,
    // per raw file), as long-lived as landed/. Quarantined rows that expired (730 days, until 2026-12-06)
    // left the data-quality mart with files whose quarantined rows and reasons were gone, a partition
    // rebuilt by a late bad row held only the new rows, and the lake invariants (`verify`) failed; the raw files
    // holding the same records are kept anyway.
    this.quarantine = dataBucket('Quarantine', { lifecycleRules: [abortUploads] });
    this.athenaResults = dataBucket('AthenaResults', {
      lifecycleRules: [abortUploads, { id: 'ExpireResults', expiration: p.athenaResultsExpiration }],
    });
    this.site = new s3.Bucket(this, 'Site', {
      // SSE-S3: CloudFront with origin access control reads it without a key policy.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 's3/site/',
      lifecycleRules: [abortUploads],
      removalPolicy,
      autoDeleteObjects,
    });
  }
}
