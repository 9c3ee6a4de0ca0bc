import { timeZoneSchema } from './symposium';

describe('timeZoneSchema', () => {
  it('stores an IANA name as the runtime spells it', () => {
    expect(timeZoneSchema.parse('asia/tokyo')).toBe('Asia/Tokyo');
    expect(timeZoneSchema.parse(' Asia/Tokyo ')).toBe('Asia/Tokyo');
    expect(timeZoneSchema.parse('utc')).toBe('UTC');
    expect(timeZoneSchema.parse('Europe/London')).toBe('Europe/London');
  });

  it('refuses abbreviations, which the runtime and Postgres read differently (IST, BST)', () => {
    for (const tz of ['JST', 'IST', 'BST', 'EST', 'Nowhere/Land', ''])
      expect([tz, timeZoneSchema.safeParse(tz).success]).toEqual([tz, false]);
  });
});
