import { AppError } from '@sp/platform';
import {
  type AgreementReminderThreshold,
  agreementReminderThresholds,
  type AgreementStatus,
  splitPartialDate,
} from '@sp/types';

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * An agreement's status on the Tokyo day `today`: `not-started` before its start, `expired`
 * after its last day, `expiring` within `windowDays` of it (the last day included), otherwise
 * `active` (an open-ended agreement stays active).
 */
export function agreementStatus(
  dates: { startsOn: string | null; expiresOn: string | null },
  today: string,
  windowDays: number,
): AgreementStatus {
  if (dates.startsOn !== null && today < dates.startsOn) return 'not-started';
  if (dates.expiresOn === null) return 'active';
  if (today > dates.expiresOn) return 'expired';
  if (daysBetween(today, dates.expiresOn) <= windowDays) return 'expiring';
  return 'active';
}

/**
 * The reminder due for an agreement expiring on `expiresOn`: the smallest threshold (180, 90,
 * 30 days) already crossed on `today`, so a run that missed a day still sends it, and one
 * that missed the 90-day mark by weeks sends the 30-day one, not three at once. None once
 * expired.
 */
export function dueReminder(
  expiresOn: string,
  today: string,
): AgreementReminderThreshold | undefined {
  const left = daysBetween(today, expiresOn);
  if (left < 0) return undefined;
  return [...agreementReminderThresholds].reverse().find((threshold) => left <= threshold);
}

/** The first day a reminder threshold is crossed (the earliest day it may be sent). */
export const reminderDay = (expiresOn: string, threshold: AgreementReminderThreshold): string =>
  new Date(Date.parse(`${expiresOn}T00:00:00Z`) - threshold * DAY_MS).toISOString().slice(0, 10);

const bodyError = (field: string, message: string, code: string) =>
  new AppError('validation-error', `invalid body: ${field}`, {
    errors: [{ in: 'body', field, message, code }],
  });

/** A partial date (`2016`, `2023-01`, `2023-01-15`) whose first day is after `today` is refused. */
export function checkNotAhead(
  value: string | null | undefined,
  today: string,
  field: string,
): void {
  if (value === null || value === undefined) return;
  const first = splitPartialDate(value)?.firstDay;
  if (first !== undefined && first > today)
    throw bodyError(field, 'cannot be in the future', 'too_big');
}

/** The expiry may not fall before the start (checked on the row as a patch leaves it). */
export function checkTerm(startsOn: string | null, expiresOn: string | null): void {
  if (startsOn !== null && expiresOn !== null && expiresOn < startsOn)
    throw bodyError('expiresOn', 'cannot be before startsOn', 'too_small');
}

/** A renewal moves the expiry later (or makes it open-ended), never earlier or to the same day. */
export function checkRenewal(previous: string | null, next: string | null): void {
  if (previous !== null && next !== null && next <= previous)
    throw bodyError('expiresOn', `must be after the current expiry (${previous})`, 'too_small');
}
