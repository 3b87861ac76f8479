// The admin page under /ui: compiled-in assets, public, never a file
// outside the asset table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, startServer } from './lib/server.js';
import { expectError } from './lib/expect.js';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const asset = (name) => fs.readFileSync(path.join(REPO, 'assets', name), 'utf8');

test('GET /ui serves index.html as text/html with nosniff and a same-origin CSP', async () => {
  for (const p of ['/ui', '/ui/', '/ui/index.html']) {
    const r = await srv.req('GET', p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(r.headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.equal(r.text, asset('index.html'));
    assert.ok(r.headers['x-request-id']);
  }
});

test('the page\'s scripts and styles are served with their content types', async () => {
  const js = await srv.req('GET', '/ui/app.js');
  assert.equal(js.status, 200);
  assert.match(js.headers['content-type'], /^text\/javascript/);
  assert.equal(js.text, asset('app.js'));
  const css = await srv.req('GET', '/ui/style.css');
  assert.equal(css.status, 200);
  assert.match(css.headers['content-type'], /^text\/css/);
  assert.equal(css.text, asset('style.css'));
});

test('an unknown asset, or a path that tries to leave the asset table, is 404 JSON', async () => {
  for (const p of ['/ui/nope.js', '/ui/..%2F..%2Fetc%2Fpasswd', '/ui/%2Fetc%2Fpasswd', '/ui/..%2Fkore.conf', '/ui/app.js%2F']) {
    expectError(await srv.req('GET', p), 404);
  }
  expectError(await srv.req('GET', '/ui/a/b'), 404);
});

test('HEAD /ui answers like GET without a body; POST is 405', async () => {
  const h = await srv.req('HEAD', '/ui/app.js');
  assert.equal(h.status, 200);
  assert.equal(h.text, '');
  expectError(await srv.req('POST', '/ui', { body: {} }), 405);
});
