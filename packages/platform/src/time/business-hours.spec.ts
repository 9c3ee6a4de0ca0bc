import fc from 'fast-check';
import { businessHours, parseClosures } from './business-hours';

/** A Tokyo wall-clock time as an instant. */
const tokyo = (local: string): Date => new Date(`${local}+09:00`);

const yearEnd = parseClosures('12-29..01-03');
if ('error' in yearEnd) throw new Error(yearEnd.error);
const hours = businessHours({ closures: yearEnd });
const { addBusinessMinutes, businessMinutesBetween } = hours;

describe('addBusinessMinutes', () => {
  it('stays within the day when the time fits', () => {
    expect(addBusinessMinutes(tokyo('2026-12-02T10:00'), 90)).toEqual(tokyo('2026-12-02T11:30'));
  });

  it('ends at 17:00 when the time fills the day exactly, and runs on at 9:00 the next', () => {
    expect(addBusinessMinutes(tokyo('2026-12-02T16:00'), 60)).toEqual(tokyo('2026-12-02T17:00'));
    expect(addBusinessMinutes(tokyo('2026-12-02T16:00'), 61)).toEqual(tokyo('2026-12-03T09:01'));
  });

  it('skips the weekend: Friday 16:00 + 2 h is Monday 10:00', () => {
    expect(addBusinessMinutes(tokyo('2026-11-27T16:00'), 120)).toEqual(tokyo('2026-11-30T10:00'));
  });

  it('starts a Saturday submission on Monday morning', () => {
    expect(addBusinessMinutes(tokyo('2026-11-28T11:00'), 30)).toEqual(tokyo('2026-11-30T09:30'));
  });

  it('skips a national holiday: Monday 2026-11-23 (Labour Thanksgiving Day)', () => {
    expect(addBusinessMinutes(tokyo('2026-11-20T16:30'), 60)).toEqual(tokyo('2026-11-24T09:30'));
  });

  it('skips Golden Week, substitute holiday included (2026-05-06)', () => {
    expect(addBusinessMinutes(tokyo('2026-05-01T16:00'), 61)).toEqual(tokyo('2026-05-07T09:01'));
  });

  it('skips the year-end closure from configuration: Monday 12-28 16:00 + 2 h is 01-04 10:00', () => {
    expect(addBusinessMinutes(tokyo('2026-12-28T16:00'), 120)).toEqual(tokyo('2027-01-04T10:00'));
  });

  it('without the closure, 12-29 and 12-30 are working days', () => {
    expect(businessHours().addBusinessMinutes(tokyo('2026-12-28T16:00'), 120)).toEqual(
      tokyo('2026-12-29T10:00'),
    );
  });

  it('starts an evening submission the next morning', () => {
    expect(addBusinessMinutes(tokyo('2026-12-02T20:15'), 30)).toEqual(tokyo('2026-12-03T09:30'));
    expect(addBusinessMinutes(tokyo('2026-12-03T07:00'), 30)).toEqual(tokyo('2026-12-03T09:30'));
  });

  it('counts a 16-hour target (two business days) across a Friday evening', () => {
    expect(addBusinessMinutes(tokyo('2026-12-04T18:00'), 16 * 60)).toEqual(
      tokyo('2026-12-08T17:00'),
    );
  });

  it('adds nothing for 0 and refuses a negative amount', () => {
    expect(addBusinessMinutes(tokyo('2026-12-05T03:00'), 0)).toEqual(tokyo('2026-12-05T03:00'));
    expect(() => addBusinessMinutes(tokyo('2026-12-05T03:00'), -1)).toThrow(RangeError);
  });

  it('gives up on a calendar with no working day at all', () => {
    const never = businessHours({ closures: [{ kind: 'yearly', from: '01-01', to: '12-31' }] });
    expect(() => never.addBusinessMinutes(tokyo('2026-12-02T10:00'), 1)).toThrow(RangeError);
  });
});

describe('businessMinutesBetween', () => {
  it('counts only opening hours of working days', () => {
    expect(businessMinutesBetween(tokyo('2026-11-27T16:00'), tokyo('2026-11-30T10:00'))).toBe(120);
    expect(businessMinutesBetween(tokyo('2026-11-20T16:30'), tokyo('2026-11-24T09:30'))).toBe(60);
    expect(businessMinutesBetween(tokyo('2026-12-28T16:00'), tokyo('2027-01-04T10:00'))).toBe(120);
    expect(businessMinutesBetween(tokyo('2026-12-02T20:00'), tokyo('2026-12-03T08:00'))).toBe(0);
  });

  it('is negative when the second instant comes first', () => {
    expect(businessMinutesBetween(tokyo('2026-12-02T11:00'), tokyo('2026-12-02T10:00'))).toBe(-60);
  });

  it('undoes addBusinessMinutes (property)', () => {
    const instants = fc.date({
      min: new Date('2025-01-01T00:00:00Z'),
      max: new Date('2028-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 40 * 8 * 60 }), (start, n) => {
        expect(businessMinutesBetween(start, addBusinessMinutes(start, n))).toBeCloseTo(n, 6);
      }),
    );
  });

  it('lands inside opening hours of a working day, and never earlier for more minutes (property)', () => {
    const instants = fc.date({
      min: new Date('2025-01-01T00:00:00Z'),
      max: new Date('2028-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        instants,
        fc.integer({ min: 1, max: 20 * 8 * 60 }),
        fc.integer({ min: 0, max: 600 }),
        (start, n, more) => {
          const due = addBusinessMinutes(start, n);
          const local = new Date(due.getTime() + 9 * 3_600_000);
          const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
          expect(hours.isBusinessDay(local.toISOString().slice(0, 10))).toBe(true);
          expect(minuteOfDay).toBeGreaterThanOrEqual(9 * 60);
          expect(minuteOfDay).toBeLessThanOrEqual(17 * 60);
          expect(addBusinessMinutes(start, n + more).getTime()).toBeGreaterThanOrEqual(
            due.getTime(),
          );
        },
      ),
    );
  });
});

describe('parseClosures', () => {
  it('reads dates, yearly days and ranges of either', () => {
    expect(parseClosures('12-29..01-03, 2027-03-31 ,08-13..08-16,2026-10-01..2026-10-02')).toEqual([
      { kind: 'yearly', from: '12-29', to: '01-03' },
      { kind: 'date', from: '2027-03-31', to: '2027-03-31' },
      { kind: 'yearly', from: '08-13', to: '08-16' },
      { kind: 'date', from: '2026-10-01', to: '2026-10-02' },
    ]);
    expect(parseClosures('')).toEqual([]);
  });

  it('names the entry it cannot read', () => {
    expect(parseClosures('12-29..01-03,13-01')).toEqual({
      error: expect.stringContaining('"13-01"'),
    });
    expect(parseClosures('2026-02-30')).toEqual({ error: expect.stringContaining('2026-02-30') });
    expect(parseClosures('2026-10-02..2026-10-01')).toEqual({
      error: expect.stringContaining('ends before it starts'),
    });
    expect(parseClosures('01-01..01-02..01-03')).toEqual({ error: expect.stringContaining('..') });
  });

  it('closes a mid-week day of its own', () => {
    const one = parseClosures('2026-12-02');
    if ('error' in one) throw new Error(one.error);
    expect(businessHours({ closures: one }).isBusinessDay('2026-12-02')).toBe(false);
    expect(businessHours({ closures: one }).isBusinessDay('2026-12-03')).toBe(true);
  });
});
