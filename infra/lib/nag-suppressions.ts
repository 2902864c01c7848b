import { Validations, type CfnResource, type Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { PipelineStack } from './pipeline-stack.js';

export interface NagAcknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgement made for a stack (test/unit/infra/nag-*.test.ts checks each has a reason). */
export const NAG_ACKNOWLEDGEMENTS = new WeakMap<Stack, NagAcknowledgement[]>();

/**
 * Every cdk-nag (AwsSolutions) finding this stack accepts, acknowledged one by one with the reason
 * (cdk-nag 3: `Validations.of(construct).acknowledge`, one entry per finding).
 */
export function applyNagSuppressions(stack: PipelineStack): void {
  const list: NagAcknowledgement[] = [];
  NAG_ACKNOWLEDGEMENTS.set(stack, list);
  const ack = (construct: IConstruct, id: string, reason: string): void => {
    Validations.of(construct).acknowledge({ id, reason });
    list.push({ path: construct.node.path, id, reason });
  };
  // How cdk-nag prints the partition and region: literals when the stack knows them, <AWS::…> otherwise.
  const lit = (value: string): string => {
    const r: unknown = stack.resolve(value);
    return typeof r === 'string' ? r : `<${(r as { Ref: string }).Ref}>`;
  };
  const partition = lit(stack.partition);
  const region = lit(stack.region);
  const logicalId = (bucket: s3.IBucket): string => stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnResource)) as string;
  const prefixes = (construct: IConstruct, bucket: s3.IBucket, keys: string[], why: string): void => {
    for (const key of keys) {
      ack(construct, `AwsSolutions-IAM5[Resource::<${logicalId(bucket)}.Arn>/${key}]`, `Object access limited to the ${key} prefix of one bucket: ${why}`);
    }
  };

  const b = stack.buckets;
  const fns = stack.functions.functions;
  for (const [step, fn] of Object.entries(fns)) {
    const role = fn.role!;
    ack(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The AWS managed basic execution policy only allows writing the function\'s own CloudWatch logs.',
    );
    const policy = role.node.tryFindChild('DefaultPolicy')!;
    ack(policy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions.');
    ack(fn, 'AwsSolutions-L1', `nodejs22.x is the runtime the handlers are built and tested for (docs/deploy.md); ${step} moves to nodejs24.x with the rest of the project.`);
  }
  const keyed = 'content-addressed keys written by this step only';
  prefixes(fns.pullPortal.role!.node.tryFindChild('DefaultPolicy')!, b.raw, ['raw/*', 'manifest/*'], keyed);
  prefixes(fns.pullPortal.role!.node.tryFindChild('DefaultPolicy')!, b.lake, ['state/*'], 'the resumable pull state');
  prefixes(fns.pullNsw.role!.node.tryFindChild('DefaultPolicy')!, b.raw, ['raw/*', 'manifest/*'], keyed);
  prefixes(fns.pullNsw.role!.node.tryFindChild('DefaultPolicy')!, b.raw, ['drop/nsw/*'], 'read-only, the NSW exports agencies drop');
  prefixes(fns.land.role!.node.tryFindChild('DefaultPolicy')!, b.raw, ['raw/*', 'manifest/*'], 'raw read-only, manifest updated at landing');
  prefixes(fns.land.role!.node.tryFindChild('DefaultPolicy')!, b.lake, ['landed/*'], 'partitions are rebuilt from every raw file that feeds them');
  prefixes(fns.land.role!.node.tryFindChild('DefaultPolicy')!, b.quarantine, ['quarantine/*'], 'rejected rows with their reasons');
  prefixes(fns.transform.role!.node.tryFindChild('DefaultPolicy')!, b.lake, ['landed/*', 'models/*'], 'landed read-only; models written to a fresh prefix per run');
  prefixes(fns.transform.role!.node.tryFindChild('DefaultPolicy')!, b.quarantine, ['quarantine/*'], 'read-only, quarantine counts in checks');
  prefixes(fns.transform.role!.node.tryFindChild('DefaultPolicy')!, b.athenaResults, ['results/*'], 'Athena query results of this workgroup');
  prefixes(fns.snapshot.role!.node.tryFindChild('DefaultPolicy')!, b.lake, ['landed/*', 'models/*', 'snapshots/*'], 'models and landed read-only; snapshots written');
  prefixes(fns.snapshot.role!.node.tryFindChild('DefaultPolicy')!, b.athenaResults, ['results/*'], 'Athena query results of this workgroup');
  const glueTables = `AwsSolutions-IAM5[Resource::arn:${partition}:glue:${region}:<AWS::AccountId>:table/${stack.query.databaseName}/*]`;
  ack(fns.transform.role!.node.tryFindChild('DefaultPolicy')!, glueTables, 'The transform creates and drops a run table per model in the pipeline database only.');
  ack(fns.snapshot.role!.node.tryFindChild('DefaultPolicy')!, glueTables, 'Read-only Glue access to the tables of the pipeline database.');

  ack(stack.functions.portalToken, 'AwsSolutions-SMG4', 'The portal token is issued by the portal operator; it is replaced by hand (docs/deploy.md), no rotation Lambda can obtain one.');

  const run = stack.orchestration.stateMachine;
  const runPolicy = run.role.node.tryFindChild('DefaultPolicy')!;
  ack(runPolicy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray tracing of the state machine supports no resource-level permissions.');
  for (const fn of Object.values(fns)) {
    const fnId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnResource)) as string;
    ack(runPolicy, `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`, 'Invoking any version/alias of this one pipeline function (added by LambdaInvoke).');
  }
  ack(stack.orchestration.scheduleDlq, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the schedules.');

  const dist = stack.site.distribution;
  ack(dist, 'AwsSolutions-CFR1', 'Public provincial dashboards: no country restriction is wanted.');
  ack(dist, 'AwsSolutions-CFR2', 'A static site with no forms or APIs behind it; WAF can be attached when a custom domain is added.');
  ack(dist, 'AwsSolutions-CFR4', 'The default *.cloudfront.net certificate fixes the TLS policy; a custom domain with TLSv1.2_2021 is a deploy-time option.');

  const buildPolicy = stack.site.buildProject.role!.node.tryFindChild('DefaultPolicy')!;
  const cb = (id: string, reason: string) => ack(buildPolicy, `AwsSolutions-IAM5[${id}]`, reason);
  const grantReason = 'Action group generated by the bucket grant the build uses (read lake, read/write/delete the site bucket).';
  for (const a of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*']) cb(a, grantReason);
  cb('Action::kms:ReEncrypt*', 'Generated by CodeBuild for its artifact encryption key (the data key).');
  cb('Action::kms:GenerateDataKey*', 'Generated by CodeBuild for its artifact encryption key (the data key).');
  cb(`Resource::<${logicalId(b.lake)}.Arn>/models/marts/*`, 'Read-only: the marts the site is built from.');
  cb(`Resource::<${logicalId(b.lake)}.Arn>/snapshots/*`, 'Read-only: the monthly snapshots the site shows.');
  cb(`Resource::<${logicalId(b.site)}.Arn>/*`, 'The build replaces the whole static site.');
  cb(`Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${region}/*`, 'Read the source asset uploaded by cdk deploy.');
  const projectId = stack.resolve(stack.getLogicalId(stack.site.buildProject.node.defaultChild as CfnResource)) as string;
  cb(`Resource::arn:${partition}:codebuild:${region}:<AWS::AccountId>:report-group/<${projectId}>-*`, 'CodeBuild report groups of this project only (generated).');
  cb(`Resource::arn:${partition}:logs:${region}:<AWS::AccountId>:log-group:/aws/codebuild/<${projectId}>:*`, 'CodeBuild\'s default log group of this project only (generated).');
}
