// Tokens of the organisation's identity provider ([[auth.oidc]]), against
// a real OpenID provider on loopback (npm oidc-provider, lib/oidc.js):
// client-credentials and authorization-code tokens on Iceberg and
// management routes, groups to roles and to data policies (read
// restrictions), users made on first sight, key
// rotation, the provider down, forged and ill-fitting tokens, the RFC
// 8693 exchange, and an Iceberg client nobody here wrote (iceberg-js)
// carrying the provider's token.
//
// What only the tokens' signatures and claims and the provider's keys
// decide (forged tokens, the key fetches, rotation) runs on the sqlite
// pass only (ONCE, lib/server.js), with two workers there.  Users made on
// first sight, their roles and grants, sessions and audit events are
// stored: those tests run on every store.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { expectJson, uniq } from './lib/expect.js';
import { generatedKey, startIdp } from './lib/oidc.js';
import { assertNoSanitizerReport, basic, freePort, ONCE, startServer, STORE } from './lib/server.js';

const AUD = 'pangolin';
const TENANT = 'acme';
const ROLE = 'analysts-role';
// Two workers at least where the store allows (the memory store is one
// process's): the key fetch decision is shared between them.
const WORKERS = STORE === 'memory' ? 1 : 2;
const REFETCH_SECS = 2;
const pastRefetch = () => new Promise((r) => setTimeout(r, REFETCH_SECS * 1000 + 100));
const root = { authorization: basic() };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
let idp, srv, srvOpts, tenantId, catalog, admin;
// The provider's accounts, read when it issues a token: a test moves a
// user between groups here, as an administrator would at the provider.
const accounts = {
  alice: { tenant: TENANT, groups: ['analysts'], email: 'alice@example.com' },
  bob: { tenant: TENANT, groups: ['data-admins'] },
  nomad: { groups: ['analysts'] },
};

const bearer = (t) => ({ authorization: `Bearer ${t}` });
const now = () => Math.floor(Date.now() / 1000);

async function ok(method, p, body, headers = root, want = [200, 201, 204]) {
  const r = await srv.req(method, p, { body, headers: { ...(tenantId ? { 'x-pangolin-tenant': tenantId } : {}), ...headers } });
  assert.ok([].concat(want).includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

/** A token the provider's key signs, with claims of our choosing. */
function crafted(claims = {}, opts = {}) {
  const t = now();
  return idp.sign({ iss: idp.issuer, aud: AUD, sub: `crafted-${crypto.randomUUID()}`, iat: t, exp: t + 600,
    tenant: TENANT, preferred_username: uniq('crafted'), ...claims }, opts);
}

/** A compact JWT signed with a key the provider never had. */
function forged(key, alg, kid, payload) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg, kid, typ: 'JWT' })}.${b64(payload)}`;
  const sig = crypto.sign('sha256', Buffer.from(head), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${head}.${sig.toString('base64url')}`;
}

before(async () => {
  idp = await startIdp({
    audience: AUD,
    accounts,
    serviceClaims: { tenant: TENANT, groups: ['data-admins'] },
  });
  srvOpts = {
    root: true, noAuth: false, workers: WORKERS,
    // Every anonymous failure recorded: the tests count audit events.
    env: { PANGOLIN_AUTH_RATE_LIMIT: '0', PANGOLIN_AUDIT_ANON_FAILURES_PER_MIN: '0' },
    extra: [
      '[[auth.oidc]]', 'name = "corp"', `issuer = "${idp.issuer}"`, `audience = "${AUD}"`, `refetch_secs = ${REFETCH_SECS}`,
      `roles = { "data-admins" = "tenant-admin", "analysts" = "${ROLE}", "platform" = "root" }`,
    ].join('\n'),
  };
  srv = await startServer(srvOpts);
  tenantId = (await ok('POST', '/api/v1/tenants', { name: TENANT })).id;
  catalog = uniq('cat');
  const wh = uniq('wh');
  await ok('POST', '/api/v1/warehouses', { name: wh, storage_config: { type: 'local', root: `${srv.tenantDir(tenantId)}/${wh}` } });
  // Catalogs and roles are a tenant admin's to make.
  const PW = 'Str0ng-Passw0rd-for-tests';
  await ok('POST', '/api/v1/users', { username: 'acme-admin', password: PW, tenant_id: tenantId, role: 'tenant-admin' });
  admin = bearer((await ok('POST', '/api/v1/users/login', { username: 'acme-admin', password: PW, 'tenant-id': tenantId })).token);
  const cat = await ok('POST', '/api/v1/catalogs', { name: catalog, warehouse_name: wh }, admin);
  await ok('POST', '/api/v1/roles', { name: ROLE, permissions: [{ scope: { type: 'catalog', catalog_id: cat.id }, actions: ['read'] }] }, admin);
  await ok('POST', `/v1/${catalog}/namespaces`, { namespace: ['seen'] }, admin);
});

