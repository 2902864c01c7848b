/**
 * CDK app: `npx cdk synth -q` (offline; local esbuild bundling, no Docker).
 * Context: cchc:region (default ap-southeast-1), cchc:destroyOnRemoval (dev stacks), cchc:stubBundling (tests), cchc:portalBaseUrl, cchc:alarmEmail;
 * the site's sign-in: cchc:signIn (default true; false leaves the site open), cchc:signInDomainPrefix
 * (hosted sign-in domain prefix, default cchc-<account>), cchc:publicPaths (comma-separated site paths
 * open without sign-in, e.g. /chi-so-766-gia-lai,/so-sanh-toan-quoc); cchc:allowedCidrs (comma-separated
 * IPv4 ranges: an AWS WAF allow-list in its own us-east-1 stack, CchcPipelineSiteAllowList).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Aws } from 'aws-cdk-lib';
import { SiteAllowListStack } from '../lib/dashboards/index.js';
import { PipelineStack, type PipelineStackProps } from '../lib/pipeline-stack.js';

export function buildApp(app: App = new App(), overrides: Partial<PipelineStackProps> = {}): { app: App; stack: PipelineStack } {
  const flag = (name: string): boolean => {
    const v: unknown = app.node.tryGetContext(name);
    return v === true || v === 'true';
  };
  const list = (name: string): string[] =>
    String(app.node.tryGetContext(name) ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const signInOff = app.node.tryGetContext('cchc:signIn') === false || app.node.tryGetContext('cchc:signIn') === 'false';
  const account = overrides.env?.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const cidrs = list('cchc:allowedCidrs');
  const allowList = cidrs.length
    ? new SiteAllowListStack(app, 'CchcPipelineSiteAllowList', {
        description: 'AWS WAF allow-list of the province networks for the cchc site (CloudFront, us-east-1)',
        env: { account, region: 'us-east-1' },
        allowedCidrs: cidrs,
      })
    : undefined;
  const stack = new PipelineStack(app, 'CchcPipeline', {
    description: 'Vietnamese administrative-procedure data pipeline: S3 lake, Athena, Lambda, Step Functions, Evidence site',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: String(app.node.tryGetContext('cchc:region') ?? process.env.CDK_DEFAULT_REGION ?? 'ap-southeast-1') },
    portalBaseUrl: String(app.node.tryGetContext('cchc:portalBaseUrl') ?? 'https://dichvucong.example.gov.vn/api'),
    destroyOnRemoval: flag('cchc:destroyOnRemoval'),
    stubBundling: flag('cchc:stubBundling'),
    ...(app.node.tryGetContext('cchc:alarmEmail') ? { alarmEmail: String(app.node.tryGetContext('cchc:alarmEmail')) } : {}),
    ...(signInOff
      ? {}
      : { signIn: { domainPrefix: String(app.node.tryGetContext('cchc:signInDomainPrefix') ?? `cchc-${account ?? Aws.ACCOUNT_ID}`), publicPaths: list('cchc:publicPaths') } }),
    ...(allowList ? { webAclArn: allowList.webAclArn, crossRegionReferences: true } : {}),
    ...overrides,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  buildApp().app.synth();
}
