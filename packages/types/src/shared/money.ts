import { code as currencyRecord, data as currencyRecords } from 'currency-codes';
import { z } from 'zod';

/**
 * The number of decimals (minor units) of an ISO 4217 currency: 0 for JPY, 2 for EUR, 3 for
 * KWD; `undefined` for a code that is not a currency (funds, metals and test codes such as
 * XAU or XXX are not accepted for money).
 */
export function currencyMinorUnits(code: string): number | undefined {
  const record = currencyRecord(code);
  if (!record || record.countries.every((c) => c.startsWith('Zz'))) return undefined;
  return record.digits;
}

/**
 * Every ISO 4217 currency accepted for money, by its minor units (`{ 0: ['BIF', …, 'JPY', …],
 * 2: [...], 3: [...] }`), for SQL that writes amounts as `formatAmount` does.
 */
export function currenciesByMinorUnits(): Map<number, string[]> {
  const byDigits = new Map<number, string[]>();
  for (const record of currencyRecords) {
    const digits = currencyMinorUnits(record.code);
    if (digits === undefined) continue;
    const codes = byDigits.get(digits);
    if (codes) codes.push(record.code);
    else byDigits.set(digits, [record.code]);
  }
  return byDigits;
}

/** An ISO 4217 currency code in upper case, e.g. "JPY". */
export const currencyCodeSchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in upper case, e.g. "JPY"')
  .refine((c) => currencyMinorUnits(c) !== undefined, {
    message: 'is not an ISO 4217 currency code',
  });

/**
 * An exact, non-negative amount as a decimal string ("1500000", "12.50"): never a float. Its
 * decimals are checked against the currency's minor units where both are known.
 */
export const moneyAmountSchema = z
  .string()
  .regex(
    /^(0|[1-9]\d{0,17})(\.\d{1,4})?$/,
    'must be a decimal string such as "1500000" or "12.50"',
  );

/** Decimals given in an amount string ("12.5" → 1, "100" → 0). */
export const decimalsOf = (amount: string): number => amount.split('.')[1]?.length ?? 0;

/** Whether `amount` has no more decimals than `currency` has minor units. */
export const fitsCurrency = (amount: string, currency: string): boolean => {
  const digits = currencyMinorUnits(currency);
  return digits === undefined || decimalsOf(amount) <= digits;
};

/** `amount` written with exactly the currency's minor units ("12.5" USD → "12.50"). */
export function formatAmount(amount: string, currency: string): string {
  const digits = currencyMinorUnits(currency) ?? 4;
  const [whole = '0', fraction = ''] = amount.split('.');
  const kept = fraction.padEnd(4, '0').slice(0, digits);
  return digits === 0 ? whole : `${whole}.${kept}`;
}

/** An amount without trailing zero decimals, as Postgres' `numeric(…, 4)` gives it back ("12.5000" → "12.5"). */
export function trimAmount(amount: string): string {
  const [whole = '0', fraction = ''] = amount.split('.');
  const kept = fraction.replace(/0+$/, '');
  return kept ? `${whole}.${kept}` : whole;
}
