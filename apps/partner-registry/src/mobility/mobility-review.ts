import { AppError } from '@sp/platform';
import type { MobilityReviewStatus, Reporter } from '@sp/types';

/** Staff approve or return only a submitted report. */
export function checkMobilityReview(
  current: MobilityReviewStatus,
  decision: 'approve' | 'return',
): void {
  if (current !== 'submitted')
    throw new AppError(
      'invalid-status-transition',
      `only a submitted mobility report can be ${decision === 'approve' ? 'approved' : 'returned'} (this one is ${current})`,
    );
}

/**
 * A report's review status after it is written: staff's are approved as written; a partner's
 * new or changed report (a returned one corrected, an approved one revised) is submitted again,
 * and counts in the totals only once staff approve it.
 */
export const mobilityReviewStatusAfterWrite = (writer: Reporter): MobilityReviewStatus =>
  writer === 'staff' ? 'approved' : 'submitted';

/** A fiscal year may not lie beyond the one after the current: counts are of what happened or is planned. */
export function checkFiscalYear(fiscalYear: number, currentFiscalYear: number): void {
  if (fiscalYear > currentFiscalYear + 1)
    throw new AppError('validation-error', `fiscal year ${fiscalYear} is too far ahead`, {
      errors: [
        {
          in: 'body',
          field: 'fiscalYear',
          message: `must not be after fiscal ${currentFiscalYear + 1}`,
          code: 'too_big',
        },
      ],
    });
}
