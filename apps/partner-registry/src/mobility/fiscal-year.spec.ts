import { fiscalYearOf, fiscalYearRange } from './fiscal-year';

describe('fiscalYearOf', () => {
  it.each([
    ['2026-04-01', 2026],
    ['2026-12-31', 2026],
    ['2027-01-01', 2026],
    ['2027-03-31', 2026],
    ['2026-03-31', 2025],
    ['2000-02-29', 1999],
  ])('%s is in fiscal %i', (date, fy) => {
    expect(fiscalYearOf(date)).toBe(fy);
  });

  it('refuses what is not a date', () => {
    expect(() => fiscalYearOf('2026-4-1')).toThrow(RangeError);
  });

  it('gives each fiscal year its first and last day, and both fall in it', () => {
    const { from, to } = fiscalYearRange(2025);
    expect({ from, to }).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    expect([fiscalYearOf(from), fiscalYearOf(to)]).toEqual([2025, 2025]);
  });
});
