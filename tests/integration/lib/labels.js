// The spec's labels (apache/iceberg PR 15750, merged) as a check every
// labelled answer goes through: shared/spec/iceberg-labels.yaml, the REST
// document at the head of that change, whose LoadTableResult and
// LoadViewResult carry `labels` (Labels: object-labels, fields of
// {field-id, labels}).  The whole result is held to the document's own
// schema, with lib/openapi.js's errata for the parts it shares with the
// document we ship (the main check, checkResponse, runs beside it).
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO } from './server.js';
import { parseYamlFile } from './yaml_cache.js';
import { keptValidator } from './response_validators.js';

export const SPEC = parseYamlFile(path.resolve(REPO, '../shared/spec/iceberg-labels.yaml'));

const components = structuredClone(SPEC.components);
{
  const s = components.schemas;
  // lib/openapi.js's errata: a v3 table without a snapshot writes null;
  // PrimitiveTypeValue's branches share JSON types.
  s.TableMetadata.properties['current-snapshot-id'] = { type: ['integer', 'null'], format: 'int64' };
  s.PrimitiveTypeValue.anyOf = s.PrimitiveTypeValue.oneOf;
  delete s.PrimitiveTypeValue.oneOf;
}
const whole = (name) => keptValidator({ $ref: `#/components/schemas/${name}`, components }, { allErrors: true });
const validLabels = whole('Labels');
const validTable = whole('LoadTableResult');
const validView = whole('LoadViewResult');

/** labels must be the spec's Labels, with only its two members, one entry per field id. */
export function checkLabels(labels) {
  assert.ok(validLabels(labels), `not Labels: ${JSON.stringify(validLabels.errors)} in ${JSON.stringify(labels)}`);
  for (const k of Object.keys(labels)) assert.ok(['object-labels', 'fields'].includes(k), `unknown member ${k}`);
  const ids = (labels.fields ?? []).map((f) => f['field-id']);
  assert.equal(new Set(ids).size, ids.length, 'one entry per field id');
  for (const f of labels.fields ?? []) assert.ok(Object.keys(f.labels).length > 0, `field ${f['field-id']} has no label`);
}

/** A LoadTableResult (or LoadViewResult, view true) of the labels document. */
export function checkResult(body, { view = false } = {}) {
  const v = view ? validView : validTable;
  assert.ok(v(body), `not a ${view ? 'LoadViewResult' : 'LoadTableResult'}: ${JSON.stringify(v.errors?.slice(0, 5))}`);
  if (body.labels !== undefined) checkLabels(body.labels);
  // Catalog-owned: never in the metadata the file holds.
  assert.equal(body.metadata.labels, undefined);
  return body.labels;
}

/** The field labels by id: { id: labels }. */
export const byField = (labels) => Object.fromEntries((labels?.fields ?? []).map((f) => [f['field-id'], f.labels]));
