// A loopback receiver of Pangolin's webhooks for integration tests (issue
// 43): an HTTP server on 127.0.0.1 that records every delivery in the
// order it arrived and checks each one as a Standard Webhooks consumer
// would (standardwebhooks.com, spec "Verifying signatures"): webhook-id,
// webhook-timestamp within the tolerance, and every "v1," signature of
// webhook-signature tried against every secret it was given (a rotation
// overlap sends one per secret, space-separated), HMAC-SHA256 over
// "<id>.<timestamp>.<body>" keyed by the base64 after "whsec_", compared
// in constant time.  It can answer an error status or hang on demand, to
// drive retries, backoff and pauses; a test waits on a condition
// (waitFor), never on the clock.
import http from 'node:http';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';

const PREFIX = 'whsec_';

/** The key of a whsec_ secret (a Buffer), or null when it is malformed. */
export function secretKey(secret) {
  if (typeof secret !== 'string' || !secret.startsWith(PREFIX)) return null;
  const b64 = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return null;
  const key = Buffer.from(b64, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : null;
}

/** "v1," + base64 HMAC-SHA256 of id.timestamp.body under secret. */
export function signV1(secret, id, timestamp, body) {
  const key = secretKey(secret);
  if (!key) throw new Error(`not a whsec_ secret: ${secret}`);
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

/**
 * Check one delivery's headers and raw body against secrets.  Returns
 * { ok, why, signatures: [{ signature, secret: index of the secret it
 * matched or -1 }] }: ok when a v1 signature matches some secret and the
 * timestamp is within tolerance seconds of now (seconds).
 */
export function verifyDelivery({ secrets, id, timestamp, signature, body, now = Date.now() / 1000, tolerance = 300 }) {
  const out = { ok: false, why: '', signatures: [] };
  if (!id || !timestamp || !signature) return { ...out, why: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^[0-9]{1,18}$/.test(timestamp)) return { ...out, why: 'webhook-timestamp is not epoch seconds' };
  if (Math.abs(Number(timestamp) - now) > tolerance) return { ...out, why: 'webhook-timestamp outside the tolerance' };
  const expected = secrets.map((s) => Buffer.from(signV1(s, id, timestamp, body)));
  for (const sig of signature.split(' ').filter(Boolean)) {
    const got = Buffer.from(sig);
    const secret = expected.findIndex((e) => e.length === got.length && crypto.timingSafeEqual(e, got));
    out.signatures.push({ signature: sig, secret });
  }
  out.ok = out.signatures.some((s) => s.secret !== -1);
  if (!out.ok) out.why = 'no matching signature';
  return out;
}

/**
 * Start a receiver.  secrets: the whsec_ secrets a delivery may be signed
 * with (setSecrets changes them); port: the port to listen on (0: any), so
 * a receiver closed can come back at the same URL.  Resolves to
 *   { url, port, deliveries, setSecrets, answer, hang, release, waitFor, close }
 * deliveries: every request in arrival order, each { method, path, headers,
 * id, timestamp, signature, body (string), json (or undefined), verified,
 * why, signatures, status (the answer given; null while held) }.
 * answer(...statuses): the next requests get these statuses, one each, then
 * 204 again.  hang(true): requests are held unanswered until release() (or
 * the sender gives up).  waitFor(pred, ms): resolves with the deliveries
 * once pred(deliveries) is true, rejects with what arrived after ms.
 */
export async function startReceiver({ secrets = [], tolerance = 300, port: listenOn = 0 } = {}) {
  let keys = [...secrets];
  const deliveries = [];
  const queued = [];
  const held = [];
  let hanging = false;
  const events = new EventEmitter();

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const h = req.headers;
      const v = verifyDelivery({ secrets: keys, id: h['webhook-id'], timestamp: h['webhook-timestamp'],
        signature: h['webhook-signature'], body, tolerance });
      let json;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const d = { method: req.method, path: req.url, headers: h, id: h['webhook-id'], timestamp: h['webhook-timestamp'],
        signature: h['webhook-signature'], body, json, verified: v.ok, why: v.why, signatures: v.signatures, status: null };
      deliveries.push(d);
      const reply = (status) => {
        d.status = status;
        if (!res.writableEnded) res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? '' : 'refused');
        events.emit('change');
      };
      if (hanging) {
        held.push(reply);
        events.emit('change');
        return;
      }
      reply(queued.length > 0 ? queued.shift() : 204);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenOn, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    deliveries,
    setSecrets(list) { keys = [...list]; },
    answer(...statuses) { queued.push(...statuses); },
    hang(on = true) { hanging = on; },
    release(status = 204) {
      hanging = false;
      for (const reply of held.splice(0)) reply(status);
    },
    waitFor(pred, ms = 30000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(deliveries)) return false;
          clearTimeout(timer);
          events.off('change', check);
          resolve(deliveries);
          return true;
        };
        const timer = setTimeout(() => {
          events.off('change', check);
          reject(new Error(`webhook receiver: condition not met after ${ms} ms; ${deliveries.length} deliveries: ` +
            JSON.stringify(deliveries.map((d) => ({ id: d.id, verified: d.verified, why: d.why, status: d.status })))));
        }, ms);
        events.on('change', check);
        check();
      });
    },
    async close() {
      for (const reply of held.splice(0)) reply(503);
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
