import { describe, expect, test } from 'vitest';
import { PipelineStack } from '../../../infra/lib/pipeline-stack.js';
import { synthStack } from './helpers.js';

describe('CDK app given the default context', () => {
  test('should synthesise the pipeline stack in-process with every domain present', () => {
    const { app, stack, template } = synthStack();
    expect(stack).toBeInstanceOf(PipelineStack);
    expect(stack.region).toBe('ap-southeast-1');
    const counts = (type: string) => Object.keys(template.findResources(type)).length;
    expect({
      buckets: counts('AWS::S3::Bucket'),
      tables: counts('AWS::Glue::Table'),
      workgroups: counts('AWS::Athena::WorkGroup'),
      functions: Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.PIPELINE_ENGINE).length,
      stateMachines: counts('AWS::StepFunctions::StateMachine'),
      schedules: counts('AWS::Scheduler::Schedule'),
      distributions: counts('AWS::CloudFront::Distribution'),
      builds: counts('AWS::CodeBuild::Project'),
      secrets: counts('AWS::SecretsManager::Secret'),
    }).toEqual({ buckets: 6, tables: 12, workgroups: 1, functions: 6, stateMachines: 1, schedules: 2, distributions: 1, builds: 1, secrets: 1 });
    // The cloud assembly `cdk deploy` reads holds exactly this template, for the configured account and region.
    const artifact = app.synth().getStackArtifact(stack.artifactId);
    expect(artifact.template).toEqual(template.toJSON());
    expect(artifact.environment).toMatchObject({ account: '111122223333', region: 'ap-southeast-1' });
    // Every pipeline function runs on the runtime its bundle is built for (docs/deploy.md).
    const runtimes = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Environment?.Variables?.PIPELINE_ENGINE)
      .map((f) => f.Properties.Runtime as string);
    expect(new Set(runtimes)).toEqual(new Set(['nodejs22.x']));
  });
});
