import { AppError } from '@sp/platform';

export const inquiryStates = ['new', 'open', 'waiting', 'resolved', 'closed'] as const;
export type InquiryState = (typeof inquiryStates)[number];

/**
 * Which state may follow which: `new → open → waiting ⇄ open → resolved → closed`. A new
 * inquiry may be closed straight away (spam, a duplicate); a resolved one reopens; closed is
 * final (a later message from the inquirer starts from the closed thread's reference).
 */
export const nextStates: Readonly<Record<InquiryState, readonly InquiryState[]>> = {
  new: ['open', 'closed'],
  open: ['waiting', 'resolved'],
  waiting: ['open', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** Throws 409 `invalid-status-transition` naming the states allowed after `from`. */
export function checkStateChange(from: InquiryState, to: InquiryState): void {
  if (from === to) return;
  const allowed = nextStates[from];
  if (allowed.includes(to)) return;
  const next = allowed.length > 0 ? allowed.join(', ') : 'none (closed is final)';
  throw new AppError(
    'invalid-status-transition',
    `an inquiry in state ${from} cannot become ${to}; allowed next: ${next}`,
    {
      errors: [
        {
          in: 'body',
          field: 'state',
          message: `allowed after ${from}: ${next}`,
          code: 'invalid_value',
        },
      ],
      extra: { allowed: allowed.join(',') },
    },
  );
}

/** A merged or closed inquiry takes no more changes. */
export function checkOpenForChanges(state: InquiryState, reference: string): void {
  if (state === 'closed')
    throw new AppError('conflict', `inquiry ${reference} is closed and takes no more changes`);
}
