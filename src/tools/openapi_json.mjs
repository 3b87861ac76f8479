// openapi_json: the OpenAPI document the server serves at /openapi.json
// and /api/v1/openapi.json (compiled in by bin2c): Pangolin's own routes
// (docs/openapi/management.yaml: the management API and Pangolin's
// extensions of the Iceberg REST API) and, beside them, the Iceberg REST
// catalog API as the Apache Iceberg document writes it
// (docs/openapi/iceberg-rest-catalog-open-api.yaml, the spec Pangolin
// implements), merged into one.  Build-time tool, run by the Makefile
// with node; the YAML reader is the API page's npm package
// (assets/api-docs, installed by `make deps`).  Refuses a document that
// is not OpenAPI 3.1, an operation without an operationId, an id used
// twice or a path described by both, so a broken edit fails the build,
// not the page.
//
//   node src/tools/openapi_json.mjs management.yaml iceberg.yaml out.json
//
// The merge: our info, servers, security and tags first; the Iceberg
// paths as written (but the operations on NOT_SERVED), each operation with the Iceberg document's own
// security unless it names one; its components beside ours, a name both
// use for different things taken as Iceberg<Name> on its side (its $refs
// rewritten), one kept where both are the same; its tags listed after
// ours.  buildDocument() is exported for the test that compares the
// served document with its sources (openapi_docs.test.js).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../../assets/api-docs/package.json', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options', 'trace'];

/*
 * The Iceberg document's operations Pangolin does not serve, left out of
 * the served document (a client learns what a catalog serves from
 * /v1/config's `endpoints` too): none since the functions of the UDF
 * spec are served (issue 70); the set stays for an operation a later
 * spec adds before it is served.  openapi_docs.test.js holds every path
 * left in to a route served.
 */
const NOT_SERVED = new Set([]);

/** What the Iceberg document's tags are, said in ours. */
const ICEBERG_TAGS = {
  'Configuration API': 'The Apache Iceberg REST catalog: a client\'s configuration (`/v1/config`), as the Iceberg REST OpenAPI document writes it.',
  'OAuth2 API': 'The Apache Iceberg REST catalog\'s OAuth2 token endpoint (`/v1/oauth/tokens`; a service user\'s id and API key as the client credentials).',
  'Catalog API': 'The Apache Iceberg REST catalog (`/v1/{prefix}/...`): namespaces, tables, views, scan planning, credentials and remote signing, as the Iceberg REST OpenAPI document writes it.  Pangolin also answers each under PyIceberg\'s doubled prefix `/v1/{prefix}/v1/...` where it lists one.',
};

function loadYaml(file) {
  let YAML;
  try {
    YAML = require('yaml');
  } catch {
    throw new Error('the yaml package is missing: run make deps (sh tests/deps.sh build)');
  }
  return YAML.parse(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
}

/** Every $ref in node to one of renamed's components, rewritten. */
function rewriteRefs(node, renamed) {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, renamed));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && renamed.has(v) ? renamed.get(v) : rewriteRefs(v, renamed);
  }
  return out;
}

/** Problems of a merged document, or none. */
function check(doc, ours, theirs) {
  const bad = [];
  if (!/^3\.1\./.test(String(doc?.openapi))) bad.push(`openapi is ${doc?.openapi}, not 3.1.x`);
  if (!/^3\.1\./.test(String(theirs?.openapi))) bad.push(`the Iceberg document is OpenAPI ${theirs?.openapi}, not 3.1.x`);
  for (const p of Object.keys(theirs?.paths ?? {})) {
    if (ours.paths?.[p]) bad.push(`${p} is described by both documents`);
  }
  const ids = new Set();
  for (const [p, item] of Object.entries(doc?.paths ?? {})) {
    for (const m of METHODS) {
      if (!item[m]) continue;
      const id = item[m].operationId;
      if (!id) bad.push(`${m.toUpperCase()} ${p} has no operationId`);
      else if (ids.has(id)) bad.push(`operationId ${id} is used twice`);
      ids.add(id);
    }
  }
  return bad;
}

/** The served document from our YAML and the Iceberg one. */
export function buildDocument(managementYaml, icebergYaml) {
  const ours = loadYaml(managementYaml);
  const theirs = loadYaml(icebergYaml);
  const renamed = new Map();
  const components = structuredClone(ours.components ?? {});
  for (const [kind, entries] of Object.entries(theirs.components ?? {})) {
    components[kind] ??= {};
    for (const name of Object.keys(entries)) {
      const mine = ours.components?.[kind]?.[name];
      if (mine === undefined || isDeepStrictEqual(mine, entries[name])) continue;
      if (ours.components?.[kind]?.[`Iceberg${name}`] !== undefined || entries[`Iceberg${name}`] !== undefined)
        throw new Error(`components/${kind}/${name} differs in the two documents, and Iceberg${name} is taken`);
      renamed.set(`#/components/${kind}/${name}`, `#/components/${kind}/Iceberg${name}`);
    }
  }
  const iceberg = rewriteRefs({ paths: theirs.paths, components: theirs.components ?? {} }, renamed);
  for (const [kind, entries] of Object.entries(iceberg.components)) {
    for (const [name, value] of Object.entries(entries)) {
      const ref = `#/components/${kind}/${name}`;
      components[kind][renamed.has(ref) ? `Iceberg${name}` : name] = value;
    }
  }
  const paths = { ...ours.paths };
  for (const [p, item] of Object.entries(iceberg.paths)) {
    const copy = { ...item };
    for (const m of METHODS) {
      if (copy[m] && NOT_SERVED.has(copy[m].operationId))
        delete copy[m];
      else if (copy[m] && copy[m].security === undefined && theirs.security !== undefined)
        copy[m] = { ...copy[m], security: theirs.security };
    }
    if (METHODS.some((m) => copy[m]))
      paths[p] = copy;
  }
  const used = new Set(Object.values(paths).flatMap((item) => METHODS.flatMap((m) => item[m]?.tags ?? [])));
  const tags = [...(ours.tags ?? [])];
  for (const name of used) {
    if (!tags.some((t) => t.name === name))
      tags.push({ name, description: ICEBERG_TAGS[name] ?? `The Apache Iceberg REST catalog (${name}).` });
  }
  const doc = { ...ours, tags, paths, components };
  const bad = check(doc, ours, theirs);
  for (const id of NOT_SERVED) {
    if (!Object.values(theirs.paths).some((item) => METHODS.some((m) => item[m]?.operationId === id)))
      bad.push(`${id} is on NOT_SERVED but not in the Iceberg document`);
  }
  if (bad.length) throw new Error(bad.join('\n  '));
  return doc;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [management, iceberg, output] = process.argv.slice(2);
  if (!management || !iceberg || !output) {
    console.error('usage: node openapi_json.mjs management.yaml iceberg.yaml out.json');
    process.exit(2);
  }
  try {
    fs.writeFileSync(output, JSON.stringify(buildDocument(management, iceberg)));
  } catch (e) {
    console.error(`openapi_json: ${management} + ${iceberg}:\n  ${e.message}`);
    process.exit(1);
  }
}
