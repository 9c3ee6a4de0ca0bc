import { AppError } from '@sp/platform';
import type { InquiryState } from '@sp/types';

/**
 * The state after the inquirer writes again: a resolved inquiry reopens, one waiting for the
 * inquirer's answer goes back to the desk; a closed one takes no more messages (a new
 * inquiry is the way), so the caller decides what to do with the message.
 */
export function stateAfterInquirerMessage(state: InquiryState): InquiryState {
  switch (state) {
    case 'new':
      return 'new';
    case 'open':
    case 'waiting':
    case 'resolved':
      return 'open';
    case 'closed':
      throw new AppError(
        'conflict',
        'this inquiry is closed and takes no more messages; please send a new inquiry',
      );
  }
}

/** The problem's `reason` when an inquiry has taken all the messages or files it may hold. */
export const INQUIRY_FULL = 'inquiry-full';

/** Whether `error` says the inquiry is full (its mail then waits for staff instead). */
export const isInquiryFull = (error: unknown): boolean =>
  error instanceof AppError && error.extra?.['reason'] === INQUIRY_FULL;
