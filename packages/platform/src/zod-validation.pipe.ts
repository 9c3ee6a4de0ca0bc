import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { ProblemFieldError } from '@sp/types';
import { isZodDto } from 'nestjs-zod/dto';
import type { z } from 'zod';
import { AppError } from './app-error';

const where = { body: 'body', query: 'query', param: 'params' } as const;

/**
 * Validates `@Body()`, `@Query()` and `@Param()` arguments typed with a `createZodDto` class and
 * hands the handler the parsed (coerced, defaulted) value. A failure lists every bad field.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype, type } = metadata;
    if (type === 'custom' || !metatype || !isZodDto(metatype)) return value;
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
    const fields = [...new Set(errors.map((e) => e.field))].join(', ');
    throw new AppError('validation-error', `invalid ${part}: ${fields}`, { errors });
  }
}
