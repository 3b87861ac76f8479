// Signing in to the page with the organisation's identity provider: the
// authorization code flow with PKCE, state and nonce, this server the
// confidential client, against a real OpenID provider (lib/oidc.js).
// Over HTTP (every step and its refusals), then end to end in Chromium:
// the button, the provider's login form, back signed in, tasks shown.
// The code traded once is recorded in the store's token table and the
// session is stored: that test runs on every store.  The provider list
// (configuration), the key fetch after a rotation and the refused
// callbacks (sealed cookie, state, claims) run on the sqlite pass only
// (ONCE, lib/server.js), as the browser does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { expectJson } from './lib/expect.js';
import { cookieFetch, startIdp } from './lib/oidc.js';
import { assertNoSanitizerReport, basic, freePort, ONCE, startServer, STORE } from './lib/server.js';

const CHROMIUM = '/usr/bin/chromium';
const browserSkip = STORE !== 'sqlite' ? 'one store is enough for the browser: the flow is the server\'s'
  : !fs.existsSync(CHROMIUM) ? `${CHROMIUM} missing (apt-get install chromium)` : false;
let idp, srv, base, tenantId;

before(async () => {
  idp = await startIdp({
    accounts: { bob: { tenant: 'sso-co', groups: ['data-admins'] }, eve: { groups: ['data-admins'] } },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await idp.setRedirectUris([`${base}/oauth/callback/corp`]);
  srv = await startServer({
    port, root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' },
    extra: ['[[auth.oidc]]', 'name = "corp"', `issuer = "${idp.issuer}"`, 'audience = "pangolin"', 'refetch_secs = 1',
      'client_id = "ui"', 'client_secret = "ui-secret"', 'roles = { "data-admins" = "tenant-admin" }'].join('\n'),
  });
  tenantId = expectJson(await srv.req('POST', '/api/v1/tenants', { body: { name: 'sso-co' }, headers: { authorization: basic() } }), 201).id;
});

after(async () => {
  if (srv) assertNoSanitizerReport(srv.log());
  await srv?.stop();
  await idp?.close();
});

/** The flow over HTTP up to the page's fragment: "#sso=..." or "#sso_error=...". */
async function signIn(login, { tamper } = {}) {
  const go = cookieFetch();
  const start = await go(`${base}/oauth/authorize/corp`);
  assert.equal(start.status, 302);
  const to = new URL(start.headers.get('location'));
  assert.equal(to.origin + to.pathname, `${idp.issuer}/auth`);
  assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(to.searchParams.get('redirect_uri'), `${base}/oauth/callback/corp`);
  assert.ok(to.searchParams.get('state') && to.searchParams.get('nonce'));
  assert.match(start.headers.get('set-cookie'), /^pgl_sso=.*HttpOnly; SameSite=Lax/);
  let back = new URL(await idp.login(go, to.href, login, `${base}/oauth/callback/corp`));
  if (tamper) back = tamper(back);
  const cb = await go(back.href);
  assert.equal(cb.status, 302, await cb.text());
  return new URL(cb.headers.get('location'), base).hash;
}

test('the providers with a sign-in are listed', { skip: ONCE }, async () => {
  const list = expectJson(await srv.req('GET', '/api/v1/oauth/providers'), 200);
  assert.deepEqual(list, {
    providers: ['corp'], // pangolin-api.md §1.3
    provider_details: [{ name: 'corp', issuer: idp.issuer, 'authorize-url': '/oauth/authorize/corp' }],
  });
  assert.equal((await srv.req('GET', '/oauth/authorize/nope')).status, 404);
});

test('over HTTP: the provider\'s login comes back as a one-time code, traded once for a session of the user', async () => {
  const hash = await signIn('bob');
  assert.match(hash, /^#sso=/);
  const code = decodeURIComponent(hash.slice('#sso='.length));
  const r = expectJson(await srv.req('POST', '/api/v1/oauth/exchange', { body: { code } }), 200);
  assert.equal(r.token_type, 'Bearer', 'pangolin-api.md §1.3');
  const me = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: { authorization: `Bearer ${r.token}` } }), 200);
  assert.equal(me.username, 'bob');
  assert.equal(me.role, 'tenant-admin');
  assert.equal(me['tenant-id'], tenantId);
  assert.equal((await srv.req('POST', '/api/v1/oauth/exchange', { body: { code } })).status, 400, 'used once');
  assert.equal((await srv.req('POST', '/api/v1/oauth/exchange', { body: { code: code.slice(0, -4) + 'AAAA' } })).status, 400);
  // The session is an ordinary one: revocable by logout.
  await srv.req('POST', '/api/v1/users/logout', { headers: { authorization: `Bearer ${r.token}` } });
  assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: { authorization: `Bearer ${r.token}` } })).status, 401);
});

