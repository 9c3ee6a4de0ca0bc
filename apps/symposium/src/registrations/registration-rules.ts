import { AppError } from '@sp/platform';
import type { RegistrationStatus, SymposiumStatus } from '@sp/types';

/** Seats are taken by the confirmed and by those already checked in. */
export const takesSeat = (status: RegistrationStatus): boolean =>
  status === 'confirmed' || status === 'attended';

/**
 * Refuses a sign-up outside the registration window (a 409 naming `symposiumId`): before
 * `opensAt`, or at or after `closesAt`.
 */
export function checkRegistrationWindow(opensAt: Date, closesAt: Date, now: Date): void {
  if (now < opensAt)
    throw new AppError(
      'conflict',
      `registration opens at ${opensAt.toISOString()}; it is not open yet`,
      {
        errors: [
          { in: 'params', field: 'id', message: 'registration is not open yet', code: 'not-open' },
        ],
      },
    );
  if (now >= closesAt)
    throw new AppError('conflict', `registration closed at ${closesAt.toISOString()}`, {
      errors: [{ in: 'params', field: 'id', message: 'registration has closed', code: 'closed' }],
    });
}

/** A new registration takes a seat while one is free, and waits otherwise. */
export const statusOnArrival = (capacity: number, seatsTaken: number): RegistrationStatus =>
  seatsTaken < capacity ? 'confirmed' : 'waitlisted';

/** How many of the waiting list a symposium can take now (after a cancellation or more seats). */
export const promotable = (capacity: number, seatsTaken: number, waiting: number): number =>
  Math.max(0, Math.min(waiting, capacity - seatsTaken));

/** Only a confirmed registration can be checked in (409 otherwise, saying why). */
export function checkCheckIn(status: RegistrationStatus, attendedAt: Date | null): void {
  if (status === 'confirmed') return;
  const why =
    status === 'attended'
      ? `is already checked in${attendedAt ? ` (at ${attendedAt.toISOString()})` : ''}`
      : status === 'waitlisted'
        ? 'is on the waiting list, without a seat'
        : 'was cancelled';
  throw new AppError('conflict', `this registration ${why}`, {
    errors: [{ in: 'body', field: 'code', message: why, code: `registration-${status}` }],
  });
}

/** A registration can be cancelled unless its holder has already attended. */
export function checkCancellable(status: RegistrationStatus): void {
  if (status === 'attended')
    throw new AppError('conflict', 'an attended registration cannot be cancelled', {
      errors: [{ in: 'params', field: 'id', message: 'already attended', code: 'attended' }],
    });
}

/**
 * Refuses a cancellation once the symposium has taken place: a no-show's link would otherwise
 * cancel after the event, and the freed seat mail "you have a seat" to the waiting list.
 */
export function checkSymposiumTakesCancellations(status: SymposiumStatus): void {
  if (status !== 'held' && status !== 'report-published') return;
  throw new AppError('conflict', `the symposium is ${status}: its registrations stay as they are`, {
    errors: [{ in: 'params', field: 'id', message: `the symposium is ${status}`, code: 'held' }],
  });
}

/**
 * The reminder due for a registration now, if any: offsets (minutes before the start) whose
 * moment has come, for a symposium not yet started, and which had not come yet when the person
 * registered (someone who signs up the day before gets no "in 3 days" mail). Of the due ones
 * only the nearest to the start is mailed; all due ones are recorded, so none is sent later.
 */
export function dueReminder(input: {
  startsAt: Date;
  now: Date;
  registeredAt: Date;
  offsetsMinutes: readonly number[];
  sentOffsets: readonly number[];
}): { send: number; record: number[] } | null {
  const { startsAt, now, registeredAt, offsetsMinutes, sentOffsets } = input;
  if (now >= startsAt) return null;
  const momentOf = (offset: number) => startsAt.getTime() - offset * 60_000;
  const due = offsetsMinutes.filter(
    (o) => momentOf(o) <= now.getTime() && momentOf(o) > registeredAt.getTime(),
  );
  const fresh = due.filter((o) => !sentOffsets.includes(o));
  if (fresh.length === 0) return null;
  const nearest = Math.min(...due);
  if (sentOffsets.includes(nearest)) return null;
  return { send: nearest, record: fresh };
}

/** Statuses after which a symposium takes no more sign-ups, whatever its window says. */
const closedStatuses: readonly SymposiumStatus[] = [
  'registration-closed',
  'held',
  'report-published',
];

/**
 * Refuses a sign-up once staff have closed registration (or the symposium is over): a 409
 * naming the status, so closing registration early needs no change to the window.
 */
export function checkSymposiumTakesSignUps(status: SymposiumStatus): void {
  if (!closedStatuses.includes(status)) return;
  throw new AppError('conflict', `the symposium is ${status}: registration is closed`, {
    errors: [
      { in: 'params', field: 'id', message: `registration is closed (${status})`, code: 'closed' },
    ],
  });
}
