import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SiteHosting, type SiteSignInProps } from './dashboards/index.js';
import { PipelineFunctions } from './ingestion/index.js';
import { PipelineOrchestration } from './orchestration/index.js';
import { LakeQuery } from './query/index.js';
import { LakeBuckets } from './storage/index.js';
import { applyNagSuppressions } from './nag-suppressions.js';

export interface PipelineStackProps extends StackProps {
  /** Base URL of the provincial dossier portal API. */
  readonly portalBaseUrl: string;
  /**
   * Delete buckets, data and keys with the stack (dev only).
   * @default false
   */
  readonly destroyOnRemoval?: boolean;
  /**
   * Replace Lambda bundling by stubs (template tests only).
   * @default false
   */
  readonly stubBundling?: boolean;
  /**
   * E-mail for failure notifications.
   * @default - none
   */
  readonly alarmEmail?: string;
  /**
   * Acknowledge the accepted cdk-nag findings (lib/nag-suppressions.ts). Tests turn it off to prove the checks bite.
   * @default true
   */
  readonly nagAcknowledgements?: boolean;
  /**
   * Sign-in in front of the site and the report packs; undefined leaves the site open.
   * @default - none (the app turns it on unless the context says cchc:signIn=false)
   */
  readonly signIn?: SiteSignInProps;
  /**
   * AWS WAF web ACL (CLOUDFRONT scope) attached to the site, e.g. the province's IP allow-list.
   * @default - none
   */
  readonly webAclArn?: string;
}

/** The whole pipeline on AWS: storage → query → ingestion → dashboards → orchestration. */
export class PipelineStack extends Stack {
  readonly buckets: LakeBuckets;
  readonly query: LakeQuery;
  readonly functions: PipelineFunctions;
  readonly site: SiteHosting;
  readonly orchestration: PipelineOrchestration;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const destroy = props.destroyOnRemoval ?? false;
    this.buckets = new LakeBuckets(this, 'Storage', {
      removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: destroy,
    });
    const b = this.buckets;
    this.query = new LakeQuery(this, 'Query', { lake: b.lake, quarantine: b.quarantine, athenaResults: b.athenaResults, dataKey: b.dataKey });
    this.functions = new PipelineFunctions(this, 'Ingestion', {
      raw: b.raw,
      lake: b.lake,
      quarantine: b.quarantine,
      athenaResults: b.athenaResults,
      dataKey: b.dataKey,
      databaseName: this.query.databaseName,
      snapshotDatabaseName: this.query.snapshotDatabaseName,
      workGroupName: this.query.workGroupName,
      portalBaseUrl: props.portalBaseUrl,
      stubBundling: props.stubBundling ?? false,
    });
    this.site = new SiteHosting(this, 'Dashboards', {
      site: b.site,
      lake: b.lake,
      accessLogs: b.accessLogs,
      dataKey: b.dataKey,
      ...(props.signIn ? { signIn: props.signIn } : {}),
      ...(props.webAclArn ? { webAclArn: props.webAclArn } : {}),
    });
    this.orchestration = new PipelineOrchestration(this, 'Orchestration', {
      functions: this.functions.functions,
      pullLogGroups: [this.functions.logGroups.pullPortal, this.functions.logGroups.pullNsw],
      publishProject: this.site.buildProject,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    if (props.nagAcknowledgements ?? true) applyNagSuppressions(this);
  }
}
