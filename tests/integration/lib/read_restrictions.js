// The spec's ReadRestrictions (apache/iceberg PR 13879) as a check every
// read-restrictions answer goes through (policies, read_restrictions).
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO } from './server.js';
import { parseYamlFile } from './yaml_cache.js';
import { keptValidator } from './response_validators.js';

export const SPEC = parseYamlFile(path.resolve(REPO, '../shared/spec/iceberg-read-restrictions.yaml'));
// The errata lib/openapi.js applies to the same schemas (a $ref's
// sibling const is lost when dereferenced; PrimitiveTypeValue's branches
// share JSON types).
const schemas = structuredClone(SPEC.components.schemas);
{
  const c = (v) => (Array.isArray(v) ? { type: 'string', enum: v } : { type: 'string', const: v });
  schemas.PrimitiveTypeValue.anyOf = schemas.PrimitiveTypeValue.oneOf;
  delete schemas.PrimitiveTypeValue.oneOf;
  schemas.TrueExpression.properties.type = c('true');
  schemas.FalseExpression.properties.type = c('false');
  schemas.AndOrPredicate.properties.type = c(['and', 'or']);
  schemas.NotPredicate.properties.type = c('not');
  schemas.UnaryPredicate.properties.type = c(['is-null', 'not-null', 'is-nan', 'not-nan']);
  schemas.ComparisonPredicate.properties.type = c(['lt', 'lt-eq', 'gt', 'gt-eq', 'eq', 'not-eq', 'starts-with', 'not-starts-with']);
  schemas.SetPredicate.properties.type = c(['in', 'not-in']);
}
const validRR = keptValidator({ $ref: '#/components/schemas/ReadRestrictions', components: { schemas } }, { draft2020: true, allErrors: true });
export const ACTIONS = Object.keys(SPEC.components.schemas.Action.discriminator.mapping);

/** rr must be the spec's ReadRestrictions: the schema, the nine actions, one per field, ids only. */
export function checkRR(rr) {
  assert.ok(validRR(rr), `not a ReadRestrictions: ${JSON.stringify(validRR.errors)} in ${JSON.stringify(rr)}`);
  const ids = (rr['required-column-projections'] ?? []).map((p) => p['field-id']);
  assert.equal(new Set(ids).size, ids.length, 'one projection per field id');
  for (const p of rr['required-column-projections'] ?? []) assert.ok(ACTIONS.includes(p.action), p.action);
  assert.ok(!JSON.stringify(rr['required-row-filter'] ?? null).includes('"name"'), 'the row filter references by id');
}
