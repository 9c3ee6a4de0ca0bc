import fc from 'fast-check';

/**
 * JSON Schema → fast-check arbitraries, for the subset our OpenAPI documents use (nestjs-zod's
 * output: `$ref`, `anyOf`, `enum`, `const`, string formats and patterns, numbers with bounds,
 * arrays, objects with `required` and `additionalProperties`). Written here rather than taken
 * from a package: fast-check has no JSON Schema arbitrary of its own, json-schema-faker draws
 * from its own random source (so a failing case could not be replayed from fast-check's seed),
 * and the fast-check adapters on npm are 0.0.x and unmaintained. The subset is small.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  enum?: Json[];
  const?: Json;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minLength?: number;
  maxLength?: number;
};

/** What a generated value may draw on: the document's named schemas and ids of real rows. */
export type SchemaContext = {
  schemas: Record<string, Schema>;
  /** Ids of rows the test file created, so a uuid sometimes names a real record. */
  knownIds: string[];
};

const MAX_DEPTH = 6;

/** Strings an attacker tries first. */
export const injectionStrings = [
  "'; drop table registry.partner; --",
  "' OR '1'='1",
  "1' AND pg_sleep(5)--",
  'Robert\'); DROP TABLE "inquiries"."inquiry";--',
  '{{7*7}}',
  '${7*7}',
  '<%= 7*7 %>',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '..\\..\\windows\\win.ini',
  '/dev/zero',
  '%00',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  'prototype',
  '%s%s%s%s%n',
  "=cmd|' /C calc'!A0",
  '@SUM(1+1)*cmd|/C calc',
  '$where',
  '{"$gt":""}',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '9'.repeat(400),
  'null',
  'true',
  '',
  ' ',
  '\t\n\r',
  '\u202eevil\u202c',
  '\u200b\u200b',
  '\ud800',
  'a\udc00b',
  '🙂👍🏽',
  '東京大学',
  'Ⅻ',
  'ǅ',
  '\\',
  '%',
  '%zz',
  '\r\nSet-Cookie: x=1',
];

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

/** Short strings of every awkward kind: any code point, control characters and NUL, lone surrogates, injections. */
export const nastyShortString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...injectionStrings), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.string({ maxLength: 8 }), loneSurrogate, fc.string({ maxLength: 8 }))
      .map(([a, s, b]) => a + s + b),
    weight: 1,
  },
);

/** Awkward strings, oversized ones (up to 70,000 characters) included. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: nastyShortString, weight: 9 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('x', 'あ', '🙂', '\u0000', "'"),
        fc.integer({ min: 1_000, max: 70_000 }),
      )
      .map(([c, n]) => c.repeat(n)),
    weight: 1,
  },
);

/** A value of some other type than the one expected (numbers beyond every bound included). */
export const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.constantFrom(
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 31,
    -(2 ** 31) - 1,
    true,
    false,
    null,
  ),
  fc.constant([] as Json[]),
  fc.constant<Json>({}),
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** A placeholder for deeply nested JSON, replaced in the serialised text (building it as a value would blow our own stack). */
export const deepMarker = (depth: number, open: '[' | '{') =>
  `__sp_fuzz_deep_${open === '[' ? 'a' : 'o'}_${depth}__`;

/** Serialises a body, expanding deep-nesting markers into JSON nested `depth` levels deep. */
export function serialise(value: Json): string {
  let expanded = 0;
  return JSON.stringify(value).replace(
    /"__sp_fuzz_deep_([ao])_(\d+)__"/g,
    (_m, kind: string, depth: string) => {
      // One deep value a body is enough; more could make a string longer than V8 allows.
      const n = expanded++ ? 1 : Number(depth);
      return kind === 'a' ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    },
  );
}

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

function resolve(schema: Schema, ctx: SchemaContext): Schema {
  let current = schema;
  for (let i = 0; current.$ref && i < 10; i++) {
    const target = ctx.schemas[refName(current.$ref)];
    if (!target) throw new Error(`unknown schema ${current.$ref}`);
    current = target;
  }
  return current;
}

