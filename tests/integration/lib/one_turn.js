// Requests that a server's worker reads in one turn of its event loop, the
// first written dispatched first (commit_chain.test.js).
//
// Sent together over the network, requests reach the worker as they come:
// on a loaded machine it read the first commit alone and had computed it
// and written its file before the others came, so nothing was chained on
// it (seen: no chained commit, none run again).  Here the worker is
// stopped (SIGSTOP, as redis_l2.test.js stops a Redis) while each request
// is written on a connection it holds, and continued once every request is
// whole in its socket's receive queue (/proc/net/tcp).  Its next
// epoll_wait returns them all, in the order they came (the ready list is
// first in, first out), so Kore makes their requests in that order, and
// its http_process() dispatches them in it: at least one a turn, each turn
// before the worker takes up what finished off the loop
// (src/http/kore_dispatch.c, pgl_worker_turn).  A first commit's attempt
// starts at the end of the turn that dispatched it (pgl_req_later), so the
// second is dispatched, and queued behind it, before the first's computed
// result or written file is taken in: the chain is built, whatever the
// load.
//
// Each connection answers one GET first: the worker has then read from
// it, so it waits in the worker's epoll with nothing pending, and the
// first request written is the first ready.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { rawConnection } from './raw_http.js';
import { holders, workerPids } from './workers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The state of a process's main thread (/proc/pid/stat): T once stopped. */
const state = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
};

/** p, or a failure after ms (a bound for the harness, not a measure). */
function within(p, ms, why) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(why)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Bytes in the server's receive queue of the connection from clientPort
 * (IPv4, established): what the worker has not read yet. */
function unread(serverPort, clientPort) {
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '01') continue;	// 01: ESTABLISHED
    if (parseInt(f[1].split(':')[1], 16) === serverPort &&
        parseInt(f[2].split(':')[1], 16) === clientPort) return parseInt(f[4].split(':')[1], 16);
  }
  return -1;
}

/** Wait for cond(); the deadline only ends a hung test. */
async function until(cond, why) {
  for (const deadline = Date.now() + 30000; !cond(); await sleep(2))
    assert.ok(Date.now() < deadline, why);
}

/** A keep-alive connection held by worker id that has answered a GET
 * there; those that landed elsewhere stay open in spare, so that the
 * workers' accept share sends the next ones on. */
async function heldConnection(srv, workers, id, spare) {
  for (let i = 0; i < 64; i++) {
    const c = await rawConnection(srv.port);
    spare.push(c);
    await until(() => holders(workers, srv.port, c.port).length === 1, 'no worker took the connection');
    if (holders(workers, srv.port, c.port)[0] !== id) continue;
    c.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await c.next()).status, 200);
    // A read on a commit worker with a commit under way moves (kore_move.c).
    if (JSON.stringify(holders(workers, srv.port, c.port)) !== JSON.stringify([id])) continue;
    spare.pop();
    return c;
  }
  assert.fail(`none of 64 connections stayed on worker ${id}`);
}

/**
 * POST each [path, body] of reqs on a connection of its own, all read by
 * worker id (the commit worker, 1) in one turn, the first dispatched
 * first; resolves every answer ({ status, json }), in order.
 */
export async function sendInOneTurn(srv, reqs, id = 1) {
  const workers = workerPids(srv.proc.pid);
  const pid = workers.get(id);
  assert.ok(pid, `worker ${id} of ${JSON.stringify([...workers])}`);
  const spare = [];
  const conns = [];
  try {
    for (let i = 0; i < reqs.length; i++) conns.push(await heldConnection(srv, workers, id, spare));
    const texts = reqs.map(([p, body]) => {
      const text = JSON.stringify(body);
      return `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
    });
    const whole = (i) => unread(srv.port, conns[i].port) === Buffer.byteLength(texts[i]);
    process.kill(pid, 'SIGSTOP');
    try {
      await until(() => state(pid) === 'T', `worker ${id} never stopped`);
      conns[0].write(texts[0]);
      await until(() => whole(0), 'the first request never reached the stopped worker\'s socket');
      for (let i = 1; i < conns.length; i++) conns[i].write(texts[i]);
      await until(() => conns.every((_, i) => whole(i)), 'the requests never reached the stopped worker\'s sockets');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // A bound for the harness, not a measure: the wide table's commits
    // take a second each to compute in the sanitizer build on a loaded
    // machine, and those run again follow one another.
    return await Promise.all(conns.map((c) => within(c.next(), 120000, 'no answer in 120 s')));
  } finally {
    for (const c of [...spare, ...conns]) c.close();
  }
}