after(async () => {
  if (srv) assertNoSanitizerReport(srv.log());
  await srv?.stop();
  await idp?.close();
});

test('a client-credentials token of the provider: a tenant admin by its group, on management and Iceberg routes', async () => {
  const tok = await idp.clientCredentialsToken({ audience: AUD });
  const me = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: bearer(tok) }), 200);
  assert.equal(me.role, 'tenant-admin');
  assert.equal(me['tenant-id'], tenantId);
  assert.equal(me['oauth-provider'], 'corp');
  const ns = uniq('cc');
  expectJson(await srv.req('POST', `/v1/${catalog}/namespaces`, { body: { namespace: [ns] }, headers: bearer(tok) }), 200);
  expectJson(await srv.req('GET', `/v1/${catalog}/namespaces/${ns}`, { headers: bearer(tok) }), 200);
  expectJson(await srv.req('GET', '/api/v1/catalogs', { headers: bearer(tok) }), 200);
});

test('an authorization-code user is made on first sight in its tenant, holds its group\'s role, and grants decide', async () => {
  const { access_token: tok } = await idp.authCodeTokens({ login: 'alice', audience: AUD });
  const me = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: bearer(tok) }), 200);
  assert.equal(me.username, 'alice');
  assert.equal(me.role, 'tenant-user');
  assert.equal(me['tenant-id'], tenantId);
  assert.equal(me.email, 'alice@example.com');
  const users = await ok('GET', '/api/v1/users');
  const alice = (users.items ?? users).find((u) => u.username === 'alice');
  assert.ok(alice, 'the user is listed in its tenant');
  const roles = await ok('GET', `/api/v1/users/${alice.id}/roles`);
  assert.deepEqual((roles.items ?? roles).map((r) => r.name), [ROLE], 'the group gave it the mapped role');
  // The role reads the catalog; it does not write it.
  expectJson(await srv.req('GET', `/v1/${catalog}/namespaces`, { headers: bearer(tok) }), 200);
  assert.equal((await srv.req('POST', `/v1/${catalog}/namespaces`, { body: { namespace: [uniq('no')] }, headers: bearer(tok) })).status, 403);
  assert.equal((await srv.req('POST', '/api/v1/users', { body: { username: uniq('x'), password: 'Str0ng-Passw0rd-xyz', role: 'tenant-user' }, headers: bearer(tok) })).status, 403);
  // A second token of the same subject is the same user.
  const again = await idp.authCodeTokens({ login: 'alice', audience: AUD });
  assert.equal(expectJson(await srv.req('GET', '/api/v1/users/me', { headers: bearer(again.access_token) }), 200).id, me.id);
});

test('groups are read again from every token: a new group changes the role, a lost one takes it back', async () => {
  const sub = `moving-${crypto.randomUUID()}`;
  const name = uniq('mover');
  const as = (groups) => bearer(crafted({ sub, preferred_username: name, groups }));
  assert.equal(expectJson(await srv.req('GET', '/api/v1/users/me', { headers: as(['analysts']) }), 200).role, 'tenant-user');
  assert.equal(expectJson(await srv.req('GET', '/api/v1/users/me', { headers: as(['data-admins']) }), 200).role, 'tenant-admin');
  expectJson(await srv.req('GET', '/api/v1/users', { headers: as(['data-admins']) }), 200);
  assert.equal((await srv.req('GET', '/api/v1/users', { headers: as([]) })).status, 403);
  const id = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: as([]) }), 200).id;
  assert.deepEqual((await ok('GET', `/api/v1/users/${id}/roles`)).length ?? (await ok('GET', `/api/v1/users/${id}/roles`)).items.length, 0,
    'the mapped role went with the group');
});

