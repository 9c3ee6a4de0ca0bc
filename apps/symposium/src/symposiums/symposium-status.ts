import { AppError } from '@sp/platform';
import type { SymposiumStatus } from '@sp/types';

/**
 * Which status may follow which. A symposium is announced, opens registration, closes it (and
 * may reopen it while it is closed), is held, and finally has its report published; nothing
 * skips a step or goes back further, and a published report is final.
 */
export const nextStatuses: Readonly<Record<SymposiumStatus, readonly SymposiumStatus[]>> = {
  planned: ['announced'],
  announced: ['registration-open'],
  'registration-open': ['registration-closed'],
  'registration-closed': ['registration-open', 'held'],
  held: ['report-published'],
  'report-published': [],
};

/** Throws a 409 `invalid-status-transition` naming the allowed next statuses. */
export function checkStatusTransition(from: SymposiumStatus, to: SymposiumStatus): void {
  const allowed = nextStatuses[from];
  if (allowed.includes(to)) return;
  const next = allowed.length > 0 ? allowed.join(', ') : 'none (it is final)';
  throw new AppError(
    'invalid-status-transition',
    `a ${from} symposium cannot become ${to}; allowed next: ${next}`,
    {
      errors: [
        {
          in: 'body',
          field: 'status',
          message: `must be one of the allowed next statuses: ${next}`,
          code: 'invalid_transition',
        },
      ],
      extra: { currentStatus: from, allowedNextStatuses: allowed.join(',') },
    },
  );
}
