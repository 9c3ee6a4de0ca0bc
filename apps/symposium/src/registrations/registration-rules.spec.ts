import { AppError } from '@sp/platform';
import {
  checkCancellable,
  checkCheckIn,
  checkRegistrationWindow,
  checkSymposiumTakesSignUps,
  dueReminder,
  promotable,
  statusOnArrival,
} from './registration-rules';

const at = (iso: string) => new Date(iso);
const code = (f: () => void): string | undefined => {
  try {
    f();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return undefined;
};

describe('checkRegistrationWindow', () => {
  const opens = at('2027-01-10T00:00:00Z');
  const closes = at('2027-02-10T00:00:00Z');
  it('refuses before opening and from closing on, accepts in between', () => {
    expect(code(() => checkRegistrationWindow(opens, closes, at('2027-01-09T23:59:59Z')))).toBe(
      'conflict',
    );
    expect(code(() => checkRegistrationWindow(opens, closes, opens))).toBeUndefined();
    expect(
      code(() => checkRegistrationWindow(opens, closes, at('2027-02-09T23:59:59Z'))),
    ).toBeUndefined();
    expect(code(() => checkRegistrationWindow(opens, closes, closes))).toBe('conflict');
  });
});

describe('seats', () => {
  it('confirms while a seat is free, waitlists otherwise', () => {
    expect(statusOnArrival(50, 49)).toBe('confirmed');
    expect(statusOnArrival(50, 50)).toBe('waitlisted');
    expect(statusOnArrival(0, 0)).toBe('waitlisted');
  });
  it('promotes no more than the free seats and the people waiting', () => {
    expect(promotable(50, 45, 150)).toBe(5);
    expect(promotable(50, 45, 2)).toBe(2);
    expect(promotable(50, 55, 10)).toBe(0);
  });
});

describe('state rules', () => {
  it('checks in only the confirmed', () => {
    expect(code(() => checkCheckIn('confirmed', null))).toBeUndefined();
    expect(code(() => checkCheckIn('attended', new Date()))).toBe('conflict');
    expect(code(() => checkCheckIn('waitlisted', null))).toBe('conflict');
    expect(code(() => checkCheckIn('cancelled', null))).toBe('conflict');
  });
  it('cancels anything but an attended registration', () => {
    expect(code(() => checkCancellable('confirmed'))).toBeUndefined();
    expect(code(() => checkCancellable('waitlisted'))).toBeUndefined();
    expect(code(() => checkCancellable('attended'))).toBe('conflict');
  });
});

describe('dueReminder', () => {
  const startsAt = at('2027-03-10T00:00:00Z');
  const base = {
    startsAt,
    registeredAt: at('2027-01-01T00:00:00Z'),
    offsetsMinutes: [4320, 1440],
    sentOffsets: [] as number[],
  };
  it('sends nothing before the first offset', () => {
    expect(dueReminder({ ...base, now: at('2027-03-06T23:59:00Z') })).toBeNull();
  });
  it('sends the 3-day reminder when it is due, then nothing until the 1-day one', () => {
    expect(dueReminder({ ...base, now: at('2027-03-07T00:00:00Z') })).toEqual({
      send: 4320,
      record: [4320],
    });
    expect(
      dueReminder({ ...base, now: at('2027-03-08T00:00:00Z'), sentOffsets: [4320] }),
    ).toBeNull();
    expect(dueReminder({ ...base, now: at('2027-03-09T01:00:00Z'), sentOffsets: [4320] })).toEqual({
      send: 1440,
      record: [1440],
    });
    expect(
      dueReminder({ ...base, now: at('2027-03-09T02:00:00Z'), sentOffsets: [4320, 1440] }),
    ).toBeNull();
  });
  it('sends only the nearest when several are due at once (a missed run), recording all', () => {
    expect(dueReminder({ ...base, now: at('2027-03-09T12:00:00Z') })).toEqual({
      send: 1440,
      record: [4320, 1440],
    });
  });
  it('skips offsets that had passed when the person registered, and anything after the start', () => {
    expect(
      dueReminder({
        ...base,
        registeredAt: at('2027-03-08T00:00:00Z'),
        now: at('2027-03-08T01:00:00Z'),
      }),
    ).toBeNull();
    expect(
      dueReminder({
        ...base,
        registeredAt: at('2027-03-08T00:00:00Z'),
        now: at('2027-03-09T00:00:00Z'),
      }),
    ).toEqual({ send: 1440, record: [1440] });
    expect(dueReminder({ ...base, now: startsAt })).toBeNull();
  });
});

describe('checkSymposiumTakesSignUps', () => {
  it('takes sign-ups until staff close registration or the symposium is over', () => {
    for (const status of ['planned', 'announced', 'registration-open'] as const)
      expect(code(() => checkSymposiumTakesSignUps(status))).toBeUndefined();
    for (const status of ['registration-closed', 'held', 'report-published'] as const)
      expect(code(() => checkSymposiumTakesSignUps(status))).toBe('conflict');
  });
});
