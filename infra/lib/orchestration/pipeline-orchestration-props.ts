import type { Duration, TimeZone } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { PipelineStep } from '../ingestion/pipeline-functions.js';

export interface PipelineOrchestrationProps {
  readonly functions: Readonly<Record<PipelineStep, lambda.IFunction>>;
  /** Log groups of the pull functions: their "done" lines feed the data-arrival metric. */
  readonly pullLogGroups: readonly logs.ILogGroup[];
  readonly publishProject: codebuild.IProject;
  /**
   * E-mail subscribed to the failure topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Time zone of both schedules.
   * @default TimeZone.ASIA_HO_CHI_MINH
   */
  readonly timeZone?: TimeZone;
  /**
   * Hour (local) of the daily incremental pull.
   * @default 1
   */
  readonly dailyHour?: number;
  /**
   * Day of month and hour (local) of the monthly snapshot of the month before.
   * @default { day: 2, hour: 2 }
   */
  readonly monthlySnapshot?: { readonly day: number; readonly hour: number };
  /**
   * Alarm when no new raw file arrived for this many hours (1–168).
   * @default 36
   */
  readonly noDataHours?: number;
  /**
   * Scheduler delivery retries before the DLQ.
   * @default 3
   */
  readonly scheduleRetryAttempts?: number;
  /**
   * Whole-run limit of the state machine.
   * @default Duration.hours(2)
   */
  readonly runTimeout?: Duration;
  /**
   * Log retention of the state machine.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