test('a data policy for a group of the provider binds a user whose token carries it, on the token\'s first and cached use; another group\'s user is not bound; out of the group (a new token), no longer', async () => {
  const ns = uniq('grp');
  const gx = uniq('pii-masked');
  const gy = uniq('pii-clear');
  accounts.carol = { tenant: TENANT, groups: ['analysts', gx] };
  accounts.dave = { tenant: TENANT, groups: ['analysts', gy] };
  await ok('POST', `/v1/${catalog}/namespaces`, { namespace: [ns] }, admin);
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'email', required: false, type: 'string' }] };
  await ok('POST', `/v1/${catalog}/namespaces/${ns}/tables`, { name: 'people', schema }, admin);
  await ok('POST', '/api/v1/policies', { name: uniq('mask'), catalog, namespace: [ns], table: 'people', column: 'email', action: 'mask-alphanum', applies_to: { groups: [gx] } }, admin);
  const masked = { 'required-column-projections': [{ 'field-id': 2, action: 'mask-alphanum' }] };
  // Three loads per token: the first verifies it (and makes the user);
  // each worker keeps the token it resolved, so with two workers one of
  // them answers a load from its kept token.
  const loads = async (tok) => {
    const out = [];
    for (let i = 0; i < 3; i++) {
      const r = await srv.req('GET', `/v1/${catalog}/namespaces/${ns}/tables/people`, { headers: bearer(tok) });
      out.push(expectJson(r, 200)['read-restrictions']);
    }
    return out;
  };
  const { access_token: carol } = await idp.authCodeTokens({ login: 'carol', audience: AUD });
  assert.deepEqual(JSON.parse(Buffer.from(carol.split('.')[1], 'base64url')).groups, ['analysts', gx], 'the provider\'s token carries the group');
  assert.deepEqual(await loads(carol), [masked, masked, masked]);
  const { access_token: dave } = await idp.authCodeTokens({ login: 'dave', audience: AUD });
  assert.deepEqual(await loads(dave), [undefined, undefined, undefined]);
  // Carol leaves the group at the provider: her next token says so, and
  // the policy no longer applies to her.
  accounts.carol.groups = ['analysts'];
  const { access_token: after } = await idp.authCodeTokens({ login: 'carol', audience: AUD });
  assert.deepEqual(JSON.parse(Buffer.from(after.split('.')[1], 'base64url')).groups, ['analysts']);
  assert.deepEqual(await loads(after), [undefined, undefined, undefined]);
  // The same user throughout: the group is the token's, not the user's.
  const me = async (tok) => expectJson(await srv.req('GET', '/api/v1/users/me', { headers: bearer(tok) }), 200).id;
  assert.equal(await me(after), await me(carol));
});

test('root only through an explicit mapping; a token naming a tenant that does not exist, or none, is refused naming why', async () => {
  const r = expectJson(await srv.req('GET', '/api/v1/tenants', { headers: bearer(crafted({ groups: ['platform'], tenant: undefined })) }), 200);
  assert.ok((r.items ?? r).some((t) => t.id === tenantId), 'a platform group member is root');
  const missing = await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ tenant: undefined })) });
  assert.equal(missing.status, 403);
  assert.match(missing.json.error, /'tenant' claim/);
  const other = await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ tenant: 'no-such-tenant' })) });
  assert.equal(other.status, 403);
  assert.match(other.json.error, /no-such-tenant/);
  const { access_token: nomad } = await idp.authCodeTokens({ login: 'nomad', audience: AUD });
  assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(nomad) })).status, 403);
});

test('forged and ill-fitting tokens are refused: issuer, audience, time, alg none, HS256 with the public key, tampering', { skip: ONCE }, async () => {
  const t = now();
  const key = idp.privateKeys()[0];
  const pem = crypto.createPublicKey(key.key).export({ type: 'spki', format: 'pem' });
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = { iss: idp.issuer, aud: AUD, sub: 'forger', tenant: TENANT, iat: t, exp: t + 600, groups: ['platform'] };
  const hs = (() => {
    const head = `${b64({ alg: 'HS256', kid: key.kid, typ: 'JWT' })}.${b64(claims)}`;
    return `${head}.${crypto.createHmac('sha256', pem).update(head).digest('base64url')}`;
  })();
  const good = crafted();
  const [h, p, s] = good.split('.');
  const bad = {
    other_issuer: crafted({ iss: 'https://elsewhere.example' }),
    wrong_audience: crafted({ aud: 'someone-else' }),
    expired: crafted({ iat: t - 7200, exp: t - 3600 }),
    not_yet_valid: crafted({ nbf: t + 3600 }),
    issued_in_future: crafted({ iat: t + 3600 }),
    alg_none: `${b64({ alg: 'none', kid: key.kid })}.${b64(claims)}.`,
    hs256_public_key: hs,
    tampered: `${h}.${b64({ ...JSON.parse(Buffer.from(p, 'base64url')), groups: ['platform'] })}.${s}`,
    no_signature: `${h}.${p}.`,
  };
  for (const [what, tok] of Object.entries(bad)) {
    const r = await srv.req('GET', '/api/v1/users/me', { headers: bearer(tok) });
    assert.equal(r.status, 401, `${what}: ${r.status} ${r.text}`);
    assert.equal((await srv.req('GET', `/v1/${catalog}/namespaces`, { headers: bearer(tok) })).status, 401, what);
  }
  assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(good) })).status, 200, 'the untampered token holds');
});

