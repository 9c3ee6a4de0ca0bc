import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { ProblemFieldError } from '@sp/types';
import { isZodDto } from 'nestjs-zod/dto';
import type { z } from 'zod';
import { AppError } from '../app-error';

const where = { body: 'body', query: 'query', param: 'params' } as const;

/**
 * The deepest nesting of arrays and objects any request input may have. Our contracts nest a
 * few levels; a hostile body nested tens of thousands deep would overflow the stack of every
 * recursive walk after this pipe (the NUL check, zod, `JSON.stringify` for a jsonb column)
 * and answer 500. It is refused first, by a walk that keeps its own stack.
 */
export const MAX_INPUT_DEPTH = 32;

/** Whether `value` nests arrays or objects more than `max` levels deep. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  return shapeProblem(value, max, Infinity)?.code === 'too_deep';
}

/**
 * The most keys one object of a request's input may have. Our contracts' objects have a few
 * dozen (a registration's answers at most 40); zod makes an issue or three for each wrong or
 * unknown key, so one public body of 100,000 keys took a service past 500 MB and answered
 * 11 MB of errors. Such a body is refused before zod sees it.
 */
export const MAX_OBJECT_KEYS = 200;

/**
 * What is wrong with the shape of `value`, in one walk that keeps its own stack: nested more
 * than `maxDepth` levels, or an object (arrays and bytes aside) of more than `maxKeys` keys,
 * named by its path. Bytes (a raw body such as a CSV upload) are not walked: an entry per byte.
 */
export function shapeProblem(
  value: unknown,
  maxDepth: number,
  maxKeys: number,
): { code: 'too_deep' } | { code: 'too_many_keys'; path: string[] } | undefined {
  const stack: { item: unknown; depth: number; path: string[] }[] = [
    { item: value, depth: 0, path: [] },
  ];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { item, depth, path } = next;
    if (item === null || typeof item !== 'object' || ArrayBuffer.isView(item)) continue;
    if (depth >= maxDepth) return { code: 'too_deep' };
    const children = Array.isArray(item) ? (item as unknown[]) : Object.values(item);
    if (!Array.isArray(item) && children.length > maxKeys) return { code: 'too_many_keys', path };
    // Keys are read only for an object holding objects: a path is built only where a walk goes.
    let keys: string[] | undefined;
    children.forEach((child, i) => {
      if (child === null || typeof child !== 'object') return;
      keys ??= Array.isArray(item) ? undefined : Object.keys(item);
      stack.push({ item: child, depth: depth + 1, path: [...path, keys?.[i] ?? String(i)] });
    });
  }
  return undefined;
}

/** Errors one answer lists at most; the count of the rest is in the detail. */
export const MAX_ERRORS_LISTED = 100;

/**
 * The dotted paths of every string (value or key) in `value` that holds U+0000. Bytes (a raw
 * body such as a CSV upload, a Buffer) are not text yet and are skipped: walking them as an
 * object made an entry per byte (a 6 MB import body cost over a gigabyte); whoever decodes them
 * checks the text (the CSV import refuses NUL in a cell).
 */
export function findNul(value: unknown, path: string[] = [], found: string[] = []): string[] {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return found;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path.join('.'));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => findNul(item, [...path, String(i)], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push([...path, key].join('.'));
      else findNul(item, [...path, key], found);
    }
  }
  return found;
}

/**
 * Validates `@Body()`, `@Query()` and `@Param()` arguments typed with a `createZodDto` class and
 * hands the handler the parsed (coerced, defaulted, UUIDs lower-cased by `uuid()` of
 * @sp/types) value. A failure lists every bad field.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype, type } = metadata;
    if (type === 'custom') return value;
    const shape = shapeProblem(value, MAX_INPUT_DEPTH, MAX_OBJECT_KEYS);
    if (shape) {
      const part = where[type];
      const [field, detail, message] =
        shape.code === 'too_deep'
          ? [
              metadata.data ?? '(root)',
              'nested too deeply',
              `must not nest arrays or objects more than ${MAX_INPUT_DEPTH} levels deep`,
            ]
          : [
              [...(metadata.data ? [metadata.data] : []), ...shape.path].join('.') || '(root)',
              'has too many keys',
              `must not have more than ${MAX_OBJECT_KEYS} keys`,
            ];
      throw new AppError(
        'validation-error',
        `invalid ${part}: ${shape.code === 'too_deep' ? detail : `${field} ${detail}`}`,
        { errors: [{ in: part, field, message, code: shape.code }] },
      );
    }
    // One rule for every text input, DTO or not: Postgres cannot store NUL (it would answer
    // 22021 / 22P05, a 500 before this rule).
    const nul = findNul(value, metadata.data ? [metadata.data] : []);
    if (nul.length) {
      const part = where[type];
      throw new AppError('validation-error', `invalid ${part}: ${nul.join(', ')}`, {
        errors: nul.map((field) => ({
          in: part,
          field: field || '(root)',
          message: 'must not contain the NUL character (U+0000)',
          code: 'nul_character',
        })),
      });
    }
    if (!metatype || !isZodDto(metatype)) return value;
    // nestjs-zod types the schema loosely (it supports several zod versions); ours are zod 4.
    const schema = (metatype as unknown as { schema: z.ZodType }).schema;
    const result = schema.safeParse(value ?? (type === 'body' ? undefined : {}));
    if (result.success) return result.data;
    const part = where[type];
    const errors: ProblemFieldError[] = result.error.issues.flatMap((issue) => {
      const path = issue.path.map(String);
      // An unknown key is reported at the key itself, so the caller sees which one.
      const fields =
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((k) => [...path, k].join('.'))
          : [path.join('.')];
      const message = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
      return fields.map((field) => ({
        in: part,
        field: field || '(root)',
        message,
        code: issue.code,
      }));
    });
    // Listed up to a bound, so a body of many wrong fields cannot make a huge answer.
    const listed = errors.slice(0, MAX_ERRORS_LISTED);
    const more = errors.length - listed.length;
    const fields = [...new Set(listed.map((e) => e.field))].join(', ');
    throw new AppError(
      'validation-error',
      `invalid ${part}: ${fields}${more > 0 ? ` and ${more} more` : ''}`,
      { errors: listed },
    );
  }
}
