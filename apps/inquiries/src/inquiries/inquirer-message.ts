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