test('a flood of unknown kids costs one key fetch in all, however many workers take it', { skip: ONCE }, async () => {
  await pastRefetch();
  idp.resetFetches();
  const key = generatedKey('ec', { namedCurve: 'P-256' });
  const t0 = Date.now();
  const rs = await Promise.all(Array.from({ length: 60 }, () => {
    const tok = forged(key, 'ES256', crypto.randomUUID(), { iss: idp.issuer, aud: AUD, sub: 'x', tenant: TENANT, exp: now() + 60 });
    return srv.req('GET', '/api/v1/users/me', { headers: bearer(tok) });
  }));
  assert.deepEqual([...new Set(rs.map((r) => r.status))], [401]);
  // One fetch per interval: a flood that outlasts the interval (a loaded
  // CI machine under ASan) may earn one more per interval it spans.
  const intervals = 1 + Math.floor((Date.now() - t0) / (REFETCH_SECS * 1000));
  assert.ok(idp.fetches() >= 1 && idp.fetches() <= intervals,
    `${idp.fetches()} key fetches for 60 unknown kids over ${WORKERS} workers in ${intervals} interval(s)`);
});

test('key rotation: a new kid is fetched on sight; once the old key is gone at the provider, its tokens end', { skip: ONCE }, async () => {
  const before = crafted();
  const oldKid = JSON.parse(Buffer.from(before.split('.')[0], 'base64url')).kid;
  // New keys of both kinds; the old RS256 one goes later (the provider
  // still signs its own tokens with RS256: the new one).
  await idp.rotate({ add: ['ES256', 'RS256'] });
  await pastRefetch();
  const fresh = idp.privateKeys().filter((k) => k.alg === 'ES256').at(-1);
  const rotated = crafted({}, { kid: fresh.kid, alg: fresh.alg });
  assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(rotated) })).status, 200, 'the new kid');
  assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(before) })).status, 200, 'the old kid, both served');
  await idp.rotate({ drop: [oldKid] });
  await pastRefetch();
  // Another kid nobody knows makes one worker fetch the keys again, and
  // the others take them.
  for (let i = 0; i < 2 * WORKERS; i++)
    await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({}, { kid: crypto.randomUUID() })) });
  for (let i = 0; i < 2 * WORKERS; i++) {
    assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(before) })).status, 401, 'the dropped kid');
    assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(rotated) })).status, 200, 'the kept kid');
  }
});

test('the provider down: cached keys keep working, a key never seen fails closed, the failure audited once', async () => {
  const known = crafted({}, { kid: idp.privateKeys().at(-1).kid, alg: idp.privateKeys().at(-1).alg });
  for (let i = 0; i < 2 * WORKERS; i++) await srv.req('GET', '/api/v1/users/me', { headers: bearer(known) });
  const providerErrors = async () => {
    const r = expectJson(await srv.req('GET', '/api/v1/audit?action=oidc_provider_error', { headers: root }), 200);
    return (r.items ?? r).filter((e) => e.resource_name === 'corp');
  };
  const before = (await providerErrors()).length;
  const stranger = generatedKey('rsa', { modulusLength: 2048 });
  const unknown = () => forged(stranger, 'RS256', crypto.randomUUID(), { iss: idp.issuer, aud: AUD, sub: 'x', tenant: TENANT, exp: now() + 60 });
  await idp.stop();
  try {
    await pastRefetch();
    for (let i = 0; i < 2 * WORKERS; i++)
      assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(known) })).status, 200, 'cached keys');
    const t0 = Date.now();
    assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(unknown()) })).status, 401);
    assert.ok(Date.now() - t0 < 6000, 'a refused fetch answers within the fetch timeout');
    expectJson(await srv.req('GET', '/health/live'), 200);
    // The same episode: another failed fetch, and requests on every worker.
    await pastRefetch();
    assert.equal((await srv.req('GET', '/api/v1/users/me', { headers: bearer(unknown()) })).status, 401);
    await Promise.all(Array.from({ length: 4 * WORKERS }, () => srv.req('GET', '/api/v1/users/me', { headers: bearer(known) })));
    const errors = await providerErrors();
    assert.equal(errors.length - before, 1, `one oidc_provider_error for the episode: ${JSON.stringify(errors)}`);
    assert.ok(errors.some((e) => /keys not fetched \(.+\); the last good keys are kept/.test(e.error_message)), JSON.stringify(errors));
  } finally {
    await idp.start();
  }
});

