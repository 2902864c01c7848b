/**
 * The sign-in check at the edge (infra/lib/dashboards/site-auth/index.mjs), run on CloudFront
 * viewer-request events with ID tokens signed by a key pair made here (the JWKS is passed in; the
 * token endpoint is a stub function): no network.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, test } from 'vitest';
// @ts-expect-error plain JavaScript module without type declarations
import { CALLBACK_PATH, COOKIE, createHandler, rewriteUri, safeReturnPath } from '../../../infra/lib/dashboards/site-auth/index.mjs';

const NOW = Date.UTC(2025, 6, 2, 3, 0, 0);
const config = {
  userPoolId: 'ap-southeast-1_TEST',
  clientId: 'site-client',
  region: 'ap-southeast-1',
  domain: 'https://cchc-test.auth.ap-southeast-1.amazoncognito.com',
  publicPaths: ['/chi-so-766-gia-lai', '/so-sanh-toan-quoc'],
};
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] };

function token(claims: Record<string, unknown> = {}, key = privateKey, kid = 'k1'): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = {
    iss: `https://cognito-idp.ap-southeast-1.amazonaws.com/${config.userPoolId}`,
    aud: config.clientId,
    token_use: 'id',
    exp: NOW / 1000 + 600,
    email: 'can.bo@sonoivu.gov.vn',
    ...claims,
  };
  const head = `${enc({ alg: 'RS256', kid })}.${enc(body)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

function event(uri: string, opts: { cookie?: string; querystring?: string } = {}) {
  const headers: Record<string, { key?: string; value: string }[]> = { host: [{ value: 'd111.cloudfront.net' }] };
  if (opts.cookie) headers.cookie = [{ value: `other=1; ${COOKIE}=${opts.cookie}` }];
  return { Records: [{ cf: { request: { uri, querystring: opts.querystring ?? '', headers, method: 'GET' } } }] };
}

const fetchStub = (idToken: string | undefined) => {
  const calls: { url: string; body: string }[] = [];
  const fn = async (url: string, init?: { body?: string }) => {
    calls.push({ url, body: init?.body ?? '' });
    return { ok: idToken !== undefined, status: idToken ? 200 : 400, json: async () => ({ id_token: idToken }) };
  };
  return { fn, calls };
};
const handler = (deps: Record<string, unknown> = {}) => createHandler(config, { jwks, now: () => NOW, ...deps });

describe('site sign-in at the edge given a protected page', () => {
  test('should send a request without a token to the hosted sign-in page, keeping the page to come back to', async () => {
    const res = await handler()(event('/bao-cao/', { querystring: 'ky=2025-06' }));
    expect(res.status).toBe('302');
    const location = new URL(res.headers.location[0].value);
    expect(location.origin + location.pathname).toBe(`${config.domain}/oauth2/authorize`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'site-client',
      redirect_uri: `https://d111.cloudfront.net${CALLBACK_PATH}`,
      scope: 'openid email',
      state: '/bao-cao/?ky=2025-06',
    });
    expect(res.headers['cache-control'][0].value).toBe('no-store');
  });

  test('should pass a request with a valid ID token and rewrite the directory URL', async () => {
    const res = await handler()(event('/bao-cao/', { cookie: token() }));
    expect(res.uri).toBe('/bao-cao/index.html');
    expect(res.status).toBeUndefined();
  });

  test.each([
    ['expired', token({ exp: NOW / 1000 - 1 })],
    ['for another client', token({ aud: 'other-client' })],
    ['an access token', token({ token_use: 'access' })],
    ['from another pool', token({ iss: 'https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_OTHER' })],
    ['signed by another key', token({}, other.privateKey)],
    ['not a JWT', 'abc.def'],
  ])('should refuse a token that is %s', async (_what, t) => {
    const res = await handler({ fetch: async () => ({ ok: true, json: async () => jwks }) })(event('/bao-cao/bao-cao-2025-06.pdf', { cookie: t }));
    expect(res.status).toBe('302');
  });
});

describe('site sign-in at the edge given a public page', () => {
  test('should pass the real 766 pages without a token, and not a page that only starts like one', async () => {
    expect((await handler()(event('/chi-so-766-gia-lai/'))).uri).toBe('/chi-so-766-gia-lai/index.html');
    expect((await handler()(event('/so-sanh-toan-quoc'))).uri).toBe('/so-sanh-toan-quoc/index.html');
    expect((await handler()(event('/chi-so-766-gia-lai-noi-bo/'))).status).toBe('302');
  });
});

describe('site sign-in at the edge given the hosted page coming back', () => {
  test('should exchange the code for an ID token, set it as a secure cookie and return to the page', async () => {
    const stub = fetchStub(token());
    const res = await handler({ fetch: stub.fn })(event(CALLBACK_PATH, { querystring: `code=abc123&state=${encodeURIComponent('/bao-cao/')}` }));
    expect(stub.calls[0]!.url).toBe(`${config.domain}/oauth2/token`);
    expect(Object.fromEntries(new URLSearchParams(stub.calls[0]!.body))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'site-client',
      code: 'abc123',
      redirect_uri: `https://d111.cloudfront.net${CALLBACK_PATH}`,
    });
    expect(res.status).toBe('302');
    expect(res.headers.location[0].value).toBe('/bao-cao/');
    expect(res.headers['set-cookie'][0].value).toMatch(new RegExp(`^${COOKIE}=[^;]+; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600$`));
  });

  test('should refuse a code the token endpoint does not accept, and never follow a state to another site', async () => {
    expect((await handler({ fetch: fetchStub(undefined).fn })(event(CALLBACK_PATH, { querystring: 'code=bad' }))).status).toBe('401');
    expect(safeReturnPath('//evil.example/')).toBe('/');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath('/bao-cao/')).toBe('/bao-cao/');
  });

  test('should rewrite URLs as the site CloudFront Function does', () => {
    expect(rewriteUri('/')).toBe('/index.html');
    expect(rewriteUri('/bao-cao')).toBe('/bao-cao/index.html');
    expect(rewriteUri('/reports/2025-06/bao-cao-2025-06.pdf')).toBe('/reports/2025-06/bao-cao-2025-06.pdf');
  });
});
