// The feed's Event objects (src/events/event_build.c) against the Iceberg
// events proposal's own schema (shared/spec/iceberg-events-proposal.yaml,
// beside the repository), compiled by ajv with ajv-formats.  The C unit
// test test_event_build builds one event of every operation type, with
// every field the type takes, and writes them out (PGL_EVENT_SAMPLES); no
// server is involved.  Issue 43: the feed is being built and not served
// yet, so its routes' answers are not checked here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD, REPO } from './lib/server.js';
import { keptValidator } from './lib/response_validators.js';
import { parseYamlFile } from './lib/yaml_cache.js';

const SPEC = path.resolve(REPO, '../shared/spec/iceberg-events-proposal.yaml');

function samples() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgl-events-'));
  const file = path.join(dir, 'events.json');
  try {
    execFileSync(path.join(BUILD, 'tests', 'test_event_build'), {
      env: { ...process.env, PGL_EVENT_SAMPLES: file }, stdio: 'ignore',
    });
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The schema of name, whole: the document's components beside a $ref to it.
function validator(doc, name) {
  return keptValidator({ $ref: `#/components/schemas/${name}`, components: doc.components }, {});
}

const doc = parseYamlFile(SPEC);
const events = samples();
const standard = new Set(Object.keys(doc.components.schemas.BaseOperation.discriminator.mapping));

test('every standard operation type builds an Event the proposal schema accepts', () => {
  const check = validator(doc, 'QueryEventsResponse');
  const seen = new Set();
  for (const ev of events) {
    const type = ev.operation['operation-type'];
    if (!standard.has(type)) continue;
    seen.add(type);
    const ok = check({ 'continuation-token': 't', events: [ev] });
    assert.ok(ok, `${type}: ${JSON.stringify(check.errors?.slice(0, 3))}`);
  }
  assert.deepEqual([...seen].sort(), [...standard].sort());
});

test('each standard operation holds every field its own schema requires', () => {
  const mapping = doc.components.schemas.BaseOperation.discriminator.mapping;
  for (const ev of events) {
    const type = ev.operation['operation-type'];
    if (!standard.has(type)) continue;
    const name = mapping[type].split('/').pop();
    const check = validator(doc, name);
    assert.ok(check(ev.operation), `${type}: ${JSON.stringify(check.errors?.slice(0, 3))}`);
    for (const key of doc.components.schemas[name].required ?? []) {
      assert.ok(key in ev.operation, `${type} lacks ${key}`);
    }
  }
});

// The proposal's Event.operation is an anyOf of its twelve operations, each
// with a const operation-type, so no implementation-specific type can match
// it literally; its OperationType asks for an x- prefix and says consumers
// skip types they do not know.  Pangolin's events are held to the rest of
// the Event schema, with a BaseOperation (operation-type a string).
test('every Pangolin operation type is x-prefixed and its Event is otherwise the schema', () => {
  const components = structuredClone(doc.components);
  components.schemas.Event.properties.operation = { $ref: '#/components/schemas/BaseOperation' };
  const check = keptValidator({ $ref: '#/components/schemas/Event', components }, {});
  let n = 0;
  for (const ev of events) {
    const type = ev.operation['operation-type'];
    if (standard.has(type)) continue;
    n++;
    assert.match(type, /^x-pangolin\.[a-z-]+$/);
    assert.ok(check(ev), `${type}: ${JSON.stringify(check.errors?.slice(0, 3))}`);
  }
  assert.ok(n > 0);
});
