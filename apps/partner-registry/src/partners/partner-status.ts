import { AppError } from '@sp/platform';
import { type PartnerStatus, splitPartialDate } from '@sp/types';

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

/**
 * A status change is dated at the precision known (`2016`, `2023-01`, `2023-01-15`, compared
 * by their first day): never ahead of today (Tokyo), nor before the partner's previous change
 * (`previous`, the first day of its current `statusSince`).
 */
export function checkStatusChangedOn(
  changedOn: string | undefined,
  today: string,
  previous?: { firstDay: string; shown: string },
): void {
  if (changedOn === undefined) return;
  const first = splitPartialDate(changedOn)?.firstDay ?? changedOn;
  if (first > today) throw changedOnError('cannot be in the future', 'too_big');
  if (previous && first < previous.firstDay)
    throw changedOnError(
      `cannot precede the partner's previous status change (${previous.shown})`,
      'too_small',
    );
}

const changedOnError = (message: string, code: string) =>
  new AppError('validation-error', 'invalid body: statusChangedOn', {
    errors: [{ in: 'body', field: 'statusChangedOn', message, code }],
  });

/** A new partner's `statusSince` (any precision) is today or earlier, never ahead. */
export function checkStatusSince(since: string | undefined, today: string): void {
  if (since === undefined) return;
  const first = splitPartialDate(since)?.firstDay ?? since;
  if (first > today)
    throw new AppError('validation-error', 'invalid body: statusSince', {
      errors: [
        { in: 'body', field: 'statusSince', message: 'cannot be in the future', code: 'too_big' },
      ],
    });
}
