import { AppError } from '@sp/platform';
import { checkOpenForChanges, checkStateChange, inquiryStates, nextStates } from './inquiry-state';

const refusal = (from: (typeof inquiryStates)[number], to: (typeof inquiryStates)[number]) => {
  try {
    checkStateChange(from, to);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('checkStateChange', () => {
  it.each([
    ['new', 'open'],
    ['new', 'closed'],
    ['open', 'waiting'],
    ['open', 'resolved'],
    ['waiting', 'open'],
    ['waiting', 'resolved'],
    ['resolved', 'open'],
    ['resolved', 'closed'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(() => checkStateChange(from, to)).not.toThrow();
  });

  it('allows staying in the same state', () => {
    for (const state of inquiryStates) expect(() => checkStateChange(state, state)).not.toThrow();
  });

  it('refuses every other change with 409, naming the allowed next states', () => {
    for (const from of inquiryStates)
      for (const to of inquiryStates) {
        if (from === to || nextStates[from].includes(to)) continue;
        const error = refusal(from, to);
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('invalid-status-transition');
        expect((error as AppError).extra).toEqual({ allowed: nextStates[from].join(',') });
      }
    expect((refusal('new', 'resolved') as AppError).message).toContain(
      'allowed next: open, closed',
    );
    expect((refusal('closed', 'open') as AppError).message).toContain('closed is final');
  });
});

describe('checkOpenForChanges', () => {
  it('refuses a closed inquiry and lets the others through', () => {
    expect(() => checkOpenForChanges('closed', 'INQ-2026-000001')).toThrow(/closed/);
    expect(() => checkOpenForChanges('resolved', 'INQ-2026-000001')).not.toThrow();
  });
});
