/**
 * Lambda@Edge (viewer request) in front of every protected path of the dashboards site: a request
 * passes only with a valid Cognito ID token (RS256, checked against the user pool's JWKS: issuer,
 * audience = the site's app client, token_use = id, not expired) in the cchc_id cookie; otherwise it
 * is sent to the user pool's hosted sign-in page, which comes back to /_auth/callback with a code
 * that is exchanged for the token here. Pages listed as public pass without a token. Directory URLs
 * are rewritten to index.html as the site's CloudFront Function does (one viewer-request handler per
 * behaviour). Plain JavaScript on Node's own crypto and fetch: no dependencies, no bundling.
 *
 * Lambda@Edge has no environment variables: config.json beside this file (written at synth) names
 * the SSM parameter, in the stack's region, that holds { userPoolId, clientId, region, domain,
 * publicPaths } — read once per container.
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export const COOKIE = 'cchc_id';
export const CALLBACK_PATH = '/_auth/callback';
export const SIGN_OUT_PATH = '/_auth/sign-out';

/** The site's directory → index.html rewrite (the same rule as infra/lib/dashboards/url-rewrite.ts). */
export function rewriteUri(uri) {
  if (uri.charAt(uri.length - 1) === '/') return uri + 'index.html';
  if (uri.substring(uri.lastIndexOf('/') + 1).indexOf('.') === -1) return uri + '/index.html';
  return uri;
}

const b64url = (s) => Buffer.from(s, 'base64url');
const header = (value) => [{ value }];

function cookies(request) {
  const out = {};
  for (const h of request.headers.cookie ?? []) {
    for (const part of h.value.split(';')) {
      const i = part.indexOf('=');
      if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
  }
  return out;
}

/** Only same-site absolute paths are followed after sign-in ("/x", never "//host" or "https://…"). */
export function safeReturnPath(state) {
  return typeof state === 'string' && state.startsWith('/') && !state.startsWith('//') && !state.includes('\\') ? state : '/';
}

function redirect(location, extraHeaders = {}) {
  return {
    status: '302',
    statusDescription: 'Found',
    headers: { location: header(location), 'cache-control': header('no-store'), ...extraHeaders },
  };
}

/**
 * The handler for one configuration. deps: fetch (token endpoint and JWKS), now (ms), jwks (a
 * prefetched key set; tests pass their own).
 */
export function createHandler(config, deps = {}) {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const issuer = `https://cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;
  const publicPaths = config.publicPaths ?? [];
  let jwks = deps.jwks;

  async function keyFor(kid) {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!jwks || attempt === 1) {
        const res = await doFetch(`${issuer}/.well-known/jwks.json`);
        if (!res.ok) throw new Error(`[site-auth] Failed to fetch the JWKS: HTTP ${res.status}`);
        jwks = await res.json();
      }
      const jwk = (jwks.keys ?? []).find((k) => k.kid === kid);
      if (jwk) return createPublicKey({ key: jwk, format: 'jwk' });
    }
    return undefined;
  }

  /** The token's claims when it is a valid ID token of this site's client, else undefined. */
  async function verifyIdToken(token) {
    const parts = String(token ?? '').split('.');
    if (parts.length !== 3) return undefined;
    try {
      const head = JSON.parse(b64url(parts[0]).toString('utf8'));
      if (head.alg !== 'RS256' || typeof head.kid !== 'string') return undefined;
      const key = await keyFor(head.kid);
      if (!key) return undefined;
      if (!verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, b64url(parts[2]))) return undefined;
      const claims = JSON.parse(b64url(parts[1]).toString('utf8'));
      if (claims.iss !== issuer || claims.aud !== config.clientId || claims.token_use !== 'id') return undefined;
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now()) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  return async function handler(event) {
    const request = event.Records[0].cf.request;
    const host = request.headers.host[0].value;
    const callback = `https://${host}${CALLBACK_PATH}`;
    const query = new URLSearchParams(request.querystring ?? '');

    if (request.uri === CALLBACK_PATH) {
      const code = query.get('code');
      if (!code) return { status: '400', statusDescription: 'Bad Request', headers: { 'cache-control': header('no-store') }, body: 'Missing code' };
      const res = await doFetch(`${config.domain}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code, redirect_uri: callback }).toString(),
      });
      const body = res.ok ? await res.json() : {};
      if (!(await verifyIdToken(body.id_token))) return { status: '401', statusDescription: 'Unauthorized', headers: { 'cache-control': header('no-store') }, body: 'Sign-in failed' };
      return redirect(safeReturnPath(query.get('state')), {
        'set-cookie': header(`${COOKIE}=${body.id_token}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600`),
      });
    }
    if (request.uri === SIGN_OUT_PATH) {
      const params = new URLSearchParams({ client_id: config.clientId, logout_uri: `https://${host}/` });
      return redirect(`${config.domain}/logout?${params}`, { 'set-cookie': header(`${COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`) });
    }
    const isPublic = publicPaths.some((p) => request.uri === p || request.uri.startsWith(p.endsWith('/') ? p : `${p}/`));
    if (isPublic || (await verifyIdToken(cookies(request)[COOKIE]))) {
      request.uri = rewriteUri(request.uri);
      return request;
    }
    const state = request.uri + (request.querystring ? `?${request.querystring}` : '');
    const params = new URLSearchParams({ response_type: 'code', client_id: config.clientId, redirect_uri: callback, scope: 'openid email', state });
    return redirect(`${config.domain}/oauth2/authorize?${params}`);
  };
}

let configured;

/** Lambda@Edge entry point: the configuration from SSM (named by config.json), then createHandler. */
export async function handler(event) {
  if (!configured) {
    configured = (async () => {
      const where = JSON.parse(await readFile(new URL('./config.json', import.meta.url), 'utf8'));
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const out = await new SSMClient({ region: where.region }).send(new GetParameterCommand({ Name: where.parameterName }));
      return createHandler(JSON.parse(out.Parameter.Value));
    })();
    configured.catch(() => (configured = undefined));
  }
  return (await configured)(event);
}