const isoDate = fc
  .date({
    min: new Date('1990-01-01T00:00:00Z'),
    max: new Date('2040-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

function stringArb(schema: Schema, ctx: SchemaContext): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return ctx.knownIds.length
        ? fc.oneof(fc.constantFrom(...ctx.knownIds), fc.uuid())
        : fc.uuid();
    case 'date':
      return isoDate.map((s) => s.slice(0, 10));
    case 'date-time':
      return isoDate;
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
    case 'uri':
      return fc.webUrl().filter((u) => u.length <= (schema.maxLength ?? 2000));
    default:
      break;
  }
  if (schema.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter(
          (s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity),
        );
    } catch {
      // A pattern fast-check cannot generate from: plain strings (validation refuses most).
    }
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
  return fc.string({ minLength, maxLength });
}

/** Values valid (or as near as the schema tells) for `schema`. */
export function validArb(schema: Schema, ctx: SchemaContext, depth = 0): fc.Arbitrary<Json> {
  const s = resolve(schema, ctx);
  if (depth > MAX_DEPTH) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union?.length) return fc.oneof(...union.map((u) => validArb(u, ctx, depth + 1)));
  if (s.allOf?.length) return validArb(s.allOf[0]!, ctx, depth + 1);
  if (Array.isArray(s.type))
    return fc.oneof(...s.type.map((type) => validArb({ ...s, type }, ctx, depth)));
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000);
      const max =
        s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 100_000);
      return fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) });
    }
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1_000;
      const max = s.maximum ?? s.exclusiveMaximum ?? 1_000_000;
      return fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true })
        .filter((n) => n !== s.exclusiveMinimum && n !== s.exclusiveMaximum);
    }
    case 'string':
      return stringArb(s, ctx);
    case 'array': {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 3, 3));
      return fc.array(s.items ? validArb(s.items, ctx, depth + 1) : fc.string(), {
        minLength,
        maxLength,
      });
    }
    case 'object':
    default: {
      if (s.properties) {
        const model: Record<string, fc.Arbitrary<Json>> = {};
        for (const [key, value] of Object.entries(s.properties))
          model[key] = validArb(value, ctx, depth + 1);
        return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in model) });
      }
      if (typeof s.additionalProperties === 'object') {
        const keys = s.propertyNames ? stringArb(resolve(s.propertyNames, ctx), ctx) : fc.string();
        return fc.dictionary(keys, validArb(s.additionalProperties, ctx, depth + 1), {
          maxKeys: 3,
        });
      }
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
    }
  }
}

type Step = string | number;

/** Every place inside a JSON value (the root is `[]`). */
function placesIn(value: Json, at: Step[] = [], out: Step[][] = []): Step[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => placesIn(v, [...at, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) placesIn(v, [...at, k], out);
  return out;
}

const mutationKinds = [
  'delete',
  'null',
  'wrong-type',
  'extra-field',
  'oversized-string',
  'oversized-array',
  'deep-nesting',
  'unicode',
] as const;
export type MutationKind = (typeof mutationKinds)[number];

export type Mutation = {
  kind: MutationKind;
  place: number;
  value: Json;
  key: string;
  size: number;
};

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...mutationKinds),
  place: fc.nat(),
  value: wrongValue,
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'extra', 'version'), nastyString),
  size: fc.constantFrom(100, 1_000, 10_000, 50_000),
});

const isSmall = (value: Json) => {
  const text = JSON.stringify(value) ?? '';
  return text.length <= 200 && !text.includes('__sp_fuzz_deep_');
};

/** Applies one near-miss mutation to a copy of `value` (exported for its spec). */
export function applyOne(value: Json, m: Mutation): Json {
  const root: Json = structuredClone(value);
  const places = placesIn(root);
  const path = places[m.place % places.length]!;
  const replacement = (current: Json): Json | undefined => {
    switch (m.kind) {
      case 'delete':
        return undefined;
      case 'null':
        return null;
      case 'wrong-type':
        return m.value;
      case 'unicode':
        return typeof m.value === 'string' ? m.value : `\u0000\ud800${JSON.stringify(m.value)}🙂`;
      case 'oversized-string':
        return 'A'.repeat(m.size * 3);
      case 'oversized-array':
        // Copies of the value where it is small, of a number where it is not (bodies stay below a few MB).
        // Each a copy of its own: copies sharing one object would all take a later mutation of
        // one of them (5,000 × a 150,000-character string: longer than V8 allows a string).
        return Array.from({ length: Math.min(m.size, 5_000) }, () =>
          isSmall(current) ? structuredClone(current) : 0,
        );
      case 'deep-nesting':
        return deepMarker(m.size, m.place % 2 ? '[' : '{');
      case 'extra-field':
        if (current && typeof current === 'object' && !Array.isArray(current))
          return { ...current, [m.key]: m.value };
        return Array.isArray(current) ? [...current, m.value] : current;
    }
  };
  if (path.length === 0) return replacement(root) ?? null;
  let parent: Json = root;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step]!;
  const last = path[path.length - 1]!;
  const container = parent as Record<string | number, Json>;
  const next = replacement(container[last]!);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete container[last];
  } else if (last === '__proto__') {
    // Set as an own property, as JSON.parse would on the server.
    Object.defineProperty(container, last, { value: next, enumerable: true, writable: true });
  } else container[last] = next;
  return root;
}

/** A valid value with one to three near-miss mutations. */
export function nearMissArb(valid: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc
    .tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
    .map(([value, mutations]) => mutations.reduce(applyOne, value));
}
