import { AppError } from '@sp/platform';

/** An activity cannot end before it starts (either date may be unknown). */
export function checkActivityPeriod(startsOn: string | null, endsOn: string | null): void {
  if (startsOn !== null && endsOn !== null && endsOn < startsOn)
    throw new AppError(
      'validation-error',
      `the activity ends (${endsOn}) before it starts (${startsOn})`,
      {
        errors: [
          {
            in: 'body',
            field: 'endsOn',
            message: `must not be before startsOn (${startsOn})`,
            code: 'too_small',
          },
        ],
      },
    );
}