test('a provider never reached: its tokens fail closed with 503, and the provider error is audited', async () => {
  const deadPort = await freePort();
  const dead = await startServer({
    root: true, noAuth: false, workers: 1,
    extra: ['[[auth.oidc]]', 'name = "gone"', `issuer = "http://127.0.0.1:${deadPort}"`, `audience = "${AUD}"`].join('\n'),
  });
  try {
    const key = generatedKey('ec', { namedCurve: 'P-256' });
    const tok = forged(key, 'ES256', 'k1', { iss: `http://127.0.0.1:${deadPort}`, aud: AUD, sub: 'x', tenant: TENANT, exp: now() + 60 });
    const t0 = Date.now();
    const r = await dead.req('GET', '/api/v1/users/me', { headers: bearer(tok) });
    assert.equal(r.status, 503, r.text);
    assert.match(r.json.error, /keys are not available/);
    assert.ok(Date.now() - t0 < 6000, 'within the fetch timeout');
    expectJson(await dead.req('GET', '/health/live'), 200);
    const ev = expectJson(await dead.req('GET', '/api/v1/audit?action=oidc_provider_error', { headers: root }), 200);
    assert.ok((ev.items ?? ev).length >= 1, 'the provider error is in root\'s audit log');
    assertNoSanitizerReport(dead.log());
  } finally {
    await dead.stop();
  }
});

// Each worker keeps the tokens it resolved lately; the user's row is still
// read on every request.  So a token every worker of two servers on the
// same store holds is refused by all of them once its user is deactivated.
test('deactivating an external user refuses its tokens at once, on every worker of every server; deleting it does too', async () => {
  const sub = `leaver-${crypto.randomUUID()}`;
  const name = uniq('leaver');
  const tok = crafted({ sub, preferred_username: name, groups: [] });
  const id = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: bearer(tok) }), 200).id;
  const replica = STORE === 'memory' ? null : await startServer({ ...srvOpts, shareWith: srv.dir });
  try {
    const everywhere = async (want, what) => {
      for (const s of [srv, replica].filter(Boolean)) {
        const rs = await Promise.all(Array.from({ length: 8 * WORKERS }, () =>
          s.req('GET', '/api/v1/users/me', { headers: bearer(tok), agent: false })));
        for (const r of rs) assert.equal(r.status, want, `${what}: ${r.status} ${r.text}`);
      }
    };
    await everywhere(200, 'before');
    await ok('PUT', `/api/v1/users/${id}`, { active: false });
    await everywhere(401, 'deactivated');
    await ok('DELETE', `/api/v1/users/${id}`);
    await everywhere(401, 'deleted');
  } finally {
    await replica?.stop();
  }
  const after = await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ sub, preferred_username: name })) });
  assert.equal(after.status, 401, 'a deleted user is not made again by its next token');
});

test('a local user\'s name cannot be taken by a token', async () => {
  const name = uniq('local');
  await ok('POST', '/api/v1/users', { username: name, password: 'Str0ng-Passw0rd-xyz', tenant_id: tenantId, role: 'tenant-admin' });
  const r = await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ preferred_username: name, groups: ['data-admins'] })) });
  assert.equal(r.status, 403);
  assert.match(r.json.error, /belongs to another account/);
});

test('a token\'s user name reading as a local user\'s (case and Unicode forms apart) is refused on first sight, and nobody is made', async () => {
  const name = uniq('Local');
  await ok('POST', '/api/v1/users', { username: name, password: 'Str0ng-Passw0rd-xyz', tenant_id: tenantId, role: 'tenant-admin' });
  const wide = [...name].map((c) => (/[!-~]/.test(c) ? String.fromCodePoint(c.codePointAt(0) + 0xfee0) : c)).join('');
  for (const alike of [name.toUpperCase(), name.toLowerCase(), wide]) {
    const r = await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ preferred_username: alike, groups: ['data-admins'] })) });
    assert.equal(r.status, 403, `${alike}: ${r.status} ${r.text}`);
    assert.match(r.json.error, /belongs to another account, or reads as one/);
  }
  const users = await ok('GET', '/api/v1/users?limit=1000');
  assert.deepEqual(users.filter((u) => u.username.normalize('NFKC').toLowerCase() === name.toLowerCase()).map((u) => u.username), [name]);
});

