import { z } from 'zod';
import { createZodDto } from './zod-dto';

describe('createZodDto', () => {
  it('documents a bare nullable field as "type or null", not as an array of it', () => {
    class Dto extends createZodDto(
      z.object({
        note: z.string().nullable(),
        count: z.number().int().nullable(),
        tags: z.array(z.string()),
        name: z.string(),
      }),
    ) {}
    const properties = Dto._OPENAPI_METADATA_FACTORY() as Record<string, Record<string, unknown>>;
    expect(properties['note']).toMatchObject({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(properties['count']).toMatchObject({ anyOf: [{ type: 'integer' }, { type: 'null' }] });
    expect(properties['tags']).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(properties['name']).toMatchObject({ type: 'string' });
  });

  it('still validates with the schema it was made from', () => {
    class Dto extends createZodDto(z.object({ note: z.string().nullable() })) {}
    expect(Dto.schema.parse({ note: null })).toEqual({ note: null });
  });
});
