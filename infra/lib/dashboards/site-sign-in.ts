import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { SiteSignInProps } from './site-sign-in-props.js';

export const SITE_SIGN_IN_DEFAULTS = { publicPaths: [] as readonly string[], parameterName: '/cchc/site-sign-in' } as const;

const EDGE_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'site-auth', 'index.mjs');

/**
 * The code directory of the edge check: its source plus config.json naming the SSM parameter and
 * region (Lambda@Edge has no environment variables). Content-addressed, so synth is repeatable.
 */
function edgeCodeDir(config: { parameterName: string; region: string }): string {
  const source = readFileSync(EDGE_SOURCE);
  const json = `${JSON.stringify(config)}\n`;
  const dir = path.join(os.tmpdir(), `cchc-site-sign-in-${createHash('sha256').update(source).update(json).digest('hex').slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.mjs'), source);
  writeFileSync(path.join(dir, 'config.json'), json);
  return dir;
}

/**
 * Sign-in in front of the dashboards site: a Cognito user pool of the province's officials (no
 * self sign-up: an administrator adds each user; MFA by authenticator app; strong passwords;
 * threat protection enforced), its hosted sign-in page, and a Lambda@Edge viewer-request check on
 * the distribution that lets through only requests carrying a valid ID token of the site's app
 * client, except the paths marked public. The edge check reads its configuration from an SSM
 * parameter written here, so the distribution, the app client (whose callback is the
 * distribution's domain) and the check have no dependency cycle.
 */
export class SiteSignIn extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly edgeFunction: cloudfront.experimental.EdgeFunction;
  readonly parameterName: string;
  readonly publicPaths: readonly string[];
  /** The staged code directory of the edge check (index.mjs + config.json). */
  readonly codeDir: string;
  private client?: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: SiteSignInProps) {
    super(scope, id);
    const p = { ...SITE_SIGN_IN_DEFAULTS, ...props };
    for (const pp of p.publicPaths) {
      if (!/^\/[a-z0-9][a-z0-9/_-]*$/.test(pp)) throw new Error(`[infra] Failed to configure sign-in: public path "${pp}" must look like /chi-so-766-gia-lai`);
    }
    this.parameterName = p.parameterName;
    this.publicPaths = p.publicPaths;
    const region = Stack.of(this).region;
    this.codeDir = edgeCodeDir({ parameterName: p.parameterName, region });

    this.userPool = new cognito.UserPool(this, 'Officials', {
      userPoolName: 'cchc-site-officials',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.domain = this.userPool.addDomain('HostedSignIn', { cognitoDomain: { domainPrefix: p.domainPrefix } });

    this.edgeFunction = new cloudfront.experimental.EdgeFunction(this, 'Check', {
      description: 'cchc site sign-in: Cognito ID token check at the edge (viewer request)',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(this.codeDir),
      memorySize: 128,
      timeout: Duration.seconds(5),
    });
    this.edgeFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [`arn:${Aws.PARTITION}:ssm:${region}:${Aws.ACCOUNT_ID}:parameter${p.parameterName}`] }),
    );
  }

  /** The edge association for a behaviour of the distribution. */
  edgeLambdas(): cloudfront.EdgeLambda[] {
    return [{ functionVersion: this.edgeFunction.currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST }];
  }

  /** The site's app client (authorization code flow back to the distribution) and the check's configuration. */
  bind(distribution: cloudfront.IDistribution): cognito.UserPoolClient {
    if (this.client) return this.client;
    const site = `https://${distribution.distributionDomainName}`;
    this.client = this.userPool.addClient('Site', {
      userPoolClientName: 'cchc-site',
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${site}/_auth/callback`],
        logoutUrls: [`${site}/`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
    const region = Stack.of(this).region;
    new ssm.StringParameter(this, 'Config', {
      parameterName: this.parameterName,
      description: 'Configuration of the site sign-in check at the edge (user pool, app client, hosted sign-in domain, public paths)',
      stringValue: Stack.of(this).toJsonString({
        userPoolId: this.userPool.userPoolId,
        clientId: this.client.userPoolClientId,
        region,
        domain: this.domain.baseUrl(),
        publicPaths: this.publicPaths,
      }),
    });
    return this.client;
  }
}
