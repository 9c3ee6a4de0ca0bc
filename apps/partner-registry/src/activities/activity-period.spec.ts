import { AppError } from '@sp/platform';
import { checkActivityPeriod } from './activity-period';

describe('checkActivityPeriod', () => {
  it('accepts an open, a one-day and an ordered period', () => {
    expect(() => checkActivityPeriod(null, null)).not.toThrow();
    expect(() => checkActivityPeriod('2025-04-01', null)).not.toThrow();
    expect(() => checkActivityPeriod(null, '2025-04-01')).not.toThrow();
    expect(() => checkActivityPeriod('2025-04-01', '2025-04-01')).not.toThrow();
    expect(() => checkActivityPeriod('2025-04-01', '2026-03-31')).not.toThrow();
  });

  it('refuses an end before the start, naming endsOn', () => {
    let caught: unknown;
    try {
      checkActivityPeriod('2025-04-02', '2025-04-01');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).errors?.map((e) => e.field)).toEqual(['endsOn']);
  });
});
