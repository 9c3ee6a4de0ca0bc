import { fiscalYearJustEnded, fiscalYearOf, previousMonth } from './report-periods';

describe('report periods (Tokyo)', () => {
  it('names the fiscal year that just ended', () => {
    expect(fiscalYearJustEnded(new Date('2026-03-31T21:00:00Z'))).toBe(2025); // 1 April, 06:00 JST
    expect(fiscalYearJustEnded(new Date('2026-03-31T14:00:00Z'))).toBe(2024); // still 31 March
    expect(fiscalYearJustEnded(new Date('2026-12-01T00:00:00Z'))).toBe(2025);
    expect(fiscalYearJustEnded(new Date('2026-01-15T00:00:00Z'))).toBe(2024);
  });

  it('names the month before, across a year end and in Tokyo time', () => {
    expect(previousMonth(new Date('2026-11-30T23:00:00Z'))).toBe('2026-11'); // 1 Dec, 08:00 JST
    expect(previousMonth(new Date('2026-12-31T16:00:00Z'))).toBe('2026-12'); // 1 Jan 2027 JST
    expect(previousMonth(new Date('2026-05-10T00:00:00Z'))).toBe('2026-04');
  });

  it('places a month in its fiscal year', () => {
    expect(fiscalYearOf('2026-04')).toBe(2026);
    expect(fiscalYearOf('2027-03')).toBe(2026);
    expect(fiscalYearOf('2026-11')).toBe(2026);
  });
});
