import { Validations, type CfnResource, type Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { PipelineStack } from './pipeline-stack.js';

export interface NagAcknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgement made for a stack (test/unit/infra/nag-*.test.ts checks each has a reason). */
export const NAG_ACKNOWLEDGEMENTS = new WeakMap<Stack, NagAcknowledgement[]>();

/** A CloudFormation value as cdk-nag prints it: <Logical.Arn>, <AWS::Partition>, joins concatenated. */
export function renderForNag(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(renderForNag).join(',');
  const o = value as Record<string, unknown>;
  if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Ref' in o) return `<${String(o.Ref)}>`;
  if ('Fn::Sub' in o && typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '<$1>');
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(renderForNag).join(sep);
  }
  return JSON.stringify(o);
}

/**
 * Every cdk-nag (AwsSolutions) finding this stack accepts, acknowledged one by one with the reason
 * (cdk-nag 3: `Validations.of(construct).acknowledge`, one entry per finding). Wildcard resources
 * are acknowledged only where a rule below explains them; any new wildcard fails the nag test.
 */
export function applyNagSuppressions(stack: PipelineStack): void {
  const list: NagAcknowledgement[] = [];
  NAG_ACKNOWLEDGEMENTS.set(stack, list);
  const ack = (construct: IConstruct, id: string, reason: string): void => {
    if (list.some((a) => a.path === construct.node.path && a.id === id)) return;
    Validations.of(construct).acknowledge({ id, reason });
    list.push({ path: construct.node.path, id, reason });
  };
  const logicalId = (c: IConstruct): string => stack.resolve(stack.getLogicalId(c.node.defaultChild as CfnResource)) as string;
  /** Acknowledge the wildcard resources of a role's default policy that one of the rules explains. */
  const wildcards = (role: iam.IRole | undefined, rules: [RegExp, string][]): void => {
    const policy = role?.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    if (!policy) throw new Error(`[infra] Failed to find the default policy of ${role?.node.path ?? '(no role)'}`);
    const doc = stack.resolve(policy.document.toJSON()) as { Statement: { Resource: unknown }[] };
    for (const st of doc.Statement) {
      for (const r of [st.Resource].flat()) {
        const text = renderForNag(r);
        const rule = text.includes('*') ? rules.find(([re]) => re.test(text)) : undefined;
        if (rule) ack(policy, `AwsSolutions-IAM5[Resource::${text}]`, rule[1]);
      }
    }
  };
  const prefix = (c: IConstruct, key: string) => new RegExp(`^<${logicalId(c)}\\.Arn>/${key.replace(/[*/]/g, '\\$&')}$`);

  const b = stack.buckets;
  const fns = stack.functions.functions;
  const xray: [RegExp, string] = [/^\*$/, 'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions.'];
  const results: [RegExp, string] = [prefix(b.athenaResults, 'results/*'), 'Athena query results of the pipeline workgroup only.'];
  const glue: [RegExp, string] = [new RegExp(`:table/${stack.query.databaseName}/\\*$`), 'Tables of the pipeline Glue database only (run tables are created and dropped per model).'];
  const keyed = 'Objects under one prefix of one bucket; keys are content hashes written create-once by this step.';
  const lock: [RegExp, string] = [prefix(b.lake, 'locks/*'), 'The lake lock object (locks/lake.json): one writer at a time across land, transform and snapshot.'];

  for (const [step, fn] of Object.entries(fns)) {
    ack(
      fn.role!,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "The AWS managed basic execution policy only allows writing the function's own CloudWatch logs.",
    );
    ack(fn, 'AwsSolutions-L1', `nodejs22.x is the runtime the ${step} handler is built and tested for (docs/deploy.md); it moves to nodejs24.x with the rest of the project.`);
  }
  wildcards(fns.pullPortal.role, [xray, [prefix(b.raw, 'raw/*'), keyed], [prefix(b.raw, 'manifest/*'), keyed], [prefix(b.lake, 'state/*'), 'The resumable pull state (ETags per month) only.']]);
  wildcards(fns.pullNsw.role, [xray, [prefix(b.raw, 'raw/*'), keyed], [prefix(b.raw, 'manifest/*'), keyed], [prefix(b.raw, 'drop/nsw/*'), 'Read-only: the NSW exports agencies drop.']]);
  wildcards(fns.land.role, [
    xray,
    lock,
    [prefix(b.raw, 'raw/*'), 'Read-only: the raw files to land.'],
    [prefix(b.raw, 'manifest/*'), 'The landing manifest of raw files.'],
    [prefix(b.lake, 'landed/*'), 'Partitions are rebuilt from every raw file that feeds them.'],
    [prefix(b.quarantine, 'quarantine/*'), 'Rejected rows with their reasons.'],
  ]);
  wildcards(fns.transform.role, [
    xray,
    lock,
    results,
    glue,
    [prefix(b.lake, 'landed/*'), 'Read-only: the landed datasets the models read.'],
    [prefix(b.lake, 'models/*'), 'Model runs are written to a fresh prefix per run and old runs deleted.'],
    [prefix(b.quarantine, 'quarantine/*'), 'Read-only: quarantine counts in the model tests.'],
  ]);
  wildcards(fns.snapshot.role, [
    xray,
    lock,
    results,
    glue,
    [new RegExp(`:table/${stack.query.snapshotDatabaseName}/\\*$`), "Tables of the snapshot's own Glue database only (as-of views and scratch models, replaced each run)."],
    [prefix(b.raw, 'manifest/*'), 'Read-only: the landing manifest (the snapshot fingerprints the raw files landed).'],
    [prefix(b.lake, 'landed/*'), 'Read-only: the landed datasets Athena reads, as of the month end, for the snapshot.'],
    [prefix(b.quarantine, 'quarantine/*'), 'Read-only: quarantined rows Athena reads for the data-quality mart.'],
    [prefix(b.lake, 'work/snapshot/*'), 'The snapshot scratch models and exports: a fresh prefix per run, older runs deleted.'],
    [prefix(b.lake, 'snapshots/*'), 'The monthly snapshots (create-once, verified after).'],
  ]);
  wildcards(fns.report.role, [
    xray,
    [prefix(b.lake, 'snapshots/*'), 'Read-only: the published snapshot of the month the report is built from.'],
    [prefix(b.lake, 'reports/*'), 'The report packs (files, then a create-once manifest; a published pack is only read back).'],
  ]);

  ack(stack.functions.portalToken, 'AwsSolutions-SMG4', 'The portal token is issued by the portal operator and replaced by hand (docs/deploy.md); no rotation Lambda can obtain one.');

  const run = stack.orchestration.stateMachine;
  wildcards(run.role, [
    [/^\*$/, 'X-Ray tracing and log delivery of the state machine support no resource-level permissions.'],
    [/^<Ingestion[A-Za-z]+[0-9A-F]{8}\.Arn>:\*$/, 'Invoking versions/aliases of the pipeline functions (added by LambdaInvoke).'],
  ]);
  const runPolicy = run.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild as CfnResource;
  ack(runPolicy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Publishing to the KMS-encrypted failure topic: SNS asks for kms:GenerateDataKey* and kms:Decrypt on the topic key (this key only) for the publisher.');
  ack(stack.orchestration.scheduleDlq, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the schedules.');

  const dist = stack.site.distribution;
  ack(dist, 'AwsSolutions-CFR1', 'Access is decided by the sign-in at the edge (and the optional network allow-list), not by country.');
  ack(dist, 'AwsSolutions-CFR2', 'A static site behind sign-in; the WAF IP allow-list is attached when cchc:allowedCidrs is set (docs/deploy.md).');
  ack(dist, 'AwsSolutions-CFR4', 'The default *.cloudfront.net certificate fixes the TLS policy; a custom domain with TLSv1.2_2021 is a deploy-time option.');

  const signIn = stack.site.signIn;
  if (signIn) {
    const edge = signIn.edgeFunction.lambda;
    ack(
      edge.role!,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The AWS managed basic execution policy only lets the edge check write its own CloudWatch logs (in each edge region).',
    );
    ack(edge, 'AwsSolutions-L1', 'nodejs22.x is the runtime the sign-in check is written and tested for, as every function of the project; it moves to nodejs24.x with them.');
  }

  const project = stack.site.buildProject;
  const buildPolicy = project.role!.node.tryFindChild('DefaultPolicy')!;
  const grantReason = 'Action group generated by the bucket grants the build uses (read the lake, replace the site).';
  for (const a of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) ack(buildPolicy, `AwsSolutions-IAM5[Action::${a}]`, grantReason);
  ack(buildPolicy, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'Generated by CodeBuild for its artifact encryption key (the data key).');
  ack(buildPolicy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Generated by CodeBuild for its artifact encryption key (the data key).');
  const projectId = logicalId(project);
  wildcards(project.role, [
    [prefix(b.lake, 'models/marts/*'), 'Read-only: the marts the site is built from (run pointers and run prefixes).'],
    [prefix(b.lake, 'snapshots/*'), 'Read-only: the monthly snapshots the site shows.'],
    [prefix(b.lake, 'reports/*'), 'Read-only: the report packs the "Báo cáo" page lists and the site serves behind its sign-in.'],
    [prefix(b.site, '*'), 'The build replaces the whole static site.'],
    [/cdk-[a-z0-9]+-assets-.*\/\*$/, 'Read the source asset uploaded by cdk deploy.'],
    [new RegExp(`:report-group/<${projectId}>-\\*$`), 'CodeBuild report groups of this project only (generated).'],
    [new RegExp(`:log-group:/aws/codebuild/<${projectId}>:\\*$`), "CodeBuild's default log group of this project only (generated)."],
  ]);
}
