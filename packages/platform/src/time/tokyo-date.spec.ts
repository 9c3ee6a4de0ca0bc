import fc from 'fast-check';
import { todayInTokyo, yearInTokyo } from './tokyo-date';

const icu = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' });

describe('Tokyo dates', () => {
  it('is the Tokyo calendar date, nine hours ahead of UTC', () => {
    expect(todayInTokyo(new Date('2026-03-31T14:59:59.999Z'))).toBe('2026-03-31');
    expect(todayInTokyo(new Date('2026-03-31T15:00:00Z'))).toBe('2026-04-01');
  });

  it('turns the year at midnight in Tokyo, not in UTC', () => {
    expect(todayInTokyo(new Date('2026-12-31T14:59:59Z'))).toBe('2026-12-31');
    expect(yearInTokyo(new Date('2026-12-31T14:59:59Z'))).toBe(2026);
    expect(yearInTokyo(new Date('2026-12-31T15:00:00Z'))).toBe(2027);
    expect(todayInTokyo(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01-01');
  });

  it('agrees with ICU at every instant, in whatever order (the hour it keeps is never stale)', () => {
    // Instants near Tokyo midnights as well as anywhere, so consecutive calls cross days.
    const nearMidnight = fc
      .tuple(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: -7_200_000, max: 7_200_000 }))
      .map(([day, offset]) => new Date(Date.UTC(1970, 0, 1, 15) + day * 86_400_000 + offset));
    const anywhere = fc.date({
      min: new Date('1952-01-01'),
      max: new Date('2100-01-01'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(nearMidnight, anywhere), { maxLength: 50 }), (instants) => {
        for (const at of instants) expect(todayInTokyo(at)).toBe(icu.format(at));
      }),
      { numRuns: 300 },
    );
  });

  it('is a YYYY-MM-DD date, today by default', () => {
    expect(todayInTokyo()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(todayInTokyo()).toBe(icu.format(new Date()));
  });

  it('refuses an invalid date, as ICU does', () => {
    expect(() => todayInTokyo(new Date(Number.NaN))).toThrow(RangeError);
  });
});
