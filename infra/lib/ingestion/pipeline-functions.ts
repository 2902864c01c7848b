import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { snapshotDatabaseName } from '../../../functions/core/engine/catalog.js';
import type { PipelineFunctionsProps } from './pipeline-functions-props.js';

export const PIPELINE_FUNCTIONS_DEFAULTS = {
  nswDropPrefix: 'drop/nsw',
  landMemoryMiB: 3008,
  athenaModelConcurrency: 4,
  timeout: Duration.minutes(15),
  logRetention: logs.RetentionDays.ONE_YEAR,
  stubBundling: false,
} as const;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Packages copied beside every bundle: @duckdb/node-api loads a native addon esbuild cannot bundle. */
const NATIVE_PACKAGES = ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64', 'detect-libc'];

export type PipelineStep = 'pullPortal' | 'pullNsw' | 'land' | 'transform' | 'snapshot' | 'report';

/**
 * The six pipeline Lambda functions (thin handlers over functions/core), the portal token secret,
 * and least-privilege permissions: each function reaches only the prefixes and actions its step uses.
 */
export class PipelineFunctions extends Construct {
  readonly portalToken: secretsmanager.Secret;
  readonly functions: Record<PipelineStep, lambda.Function>;
  readonly logGroups: Record<PipelineStep, logs.LogGroup>;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const p = { ...PIPELINE_FUNCTIONS_DEFAULTS, ...props };
    if (!Number.isInteger(p.athenaModelConcurrency) || p.athenaModelConcurrency < 1 || p.athenaModelConcurrency > 16) {
      throw new Error(`[infra] Failed to configure the Athena steps: athenaModelConcurrency must be an integer 1–16, got ${p.athenaModelConcurrency}`);
    }
    const nswDropPrefix = p.nswDropPrefix.replace(/^\/+|\/+$/g, '');
    const snapshotDb = p.snapshotDatabaseName ?? snapshotDatabaseName(p.databaseName);

