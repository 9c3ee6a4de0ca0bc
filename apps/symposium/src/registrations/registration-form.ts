import { AppError } from '@sp/platform';
import type { FormAnswer, RegistrationFormField } from '@sp/types';
import { z } from 'zod';

const DEFAULT_MAX_LENGTH = 1000;

/** The zod schema of one field's answer, as its configuration says. */
function answerSchema(field: RegistrationFormField): z.ZodType<FormAnswer | undefined> {
  const values = (field.options ?? []).map((o) => o.value);
  switch (field.type) {
    case 'text':
    case 'textarea': {
      const text = z
        .string()
        .trim()
        .max(field.maxLength ?? DEFAULT_MAX_LENGTH);
      return field.required ? text.min(1, 'is required') : text.optional();
    }
    case 'select': {
      const choice = z.string().refine((v) => values.includes(v), {
        message: `must be one of: ${values.join(', ')}`,
      });
      return field.required ? choice : choice.optional();
    }
    case 'multiselect': {
      const choices = z
        .array(
          z.string().refine((v) => values.includes(v), {
            message: `must be one of: ${values.join(', ')}`,
          }),
        )
        .refine((a) => new Set(a).size === a.length, { message: 'lists a choice twice' });
      return field.required ? choices.min(1, 'needs at least one choice') : choices.optional();
    }
    case 'checkbox':
      return field.required ? z.boolean() : z.boolean().optional();
    case 'consent':
      return field.required
        ? z.literal(true, { message: 'must be given (true) to register' })
        : z.boolean().optional();
  }
}

/**
 * A zod schema for the answers to a symposium's form: every configured field with its rule,
 * and nothing else (an answer to a field the form does not have is refused, not kept).
 */
export function answersSchema(form: readonly RegistrationFormField[]) {
  return z.strictObject(Object.fromEntries(form.map((f) => [f.key, answerSchema(f)])));
}

/**
 * Checks answers against the form; returns them as stored (trimmed, blanks of optional text
 * fields dropped) or throws a 400 naming each offending field as `answers.<key>`.
 */
export function checkAnswers(
  form: readonly RegistrationFormField[],
  answers: Record<string, unknown>,
): Record<string, FormAnswer> {
  const result = answersSchema(form).safeParse(answers);
  if (!result.success) {
    const errors = result.error.issues.flatMap((issue) => {
      const keys =
        issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.map(String).join('.')];
      return keys.map((key) => ({
        in: 'body' as const,
        field: key ? `answers.${key}` : 'answers',
        message:
          issue.code === 'unrecognized_keys'
            ? 'is not a field of this form'
            : issue.code === 'invalid_type' && issue.input === undefined
              ? 'is required'
              : issue.message,
        code: issue.code,
      }));
    });
    throw new AppError('validation-error', 'the answers do not fit the registration form', {
      errors,
    });
  }
  const stored: Record<string, FormAnswer> = {};
  for (const [key, value] of Object.entries(result.data)) {
    if (value === undefined || value === '') continue;
    stored[key] = value;
  }
  return stored;
}
