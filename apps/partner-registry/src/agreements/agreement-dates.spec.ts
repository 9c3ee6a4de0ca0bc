import { AppError } from '@sp/platform';
import {
  agreementStatus,
  checkNotAhead,
  checkRenewal,
  checkTerm,
  daysBetween,
  dueReminder,
  reminderDay,
} from './agreement-dates';

const thrown = (work: () => void): AppError | undefined => {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return undefined;
};

describe('daysBetween', () => {
  it('counts calendar days across months and a leap day', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-12-02', '2026-12-02')).toBe(0);
    expect(daysBetween('2026-12-02', '2026-12-01')).toBe(-1);
  });
});

describe('agreementStatus', () => {
  const today = '2026-12-02';
  const status = (startsOn: string | null, expiresOn: string | null, window = 90) =>
    agreementStatus({ startsOn, expiresOn }, today, window);

  it('is not-started before its first day', () => {
    expect(status('2026-12-03', '2030-01-01')).toBe('not-started');
    expect(status('2027-01-01', null)).toBe('not-started');
  });
  it('is active from its first day, and open-ended for good', () => {
    expect(status('2026-12-02', '2030-01-01')).toBe('active');
    expect(status(null, null)).toBe('active');
    expect(status('2000-01-01', null)).toBe('active');
  });
  it('is expiring within the window, its last day included', () => {
    expect(status(null, '2027-03-02')).toBe('expiring'); // 90 days left
    expect(status(null, '2027-03-03')).toBe('active'); // 91 days left
    expect(status(null, today)).toBe('expiring');
  });
  it('takes the window it is given', () => {
    expect(status(null, '2027-03-02', 30)).toBe('active');
    expect(status(null, '2027-01-01', 30)).toBe('expiring');
  });
  it('is expired the day after its last day', () => {
    expect(status(null, '2026-12-01')).toBe('expired');
    expect(status('2020-01-01', '2025-12-31')).toBe('expired');
  });
});

describe('dueReminder', () => {
  const expiresOn = '2027-06-30';
  it.each([
    [181, undefined],
    [180, 180],
    [91, 180],
    [90, 90],
    [31, 90],
    [30, 30],
    [1, 30],
    [0, 30],
    [-1, undefined],
  ])('with %i days left it is %s', (left, threshold) => {
    const today = new Date(Date.parse(`${expiresOn}T00:00:00Z`) - left * 86_400_000)
      .toISOString()
      .slice(0, 10);
    expect(dueReminder(expiresOn, today)).toBe(threshold);
  });
  it('dates each threshold from the expiry', () => {
    expect(reminderDay(expiresOn, 30)).toBe('2027-05-31');
    expect(reminderDay(expiresOn, 180)).toBe('2027-01-01');
  });
});

describe('checkNotAhead', () => {
  const today = '2026-12-02';
  it.each([undefined, null, '2026', '2026-12', '2026-12-02', '1999'])('accepts %s', (v) => {
    expect(thrown(() => checkNotAhead(v, today, 'renewedOn'))).toBeUndefined();
  });
  it.each(['2027', '2026-12-03'])('refuses %s, naming the field', (v) => {
    expect(thrown(() => checkNotAhead(v, today, 'renewedOn'))?.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'renewedOn', code: 'too_big' }),
    ]);
  });
});

describe('checkTerm', () => {
  it('accepts an expiry on or after the start, or either missing', () => {
    for (const [s, e] of [
      ['2026-01-01', '2026-01-01'],
      [null, '2026-01-01'],
      ['2026-01-01', null],
    ] as const)
      expect(thrown(() => checkTerm(s, e))).toBeUndefined();
  });
  it('refuses an expiry before the start, naming expiresOn', () => {
    expect(thrown(() => checkTerm('2026-01-02', '2026-01-01'))?.errors?.[0]?.field).toBe(
      'expiresOn',
    );
  });
});

describe('checkRenewal', () => {
  it('accepts a later expiry, an open-ended one, or a first expiry', () => {
    expect(thrown(() => checkRenewal('2027-01-01', '2032-01-01'))).toBeUndefined();
    expect(thrown(() => checkRenewal('2027-01-01', null))).toBeUndefined();
    expect(thrown(() => checkRenewal(null, '2032-01-01'))).toBeUndefined();
  });
  it.each(['2027-01-01', '2026-01-01'])('refuses %s, not after the current expiry', (next) => {
    const error = thrown(() => checkRenewal('2027-01-01', next));
    expect(error?.code).toBe('validation-error');
    expect(error?.errors?.[0]).toMatchObject({ field: 'expiresOn', code: 'too_small' });
  });
});
