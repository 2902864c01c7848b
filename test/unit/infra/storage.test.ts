import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { LAKE_BUCKETS_DEFAULTS, LakeBuckets } from '../../../infra/lib/storage/index.js';
import { synthStack, testApp } from './helpers.js';

function bucketsTemplate(props: ConstructorParameters<typeof LakeBuckets>[2] = {}): Template {
  const stack = new Stack(testApp());
  new LakeBuckets(stack, 'Storage', props);
  return Template.fromStack(stack);
}

describe('LakeBuckets given no props', () => {
  const template = bucketsTemplate();

  test('should default to retaining data, yearly key rotation and the documented lifecycles', () => {
    expect(LAKE_BUCKETS_DEFAULTS).toEqual({
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
      rawInfrequentAccessAfter: Duration.days(90),
      rawNoncurrentVersionExpiration: Duration.days(365),
      athenaResultsExpiration: Duration.days(7),
      accessLogsExpiration: Duration.days(365),
    });
    template.resourceCountIs('AWS::S3::Bucket', 6);
    for (const b of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.UpdateReplacePolicy).toBe('Retain');
    }
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test('should block public access on every bucket and refuse plain HTTP', () => {
    for (const b of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    }
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(6);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  test('should encrypt the four data buckets with the rotating KMS key and version only raw', () => {
    const kmsBuckets = template.findResources('AWS::S3::Bucket', {
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true }] } },
    });
    expect(Object.keys(kmsBuckets).map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['StorageAthenaResults', 'StorageLake', 'StorageQuarantine', 'StorageRaw']);
    const versioned = template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } });
    expect(Object.keys(versioned).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['StorageRaw']);
  });

  test('should move raw to Standard-IA after 90 days and expire results after 7 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'RawToInfrequentAccess', Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }], NoncurrentVersionExpiration: { NoncurrentDays: 365 } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireResults', ExpirationInDays: 7 })]) } });
  });

  test('should never expire what the lake accounts for: the lake and quarantine buckets keep every object', () => {
    // rows read = landed + quarantined, per raw file: an expired quarantine object takes its rows and reasons out of it.
    const buckets = template.findResources('AWS::S3::Bucket');
    for (const name of ['StorageLake', 'StorageQuarantine', 'StorageRaw']) {
      const [id] = Object.keys(buckets).filter((k) => k.replace(/[0-9A-F]{8}$/, '') === name);
      expect(id, name).toBeDefined();
      const rules = (buckets[id!]!.Properties.LifecycleConfiguration?.Rules ?? []) as Record<string, unknown>[];
      expect(rules.filter((r) => r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined), name).toEqual([]);
    }
  });
});

describe('LakeBuckets given the destroy context flag', () => {
  test('should delete buckets and empty them with the stack (dev only)', () => {
    const { template } = synthStack({ 'cchc:destroyOnRemoval': true });
    for (const b of Object.values(template.findResources('AWS::S3::Bucket'))) expect(b.DeletionPolicy).toBe('Delete');
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects')).length).toBe(6);
  });
});
