// A real OpenID provider for the tests: npm oidc-provider (panva,
// OpenID-certified) in this process on a loopback port.  Its access
// tokens are JWTs for the catalog's audience, signed with keys made
// here, so a test can also sign tokens of its own with them (forged
// claims, other algorithms) and rotate them.  Its login and consent
// pages are oidc-provider's development interactions (plain forms: a
// browser test fills them; authCodeTokens() posts them over HTTP).
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import { freePort } from './server.js';

const COOKIE_KEYS = ['pangolin-test-cookie-key-0123456789'];
// A resource indicator must be an absolute URI; the tokens' aud is the audience.
const RESOURCE = 'urn:pangolin:catalog';

/** A private signing key of alg, as a JWK with a fresh kid, and its KeyObject. */
/**
 * A new private key, as a KeyObject of its own.  Not generateKeyPairSync's
 * own KeyObject: Node 20 frees the key's generation job from the garbage
 * collector, and that frees under the key's lock, so a collection that
 * fell inside an export or a signature of that same key (which hold the
 * lock while they allocate) hung the process for ever (seen once:
 * authz.test.js blocked in ExportJWK, ~KeyGenJob waiting on the mutex
 * its caller held).  Generated as PEM and read back, the key shares no
 * lock with the job.
 */
export function generatedKey(type, options) {
  const { privateKey } = crypto.generateKeyPairSync(type, { ...options,
    publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return crypto.createPrivateKey(privateKey);
}

function newKey(alg) {
  const kind = { RS256: ['rsa', { modulusLength: 2048 }], PS256: ['rsa', { modulusLength: 2048 }],
    ES256: ['ec', { namedCurve: 'P-256' }], EdDSA: ['ed25519', {}] }[alg];
  if (!kind) throw new Error(`no key kind for ${alg}`);
  const privateKey = generatedKey(kind[0], kind[1]);
  const kid = `${alg.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}`;
  return { kid, alg, key: privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A compact JWS of payload with key (node:crypto only). */
export function signJwt(payload, { key, alg, kid, header = {} }) {
  const head = `${b64({ alg, kid, typ: 'JWT', ...header })}.${b64(payload)}`;
  const data = Buffer.from(head);
  let sig;
  if (alg === 'ES256') sig = crypto.sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'PS256') sig = crypto.sign('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  else if (alg === 'EdDSA') sig = crypto.sign(null, data, key);
  else sig = crypto.sign('sha256', data, key);
  return `${head}.${sig.toString('base64url')}`;
}

/** A fetch that keeps cookies (one jar per flow) and never follows redirects. */
export function cookieFetch() {
  const jar = new Map();
  return async (url, init = {}) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return r;
  };
}

/**
 * startIdp(opts): the provider on 127.0.0.1:<port>, issuer
 * http://127.0.0.1:<port>.  opts: audience ('pangolin'), algs (one key
 * each, default RS256 and ES256), tokenAlg (RS256), accounts ({login:
 * {tenant, groups, email}}), serviceClaims (claims of client 'svc''s
 * tokens), redirectUris (client 'ui').
 */
export async function startIdp(opts = {}) {
  const audience = opts.audience ?? 'pangolin';
  const tokenAlg = opts.tokenAlg ?? 'RS256';
  const accounts = opts.accounts ?? {};
  const serviceClaims = opts.serviceClaims ?? { tenant: 'acme', groups: ['data-eng'] };
  const port = opts.port ?? await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let keys = (opts.algs ?? ['RS256', 'ES256']).map(newKey);
  let server = null;
  let fetches = 0;
  const redirectUris = [...(opts.redirectUris ?? []), 'http://127.0.0.1/callback'];

  const claimsOf = (login) => {
    const a = accounts[login] ?? {};
    return { preferred_username: login, ...(a.email ? { email: a.email } : {}),
      ...(a.tenant ? { tenant: a.tenant } : {}), ...(a.groups ? { groups: a.groups } : {}) };
  };

  function build() {
    // Tokens are signed with the first key of tokenAlg: the newest.
    const ordered = [...keys].reverse();
    const provider = new Provider(issuer, {
      clients: [
        { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
        { client_id: 'ui', client_secret: 'ui-secret', grant_types: ['authorization_code'], redirect_uris: redirectUris,
          response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
        ...(opts.clients ?? []),
      ],
      jwks: { keys: ordered.map((k) => k.jwk) },
      cookies: { keys: COOKIE_KEYS },
      claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], pangolin: ['tenant', 'groups'] },
      scopes: ['openid', 'profile', 'email', 'pangolin', 'catalog'],
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: true },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'catalog', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: tokenAlg } } }),
        },
      },
      findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...claimsOf(sub) }) }),
      extraTokenClaims: (ctx, token) => (token.kind === 'ClientCredentials' ? serviceClaims : claimsOf(token.accountId)),
      renderError: (ctx, out) => { ctx.type = 'json'; ctx.body = out; },
    });
    provider.use(async (ctx, next) => {
      if (ctx.path === '/jwks') fetches++;
      await next();
    });
    return provider;
  }

  async function start() {
    const provider = build();
    await new Promise((resolve, reject) => {
      server = provider.listen(port, '127.0.0.1');
      server.once('listening', resolve);
      server.once('error', reject);
    });
  }

  async function stop() {
    if (!server) return;
    const s = server;
    server = null;
    s.closeAllConnections?.();
    await new Promise((resolve) => s.close(resolve));
  }

  async function token(form, auth) {
    const r = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
      body: new URLSearchParams(form).toString(),
    });
    const j = await r.json();
    if (r.status !== 200) throw new Error(`token endpoint: ${r.status} ${JSON.stringify(j)}`);
    return j;
  }

  /** Post a development interaction form (login, then consent). */
  async function interact(go, location, fields) {
    const page = await go(new URL(location, issuer));
    const html = await page.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form at ${location}: ${html.slice(0, 300)}`);
    const r = await go(new URL(action, issuer), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
    });
    return r.headers.get('location');
  }

  await start();
  return {
    issuer, port, audience,
    jwks: () => ({ keys: keys.map(({ jwk }) => { const { d, p, q, dp, dq, qi, ...pub } = jwk; return pub; }) }),
    privateKeys: () => keys.map(({ kid, alg, key }) => ({ kid, alg, key })),
    /** A JWT of payload signed with one of its keys (by kid, else the first of alg, else the first). */
    sign(payload, { alg, kid, header } = {}) {
      const k = keys.find((x) => x.kid === kid) ?? keys.find((x) => x.alg === alg) ?? keys[0];
      return signJwt(payload, { key: k.key, alg: alg ?? k.alg, kid: kid ?? k.kid, header });
    },
    async clientCredentialsToken({ clientId = 'svc', secret = 'svc-secret', scope = 'catalog' } = {}) {
      return (await token({ grant_type: 'client_credentials', scope, resource: RESOURCE }, `${clientId}:${secret}`)).access_token;
    },
    /** The whole authorization-code flow with PKCE for login, over HTTP. */
    async authCodeTokens({ login, clientId = 'ui', secret = 'ui-secret', redirectUri = 'http://127.0.0.1/callback', nonce = crypto.randomUUID() }) {
      const go = cookieFetch();
      const verifier = crypto.randomBytes(32).toString('base64url');
      const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
      const state = crypto.randomUUID();
      const auth = new URL(`${issuer}/auth`);
      for (const [k, v] of Object.entries({ client_id: clientId, response_type: 'code', scope: 'openid profile email pangolin catalog',
        redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', state, nonce, resource: RESOURCE }))
        auth.searchParams.set(k, v);
      const back = new URL(await this.login(go, auth.href, login, redirectUri));
      if (back.searchParams.get('state') !== state || !back.searchParams.get('code'))
        throw new Error(`authorization failed: ${back}`);
      return token({ grant_type: 'authorization_code', code: back.searchParams.get('code'), redirect_uri: redirectUri,
        code_verifier: verifier, resource: RESOURCE }, `${clientId}:${secret}`);
    },
    /**
     * From an authorization URL of the provider, sign in as login (the
     * login and consent forms) with go (cookieFetch); the URL the provider
     * finally sends the browser to, the one starting with redirectUri.
     */
    async login(go, url, login, redirectUri) {
      let loc = (await go(url)).headers.get('location');
      for (let i = 0; i < 8 && loc && !loc.startsWith(redirectUri); i++) {
        if (/\/interaction\//.test(loc)) {
          const html = await (await go(new URL(loc, issuer))).text();
          const fields = /name="login"/.test(html) ? { prompt: 'login', login, password: 'any' } : { prompt: 'consent' };
          loc = await interact(go, loc, fields);
        } else {
          loc = (await go(new URL(loc, issuer))).headers.get('location');
        }
      }
      if (!loc?.startsWith(redirectUri)) throw new Error(`the provider did not send the browser back: ${loc}`);
      return loc;
    },
    /** Register the sign-in client's redirect URIs (the provider restarts). */
    async setRedirectUris(uris) {
      redirectUris.splice(0, redirectUris.length, ...uris, 'http://127.0.0.1/callback');
      await stop();
      await start();
    },
    /** Change the served keys: add new ones (newest sign), drop kids. */
    async rotate({ add = [], drop = [] } = {}) {
      keys = [...keys.filter((k) => !drop.includes(k.kid)), ...add.map(newKey)];
      await stop();
      await start();
    },
    fetches: () => fetches,
    resetFetches: () => { fetches = 0; },
    stop,
    start,
    close: stop,
  };
}
