import type { z } from 'zod';

type JsonSchema = z.core.JSONSchema.JSONSchema;

/** Keywords that only describe a value: a node with these beside its `anyOf` can be rewritten. */
const ANNOTATIONS = new Set([
  'anyOf',
  'description',
  'title',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/**
 * Keywords that a branch cannot carry up to the property: ones that choose between values, and
 * `default`, which fast-json-stringify writes for a missing property only when the property
 * itself has it. A branch with one is left as it is.
 */
const KEPT_IN_BRANCH = [
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  '$ref',
  'const',
  'default',
] as const;

const isNull = (schema: JsonSchema): boolean =>
  schema.type === 'null' && Object.keys(schema).length === 1;

/**
 * The response schema Fastify's serializer gets: the contract's JSON schema with every "one type
 * or null" (`anyOf: [X, { type: 'null' }]`, which zod writes for a nullable enum, object or
 * formatted string) written as X with `type: [X's type, 'null']`. Both allow the same values.
 *
 * Why: fast-json-stringify picks an `anyOf` branch by running Ajv on the value, in order, for
 * every such field of every item it writes, and a branch that does not match allocates Ajv's error
 * objects (and runs X's patterns first); for a list of types it tests `typeof`. On a 50-partner
 * page (two such fields a partner) that was about 11 KB of garbage a request (15 KB with the
 * validators' other work). The OpenAPI document is built from the zod schema, not from this.
 *
 * For every value the contract allows the bytes are the same, with one difference, a fix: Ajv
 * checked the value against X, formats and `additionalProperties: false` included, so a value
 * zod accepts and Ajv's formats do not (a URL with Japanese characters) was a 500; now it is
 * written as the contract says.
 */
export function serializerSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, visit(value)]),
    );
  }
  if (schema.items !== undefined) {
    out.items = Array.isArray(schema.items) ? schema.items.map(visit) : visit(schema.items);
  }
  if (schema.prefixItems) out.prefixItems = schema.prefixItems.map(visit);
  if (typeof schema.additionalProperties === 'object') {
    out.additionalProperties = serializerSchema(schema.additionalProperties);
  }
  // Reused or recursive sub-schemas (draft 2020-12's `$defs`, draft-07's `definitions`).
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = schema[key];
    if (defs && typeof defs === 'object') {
      // A definition may be `true` or `false` (draft-07), which is kept as it is.
      (out as Record<string, unknown>)[key] = Object.fromEntries(
        Object.entries(defs as Record<string, JsonSchema | boolean>).map(([name, value]) => [
          name,
          visit(value),
        ]),
      );
    }
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[key];
    if (branches) out[key] = branches.map(visit);
  }
  return nullableType(out) ?? out;
}

function visit<T extends JsonSchema | boolean>(schema: T): T;
function visit(schema: JsonSchema | boolean): JsonSchema | boolean {
  return typeof schema === 'boolean' ? schema : serializerSchema(schema);
}

/** `{ anyOf: [X, null] }` as X allowing null too, when X is one plain type; else undefined. */
function nullableType(schema: JsonSchema): JsonSchema | undefined {
  const branches = schema.anyOf;
  if (branches?.length !== 2) return undefined;
  if (!Object.keys(schema).every((key) => ANNOTATIONS.has(key))) return undefined;
  const other = branches.find((branch) => !isNull(branch));
  if (!other || !branches.some(isNull)) return undefined;
  if (typeof other.type !== 'string' || other.type === 'null') return undefined;
  if (KEPT_IN_BRANCH.some((key) => other[key] !== undefined)) return undefined;
  const annotations = Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'anyOf'));
  return {
    ...other,
    ...annotations,
    type: [other.type, 'null'],
    ...(other.enum ? { enum: [...other.enum, null] } : {}),
  };
}