test('after the provider rotates its signing key, the next sign-in fetches the keys itself: no bearer request comes first', { skip: ONCE }, async () => {
  // Only the new RS256 key is left to sign ID tokens: their kid is one the
  // catalog has never seen.
  const old = idp.privateKeys().filter((k) => k.alg === 'RS256').map((k) => k.kid);
  await idp.rotate({ add: ['RS256'], drop: old });
  await new Promise((r) => setTimeout(r, 1100));	// past refetch_secs
  idp.resetFetches();
  const hash = await signIn('bob');
  assert.match(hash, /^#sso=/, decodeURIComponent(hash));
  assert.ok(idp.fetches() >= 1, 'the sign-in fetched the provider\'s keys');
  const code = decodeURIComponent(hash.slice('#sso='.length));
  const r = expectJson(await srv.req('POST', '/api/v1/oauth/exchange', { body: { code } }), 200);
  const me = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: { authorization: `Bearer ${r.token}` } }), 200);
  assert.equal(me.username, 'bob');
});

test('a callback without this browser\'s flow, with another state, or for a user without a tenant ends on the page with an error', { skip: ONCE }, async () => {
  const other = await signIn('bob', { tamper: (u) => { u.searchParams.set('state', 'forged'); return u; } });
  assert.match(other, /^#sso_error=/);
  const stranger = await cookieFetch()(`${base}/oauth/callback/corp?code=abc&state=def`);
  assert.match(new URL(stranger.headers.get('location'), base).hash, /^#sso_error=/);
  const eve = await signIn('eve');
  assert.match(decodeURIComponent(eve), /sso_error=.*'tenant' claim/);
  const denied = await cookieFetch()(`${base}/oauth/callback/corp?error=access_denied`);
  assert.match(new URL(denied.headers.get('location'), base).hash, /^#sso_error=access_denied/);
});

/** A Set-Cookie line's name, value and attributes (lower-case names). */
function parseSetCookie(line) {
  const [pair, ...attrs] = line.split(';').map((x) => x.trim());
  const i = pair.indexOf('=');
  const a = Object.fromEntries(attrs.map((x) => {
    const j = x.indexOf('=');
    return j === -1 ? [x.toLowerCase(), true] : [x.slice(0, j).toLowerCase(), x.slice(j + 1)];
  }));
  return { name: pair.slice(0, i), value: pair.slice(i + 1), ...a };
}

test('the flow cookie is cleared with the Path that set it, so the browser keeps none after the callback', { skip: ONCE }, async () => {
  // A browser keeps one cookie per (name, domain, path), RFC 6265 §5.3:
  // a clearing Set-Cookie with another Path is a second cookie.
  const go = cookieFetch();
  const start = await go(`${base}/oauth/authorize/corp`);
  const set = parseSetCookie(start.headers.get('set-cookie'));
  assert.equal(set.name, 'pgl_sso');
  assert.equal(set.path, '/oauth/callback/corp');
  const back = await idp.login(go, start.headers.get('location'), 'bob', `${base}/oauth/callback/corp`);
  const endings = [
    await go(back),	// signed in
    await cookieFetch()(`${base}/oauth/callback/corp?code=abc&state=def`),	// not this browser's flow
    await cookieFetch()(`${base}/oauth/callback/corp?error=access_denied`),	// the provider's refusal
  ];
  for (const cb of endings) {
    assert.equal(cb.status, 302);
    const clear = parseSetCookie(cb.headers.get('set-cookie'));
    assert.equal(clear.name, set.name);
    assert.equal(clear.value, '');
    assert.equal(clear['max-age'], '0');
    assert.equal(clear.path, set.path, 'the same cookie: same name and Path');
    assert.equal(clear.domain, set.domain);
  }
});

test('in a browser: "Sign in with corp", the provider\'s form, back on the page signed in, tasks shown', { skip: browserSkip }, async () => {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/ui/`);
    await page.getByRole('link', { name: 'Sign in with corp' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.fill('input[name="login"]', 'bob');
    await page.fill('input[name="password"]', 'whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/ui/**`);
    await page.waitForFunction(() => document.getElementById('who')?.textContent.includes('bob'));
    assert.equal(await page.textContent('#who'), 'bob (tenant-admin)');
    assert.ok(!(await page.evaluate(() => location.hash)).includes('sso='), 'the code left the address bar');
    assert.deepEqual((await page.context().cookies()).filter((c) => c.name === 'pgl_sso'), [], 'the flow cookie is gone');
    await page.waitForSelector('nav:not([hidden])');
    assert.match(await page.textContent('#view'), /[Tt]asks/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