    this.portalToken = new secretsmanager.Secret(this, 'PortalToken', {
      description: 'Bearer token of the provincial dossier portal API (set by the operator; read at run time)',
      encryptionKey: p.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const common: Record<string, string> = {
      PIPELINE_LAKE_ROOT: `s3://${p.lake.bucketName}`,
      PIPELINE_RAW_ROOT: `s3://${p.raw.bucketName}`,
      PIPELINE_QUARANTINE_ROOT: `s3://${p.quarantine.bucketName}`,
      PIPELINE_WORK_DIR: '/tmp/work',
      // sql/ is copied beside the bundle (afterBundling); a path relative to the bundled module would be wrong.
      PIPELINE_SQL_DIR: '/var/task/sql',
      // The vendor mapping profiles (profiles/*.json), copied beside the bundle like sql/.
      PIPELINE_PROFILES_DIR: '/var/task/profiles',
      PIPELINE_ENGINE: 'athena',
      ATHENA_WORKGROUP: p.workGroupName,
      ATHENA_DATABASE: p.databaseName,
      POWERTOOLS_SERVICE_NAME: 'cchc-pipeline',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };

    const make = (step: PipelineStep, file: string, extra: { memoryMiB: number; env?: Record<string, string>; ephemeralMiB?: number; fonts?: boolean }) => {
      const logGroup = new logs.LogGroup(this, `${pascal(step)}Logs`, { retention: p.logRetention, removalPolicy: RemovalPolicy.RETAIN });
      const fnProps = {
        description: `cchc pipeline: ${file}`,
        runtime: lambda.Runtime.NODEJS_22_X,
        // The copied DuckDB binding is linux-x64: the architecture must match it.
        architecture: lambda.Architecture.X86_64,
        memorySize: extra.memoryMiB,
        ephemeralStorageSize: Size.mebibytes(extra.ephemeralMiB ?? 512),
        timeout: p.timeout,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environment: { ...common, ...(extra.env ?? {}) },
      } satisfies Partial<lambda.FunctionProps>;
      const fn = p.stubBundling
        ? new lambda.Function(this, pascal(step), {
            ...fnProps,
            handler: 'index.handler',
            code: lambda.Code.fromInline('exports.handler = async () => { throw new Error("stub bundle: synthesised with cchc:stubBundling"); };'),
          })
        : new nodejs.NodejsFunction(this, pascal(step), {
            ...fnProps,
            entry: path.join(REPO_ROOT, 'functions/handlers', file),
            handler: 'handler',
            projectRoot: REPO_ROOT,
            depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
            bundling: pipelineBundling({ fonts: extra.fonts ?? false }),
          });
      return { fn, logGroup };
    };

    const built = {
      pullPortal: make('pullPortal', 'pull-portal.ts', {
        memoryMiB: 1024,
        env: { PORTAL_BASE_URL: p.portalBaseUrl, PORTAL_TOKEN_SECRET_ARN: this.portalToken.secretArn },
      }),
      pullNsw: make('pullNsw', 'pull-nsw.ts', { memoryMiB: 1024, env: { NSW_DROP_PREFIX: `s3://${p.raw.bucketName}/${nswDropPrefix}` } }),
      land: make('land', 'land.ts', { memoryMiB: p.landMemoryMiB, ephemeralMiB: 4096 }),
      transform: make('transform', 'transform.ts', { memoryMiB: 512, env: { ATHENA_MODEL_CONCURRENCY: String(p.athenaModelConcurrency) } }),
      // The snapshot runs on Athena (as-of views, scratch models, one CTAS per mart); only the marts'
      // snapshot files pass through the function, in memory, on their way to snapshots/.
      snapshot: make('snapshot', 'snapshot.ts', { memoryMiB: 1024, env: { ATHENA_SNAPSHOT_DATABASE: snapshotDb, ATHENA_MODEL_CONCURRENCY: String(p.athenaModelConcurrency) } }),
      // The report pack: DuckDB over the month's snapshot, docx/pdfkit/exceljs, the TTF fonts in fonts/.
      report: make('report', 'report.ts', { memoryMiB: 1024, env: { REPORT_FONTS_DIR: '/var/task/fonts' }, fonts: true }),
    };
    this.functions = mapValues(built, (b) => b.fn);
    this.logGroups = mapValues(built, (b) => b.logGroup);
    const f = this.functions;

    // ---- permissions, step by step ------------------------------------------------------------
    const rw = ['s3:GetObject', 's3:PutObject'];
    this.portalToken.grantRead(f.pullPortal);
    objects(f.pullPortal, p.raw, ['raw/*', 'manifest/*'], rw);
    objects(f.pullPortal, p.lake, ['state/*'], rw);

    objects(f.pullNsw, p.raw, [`${nswDropPrefix}/*`], ['s3:GetObject']);
    objects(f.pullNsw, p.raw, ['raw/*', 'manifest/*'], rw);

    objects(f.land, p.raw, ['raw/*'], ['s3:GetObject']);
    objects(f.land, p.raw, ['manifest/*'], rw);
    objects(f.land, p.lake, ['landed/*'], rw);
    // Delete: an upgrade moves an older lake's quarantine files to their new partitions (lake/upgrade.ts).
    objects(f.land, p.quarantine, ['quarantine/*'], [...rw, 's3:DeleteObject']);

    objects(f.transform, p.lake, ['landed/*'], ['s3:GetObject']);
    objects(f.transform, p.quarantine, ['quarantine/*'], ['s3:GetObject']);
    objects(f.transform, p.lake, ['models/*'], [...rw, 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']);
    athenaAccess(f.transform, p, 'readWrite');

    // Athena reads landed/ and quarantine/ with the function's credentials; the function itself reads
    // only the raw manifest (the lake's fingerprint), its scratch prefix and snapshots/.
    objects(f.snapshot, p.raw, ['manifest/*'], ['s3:GetObject']);
    objects(f.snapshot, p.lake, ['landed/*'], ['s3:GetObject']);
    objects(f.snapshot, p.quarantine, ['quarantine/*'], ['s3:GetObject']);
    objects(f.snapshot, p.lake, ['work/snapshot/*'], [...rw, 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']);
    objects(f.snapshot, p.lake, ['snapshots/*'], rw);
    athenaAccess(f.snapshot, p, 'read');
    athenaAccess(f.snapshot, { ...p, databaseName: snapshotDb }, 'readWrite');

    // The report reads the published snapshot (and the lake's meta.json) and writes only reports/.
    objects(f.report, p.lake, ['snapshots/*', 'meta.json'], ['s3:GetObject']);
    objects(f.report, p.lake, ['reports/*'], rw);

    // The lake lock (functions/core/lake/lock.ts): one writer at a time across land, transform and snapshot.
    for (const fn of [f.land, f.transform, f.snapshot]) objects(fn, p.lake, ['locks/*'], [...rw, 's3:DeleteObject']);

    // Exact KMS actions (grantEncryptDecrypt would add kms:ReEncrypt* and kms:GenerateDataKey*).
    for (const fn of Object.values(f)) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [p.dataKey.keyArn] }));
    }
  }
}

/** The TTF fonts the report PDF embeds (functions/core/report/fonts.ts), copied to fonts/ beside the report bundle. */
export const REPORT_FONT_FILES = ['DejaVuSerif.ttf', 'DejaVuSerif-Bold.ttf', 'DejaVuSerif-Italic.ttf', 'DejaVuSerif-BoldItalic.ttf'];

/**
 * Local esbuild bundling (no Docker), ESM for Node 22, with the DuckDB native packages and sql/
 * copied beside the bundle; with `fonts`, the report's TTF fonts and their licence in fonts/.
 */
export function pipelineBundling(opts: { fonts?: boolean } = {}): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // Bundled CommonJS dependencies call require(): give the ESM bundle one.
    banner: "import { createRequire as __cchcCreateRequire } from 'node:module'; const require = __cchcCreateRequire(import.meta.url);",
    externalModules: ['@duckdb/node-api'],
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        `mkdir -p "${outputDir}/node_modules/@duckdb"`,
        ...NATIVE_PACKAGES.map((pkg) => `cp -R "${inputDir}/node_modules/${pkg}" "${outputDir}/node_modules/${pkg}"`),
        `cp -R "${inputDir}/sql" "${outputDir}/sql"`,
        `cp -R "${inputDir}/profiles" "${outputDir}/profiles"`,
        ...(opts.fonts
          ? [
              `mkdir -p "${outputDir}/fonts"`,
              ...[...REPORT_FONT_FILES.map((f) => `ttf/${f}`), 'LICENSE'].map((f) => `cp "${inputDir}/node_modules/dejavu-fonts-ttf/${f}" "${outputDir}/fonts/"`),
            ]
          : []),
      ],
    },
  };
}

