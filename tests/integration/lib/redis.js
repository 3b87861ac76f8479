// A throwaway redis-server for a test (no persistence, loopback).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A redis-server on port; resolves once it answers.  Returns { proc, stop() }. */
export async function startRedis(port) {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  for (let i = 0; i < 100 && !out.includes('Ready to accept connections'); i++) await sleep(50);
  assert.ok(out.includes('Ready to accept connections'), `redis-server did not start:\n${out}`);
  return { proc, stop: async () => { proc.kill('SIGKILL'); await exited; } };
}
