import { AppError } from '@sp/platform';
import {
  checkFiscalYear,
  checkMobilityReview,
  mobilityReviewStatusAfterWrite,
} from './mobility-review';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
};

describe('mobility review', () => {
  it('reviews only submitted reports', () => {
    expect(codeOf(() => checkMobilityReview('submitted', 'approve'))).toBe('ok');
    expect(codeOf(() => checkMobilityReview('submitted', 'return'))).toBe('ok');
    expect(codeOf(() => checkMobilityReview('approved', 'approve'))).toBe(
      'invalid-status-transition',
    );
    expect(codeOf(() => checkMobilityReview('returned', 'return'))).toBe(
      'invalid-status-transition',
    );
  });

  it("approves staff's reports as written and submits a partner's", () => {
    expect(mobilityReviewStatusAfterWrite('staff')).toBe('approved');
    expect(mobilityReviewStatusAfterWrite('partner')).toBe('submitted');
  });

  it('allows fiscal years up to the next one', () => {
    expect(codeOf(() => checkFiscalYear(2020, 2026))).toBe('ok');
    expect(codeOf(() => checkFiscalYear(2027, 2026))).toBe('ok');
    expect(codeOf(() => checkFiscalYear(2028, 2026))).toBe('validation-error');
  });
});
