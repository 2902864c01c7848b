/**
 * CDK app: `npx cdk synth -q` (offline; local esbuild bundling, no Docker).
 * Context: cchc:region (default ap-southeast-1), cchc:destroyOnRemoval (dev stacks), cchc:stubBundling (tests), cchc:portalBaseUrl, cchc:alarmEmail.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineStack, type PipelineStackProps } from '../lib/pipeline-stack.js';

export function buildApp(app: App = new App(), overrides: Partial<PipelineStackProps> = {}): { app: App; stack: PipelineStack } {
  const flag = (name: string): boolean => {
    const v: unknown = app.node.tryGetContext(name);
    return v === true || v === 'true';
  };
  const stack = new PipelineStack(app, 'CchcPipeline', {
    description: 'Vietnamese administrative-procedure data pipeline: S3 lake, Athena, Lambda, Step Functions, Evidence site',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: String(app.node.tryGetContext('cchc:region') ?? process.env.CDK_DEFAULT_REGION ?? 'ap-southeast-1') },
    portalBaseUrl: String(app.node.tryGetContext('cchc:portalBaseUrl') ?? 'https://dichvucong.example.gov.vn/api'),
    destroyOnRemoval: flag('cchc:destroyOnRemoval'),
    stubBundling: flag('cchc:stubBundling'),
    ...(app.node.tryGetContext('cchc:alarmEmail') ? { alarmEmail: String(app.node.tryGetContext('cchc:alarmEmail')) } : {}),
    ...overrides,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  buildApp().app.synth();
}
