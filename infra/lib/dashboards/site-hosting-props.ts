import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { SiteSignInProps } from './site-sign-in-props.js';

export interface SiteHostingProps {
  readonly site: s3.IBucket;
  readonly lake: s3.IBucket;
  readonly accessLogs: s3.IBucket;
  readonly dataKey: kms.IKey;
  /**
   * Git-style patterns (anchored at the repository root) left out of the build source.
   * @default SITE_HOSTING_DEFAULTS.sourceExcludes (.git, node_modules, data, lake, test, builds, …)
   */
  readonly sourceExcludes?: readonly string[];
  /**
   * Retention of the build logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Sign-in in front of the site and the report packs (Cognito user pool + Lambda@Edge check).
   * @default - none: the site is open (the app turns it on unless the context says cchc:signIn=false)
   */
  readonly signIn?: SiteSignInProps;
  /**
   * ARN of an AWS WAF web ACL (scope CLOUDFRONT, us-east-1) to attach, e.g. the IP allow-list of
   * the province's networks (infra/lib/dashboards/site-allow-list.ts).
   * @default - none
   */
  readonly webAclArn?: string;
}
