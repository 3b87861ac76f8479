// The webhook receiver checks itself (lib/webhook_receiver.js): the
// webhook tests of issue 43 trust it to refuse a delivery a Standard
// Webhooks consumer would refuse, so one that verified everything would
// pass them all.  No Pangolin server is involved.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { startReceiver, signV1, verifyDelivery } from './lib/webhook_receiver.js';

// The published vector of the Standard Webhooks reference libraries
// (github.com/standard-webhooks/standard-webhooks, libraries/php/tests/
// WebhookTest.php testSignFunctionWorks).
const VEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

function post(url, { id, timestamp, signature, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json',
      'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the published vector verifies; a changed body, id or old timestamp does not', () => {
  const now = Number(VEC.timestamp);
  assert.equal(signV1(VEC.secret, VEC.id, VEC.timestamp, VEC.body), VEC.signature);
  assert.equal(verifyDelivery({ secrets: [VEC.secret], ...VEC, now }).ok, true);
  assert.equal(verifyDelivery({ secrets: [VEC.secret], ...VEC, body: '{"test":2432232314}', now }).ok, false);
  assert.equal(verifyDelivery({ secrets: [VEC.secret], ...VEC, id: 'msg_other', now }).ok, false);
  assert.equal(verifyDelivery({ secrets: [VEC.secret], ...VEC, now: now + 301 }).ok, false);
  assert.equal(verifyDelivery({ secrets: [OTHER], ...VEC, now }).ok, false);
});

test('a rotation overlap: each signature is matched to the secret that made it', () => {
  const now = Number(VEC.timestamp);
  const fresh = signV1(OTHER, VEC.id, VEC.timestamp, VEC.body);
  const v = verifyDelivery({ secrets: [VEC.secret, OTHER], ...VEC, signature: `${fresh} v1a,xyz ${VEC.signature}`, now });
  assert.equal(v.ok, true);
  assert.deepEqual(v.signatures.map((s) => s.secret), [1, -1, 0]);
});

test('deliveries are recorded in order, answered as asked, held while hanging', async () => {
  const r = await startReceiver({ secrets: [OTHER] });
  try {
    const ts = String(Math.floor(Date.now() / 1000));
    const one = { id: 'ev1', timestamp: ts, body: '{"n":1}' };
    const two = { id: 'ev2', timestamp: ts, body: '{"n":2}' };
    r.answer(500);
    assert.equal(await post(r.url, { ...one, signature: signV1(OTHER, one.id, ts, one.body) }), 500);
    assert.equal(await post(r.url, { ...one, signature: signV1(OTHER, one.id, ts, one.body) }), 204);
    assert.equal(await post(r.url, { ...two, signature: signV1(VEC.secret, two.id, ts, two.body) }), 204);
    assert.deepEqual(r.deliveries.map((d) => [d.id, d.verified, d.status]),
      [['ev1', true, 500], ['ev1', true, 204], ['ev2', false, 204]]);
    assert.deepEqual(r.deliveries[0].json, { n: 1 });

    r.hang();
    const pending = post(r.url, { ...two, signature: signV1(OTHER, two.id, ts, two.body) });
    await r.waitFor((ds) => ds.length === 4);
    assert.equal(r.deliveries[3].status, null);
    r.release(200);
    assert.equal(await pending, 200);
  } finally {
    await r.close();
  }
});
