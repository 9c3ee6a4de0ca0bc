import { AppError } from '@sp/platform';
import { currencyMinorUnits, fitsCurrency } from '@sp/types';

/**
 * An amount may not have more decimals than its currency has minor units (no "0.5" yen). The
 * contract checks a body that gives both; this checks an update that changes one of them
 * against the stored other.
 */
export function checkAmountFitsCurrency(amount: string, currency: string): void {
  if (!fitsCurrency(amount, currency))
    throw new AppError('validation-error', `${amount} is not an amount of ${currency}`, {
      errors: [
        {
          in: 'body',
          field: 'amount',
          message: `has more decimals than ${currency} has (${currencyMinorUnits(currency) ?? 0})`,
          code: 'invalid_format',
        },
      ],
    });
}
