// The two requests PyIceberg >= 0.10 sends by default, as raw HTTP
// (issue 22, part 5): "Authorization: Bearer None" when no credential is
// configured, which a no-auth server must ignore; and its oauth2 auth's
// client_secret_basic (RFC 6749 §2.3.1) with scope=catalog at
// /v1/oauth/tokens.  Plus the other half of "ignored": with auth on, a
// bad credential is still 401.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { basic, request } from './lib/server.js';
import { CATALOG, startIcebergServer } from './lib/iceberg.js';
import { expectError, expectJson, uniq } from './lib/expect.js';

let open, authd, su;
const PW = 'Str0ng-Passw0rd-for-tests';
before(async () => {
  [open, authd] = await Promise.all([
    startIcebergServer(),
    startIcebergServer({ root: true, noAuth: false, env: { PANGOLIN_AUTH_RATE_LIMIT: '0' } }),
  ]);
  const root = { authorization: basic() };
  const username = uniq('admin');
  expectJson(await authd.rawReq('POST', '/api/v1/users', { headers: root, body: { username, password: PW, tenant_id: '00000000-0000-0000-0000-000000000000', role: 'tenant-admin' } }), 201);
  const { token } = expectJson(await authd.rawReq('POST', '/api/v1/users/login', { body: { username, password: PW, 'tenant-id': '00000000-0000-0000-0000-000000000000' } }), 200);
  su = expectJson(await authd.rawReq('POST', '/api/v1/service-users', { headers: { authorization: `Bearer ${token}` }, body: { name: uniq('pyiceberg'), role: 'tenant-admin' } }), 201);
});
after(async () => { await Promise.all([open?.stop(), authd?.stop()]); });

const JUNK = ['Bearer None', 'Bearer abc.def.ghi', 'Basic !!!not-base64!!!', basic('root', 'not-the-password'), 'Digest x'];

test('no-auth mode: PyIceberg\'s "Bearer None" (and any other junk) is ignored on /v1/config and a namespace list', async () => {
  for (const authorization of JUNK) {
    const cfg = expectJson(await open.req('GET', `/v1/config?warehouse=${CATALOG}`, { headers: { authorization } }), 200);
    assert.ok(cfg.defaults && cfg.overrides, authorization);
    const ns = expectJson(await open.req('GET', `/v1/${CATALOG}/namespaces`, { headers: { authorization } }), 200);
    assert.ok(Array.isArray(ns.namespaces), authorization);
  }
  // A write works too: the caller is the no-auth admin.
  const name = uniq('ns');
  expectJson(await open.req('POST', `/v1/${CATALOG}/namespaces`, { headers: { authorization: 'Bearer None' }, body: { namespace: [name] } }), 200);
});

test('with auth on, a bad credential is 401 JSON with WWW-Authenticate', async () => {
  for (const authorization of JUNK) {
    const r = await authd.rawReq('GET', '/api/v1/tenants', { headers: { authorization } });
    expectError(r, 401);
    assert.match(r.headers['www-authenticate'] ?? '', /^Basic /, authorization);
  }
});

const tokenReq = (body, headers = {}) => request(authd.port, 'POST', '/v1/oauth/tokens', {
  body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
});
// RFC 6749 §2.3.1: each part form-urlencoded, then base64 of "id:secret".
const clientBasic = (id, secret) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

test('client_secret_basic with scope=catalog gets a token that works on the Iceberg routes', async () => {
  const r = await tokenReq('grant_type=client_credentials&scope=catalog', { authorization: clientBasic(su.id, su.api_key) });
  const body = expectJson(r, 200, { requestId: false });
  assert.equal(body.token_type, 'bearer');
  assert.equal(r.headers['cache-control'], 'no-store');
  const auth = { authorization: `Bearer ${body.access_token}` };
  expectJson(await authd.req('GET', `/v1/config?warehouse=${CATALOG}`, { headers: auth }), 200);
  expectJson(await authd.req('GET', `/v1/${CATALOG}/namespaces`, { headers: auth }), 200);
  // The form fields with scope work as well, and so do both forms with the same values.
  const form = `grant_type=client_credentials&client_id=${su.id}&client_secret=${su.api_key}&scope=catalog`;
  expectJson(await tokenReq(form), 200, { requestId: false });
  expectJson(await tokenReq(form, { authorization: clientBasic(su.id, su.api_key) }), 200, { requestId: false });
});

// Issue 67: PyIceberg sends its session headers to the token endpoint too,
// X-Iceberg-Access-Delegation empty when delegation is off; Kore's 400
// "invalid header field" came in the Iceberg envelope, which PyIceberg
// cannot read there ("Received unexpected JSON Payload").
test('PyIceberg\'s token request with its access-delegation header turned off (empty) gets a token', async () => {
  const r = await tokenReq('grant_type=client_credentials&scope=catalog',
    { authorization: clientBasic(su.id, su.api_key), 'x-iceberg-access-delegation': '', 'x-client-version': '' });
  assert.equal(expectJson(r, 200, { requestId: false }).token_type, 'bearer');
});

test('every 400 and 401 on the token paths is RFC 6749 §5.2\'s {error, error_description}, whoever answers it', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const cases = [
    // Refused before any handler runs: the query string.
    ['/v1/oauth/tokens?x=%ZZ', 'grant_type=client_credentials', form, 400, 'invalid_request'],
    ['/api/v1/iceberg/cat/oauth/tokens?%C0', 'grant_type=client_credentials', form, 400, 'invalid_request'],
    // The handler's own.
    ['/v1/cat/v1/oauth/tokens', 'grant_type=password&username=a&password=b', form, 400, 'unsupported_grant_type'],
    ['/v1/oauth/tokens', 'grant_type=client_credentials&scope=a%0Ab', { ...form, authorization: clientBasic(su.id, su.api_key) }, 400, 'invalid_scope'],
    ['/v1/oauth/tokens', 'grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=x&subject_token_type=urn:ietf:params:oauth:token-type:access_token', form, 400, 'invalid_grant'],
    ['/v1/oauth/tokens', 'grant_type=client_credentials&client_id=a&client_secret=b', form, 401, 'invalid_client'],
  ];
  for (const [p, body, headers, status, code] of cases) {
    const r = await request(authd.port, 'POST', p, { body, headers });
    assert.equal(r.status, status, `${p}: ${r.text}`);
    assert.equal(r.json?.error, code, `${p}: ${r.text}`);
    assert.equal(typeof r.json.error_description, 'string', `${p}: ${r.text}`);
    assert.deepEqual(Object.keys(r.json).sort(), ['error', 'error_description'], p);
  }
});

test('client_secret_basic refusals: a wrong secret is 401 invalid_client, two different credentials 400 invalid_request', async () => {
  const wrong = await tokenReq('grant_type=client_credentials&scope=catalog', { authorization: clientBasic(su.id, su.api_key.slice(0, -1) + (su.api_key.endsWith('0') ? '1' : '0')) });
  assert.equal(wrong.status, 401);
  assert.equal(JSON.parse(wrong.text).error, 'invalid_client');
  const both = await tokenReq(`grant_type=client_credentials&client_id=${su.id}&client_secret=pgl_0000000000000000_${'0'.repeat(64)}`,
    { authorization: clientBasic(su.id, su.api_key) });
  assert.equal(both.status, 400);
  assert.equal(JSON.parse(both.text).error, 'invalid_request');
  const junk = await tokenReq('grant_type=client_credentials', { authorization: 'Basic !!!' });
  assert.equal(junk.status, 400);
  assert.equal(JSON.parse(junk.text).error, 'invalid_request');
});
