import { describe, expect, test } from 'vitest';
import { URL_REWRITE_SOURCE } from '../../../infra/lib/dashboards/index.js';
import { synthStack } from './helpers.js';

type Handler = (event: { request: { uri: string } }) => { uri: string };
// Runs the exact source CloudFront gets.
const handler = new Function(`${URL_REWRITE_SOURCE}\nreturn handler;`)() as Handler;

describe('URL rewrite function given Evidence page URLs', () => {
  test.each([
    ['/', '/index.html'],
    ['/agencies/', '/agencies/index.html'],
    ['/agencies', '/agencies/index.html'],
    ['/agencies/STP', '/agencies/STP/index.html'],
    ['/_app/immutable/start.js', '/_app/immutable/start.js'],
    ['/data/marts.parquet', '/data/marts.parquet'],
  ])('should serve %s as %s', (uri, expected) => {
    expect(handler({ request: { uri } }).uri).toBe(expected);
  });

  test('should be attached to the distribution as a viewer-request function over an OAC origin when the site is open', () => {
    const { template } = synthStack({ 'cchc:signIn': false });
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: { Runtime: 'cloudfront-js-2.0' }, FunctionCode: URL_REWRITE_SOURCE });
    const dist = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(dist.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() }]);
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(dist.Origins[0].OriginAccessControlId).toBeDefined();
    expect(dist.Logging).toBeDefined();
    expect(Object.keys(template.findResources('AWS::CloudFront::OriginAccessControl'))).toHaveLength(1);
  });
});
