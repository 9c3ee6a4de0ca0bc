import { todayInTokyo } from './tokyo-date';

describe('todayInTokyo', () => {
  it('is the Tokyo calendar date, nine hours ahead of UTC', () => {
    expect(todayInTokyo(new Date('2026-03-31T14:59:59.999Z'))).toBe('2026-03-31');
    expect(todayInTokyo(new Date('2026-03-31T15:00:00Z'))).toBe('2026-04-01');
  });

  it('turns the year at Tokyo midnight, not UTC midnight', () => {
    expect(todayInTokyo(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01');
    expect(todayInTokyo(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01-01');
  });

  it('is a YYYY-MM-DD date, today by default', () => {
    expect(todayInTokyo()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
