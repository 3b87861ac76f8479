// Following background tasks (issue 12) from a test: the task routes are
// the only view, as for any client.
import assert from 'node:assert/strict';

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll GET /api/v1/tasks/{id} until it ends; returns the task. */
export async function waitTask(req, id, { timeout = 30000, headers } = {}) {
  assert.ok(id, 'a task id');
  const end = Date.now() + timeout;
  for (;;) {
    const r = await req('GET', `/api/v1/tasks/${id}`, { headers });
    assert.equal(r.status, 200, `GET task ${id}: ${r.status} ${r.text}`);
    const t = JSON.parse(r.text);
    if (ENDED.has(t.status)) return t;
    if (Date.now() > end) assert.fail(`task ${id} still ${t.status} after ${timeout} ms: ${r.text}`);
    await sleep(50);
  }
}

/** Poll until no task (of kind) is queued or running. */
export async function waitIdle(req, { kind, timeout = 30000, headers } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const r = await req('GET', `/api/v1/tasks${kind ? `?kind=${kind}` : ''}`, { headers });
    assert.equal(r.status, 200, `GET tasks: ${r.status} ${r.text}`);
    const busy = JSON.parse(r.text).filter((t) => !ENDED.has(t.status));
    if (busy.length === 0) return;
    if (Date.now() > end) assert.fail(`tasks still busy after ${timeout} ms: ${JSON.stringify(busy)}`);
    await sleep(50);
  }
}
