import { AppError } from '@sp/platform';

/**
 * The partner a new record belongs to: a partner's client writes for its own partner only
 * (`partnerId` left out or its own); staff must name one.
 */
export function partnerOfRecord(given: string | undefined, bound: string | null): string {
  if (bound) {
    if (given !== undefined && given !== bound)
      throw new AppError('validation-error', 'a partner reports only for itself', {
        errors: [
          {
            in: 'body',
            field: 'partnerId',
            message: 'must be your own partner (or left out)',
            code: 'invalid_value',
          },
        ],
      });
    return bound;
  }
  if (given === undefined)
    throw new AppError('validation-error', 'partnerId is required', {
      errors: [{ in: 'body', field: 'partnerId', message: 'is required', code: 'invalid_type' }],
    });
  return given;
}
