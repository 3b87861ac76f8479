// openapi_json: docs/openapi/management.yaml -> the JSON the server
// serves at /api/v1/openapi.json (compiled in by bin2c).  Build-time
// tool, run by the Makefile with node; the YAML reader is the API page's
// npm package (assets/api-docs, installed by `make deps`).  Refuses a
// document that is not OpenAPI 3.1 or has an operation without an
// operationId, so a broken edit fails the build, not the page.
//
//   node src/tools/openapi_json.mjs in.yaml out.json
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../assets/api-docs/package.json', import.meta.url));
let YAML;
try {
  YAML = require('yaml');
} catch {
  console.error('openapi_json: the yaml package is missing: run make deps (sh tests/deps.sh build)');
  process.exit(2);
}

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node openapi_json.mjs in.yaml out.json');
  process.exit(2);
}
const doc = YAML.parse(fs.readFileSync(input, 'utf8'), { prettyErrors: true });
const bad = [];
if (!/^3\.1\./.test(String(doc?.openapi))) bad.push(`openapi is ${doc?.openapi}, not 3.1.x`);
const ids = new Set();
for (const [p, item] of Object.entries(doc?.paths ?? {})) {
  for (const m of ['get', 'put', 'post', 'delete', 'head', 'patch']) {
    if (!item[m]) continue;
    const id = item[m].operationId;
    if (!id) bad.push(`${m.toUpperCase()} ${p} has no operationId`);
    else if (ids.has(id)) bad.push(`operationId ${id} is used twice`);
    ids.add(id);
  }
}
if (bad.length) {
  console.error(`openapi_json: ${input}:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
fs.writeFileSync(output, JSON.stringify(doc));
