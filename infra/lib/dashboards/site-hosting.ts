import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../ingestion/pipeline-functions.js';
import type { SiteHostingProps } from './site-hosting-props.js';
import { URL_REWRITE_SOURCE } from './url-rewrite.js';

export const SITE_HOSTING_DEFAULTS = {
  sourceExcludes: ['node_modules', 'build', '.evidence', '.lake'],
  logRetention: logs.RetentionDays.ONE_YEAR,
} as const;

/**
 * The dashboards: a CodeBuild project that builds the Evidence site from the lake's marts and
 * snapshots and syncs it to the site bucket, served by CloudFront through origin access control
 * with a directory → index.html rewrite.
 */
export class SiteHosting extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly buildProject: codebuild.Project;
  readonly urlRewrite: cloudfront.Function;

  constructor(scope: Construct, id: string, props: SiteHostingProps) {
    super(scope, id);
    const p = { ...SITE_HOSTING_DEFAULTS, ...props };

    this.urlRewrite = new cloudfront.Function(this, 'UrlRewrite', {
      comment: 'Directory URLs to index.html (Evidence pages)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(URL_REWRITE_SOURCE),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'cchc dashboards',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: p.accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(p.site),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: this.urlRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      errorResponses: [{ httpStatus: 404, responsePagePath: '/404.html', responseHttpStatus: 404, ttl: Duration.minutes(5) }],
    });

    // The Evidence project only (its own package.json and lockfile).
    const source = new s3assets.Asset(this, 'Source', { path: path.join(REPO_ROOT, 'dashboards'), exclude: [...p.sourceExcludes] });
    const logGroup = new logs.LogGroup(this, 'BuildLogs', { retention: p.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.buildProject = new codebuild.Project(this, 'Build', {
      description: 'Builds the Evidence site from the lake and publishes it to the site bucket',
      source: codebuild.Source.s3({ bucket: source.bucket, path: source.s3ObjectKey }),
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.MEDIUM },
      encryptionKey: p.dataKey,
      timeout: Duration.minutes(30),
      logging: { cloudWatch: { logGroup } },
      environmentVariables: {
        LAKE_BUCKET: { value: p.lake.bucketName },
        SITE_BUCKET: { value: p.site.bucketName },
        DISTRIBUTION_ID: { value: this.distribution.distributionId },
      },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: {
            'runtime-versions': { nodejs: 22 },
            commands: ['npm ci'],
          },
          pre_build: {
            commands: [
              // The marts and the monthly snapshots, laid out as on local disk (docs/architecture.md).
              'aws s3 sync "s3://$LAKE_BUCKET/models/marts/" .lake/models/marts/ --only-show-errors',
              'aws s3 sync "s3://$LAKE_BUCKET/snapshots/" .lake/snapshots/ --only-show-errors',
            ],
          },
          build: {
            commands: ['LAKE_DIR="$CODEBUILD_SRC_DIR/.lake" npm run prepare-lake', 'npm run sources', 'npm run build:strict'],
          },
          post_build: {
            commands: [
              'aws s3 sync build/ "s3://$SITE_BUCKET/" --delete --only-show-errors',
              'aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION_ID" --paths "/*"',
            ],
          },
        },
      }),
    });
    source.grantRead(this.buildProject);
    p.lake.grantRead(this.buildProject, 'models/marts/*');
    p.lake.grantRead(this.buildProject, 'snapshots/*');
    p.site.grantReadWrite(this.buildProject);
    p.site.grantDelete(this.buildProject);
    p.dataKey.grantDecrypt(this.buildProject);
    this.buildProject.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:CreateInvalidation'],
        resources: [`arn:aws:cloudfront::${this.distribution.stack.account}:distribution/${this.distribution.distributionId}`],
      }),
    );
  }
}
