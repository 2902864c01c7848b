import { Duration, IgnoreMode, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../ingestion/pipeline-functions.js';
import type { SiteHostingProps } from './site-hosting-props.js';
import { SiteSignIn } from './site-sign-in.js';
import { URL_REWRITE_SOURCE } from './url-rewrite.js';

export const SITE_HOSTING_DEFAULTS = {
  // Git-style patterns, anchored at the repository root: what the build does not need.
  sourceExcludes: [
    '/.git', // a directory, or a file in a git worktree
    '/node_modules/',
    '/cdk.out/',
    '/data/',
    '/lake/',
    '/test/',
    '/test-output/',
    '/bench/',
    '/.tmp/',
    '/.lake/',
    '/site/',
    '/dashboards/node_modules/',
    '/dashboards/build/',
    '/dashboards/.evidence/',
    '/dashboards/.lake/',
    '/dashboards/locks/', // a local build's lock (functions/dashboards/build.ts) would hold up the CodeBuild one
    '*.log',
  ],
  logRetention: logs.RetentionDays.ONE_YEAR,
} as const;

/**
 * The publish build: the lake's marts (Athena runs behind views) and snapshots exported as a local
 * lake by `cli export-marts`, then the Evidence site built from it (functions/dashboards/build.ts)
 * and synced to the site bucket. A failing phase aborts the build, so a broken build never
 * replaces the published site.
 */
export function publishBuildSpec(): Record<string, unknown> {
  return {
    version: '0.2',
    env: { variables: { PIPELINE_WORK_DIR: '/tmp/work' } },
    phases: {
      install: {
        'runtime-versions': { nodejs: 22 },
        'on-failure': 'ABORT',
        commands: ['npm ci --no-audit --no-fund', 'npm ci --prefix dashboards --no-audit --no-fund'],
      },
      pre_build: {
        'on-failure': 'ABORT',
        commands: [
          'npx tsx functions/cli/main.ts export-marts --lake "s3://$LAKE_BUCKET" --out "$CODEBUILD_SRC_DIR/.lake"',
          // The report packs: listed on the "Báo cáo" page and served from the site (behind its sign-in).
          'aws s3 sync "s3://$LAKE_BUCKET/reports/" "$CODEBUILD_SRC_DIR/.lake/reports/" --only-show-errors',
        ],
      },
      build: {
        'on-failure': 'ABORT',
        commands: [
          // The same command `npm start` builds the dashboards with (functions/cli/build-dashboards.ts).
          'npx tsx functions/cli/main.ts build-dashboards --lake "$CODEBUILD_SRC_DIR/.lake" --out site',
        ],
      },
      post_build: {
        commands: [
          'aws s3 sync site/ "s3://$SITE_BUCKET/" --delete --only-show-errors',
          'aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION_ID" --paths "/*"',
        ],
      },
    },
  };
}

/**
 * The dashboards: a CodeBuild project that builds the Evidence site from the lake's marts and
 * snapshots and syncs it to the site bucket, served by CloudFront through origin access control
 * with a directory → index.html rewrite.
 */
export class SiteHosting extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly buildProject: codebuild.Project;
  readonly urlRewrite: cloudfront.Function;
  /** The sign-in in front of the site (undefined: the site is open). */
  readonly signIn?: SiteSignIn;

  constructor(scope: Construct, id: string, props: SiteHostingProps) {
    super(scope, id);
    const p = { ...SITE_HOSTING_DEFAULTS, ...props };

    this.urlRewrite = new cloudfront.Function(this, 'UrlRewrite', {
      comment: 'Directory URLs to index.html (Evidence pages)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(URL_REWRITE_SOURCE),
    });

    if (p.signIn) this.signIn = new SiteSignIn(this, 'SignIn', p.signIn);

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
        // One viewer-request handler per behaviour: with sign-in, the edge check also rewrites URLs.
        ...(this.signIn
          ? { edgeLambdas: this.signIn.edgeLambdas() }
          : { functionAssociations: [{ function: this.urlRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] }),
      },
      ...(p.webAclArn ? { webAclId: p.webAclArn } : {}),
      errorResponses: [{ httpStatus: 404, responsePagePath: '/404.html', responseHttpStatus: 404, ttl: Duration.minutes(5) }],
    });

    this.signIn?.bind(this.distribution);

    // The repository (core + sql/ for export-marts, dashboards/ with its own lockfile), without data and builds.
    const source = new s3assets.Asset(this, 'Source', { path: REPO_ROOT, exclude: [...p.sourceExcludes], ignoreMode: IgnoreMode.GIT });
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
      buildSpec: codebuild.BuildSpec.fromObject(publishBuildSpec()),
    });
    source.grantRead(this.buildProject);
    // Mart run pointers (models/marts/<mart>/current.json) and run prefixes.
    p.lake.grantRead(this.buildProject, 'models/marts/*');
    p.lake.grantRead(this.buildProject, 'meta.json');
    p.lake.grantRead(this.buildProject, 'snapshots/*');
    p.lake.grantRead(this.buildProject, 'reports/*');
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
