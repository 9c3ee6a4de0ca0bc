import { AppError } from '@sp/platform';
import type { PartnerStatus } from '@sp/types';

/** Whether a patch moves the partner to another status (and so dates it in the history). */
export const changesStatus = (
  from: PartnerStatus,
  to: PartnerStatus | undefined,
): to is PartnerStatus => to !== undefined && to !== from;

/** `ended` closes a partnership for good: a renewed relationship is entered as a new partner. */
export function checkStatusChange(from: PartnerStatus, to: PartnerStatus): void {
  if (from === 'ended' && to !== 'ended') {
    throw new AppError(
      'invalid-status-transition',
      `an ended partnership cannot become ${to}; record the renewed relationship as a new partner`,
    );
  }
}

/** A status change is dated today or in the past (Tokyo dates, `YYYY-MM-DD`), never ahead. */
export function checkStatusChangedOn(changedOn: string | undefined, today: string): void {
  if (changedOn !== undefined && changedOn > today) {
    throw new AppError('validation-error', 'invalid body: statusChangedOn', {
      errors: [
        {
          in: 'body',
          field: 'statusChangedOn',
          message: 'cannot be in the future',
          code: 'too_big',
        },
      ],
    });
  }
}
