// Assertions shared by the test files.
import assert from 'node:assert/strict';

let counter = 0;
/** A name no other test uses: prefix-<pid>-<n>. */
export const uniq = (prefix = 'x') => `${prefix}-${process.pid}-${++counter}`;

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function describe(r) {
  return `${r.status} ${r.text.slice(0, 300)}`;
}

/**
 * Status is `status` and the body is JSON; returns the body.  The
 * x-request-id check is skipped only where a dedicated test covers it.
 */
export function expectJson(r, status, { requestId = true } = {}) {
  assert.equal(r.status, status, `expected ${status}, got ${describe(r)}`);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/, `content-type of ${describe(r)}`);
  assert.notEqual(r.json, undefined, `body is not JSON: ${describe(r)}`);
  if (requestId) assert.ok(r.headers['x-request-id'], 'every response carries x-request-id');
  return r.json;
}

/**
 * A JSON error of the route's shape: {"error": "..."} on management
 * routes, {"error": {message, type, code}} on /v1 routes.
 */
export function expectError(r, status, { iceberg = false, message, requestId = true } = {}) {
  const body = expectJson(r, status, { requestId });
  if (iceberg) {
    assert.equal(typeof body.error, 'object', `Iceberg envelope expected: ${describe(r)}`);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(typeof body.error.type, 'string');
    assert.equal(body.error.code, status);
    if (message) assert.match(body.error.message, message);
  } else {
    assert.equal(typeof body.error, 'string', `{"error": "<message>"} expected: ${describe(r)}`);
    assert.ok(body.error.length > 0);
    if (message) assert.match(body.error, message);
  }
  return body;
}

/** A list reply: 200, a bare JSON array and X-Total-Count. */
export function expectList(r) {
  const body = expectJson(r, 200);
  assert.ok(Array.isArray(body), `a bare array expected: ${describe(r)}`);
  assert.match(r.headers['x-total-count'] ?? '', /^\d+$/, 'X-Total-Count header');
  return { items: body, total: Number(r.headers['x-total-count']) };
}

/** Run fn over items with at most `width` in flight; results in order. */
export async function pool(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * The pagination contract of a management list (pangolin-api.md "differs"
 * §6): default 100, limit/offset, page/page_size (from 1), a window past
 * the end is [] with the right X-Total-Count, bad values are 400 and
 * limit/offset cannot be mixed with page/page_size.  `list` is the list
 * path (it may carry a query already); the list must hold at least 5
 * items.  Returns the full list.
 */
export async function checkPaging(srv, list, { headers = {}, key = (x) => x.name, keyset = false } = {}) {
  const sep = list.includes('?') ? '&' : '?';
  const get = (qs) => srv.req('GET', `${list}${sep}${qs}`, { headers });
  const all = expectList(await get('limit=1000'));
  const names = all.items.map(key);
  assert.ok(names.length >= 5, `${list}: need at least 5 items, have ${names.length}`);
  assert.equal(all.total, names.length);

  const dflt = expectList(await srv.req('GET', list, { headers }));
  assert.deepEqual(dflt.items.map(key), names.slice(0, 100), 'default window is the first 100');
  assert.equal(dflt.total, names.length);

  const lo = expectList(await get('limit=2&offset=1'));
  assert.deepEqual(lo.items.map(key), names.slice(1, 3), 'limit=2&offset=1');
  assert.equal(lo.total, names.length, 'X-Total-Count counts every row, not the page');

  const pg = expectList(await get('page=2&page_size=2'));
  assert.deepEqual(pg.items.map(key), names.slice(2, 4), 'page=2&page_size=2 (pages start at 1)');
  const p1 = expectList(await get('page=1&page_size=3'));
  assert.deepEqual(p1.items.map(key), names.slice(0, 3), 'page=1 is the first page');

  const past = expectList(await get(`offset=${names.length + 10}`));
  assert.deepEqual(past.items, [], 'offset past the end is []');
  assert.equal(past.total, names.length, 'offset past the end keeps X-Total-Count');
  const pastPage = expectList(await get('page=1000&page_size=50'));
  assert.deepEqual(pastPage.items, []);

  for (const qs of ['limit=-1', 'limit=abc', 'limit=', 'limit=+5', 'limit=1e3', 'offset=-5', 'offset=1x',
    'offset=99999999999999999999999', 'page=0', 'page=-1', 'page=', 'page_size=ten',
    'limit=2&page=1', 'offset=1&page_size=2']) {
    expectError(await get(qs), 400);
  }
  if (keyset) {
    for (const limit of [1, 2, 3, names.length]) {
      assert.deepEqual(await walkKeyset(srv, list, { headers, key, limit }), names, `page_token walk, limit=${limit}`);
    }
    // An offset page hands out the next page's token too.
    const first = await get('limit=2');
    assert.match(first.headers['x-next-page-token'] ?? '', /^[A-Za-z0-9_-]+$/, 'an offset page gives X-Next-Page-Token');
    const next = await get(`limit=2&page_token=${first.headers['x-next-page-token']}`);
    assert.deepEqual(expectJson(next, 200).map(key), names.slice(2, 4), 'its token reads on from it');
    for (const qs of ['page_token=%21bogus', 'page_token=o30', `page_token=${first.headers['x-next-page-token']}&offset=2`]) {
      expectError(await get(qs), 400);
    }
  }
  return names;
}

/**
 * Every page of a management list by page_token (keyset pages, issue 69),
 * from the first (an empty page_token): each a bare array without
 * X-Total-Count (a count reads every row), X-Next-Page-Token while rows
 * follow.  between(i, items) runs after page i; pages, an array, gets
 * each page's length.  Returns the keys in order.
 */
export async function walkKeyset(srv, list, { headers = {}, key = (x) => x.name, limit = 2, between, sparse = false, pages } = {}) {
  const sep = list.includes('?') ? '&' : '?';
  const out = [];
  let tok = '';
  for (let i = 0; i < 10000; i++) {
    const r = await srv.req('GET', `${list}${sep}limit=${limit}&page_token=${tok}`, { headers });
    const body = expectJson(r, 200);
    assert.ok(Array.isArray(body), `a bare array expected: ${describe(r)}`);
    assert.equal(r.headers['x-total-count'], undefined, 'a keyed page has no X-Total-Count');
    assert.ok(body.length <= limit, `page of ${body.length} > limit ${limit}`);
    out.push(...body.map(key));
    pages?.push(body.length);
    tok = r.headers['x-next-page-token'];
    if (tok == null) return out;
    // sparse: a list filtered for its caller, whose read may stop short
    // ([server] list_max_slices): a page with a token may be empty.
    if (!sparse) assert.ok(body.length > 0, 'a page that says more follow holds a row');
    if (between) await between(i, body);
  }
  throw new Error(`${list}: no last page`);
}
