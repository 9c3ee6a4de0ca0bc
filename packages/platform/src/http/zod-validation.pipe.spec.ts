import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { AppError } from '../app-error';
import { MAX_INPUT_DEPTH, nestedDeeperThan, ZodValidationPipe } from './zod-validation.pipe';

/** `[[[…]]]` nested `depth` levels, built without recursion. */
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

class NoteDto extends createZodDto(z.object({ note: z.unknown() })) {}

describe('ZodValidationPipe', () => {
  const pipe = new ZodValidationPipe();
  const asBody = { type: 'body', metatype: NoteDto } as const;

  it('refuses a body nested deeper than the limit as a 400, however deep (found by the fuzz suite: a 500 from a stack overflow)', () => {
    for (const depth of [MAX_INPUT_DEPTH + 1, 100_000]) {
      let thrown: unknown;
      try {
        pipe.transform({ note: nested(depth) }, asBody);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({
        code: 'validation-error',
        errors: [{ in: 'body', field: '(root)', code: 'too_deep' }],
      });
    }
  });

  it('takes nesting up to the limit', () => {
    const body = { note: nested(MAX_INPUT_DEPTH - 1) };
    expect(pipe.transform(body, asBody)).toEqual(body);
  });

  it('still names each field holding a NUL', () => {
    expect(() => pipe.transform({ note: { a: ['x\u0000'] } }, asBody)).toThrow(
      'invalid body: note.a.0',
    );
  });
});

describe('nestedDeeperThan', () => {
  it('counts levels of arrays and objects, not of scalars', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestedDeeperThan({ a: [[1]] }, 2)).toBe(true);
  });
});
