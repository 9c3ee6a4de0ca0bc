import { AppError } from '@sp/platform';
import { checkReview, checkSubmit, publishedAt, reviewStatusAfterEdit } from './activity-review';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
};

describe('activity review', () => {
  it('submits drafts and returned activities only', () => {
    expect(codeOf(() => checkSubmit('draft'))).toBe('ok');
    expect(codeOf(() => checkSubmit('returned'))).toBe('ok');
    expect(codeOf(() => checkSubmit('submitted'))).toBe('invalid-status-transition');
    expect(codeOf(() => checkSubmit('approved'))).toBe('invalid-status-transition');
  });

  it('approves or returns only what was submitted', () => {
    for (const decision of ['approve', 'return'] as const) {
      expect(codeOf(() => checkReview('submitted', decision))).toBe('ok');
      for (const status of ['draft', 'approved', 'returned'] as const)
        expect(codeOf(() => checkReview(status, decision))).toBe('invalid-status-transition');
    }
  });

  it("keeps the review status on staff's edits", () => {
    for (const status of ['draft', 'submitted', 'approved', 'returned'] as const)
      expect(reviewStatusAfterEdit(status, 'staff')).toBe(status);
  });

  it("takes a partner's edit of an approved activity back to draft, and refuses one under review", () => {
    expect(reviewStatusAfterEdit('approved', 'partner')).toBe('draft');
    expect(reviewStatusAfterEdit('returned', 'partner')).toBe('returned');
    expect(reviewStatusAfterEdit('draft', 'partner')).toBe('draft');
    expect(codeOf(() => reviewStatusAfterEdit('submitted', 'partner'))).toBe(
      'invalid-status-transition',
    );
  });

  it('publishes only an approved public activity, keeping its first publication date', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const before = new Date('2026-01-01T00:00:00Z');
    expect(publishedAt({ reviewStatus: 'approved', isPublic: true }, null, now)).toBe(now);
    expect(publishedAt({ reviewStatus: 'approved', isPublic: true }, before, now)).toBe(before);
    expect(publishedAt({ reviewStatus: 'approved', isPublic: false }, before, now)).toBeNull();
    for (const status of ['draft', 'submitted', 'returned'] as const)
      expect(publishedAt({ reviewStatus: status, isPublic: true }, before, now)).toBeNull();
  });
});
