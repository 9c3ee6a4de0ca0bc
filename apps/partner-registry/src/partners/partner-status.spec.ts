import { AppError } from '@sp/platform';
import { partnerStatuses } from '@sp/types';
import {
  changesStatus,
  checkStatusChange,
  checkStatusChangedOn,
  checkStatusSince,
} from './partner-status';

const thrown = (work: () => void): AppError | undefined => {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return undefined;
};

describe('changesStatus', () => {
  it('is a change only for another status given', () => {
    expect(changesStatus('primary', 'strategic')).toBe(true);
    expect(changesStatus('primary', 'primary')).toBe(false);
    expect(changesStatus('primary', undefined)).toBe(false);
  });
});

describe('checkStatusChange', () => {
  const live = partnerStatuses.filter((s) => s !== 'ended');

  it.each(live.flatMap((from) => partnerStatuses.map((to) => [from, to] as const)))(
    'lets a live partnership go from %s to %s',
    (from, to) => {
      expect(thrown(() => checkStatusChange(from, to))).toBeUndefined();
    },
  );

  it.each(live)('keeps an ended partnership ended: not %s again', (to) => {
    const error = thrown(() => checkStatusChange('ended', to));
    expect(error?.code).toBe('invalid-status-transition');
    expect(error?.message).toContain(`cannot become ${to}`);
  });

  it('lets an ended partnership stay ended', () => {
    expect(thrown(() => checkStatusChange('ended', 'ended'))).toBeUndefined();
  });
});

describe('checkStatusChangedOn', () => {
  const today = '2026-12-02';

  it.each([undefined, today, '2026-12-01', '1999-01-01', '2026', '2026-12'])(
    'accepts %s',
    (changedOn) => {
      expect(thrown(() => checkStatusChangedOn(changedOn, today))).toBeUndefined();
    },
  );

  it.each(['2026-12-03', '2027-01-01', '2027', '2027-01'])(
    'refuses %s, a day ahead of today, naming the field',
    (changedOn) => {
      const error = thrown(() => checkStatusChangedOn(changedOn, today));
      expect(error?.code).toBe('validation-error');
      expect(error?.errors).toEqual([
        expect.objectContaining({ in: 'body', field: 'statusChangedOn', code: 'too_big' }),
      ]);
    },
  );
});

describe('checkStatusChangedOn after a previous change', () => {
  const today = '2026-12-02';
  const previous = { firstDay: '2016-01-01', shown: '2016' };
  it.each(['2016', '2016-01', '2016-01-01', '2020-05-03'])('accepts %s, not before 2016', (on) => {
    expect(thrown(() => checkStatusChangedOn(on, today, previous))).toBeUndefined();
  });
  it.each(['2015', '2015-12', '2015-12-31'])('refuses %s, before the previous change', (on) => {
    const error = thrown(() => checkStatusChangedOn(on, today, previous));
    expect(error?.code).toBe('validation-error');
    expect(error?.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'statusChangedOn', code: 'too_small' }),
    ]);
    expect(error?.errors?.[0]?.message).toContain('(2016)');
  });
});

describe('checkStatusSince', () => {
  const today = '2026-12-02';
  it.each([undefined, '2016', '2026-12', today])('accepts %s', (since) => {
    expect(thrown(() => checkStatusSince(since, today))).toBeUndefined();
  });
  it.each(['2027', '2026-12-03'])('refuses %s, ahead of today, naming statusSince', (since) => {
    expect(thrown(() => checkStatusSince(since, today))?.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'statusSince', code: 'too_big' }),
    ]);
  });
});
