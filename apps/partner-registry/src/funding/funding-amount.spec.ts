import { AppError } from '@sp/platform';
import { currencyMinorUnits, formatAmount, fundingCreateSchema } from '@sp/types';
import { checkAmountFitsCurrency } from './funding-amount';

describe('ISO 4217 minor units', () => {
  it('knows each currency its decimals, and no non-currency', () => {
    expect(['JPY', 'USD', 'EUR', 'KWD', 'CLF'].map(currencyMinorUnits)).toEqual([0, 2, 2, 3, 4]);
    expect(['XXX', 'XAU', 'ABC'].map(currencyMinorUnits)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('writes an amount with exactly its currency decimals, without floating point', () => {
    expect(formatAmount('12.5000', 'USD')).toBe('12.50');
    expect(formatAmount('1500000.0000', 'JPY')).toBe('1500000');
    expect(formatAmount('0.1', 'KWD')).toBe('0.100');
    // 0.1 + 0.2 as a float is 0.30000000000000004; the string stays exact.
    expect(formatAmount('99999999999999999.9900', 'EUR')).toBe('99999999999999999.99');
  });
});

describe('checkAmountFitsCurrency', () => {
  it('accepts an amount within the currency decimals', () => {
    expect(() => checkAmountFitsCurrency('100', 'JPY')).not.toThrow();
    expect(() => checkAmountFitsCurrency('12.34', 'USD')).not.toThrow();
    expect(() => checkAmountFitsCurrency('1.234', 'KWD')).not.toThrow();
  });

  it('refuses more decimals than the currency has, naming amount', () => {
    for (const [amount, currency] of [
      ['0.5', 'JPY'],
      ['1.234', 'USD'],
    ] as const) {
      let caught: unknown;
      try {
        checkAmountFitsCurrency(amount, currency);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).errors?.map((e) => e.field)).toEqual(['amount']);
    }
  });
});

describe('fundingCreateSchema', () => {
  const base = {
    partnerId: '11111111-1111-4111-8111-111111111111',
    source: 'JSPS',
    fiscalYear: 2025,
  };
  const issues = (body: object) => {
    const result = fundingCreateSchema.safeParse({ ...base, ...body });
    return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
  };

  it('takes decimal strings only, never numbers', () => {
    expect(issues({ amount: '1500000', currency: 'JPY' })).toEqual([]);
    expect(issues({ amount: 1500000, currency: 'JPY' })).toEqual(['amount']);
    expect(issues({ amount: '1e6', currency: 'JPY' })).toEqual(['amount']);
    expect(issues({ amount: '-5', currency: 'USD' })).toEqual(['amount']);
    expect(issues({ amount: '01', currency: 'USD' })).toEqual(['amount']);
  });

  it('checks the currency code and its decimals', () => {
    expect(issues({ amount: '10', currency: 'jpy' })).toEqual(['currency']);
    expect(issues({ amount: '10', currency: 'XXX' })).toEqual(['currency']);
    expect(issues({ amount: '10.5', currency: 'JPY' })).toEqual(['amount']);
    expect(issues({ amount: '10.55', currency: 'GBP' })).toEqual([]);
  });
});
