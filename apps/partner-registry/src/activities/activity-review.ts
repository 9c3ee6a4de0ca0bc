import { AppError } from '@sp/platform';
import type { ActivityReviewStatus, Reporter } from '@sp/types';

const invalid = (message: string) => new AppError('invalid-status-transition', message);

/** Draft and returned activities may be submitted for review; nothing else. */
export function checkSubmit(current: ActivityReviewStatus): void {
  if (current !== 'draft' && current !== 'returned')
    throw invalid(
      current === 'submitted'
        ? 'the activity is already submitted and waits for review'
        : 'the activity is approved; edit it to submit a change',
    );
}

/** Staff approve or return only what was submitted. */
export function checkReview(current: ActivityReviewStatus, decision: 'approve' | 'return'): void {
  if (current !== 'submitted')
    throw invalid(
      `only a submitted activity can be ${decision === 'approve' ? 'approved' : 'returned'} (this one is ${current})`,
    );
}

/**
 * The review status after an edit. Staff's edits keep it. A partner may not edit what staff are
 * reviewing; its edit of an approved activity takes it back to draft, so nothing it writes is
 * public before staff approve it again.
 */
export function reviewStatusAfterEdit(
  current: ActivityReviewStatus,
  editor: Reporter,
): ActivityReviewStatus {
  if (editor === 'staff') return current;
  if (current === 'submitted')
    throw invalid(
      'the activity waits for review; it can be edited once it is approved or returned',
    );
  return current === 'approved' ? 'draft' : current;
}

/**
 * Since when the activity is public: only an approved public one is, from the moment it first
 * became so (kept across later edits); anything else is not public (`null`).
 */
export function publishedAt(
  next: { reviewStatus: ActivityReviewStatus; isPublic: boolean },
  previous: Date | null,
  now: Date,
): Date | null {
  if (next.reviewStatus !== 'approved' || !next.isPublic) return null;
  return previous ?? now;
}
