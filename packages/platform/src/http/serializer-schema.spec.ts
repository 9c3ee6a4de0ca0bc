import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { serializerSchema } from './serializer-schema';

type JsonSchema = z.core.JSONSchema.JSONSchema;

/** As `Responds` makes it: draft-07, every sub-schema inline. */
const jsonSchemaOf = (schema: z.ZodType) => {
  const json = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'output',
    metadata: z.registry(),
    unrepresentable: 'any',
  });
  delete json.$schema;
  return json;
};

const coordinator = z.object({
  name: z.string(),
  email: z.email(),
  locale: z.enum(['ja', 'en']),
});
const item = z.object({
  id: z.uuid(),
  region: z.enum(['asia', 'europe']).nullable(),
  coordinator: coordinator.nullable(),
  endsOn: z.iso.date().nullable(),
  note: z.string().nullable(),
  count: z.number().int().nullable(),
  either: z.union([z.string(), z.number()]),
  createdAt: z.iso.datetime(),
});
const page = z.object({ items: z.array(item), nextCursor: z.string().nullable() });

describe('serializerSchema', () => {
  const json = jsonSchemaOf(page);
  const items = json.properties?.['items'] as JsonSchema;
  const original = items.items as JsonSchema;
  const rewritten = (serializerSchema(json).properties?.['items'] as JsonSchema)
    .items as JsonSchema;
  const property = (key: string) => rewritten.properties?.[key];

  it('writes each "one type or null" as a list of types, which the serializer tests with typeof', () => {
    // What zod gives, to be rewritten (if zod changed this, the rewrite would go unused).
    expect(original.properties?.['region']).toHaveProperty('anyOf');
    expect(original.properties?.['coordinator']).toHaveProperty('anyOf');
    expect(original.properties?.['endsOn']).toHaveProperty('anyOf');

    expect(property('region')).toEqual({
      type: ['string', 'null'],
      enum: ['asia', 'europe', null],
    });
    expect(property('coordinator')).toMatchObject({
      type: ['object', 'null'],
      required: ['name', 'email', 'locale'],
      properties: { locale: { type: 'string', enum: ['ja', 'en'] } },
    });
    expect(property('endsOn')).toMatchObject({ type: ['string', 'null'], format: 'date' });
    // Nothing left for Ajv to choose (zod writes the string-or-number union as a list of types).
    const withAnyOf = Object.entries(rewritten.properties ?? {}).filter(
      ([, value]) => typeof value === 'object' && value.anyOf !== undefined,
    );
    expect(withAnyOf.map(([key]) => key)).toEqual([]);
  });

  it('leaves alone what it cannot write as one nullable type, and the input', () => {
    const before = JSON.stringify(json);
    serializerSchema(json);
    expect(JSON.stringify(json)).toBe(before);
    expect(property('either')).toEqual(original.properties?.['either']);
    expect(property('note')).toEqual(original.properties?.['note']);
    expect(property('id')).toEqual(original.properties?.['id']);
    const described = serializerSchema({
      anyOf: [{ type: 'string' }, { type: 'null' }],
      description: 'kept',
    });
    expect(described).toEqual({ type: ['string', 'null'], description: 'kept' });
    const withSibling: JsonSchema = { anyOf: [{ type: 'string' }, { type: 'null' }], minLength: 1 };
    expect(serializerSchema(withSibling)).toEqual(withSibling);
    const withConst: JsonSchema = { anyOf: [{ const: 'a', type: 'string' }, { type: 'null' }] };
    expect(serializerSchema(withConst)).toEqual(withConst);
    // A branch's default would become the property's, written when the property is missing.
    const withDefault: JsonSchema = {
      anyOf: [{ type: 'string', default: 'x' }, { type: 'null' }],
    };
    expect(serializerSchema(withDefault)).toEqual(withDefault);
  });

  describe("through Fastify's serializer", () => {
    const apps: FastifyInstance[] = [];
    const serve = async (schema: JsonSchema) => {
      const app = Fastify();
      let body: unknown;
      app.get('/', { schema: { response: { 200: schema } } }, () => body);
      await app.ready();
      apps.push(app);
      return async (value: unknown) => {
        body = value;
        const response = await app.inject({ method: 'GET', url: '/' });
        return `${response.statusCode} ${response.body}`;
      };
    };
    afterAll(() => Promise.all(apps.map((app) => app.close())));

    it("writes a nullable value zod allows and Ajv's formats do not, where the anyOf was a 500", async () => {
      const link = z.object({ website: z.url().nullable() });
      const value = { website: 'https://例え.jp/パス' };
      expect(link.parse(value)).toEqual(value);
      const withContract = await serve(jsonSchemaOf(link));
      const withRewrite = await serve(serializerSchema(jsonSchemaOf(link)));
      expect(await withContract(value)).toMatch(/^500 /);
      expect(await withRewrite(value)).toBe(`200 ${JSON.stringify(value)}`);
      expect(await withRewrite({ website: null })).toBe('200 {"website":null}');
    });

    it('writes the same bytes for every page the contract allows', async () => {
      const withContract = await serve(json);
      const withRewrite = await serve(serializerSchema(json));
      const coordinators = fc.option(
        fc.record({
          name: fc.string(),
          // Stored addresses passed the contract's check, which is stricter than RFC 5322.
          email: fc
            .emailAddress()
            .filter((email) => coordinator.shape.email.safeParse(email).success),
          locale: fc.constantFrom('ja', 'en'),
        }),
      );
      const items = fc.array(
        fc.record({
          id: fc.uuid(),
          region: fc.option(fc.constantFrom('asia', 'europe')),
          coordinator: coordinators,
          endsOn: fc.option(
            fc
              .date({
                min: new Date('2000-01-01'),
                max: new Date('2099-12-31'),
                noInvalidDate: true,
              })
              .map((d) => d.toISOString().slice(0, 10)),
          ),
          note: fc.option(fc.string()),
          count: fc.option(fc.integer()),
          either: fc.oneof(fc.string(), fc.integer()),
          createdAt: fc
            .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
            .map((d) => d.toISOString()),
        }),
        { maxLength: 5 },
      );
      await fc.assert(
        fc.asyncProperty(items, fc.option(fc.string()), async (list, nextCursor) => {
          const value = { items: list, nextCursor };
          const expected = await withContract(value);
          expect(expected).toBe(`200 ${JSON.stringify(value)}`);
          expect(await withRewrite(value)).toBe(expected);
        }),
        { numRuns: 300 },
      );
    });
  });
});
