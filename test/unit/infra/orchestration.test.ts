import { Duration, TimeZone } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, test } from 'vitest';
import { MonthNotDeliveredError } from '../../../functions/core/errors.js';
import { LOCK_STALE_MS } from '../../../functions/core/lake/lock.js';
import { MONTH_NOT_DELIVERED, PIPELINE_ORCHESTRATION_DEFAULTS } from '../../../infra/lib/orchestration/index.js';
import { synthStack, testApp } from './helpers.js';

const { stack, template } = synthStack();

interface State {
  Type: string;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number; IntervalSeconds?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Next?: string;
  Branches?: { StartAt: string; States: Record<string, State> }[];
  Choices?: unknown[];
  Default?: string;
  Resource?: string;
  Arguments?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
}

function definition(): { StartAt: string; States: Record<string, State> } {
  const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
  const body = sm.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  // Tokens (function ARNs, topic) are replaced by placeholders; the structure is what we assert.
  const text = body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return JSON.parse(text);
}

describe('PipelineOrchestration given the default props', () => {
  test('should default to Asia/Ho_Chi_Minh, 01:00 daily, day 2 at 02:00 monthly, 36 h without data', () => {
    expect(PIPELINE_ORCHESTRATION_DEFAULTS).toEqual({
      timeZone: TimeZone.ASIA_HO_CHI_MINH,
      dailyHour: 1,
      monthlySnapshot: { day: 2, hour: 2 },
      noDataHours: 36,
      scheduleRetryAttempts: 3,
      runTimeout: Duration.hours(2),
      logRetention: logs.RetentionDays.ONE_YEAR,
    });
  });

  test('should schedule the daily run and the monthly snapshot run in Asia/Ho_Chi_Minh with retries and a DLQ', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties);
    expect(schedules.map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone]).sort()).toEqual([
      ['cron(0 1 * * ? *)', 'Asia/Ho_Chi_Minh'],
      ['cron(0 2 2 * ? *)', 'Asia/Ho_Chi_Minh'],
    ]);
    for (const s of schedules) {
      expect(s.Target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^OrchestrationScheduleDlq/), 'Arn'] } },
      });
    }
    const monthly = schedules.find((s) => s.ScheduleExpression === 'cron(0 2 2 * ? *)')!;
    expect(JSON.parse(monthly.Target.Input)).toEqual({ pull: {}, snapshot: {} });
    const daily = schedules.find((s) => s.ScheduleExpression === 'cron(0 1 * * ? *)')!;
    expect(JSON.parse(daily.Target.Input)).toEqual({ pull: {} });
  });

  test('should run pull → land → transform → checks → snapshot → report → publish', () => {
    const def = definition();
    expect(def.StartAt).toBe('Pull');
    expect(def.States.Pull!.Type).toBe('Parallel');
    expect(def.States.Pull!.Branches!.map((br) => br.StartAt)).toEqual(['PullPortal', 'PullNsw']);
    expect(def.States.Pull!.Next).toBe('Land');
    expect(def.States.Land!.Next).toBe('Transform');
    expect(def.States.Transform!.Next).toBe('Checks');
    expect(def.States.Checks!.Type).toBe('Choice');
    expect(def.States.Checks!.Default).toBe('NotifyChecksFailed');
    expect(def.States.SnapshotRequested!.Default).toBe('Publish');
    expect(def.States.Snapshot!.Next).toBe('Report');
    expect(def.States.Report!.Next).toBe('Publish');
    // The report builds the pack of the month the snapshot step just published.
    expect(JSON.stringify(def.States.Report!.Parameters ?? def.States.Report!.Arguments)).toContain('"period.$":"$.results.snapshot.period"');
    expect(def.States.Publish!.Resource).toContain('codebuild:startBuild.sync');
    expect(def.States.Publish!.Next).toBe('AnyRejected');
  });

  test('should transform and publish while rejected files wait, but snapshot nothing and end failed, naming them', () => {
    const def = definition();
    const rejected = { Variable: '$.results.land.summary.waitingCount', NumericGreaterThan: 0 };
    // the snapshot only when asked for and no file was rejected
    expect(def.States.SnapshotRequested!.Choices).toEqual([{ And: [{ Variable: '$.snapshot', IsPresent: true }, { Not: rejected }], Next: 'Snapshot' }]);
    expect(def.States.SnapshotRequested!.Default).toBe('Publish');
    // after the publish: a failed run naming the rejected files, or done
    expect(def.States.AnyRejected!.Type).toBe('Choice');
    expect(def.States.AnyRejected!.Choices![0]).toEqual({ ...rejected, Next: 'NotifyFilesRejected' });
    expect(def.States.AnyRejected!.Default).toBe('Done');
    const notify = def.States.NotifyFilesRejected!;
    expect(notify.Resource).toContain('sns:publish');
    expect(JSON.stringify(notify.Parameters ?? notify.Arguments)).toContain('"firstFiles.$":"$.results.land.summary.waiting"');
    expect(JSON.stringify(notify.Parameters ?? notify.Arguments)).toContain('"waitingCount.$":"$.results.land.summary.waitingCount"');
    expect(def.States[notify.Next!]).toMatchObject({ Type: 'Fail', Error: 'FilesRejected' });
    // the land step itself goes on to the transform (a rejected file does not fail it)
    expect(def.States.Land!.Next).toBe('Transform');
  });

  test('should publish what landed when a source has not delivered the month, without retrying the snapshot, and end in MonthNotDelivered', () => {
    const def = definition();
    const snap = def.States.Snapshot!;
    // The error the snapshot throws is the one caught, by its name (the error type Lambda reports).
    expect(new MonthNotDeliveredError('x').name).toBe(MONTH_NOT_DELIVERED);
    // Never retried (the first matching retrier applies), caught before the catch-all, into the publish.
    const never = snap.Retry!.findIndex((r) => r.ErrorEquals.includes(MONTH_NOT_DELIVERED));
    expect(snap.Retry![never]).toEqual({ ErrorEquals: [MONTH_NOT_DELIVERED], MaxAttempts: 0 });
    expect(never).toBeLessThan(snap.Retry!.findIndex((r) => r.ErrorEquals.includes('States.TaskFailed')));
    expect(snap.Catch![0]).toEqual({ ErrorEquals: [MONTH_NOT_DELIVERED], ResultPath: '$.failure', Next: 'Publish' });
    // After the publish: the run ends failed, naming the source and months (the error's cause).
    const notDelivered = { And: [{ Variable: '$.failure.Error', IsPresent: true }, { Variable: '$.failure.Error', StringEquals: MONTH_NOT_DELIVERED }] };
    expect(def.States.AnyRejected!.Choices).toContainEqual({ ...notDelivered, Next: 'NotifyMonthNotDelivered' });
    const notify = def.States.NotifyMonthNotDelivered!;
    expect(notify.Resource).toContain('sns:publish');
    expect(JSON.stringify(notify.Parameters ?? notify.Arguments)).toContain('"cause.$":"$.failure.Cause"');
    expect(def.States[notify.Next!]).toMatchObject({ Type: 'Fail', Error: MONTH_NOT_DELIVERED });
    // Other steps' failures still end in their own Fail states, never through the publish.
    for (const name of ['Land', 'Transform', 'Report']) expect(def.States[name]!.Catch!.map((c) => c.Next)).not.toContain('Publish');
  });

  test('should retry and catch every step, sending failures to the SNS topic', () => {
    const def = definition();
    const tasks: Record<string, State> = { ...def.States, ...Object.assign({}, ...def.States.Pull!.Branches!.map((br) => br.States)) };
    for (const name of ['PullPortal', 'PullNsw', 'Land', 'Transform', 'Snapshot', 'Report', 'Publish']) {
      const st = tasks[name]!;
      expect(st.Retry?.length, name).toBeGreaterThan(0);
      if (name.startsWith('Pull')) {
        expect(st.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: ['States.TaskFailed', 'States.Timeout'], MaxAttempts: 2, BackoffRate: 2 }));
      } else if (name !== 'Publish') {
        expect(st.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.SdkClientException']) }));
      }
    }
    for (const [name, notify] of [['Pull', 'NotifyPullFailed'], ['Land', 'NotifyLandFailed'], ['Transform', 'NotifyTransformFailed'], ['Snapshot', 'NotifySnapshotFailed'], ['Report', 'NotifyReportFailed'], ['Publish', 'NotifyPublishFailed']]) {
      expect(def.States[name!]!.Catch?.at(-1), name).toEqual({ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: notify });
      expect(def.States[name!]!.Catch, name).toHaveLength(name === 'Snapshot' ? 2 : 1);
      expect(def.States[notify!]!.Resource).toContain('sns:publish');
      expect(def.States[def.States[notify!]!.Next!]!.Type).toBe('Fail');
    }
  });

  test('should retry a land, transform or snapshot killed by a timeout only once the lake lock it left is stale', () => {
    const def = definition();
    for (const name of ['Land', 'Transform', 'Snapshot']) {
      const retry = def.States[name]!.Retry!;
      // The first retrier that matches a timeout decides: it waits longer than the lock takes to go stale.
      const first = retry.find((r) => r.ErrorEquals.includes('States.Timeout'))!;
      expect(first, name).toEqual(expect.objectContaining({ ErrorEquals: ['States.Timeout', 'Sandbox.Timedout', 'Lambda.Unknown'], MaxAttempts: 1 }));
      expect(first.IntervalSeconds! * 1000, name).toBeGreaterThan(LOCK_STALE_MS);
      // No retrier before it takes Lambda's own timeout (a task failure) sooner.
      expect(retry.slice(0, retry.indexOf(first)).flatMap((r) => r.ErrorEquals).filter((e) => ['States.TaskFailed', 'Sandbox.Timedout', 'Lambda.Unknown', 'States.ALL'].includes(e)), name).toEqual([]);
    }
  });

  test('should log and trace the state machine and encrypt the failure topic, which the run may publish to', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // SNS encrypts each message with the topic's key as the publisher: the state machine's role needs it.
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key', { Properties: { Description: 'Encrypts the pipeline failure topic' } }));
    const [roleId] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })]) }) } }));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId!));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }));
  });

  test('should alarm on failed runs, function errors, undelivered schedules and 36 h without new data', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toHaveLength(9); // run, six functions, schedule DLQ, no data
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OrchestrationFailureTopic/) }]);
    const noData = alarms.find((a) => a.MetricName === 'RawFilesStaged')!;
    expect(noData).toMatchObject({
      Namespace: 'CchcPipeline',
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 36,
      DatapointsToAlarm: 36,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties);
    expect(filters).toHaveLength(2);
    for (const f of filters) expect(f).toMatchObject({ FilterPattern: '{ $.summary.staged >= 0 }', MetricTransformations: [{ MetricName: 'RawFilesStaged', MetricValue: '$.summary.staged' }] });
  });

  test('should refuse a no-data window the alarm cannot evaluate', async () => {
    const { Stack } = await import('aws-cdk-lib');
    const { PipelineOrchestration } = await import('../../../infra/lib/orchestration/index.js');
    const s = new Stack(testApp(), 'T');
    expect(
      () => new PipelineOrchestration(s, 'O', { functions: stack.functions.functions, pullLogGroups: [], publishProject: stack.site.buildProject, noDataHours: 200 }),
    ).toThrow(/noDataHours must be an integer 1–168/);
  });
});