test('a token may not bring a user named `root` (or reading as it), nor one with white space at its ends or an invisible character', async () => {
  for (const [username, why] of [['root', /reserved/], ['Root', /reserved/], ['ROOT', /reserved/], [`${uniq('pad')} `, /white space/],
    [`${uniq('zw')}\u200b`, /invisible character \(U\+200B\)/]]) {
    const r = await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ preferred_username: username, groups: ['data-admins'] })) });
    assert.equal(r.status, 403, `${JSON.stringify(username)}: ${r.status} ${r.text}`);
    assert.match(r.json.error, why);
  }
  // Nor as root by its group: `root` is the operator's name whatever the role.
  const r = await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ preferred_username: 'root', groups: ['platform'] })) });
  assert.equal(r.status, 403, r.text);
  const users = await ok('GET', '/api/v1/users?limit=1000');
  assert.ok(!users.some((u) => u.username.normalize('NFKC').toLowerCase().trim() === 'root'), 'nobody named root was made');
});

test('RFC 8693: the provider\'s token exchanged for a catalog session (and a session for a fresh one)', async () => {
  const tok = await idp.clientCredentialsToken({ audience: AUD });
  const ex = (subject, type = 'urn:ietf:params:oauth:token-type:access_token') => srv.req('POST', '/v1/oauth/tokens', {
    headers: form,
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subject,
      subject_token_type: type, scope: 'catalog' }).toString(),
  });
  const r = expectJson(await ex(tok), 200);
  assert.equal(r.token_type, 'bearer');
  assert.equal(r.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
  expectJson(await srv.req('GET', `/v1/${catalog}/namespaces`, { headers: bearer(r.access_token) }), 200);
  const again = expectJson(await ex(r.access_token), 200);
  assert.notEqual(again.access_token, r.access_token);
  expectJson(await srv.req('GET', '/api/v1/users/me', { headers: bearer(again.access_token) }), 200);
  for (const bad of [crafted({ aud: 'other' }), 'not-a-token']) {
    const b = await ex(bad);
    assert.equal(b.status, 400, b.text);
    assert.equal(b.json.error, 'invalid_grant');
  }
  assert.equal((await ex(tok, 'urn:ietf:params:oauth:token-type:saml2')).json.error, 'invalid_request');
});

test('audited: a first sight (the user made, its login) and a genuine token refused', async () => {
  const name = uniq('audited');
  const id = expectJson(await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ preferred_username: name })) }), 200).id;
  const events = async (q) => {
    const r = await ok('GET', `/api/v1/audit?${q}`);
    return r.items ?? r;
  };
  const mine = await events(`resource_id=${id}`);
  assert.deepEqual(mine.map((e) => e.action).sort(), ['create_user', 'login']);
  assert.ok(mine.every((e) => e.tenant_id === tenantId));
  await srv.req('GET', '/api/v1/users/me', { headers: bearer(crafted({ aud: 'another-service' })) });
  // Root's own log: the tenant is not known until the token is.
  const r = expectJson(await srv.req('GET', '/api/v1/audit?action=login_failed', { headers: root }), 200);
  const failed = r.items ?? r;
  assert.ok(failed.some((e) => /another audience/.test(e.error_message ?? e.error ?? JSON.stringify(e))), JSON.stringify(failed.slice(0, 3)));
});

test('iceberg-js with the provider\'s token as its bearer creates, lists and loads a table', async () => {
  const tok = await idp.clientCredentialsToken({ audience: AUD });
  const ice = new IcebergRestCatalog({ baseUrl: `http://127.0.0.1:${srv.port}`, warehouse: catalog, auth: { type: 'bearer', token: tok } });
  const ns = { namespace: [uniq('ij')] };
  await ice.createNamespace(ns);
  await ice.createTable(ns, { name: 't', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] } });
  assert.deepEqual((await ice.listTables(ns)).identifiers.map((t) => t.name), ['t']);
  assert.equal((await ice.loadTable({ ...ns, name: 't' })).schemas?.length ?? 1, 1);
});
