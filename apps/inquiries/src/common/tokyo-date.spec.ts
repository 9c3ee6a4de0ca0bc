import { todayInTokyo, yearInTokyo } from './tokyo-date';

describe('Tokyo dates', () => {
  it('turns the year at midnight in Tokyo, not in UTC', () => {
    expect(todayInTokyo(new Date('2026-12-31T14:59:59Z'))).toBe('2026-12-31');
    expect(yearInTokyo(new Date('2026-12-31T14:59:59Z'))).toBe(2026);
    expect(yearInTokyo(new Date('2026-12-31T15:00:00Z'))).toBe(2027);
  });
});
