import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

export interface SiteAllowListStackProps extends StackProps {
  /** IPv4 ranges (CIDR) allowed to reach the site, e.g. the province's network; everything else is blocked. */
  readonly allowedCidrs: readonly string[];
}

/**
 * An AWS WAF web ACL that lets through only the province's network ranges. A web ACL for CloudFront
 * lives in us-east-1, so it is its own stack there; the pipeline stack attaches it by reference.
 */
export class SiteAllowListStack extends Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: SiteAllowListStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    if (this.region !== 'us-east-1') throw new Error(`[infra] Failed to create the site allow-list in ${this.region}: a CloudFront web ACL lives in us-east-1`);
    const cidrs = [...new Set(props.allowedCidrs.map((c) => c.trim()).filter(Boolean))];
    const bad = cidrs.filter((c) => !/^(\d{1,3})(\.\d{1,3}){3}\/(\d|[12]\d|3[0-2])$/.test(c));
    if (cidrs.length === 0 || bad.length) throw new Error(`[infra] Failed to read cchc:allowedCidrs: expected IPv4 CIDRs such as 203.0.113.0/24, got ${bad.length ? bad.join(', ') : 'none'}`);
    const ipSet = new wafv2.CfnIPSet(this, 'ProvinceNetworks', { scope: 'CLOUDFRONT', ipAddressVersion: 'IPV4', addresses: cidrs, description: 'Networks allowed to open the cchc site' });
    const acl = new wafv2.CfnWebACL(this, 'SiteAllowList', {
      scope: 'CLOUDFRONT',
      defaultAction: { block: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'cchc-site-allow-list', sampledRequestsEnabled: true },
      rules: [
        {
          name: 'AllowProvinceNetworks',
          priority: 0,
          action: { allow: {} },
          statement: { ipSetReferenceStatement: { arn: ipSet.attrArn } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'cchc-site-allowed', sampledRequestsEnabled: true },
        },
      ],
    });
    this.webAclArn = acl.attrArn;
  }
}
