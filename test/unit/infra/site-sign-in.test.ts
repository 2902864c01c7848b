import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { buildApp } from '../../../infra/bin/app.js';
import { SITE_SIGN_IN_DEFAULTS, URL_REWRITE_SOURCE } from '../../../infra/lib/dashboards/index.js';
import { publishBuildSpec } from '../../../infra/lib/dashboards/site-hosting.js';
// @ts-expect-error plain JavaScript module without type declarations
import { rewriteUri } from '../../../infra/lib/dashboards/site-auth/index.mjs';
import { grants, logicalId, render, synthStack, testApp } from './helpers.js';

const PUBLIC = '/chi-so-766-gia-lai,/so-sanh-toan-quoc';

describe('SiteSignIn given the default context', () => {
  const { stack, template } = synthStack({ 'cchc:publicPaths': PUBLIC });
  const signIn = stack.site.signIn!;
  const edgeStack = Template.fromStack(signIn.edgeFunction.lambda.stack);

  test('should default to nothing public and the /cchc/site-sign-in parameter', () => {
    expect(SITE_SIGN_IN_DEFAULTS).toEqual({ publicPaths: [], parameterName: '/cchc/site-sign-in' });
  });

  test('should keep officials in a user pool only an administrator adds to, with MFA, strong passwords and threat protection', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 3 } },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'cchc-111122223333' });
  });

  test('should give the site an app client without a secret, code flow back to the distribution only', () => {
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient')).map((c) => c.Properties);
    expect(client).toMatchObject({ GenerateSecret: false, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'] });
    const dist = logicalId(stack, stack.site.distribution);
    expect(client!.CallbackURLs.map(render)).toEqual([`https://<${dist}.DomainName>/_auth/callback`]);
    expect(client!.LogoutURLs.map(render)).toEqual([`https://<${dist}.DomainName>/`]);
  });

  test('should check every request of the site at the edge (viewer request) instead of the open URL rewrite', () => {
    const dist = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(dist.DefaultCacheBehavior.LambdaFunctionAssociations).toEqual([{ EventType: 'viewer-request', LambdaFunctionARN: expect.anything() }]);
    expect(dist.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    expect(dist.CacheBehaviors).toBeUndefined(); // the reports are under the same check
  });

  test('should run the edge check in us-east-1, trusted by Lambda@Edge, reading only its configuration parameter', () => {
    expect(signIn.edgeFunction.lambda.stack.region).toBe('us-east-1');
    edgeStack.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Handler: 'index.handler', MemorySize: 128, Timeout: 5 });
    edgeStack.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'edgelambda.amazonaws.com' } })]) },
    });
    const role = logicalId(signIn.edgeFunction.lambda.stack, signIn.edgeFunction.lambda.role as never);
    expect(grants(edgeStack, role, {})).toEqual(['ssm:GetParameter arn:<AWS::Partition>:ssm:ap-southeast-1:<AWS::AccountId>:parameter/cchc/site-sign-in']);
  });

  test('should ship the check with a config.json naming the parameter and its region', () => {
    const dir = signIn.codeDir;
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({ parameterName: '/cchc/site-sign-in', region: 'ap-southeast-1' });
    expect(readFileSync(path.join(dir, 'index.mjs'), 'utf8')).toContain('export async function handler');
  });

  test('should write the check configuration (pool, client, hosted domain, public paths) to the parameter', () => {
    const [param] = Object.values(template.findResources('AWS::SSM::Parameter')).map((p) => p.Properties);
    expect(param!.Name).toBe('/cchc/site-sign-in');
    const value = render(param!.Value);
    const pool = logicalId(stack, signIn.userPool);
    expect(value).toContain(`"userPoolId":"<${pool}>"`);
    expect(value).toContain('"region":"ap-southeast-1"');
    expect(value).toContain('"publicPaths":["/chi-so-766-gia-lai","/so-sanh-toan-quoc"]');
    expect(value).toMatch(/"domain":"https:\/\/<[A-Za-z0-9]+>\.auth\.ap-southeast-1\.amazoncognito\.com"/);
  });

  test('should let the publish build read the report packs and copy them into the site', () => {
    const names = { [logicalId(stack, stack.buckets.lake)]: 'lake' };
    const build = grants(template, logicalId(stack, stack.site.buildProject.role as never), names);
    expect(build).toContain('s3:GetObject* <lake.Arn>/reports/*');
    expect(JSON.stringify(publishBuildSpec())).toContain('aws s3 sync \\"s3://$LAKE_BUCKET/reports/\\" \\"$CODEBUILD_SRC_DIR/.lake/reports/\\"');
  });

  test('should rewrite directory URLs exactly as the open site CloudFront Function does', () => {
    const cff = new Function(`${URL_REWRITE_SOURCE}\nreturn handler;`)() as (e: { request: { uri: string } }) => { uri: string };
    for (const uri of ['/', '/bao-cao', '/bao-cao/', '/reports/2025-06/bao-cao-2025-06.pdf', '/_app/immutable/start.js']) expect(rewriteUri(uri)).toBe(cff({ request: { uri } }).uri);
  });
});

describe('SiteSignIn given cchc:signIn=false', () => {
  test('should leave the site open with no user pool and no edge check', () => {
    const { stack, template } = synthStack({ 'cchc:signIn': false });
    expect(stack.site.signIn).toBeUndefined();
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    const dist = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(dist.DefaultCacheBehavior.LambdaFunctionAssociations).toBeUndefined();
  });

  test('should refuse a public path that is not a site path', () => {
    expect(() => synthStack({ 'cchc:publicPaths': 'chi-so-766' })).toThrow(/public path "chi-so-766"/);
  });
});

describe('SiteAllowListStack given cchc:allowedCidrs', () => {
  test('should block everything but the province networks with a CloudFront web ACL in us-east-1, attached to the site', () => {
    const app = testApp({ 'cchc:allowedCidrs': '203.0.113.0/24, 198.51.100.0/24' });
    const { stack } = buildApp(app, { env: { account: '111122223333', region: 'ap-southeast-1' } });
    const waf = app.node.findChild('CchcPipelineSiteAllowList') as import('aws-cdk-lib').Stack;
    expect(waf.region).toBe('us-east-1');
    const t = Template.fromStack(waf);
    t.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24', '198.51.100.0/24'] });
    t.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Block: {} }, Rules: [Match.objectLike({ Name: 'AllowProvinceNetworks', Action: { Allow: {} } })] });
    const dist = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(dist.WebACLId).toBeDefined();
  });

  test('should refuse a range that is not an IPv4 CIDR', () => {
    const app = testApp({ 'cchc:allowedCidrs': '203.0.113.0' });
    expect(() => buildApp(app, { env: { account: '111122223333', region: 'ap-southeast-1' } })).toThrow(/expected IPv4 CIDRs/);
  });
});
