import { createZodDto as nestjsZodDto, type ZodDto } from 'nestjs-zod/dto';

type PropertySchema = Record<string, unknown> & { type?: unknown };
type UnknownSchema = Parameters<typeof nestjsZodDto>[0];

/**
 * Zod 4.5 writes a bare nullable field (`z.string().nullable()`) as `type: ["string", "null"]`;
 * nestjs-zod hands a DTO's top-level properties to @nestjs/swagger, which reads a JS array in
 * `type` as "array of", so the OpenAPI document (and the generated client) said `string[]`
 * (nestjs-zod issues 473/474). Such a property is rewritten as `anyOf` of its types, which
 * @nestjs/swagger passes through and OpenAPI 3.1 reads as "string or null".
 */
export function fixMultiTypeProperty(schema: PropertySchema): PropertySchema {
  if (!Array.isArray(schema.type)) return schema;
  const { type, ...rest } = schema;
  return { ...rest, type: '', anyOf: (type as unknown[]).map((t) => ({ type: t })) };
}

/**
 * `createZodDto` of nestjs-zod, with the nullable-field fix above applied to the properties it
 * documents. Every DTO class of the project extends one of these.
 */
export function createZodDto<TSchema extends UnknownSchema>(schema: TSchema): ZodDto<TSchema> {
  // A fresh class per call, so redefining its static factory touches no other DTO.
  const Dto = nestjsZodDto(schema);
  // Subclasses (`class XDto extends createZodDto(x)`) share the schema, so binding is safe.
  const documented = Dto._OPENAPI_METADATA_FACTORY.bind(Dto);
  Object.defineProperty(Dto, '_OPENAPI_METADATA_FACTORY', {
    value(): unknown {
      const properties = documented() as Record<string, PropertySchema>;
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, fixMultiTypeProperty(value)]),
      );
    },
  });
  return Dto;
}
