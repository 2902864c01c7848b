import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LOCK_STALE_MS } from '../../../functions/core/lake/lock.js';
import type { PipelineOrchestrationProps } from './pipeline-orchestration-props.js';

export const PIPELINE_ORCHESTRATION_DEFAULTS = {
  timeZone: TimeZone.ASIA_HO_CHI_MINH,
  dailyHour: 1,
  monthlySnapshot: { day: 2, hour: 2 },
  noDataHours: 36,
  scheduleRetryAttempts: 3,
  runTimeout: Duration.hours(2),
  logRetention: logs.RetentionDays.ONE_YEAR,
} as const;

export const METRIC_NAMESPACE = 'CchcPipeline';
/** The name of the snapshot's MonthNotDeliveredError (functions/core/errors.ts), the error type Lambda reports. */
export const MONTH_NOT_DELIVERED = 'MonthNotDelivered';

/**
 * The run: pull (portal ∥ NSW drop) → land → transform → checks → [snapshot → report] → publish, with
 * retries, a catch on every step that notifies the failure topic, two schedules (daily incremental
 * run; monthly run with the snapshot of the month before), a DLQ for undeliverable schedule
 * events, and alarms on failures and on data not arriving.
 */
export class PipelineOrchestration extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly failureTopic: sns.Topic;
  readonly scheduleDlq: sqs.Queue;
  readonly dailySchedule: scheduler.Schedule;
  readonly monthlySchedule: scheduler.Schedule;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineOrchestrationProps) {
    super(scope, id);
    const p = { ...PIPELINE_ORCHESTRATION_DEFAULTS, ...props };
    if (!Number.isInteger(p.noDataHours) || p.noDataHours < 1 || p.noDataHours > 168) {
      throw new Error(`[infra] Failed to configure the no-data alarm: noDataHours must be an integer 1–168, got ${p.noDataHours}`);
    }
    const fns = p.functions;

    const alertsKey = new kms.Key(this, 'AlertsKey', { description: 'Encrypts the pipeline failure topic', enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    alertsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.failureTopic = new sns.Topic(this, 'FailureTopic', { displayName: 'cchc pipeline failures', masterKey: alertsKey, enforceSSL: true });
    if (p.alarmEmail) this.failureTopic.addSubscription(new subs.EmailSubscription(p.alarmEmail));

    // ---- state machine ---------------------------------------------------------------------
    const notify = (stepId: string) =>
      new tasks.SnsPublish(this, `Notify${stepId}Failed`, {
        topic: this.failureTopic,
        subject: `cchc pipeline: ${stepId} failed`,
        message: sfn.TaskInput.fromObject({
          step: stepId,
          execution: sfn.JsonPath.executionId,
          error: sfn.JsonPath.stringAt('$.failure.Error'),
          cause: sfn.JsonPath.stringAt('$.failure.Cause'),
        }),
        resultPath: sfn.JsonPath.DISCARD,
      }).next(new sfn.Fail(this, `${stepId}Failed`, { error: `${stepId}Failed`, cause: `The ${stepId} step failed; see the failure topic message` }));

    // A land, transform or snapshot killed by its timeout leaves the lake lock behind, taken over only once its
    // heartbeat is LOCK_STALE_MS old: a retry sooner fails at once on the lock (LakeLockedError).
    const afterStaleLock = Duration.seconds(LOCK_STALE_MS / 1000 + 60);
    const invoke = (stepId: string, fn: keyof typeof fns, payload: sfn.TaskInput, resultPath: string, retryTaskFailures: boolean, neverRetried: string[] = [], locks = false) => {
      const task = new tasks.LambdaInvoke(this, stepId, {
        lambdaFunction: fns[fn],
        payload,
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: true,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
      });
      // Errors a retry cannot change (the first retrier that matches applies).
      if (neverRetried.length > 0) task.addRetry({ errors: neverRetried, maxAttempts: 0 });
      // Killed by a timeout (the state's, or Lambda's own: Sandbox.Timedout, or Lambda.Unknown as Step Functions
      // may report a function killed by its timeout or its memory): once more, after the lock is stale.
      if (locks) task.addRetry({ errors: ['States.Timeout', 'Sandbox.Timedout', 'Lambda.Unknown'], maxAttempts: 1, interval: afterStaleLock, backoffRate: 1 });
      if (retryTaskFailures) {
        // Portals and drops fail transiently; the steps are idempotent (content-hash create-once keys).
        task.addRetry({ errors: ['States.TaskFailed', 'States.Timeout'], maxAttempts: 2, interval: Duration.minutes(1), backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      } else {
        task.addRetry({ errors: ['States.Timeout'], maxAttempts: 1, interval: Duration.minutes(1), backoffRate: 2 });
      }
      return task;
    };

    const pullPortal = invoke('PullPortal', 'pullPortal', sfn.TaskInput.fromJsonPathAt('$.pull'), '$.results.pullPortal', true);
    const pullNsw = invoke('PullNsw', 'pullNsw', sfn.TaskInput.fromObject({}), '$.results.pullNsw', true);
    const pull = new sfn.Parallel(this, 'Pull', { resultPath: sfn.JsonPath.DISCARD }).branch(pullPortal).branch(pullNsw);
    pull.addCatch(notify('Pull'), { errors: ['States.ALL'], resultPath: '$.failure' });

    const land = invoke('Land', 'land', sfn.TaskInput.fromObject({}), '$.results.land', false, [], true);
    land.addCatch(notify('Land'), { errors: ['States.ALL'], resultPath: '$.failure' });
    const transform = invoke('Transform', 'transform', sfn.TaskInput.fromObject({}), '$.results.transform', false, [], true);
    transform.addCatch(notify('Transform'), { errors: ['States.ALL'], resultPath: '$.failure' });
    // A month a dossier source has not delivered (MonthNotDeliveredError, functions/core/errors.ts): the
    // snapshot refuses it until the exports land; what landed is still published, and the run ends in
    // MonthNotDelivered naming the source and the months.
    const snapshot = invoke('Snapshot', 'snapshot', sfn.TaskInput.fromJsonPathAt('$.snapshot'), '$.results.snapshot', true, [MONTH_NOT_DELIVERED], true);
    // The report pack of the month just snapshotted (the snapshot handler returns its period).
    const report = invoke('Report', 'report', sfn.TaskInput.fromObject({ period: sfn.JsonPath.stringAt('$.results.snapshot.period') }), '$.results.report', true);
    report.addCatch(notify('Report'), { errors: ['States.ALL'], resultPath: '$.failure' });

    const publish = new tasks.CodeBuildStartBuild(this, 'Publish', {
      project: p.publishProject,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(45)),
    });
    publish.addRetry({ errors: ['States.TaskFailed'], maxAttempts: 1, interval: Duration.minutes(2), backoffRate: 2 });
    publish.addCatch(notify('Publish'), { errors: ['States.ALL'], resultPath: '$.failure' });
    snapshot.addCatch(publish, { errors: [MONTH_NOT_DELIVERED], resultPath: '$.failure' });
    snapshot.addCatch(notify('Snapshot'), { errors: ['States.ALL'], resultPath: '$.failure' });

    // Model tests run inside the transform (a failing test fails it); this gate also refuses a run that built nothing.
    // A run that ends failed on purpose: the failure topic's message (Notify<error>), then Fail <error>.
    const notifyAndFail = (error: string, subject: string, message: Record<string, unknown>, cause: string) =>
      new tasks.SnsPublish(this, `Notify${error}`, {
        topic: this.failureTopic,
        subject: `cchc pipeline: ${subject}`,
        message: sfn.TaskInput.fromObject({ ...message, execution: sfn.JsonPath.executionId }),
        resultPath: sfn.JsonPath.DISCARD,
      }).next(new sfn.Fail(this, error, { error, cause }));

    const checksFailed = notifyAndFail(
      'ChecksFailed',
      'checks failed',
      { step: 'Checks', transform: sfn.JsonPath.objectAt('$.results.transform') },
      'The transform built no model; nothing was snapshotted or published',
    );

    // A file the land rejected (kept in raw/) blocks nothing but the month's snapshot: what landed is
    // transformed and published, no snapshot is frozen while a file waits (this land's or an earlier
    // one's: a later land skips it), and the run ends in FilesRejected with the files named, as runAll
    // ends locally (functions/core/pipeline.ts, landGoingOn, landStepAnswer).
    const waiting = sfn.Condition.numberGreaterThan('$.results.land.summary.waitingCount', 0);
    const filesRejected = notifyAndFail(
      'FilesRejected',
      'files rejected at landing',
      {
        step: 'Land',
        waitingCount: sfn.JsonPath.numberAt('$.results.land.summary.waitingCount'),
        rejectedByThisRun: sfn.JsonPath.numberAt('$.results.land.summary.rejectedCount'),
        firstFiles: sfn.JsonPath.objectAt('$.results.land.summary.waiting'),
        todo:
          'Everything else landed, was transformed and published; no snapshot was published. Drop a corrected file, or retry / discard each one from a workstation (PIPELINE_LAKE_ROOT=s3://<lake bucket> PIPELINE_RAW_ROOT=s3://<raw bucket> npm run cli -- rejected lists them all; docs/deploy.md, Operations), then start a run with {"pull":{},"snapshot":{"period":"YYYY-MM"}} for the month to freeze.',
      },
      'Files rejected at landing wait for an operator; see the failure topic message',
    );
    const notDelivered = sfn.Condition.and(sfn.Condition.isPresent('$.failure.Error'), sfn.Condition.stringEquals('$.failure.Error', MONTH_NOT_DELIVERED));
    const monthNotDelivered = notifyAndFail(
      MONTH_NOT_DELIVERED,
      'a month not delivered, not frozen',
      {
        step: 'Snapshot',
        cause: sfn.JsonPath.stringAt('$.failure.Cause'),
        todo:
          'Everything else landed, was transformed and published; the month was not frozen and no report pack was built. Drop the missing exports, or export again a month whose only file was sent before it ended (the next run lands them), then start a run with {"pull":{},"snapshot":{"period":"YYYY-MM"}}; add "allowMissing":["<source>"] to the snapshot where an export is lost, "endedSources":["<source>"] where a source has ended (docs/deploy.md, Operations).',
      },
      'A dossier source has not delivered a month of the snapshot; see the failure topic message',
    );
    const done = new sfn.Succeed(this, 'Done');
    const maybeSnapshot = new sfn.Choice(this, 'SnapshotRequested')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.snapshot'), sfn.Condition.not(waiting)), snapshot.next(report).next(publish))
      .otherwise(publish);
    publish.next(new sfn.Choice(this, 'AnyRejected').when(waiting, filesRejected).when(notDelivered, monthNotDelivered).otherwise(done));
    const checks = new sfn.Choice(this, 'Checks')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.results.transform.models'), sfn.Condition.numberGreaterThanEquals('$.results.transform.models', 1)), maybeSnapshot)
      .otherwise(checksFailed);

    const definition = sfn.Chain.start(pull).next(land).next(transform).next(checks);
    const logGroup = new logs.LogGroup(this, 'RunLogs', { retention: p.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'Run', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: p.runTimeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'pull → land → transform → checks → snapshot → report → publish (→ files rejected | month not delivered)',
    });
    // The topic is KMS-encrypted: a publisher needs the key too (SnsPublish grants sns:Publish only), or
    // every Notify step fails and no operator hears of a failed run.
    alertsKey.grant(this.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey*');

    // ---- schedules -------------------------------------------------------------------------
    this.scheduleDlq = new sqs.Queue(this, 'ScheduleDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const target = (input: object) =>
      new targets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.scheduleDlq,
        retryAttempts: p.scheduleRetryAttempts,
        maxEventAge: Duration.hours(6),
      });
    this.dailySchedule = new scheduler.Schedule(this, 'Daily', {
      description: 'Daily incremental run (last month and this month)',
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: String(p.dailyHour), timeZone: p.timeZone }),
      target: target({ pull: {} }),
    });
    this.monthlySchedule = new scheduler.Schedule(this, 'Monthly', {
      description: 'Monthly run with the snapshot of the month before',
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: String(p.monthlySnapshot.hour), day: String(p.monthlySnapshot.day), timeZone: p.timeZone }),
      target: target({ pull: {}, snapshot: {} }),
    });

    // ---- alarms ----------------------------------------------------------------------------
    const alarmAction = new cwActions.SnsAction(this.failureTopic);
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const a = new cloudwatch.Alarm(this, id, props);
      a.addAlarmAction(alarmAction);
      this.alarms.push(a);
      return a;
    };
    alarm('RunFailed', {
      alarmDescription: 'A pipeline run failed, timed out or was aborted',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ period: Duration.minutes(5), statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const [step, fn] of Object.entries(fns)) {
      alarm(`${step.charAt(0).toUpperCase()}${step.slice(1)}Errors`, {
        alarmDescription: `The ${step} function reported errors`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('ScheduleUndelivered', {
      alarmDescription: 'A scheduled run could not be started (event in the scheduler DLQ)',
      metric: this.scheduleDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Data arrival: each pull logs "<step> done" with summary.staged (new raw files).
    for (const [i, logGroup] of p.pullLogGroups.entries()) {
      new logs.MetricFilter(this, `RawStaged${i}`, {
        logGroup,
        filterPattern: logs.FilterPattern.numberValue('$.summary.staged', '>=', 0),
        metricNamespace: METRIC_NAMESPACE,
        metricName: 'RawFilesStaged',
        metricValue: '$.summary.staged',
      });
    }
    alarm('NoDataArrived', {
      alarmDescription: `No new raw file arrived from the portal or the NSW drop for ${p.noDataHours} hours`,
      metric: new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: 'RawFilesStaged', statistic: 'Sum', period: Duration.hours(1) }),
      threshold: 1,
      evaluationPeriods: p.noDataHours,
      datapointsToAlarm: p.noDataHours,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // Hours without any pull have no datapoint: they count as "nothing arrived".
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
