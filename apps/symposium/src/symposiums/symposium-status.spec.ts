import { AppError } from '@sp/platform';
import { symposiumStatuses } from '@sp/types';
import { checkStatusTransition, nextStatuses } from './symposium-status';

const caught = (fn: () => void): AppError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
};

describe('checkStatusTransition', () => {
  it.each([
    ['planned', 'announced'],
    ['announced', 'registration-open'],
    ['registration-open', 'registration-closed'],
    ['registration-closed', 'registration-open'],
    ['registration-closed', 'held'],
    ['held', 'report-published'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(() => checkStatusTransition(from, to)).not.toThrow();
  });

  it('refuses a skipped step with a 409 naming the allowed next statuses', () => {
    const error = caught(() => checkStatusTransition('planned', 'held'));
    expect(error.code).toBe('invalid-status-transition');
    expect(error.message).toContain('allowed next: announced');
    expect(error.errors).toEqual([expect.objectContaining({ field: 'status', in: 'body' })]);
    expect(error.extra).toEqual({ currentStatus: 'planned', allowedNextStatuses: 'announced' });
  });

  it('lists both ways out of a closed registration', () => {
    const error = caught(() => checkStatusTransition('registration-closed', 'planned'));
    expect(error.extra?.['allowedNextStatuses']).toBe('registration-open,held');
  });

  it('treats a published report as final', () => {
    const error = caught(() => checkStatusTransition('report-published', 'held'));
    expect(error.message).toContain('none (it is final)');
  });

  it('refuses staying in the same status (nothing to change)', () => {
    for (const status of symposiumStatuses)
      expect(() => checkStatusTransition(status, status)).toThrow(AppError);
  });

  it('never lets a symposium go back before it was held', () => {
    for (const status of ['held', 'report-published'] as const)
      expect(nextStatuses[status]).not.toContain('registration-open');
  });
});