function objects(fn: lambda.Function, bucket: s3.IBucket, prefixes: string[], actions: string[]): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: prefixes.map((pre) => bucket.arnForObjects(pre)) }));
  // Listing key names of the bucket: without it S3 answers 403 instead of 404 for a missing key.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
}

function athenaAccess(fn: lambda.Function, p: PipelineFunctionsProps, mode: 'read' | 'readWrite'): void {
  const stack = Stack.of(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
      resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: p.workGroupName })],
    }),
  );
  const read = ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'];
  const write = ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable', 'glue:BatchCreatePartition', 'glue:CreatePartition', 'glue:BatchDeletePartition', 'glue:DeletePartition'];
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: mode === 'read' ? read : [...read, ...write],
      resources: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: p.databaseName }),
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${p.databaseName}/*` }),
      ],
    }),
  );
  // Athena asks for the catalog's `default` database in each Region whatever the query names (Athena user
  // guide, "Configure AWS Glue access to the catalog and database per Region": mandatory).
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:CreateDatabase'],
      resources: [stack.formatArn({ service: 'glue', resource: 'catalog' }), stack.formatArn({ service: 'glue', resource: 'database', resourceName: 'default' })],
    }),
  );
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [p.athenaResults.arnForObjects('results/*')] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [p.athenaResults.bucketArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [p.lake.bucketArn] }));
}

function mapValues<K extends string, A, B>(o: Record<K, A>, f: (a: A) => B): Record<K, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as A)])) as Record<K, B>;
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
