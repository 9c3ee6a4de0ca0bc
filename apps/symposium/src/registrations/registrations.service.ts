import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import {
  APP_CONFIG,
  AppError,
  AuditLog,
  boundPartnerId,
  checkVersion,
  CursorCodec,
  type ExpectedVersion,
} from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  CheckIn,
  Registration,
  RegistrationCreate,
  RegistrationListQuery,
  RegistrationPage,
  RegistrationReceipt,
  RegistrationSettings,
  RegistrationSettingsInput,
  RegistrationStatus,
} from '@sp/types';
import { registrationCreateSchema, registrationSettingsInputSchema } from '@sp/types';
import type { Transaction } from 'kysely';
import { toBuffer as qrPng } from 'qrcode';
import { z } from 'zod';
import { Clock } from '../common/clock';
import { isStaff } from '../common/caller';
import { type SymposiumSettings, symposiumSettingsSchema } from '../config';
import { checkAnswers } from './registration-form';
import {
  checkCancellable,
  checkCheckIn,
  checkRegistrationWindow,
  checkSymposiumTakesCancellations,
  checkSymposiumTakesSignUps,
  dueReminder,
  promotable,
  statusOnArrival,
  takesSeat,
} from './registration-rules';
import { linkTokenOf, newCheckInCode, tokenHashOf } from './registration-secrets';

import {
  formOf,
  mailData,
  toReceipt,
  toRegistration,
  toRegistrationEvent,
  toSettings,
} from './registrations.mapper';
import {
  type RegistrationRow,
  RegistrationsRepository,
  type SettingsRow,
  type SymposiumFacts,
} from './registrations.repository';

const cursors = new CursorCodec(z.object({ seq: z.string().regex(/^\d{1,19}$/) }));
/** Registrations read per query while an export streams. */
export const EXPORT_PAGE = 500;

/** The furthest ahead a reminder can be (the settings contract's largest offset). */
const REMINDER_HORIZON_MINUTES = 60 * 24 * 60;
/** Reminders 3 days and 1 day before the start, unless staff configure others. */
const DEFAULT_REMINDER_OFFSETS = [3 * 24 * 60, 24 * 60];
/** Draws of a check-in code before giving up (a clash is already ~1e-9 likely). */
const CODE_ATTEMPTS = 5;

const notConfigured = (symposiumId: string) =>
  new AppError('conflict', `symposium ${symposiumId} does not take registrations`, {
    errors: [
      {
        in: 'params',
        field: 'id',
        message: 'has no registration settings',
        code: 'not-configured',
      },
    ],
  });

/**
 * Registrations: sign-ups in arrival order under the symposium's settings lock, the waiting
 * list and its automatic promotion, check-in, the secret self-service link, and reminders.
 * Every change is audited and announced (`registration.*` on `symposium-events`), and every
 * mail goes out through the outbox as `email.send`, all in the change's transaction.
 */
@Injectable()
export class RegistrationsService {
  private readonly settings: SymposiumSettings;

  constructor(
    private readonly repo: RegistrationsRepository,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Record<string, unknown>,
  ) {
    // The service's own keys with their defaults (tests pass only the platform's).
    this.settings = symposiumSettingsSchema.parse(config);
  }

  // --- settings -------------------------------------------------------------------------

  async getSettings(symposiumId: string): Promise<RegistrationSettings> {
    const [symposium, row] = await Promise.all([
      this.repo.symposium(symposiumId),
      this.repo.settings(symposiumId),
    ]);
    if (!symposium || (symposium.status === 'planned' && !isStaff()))
      throw AppError.notFound('symposium', symposiumId);
    if (!row) throw notConfigured(symposiumId);
    return toSettings(row, await this.repo.counts(symposiumId), this.clock.now());
  }

  /**
   * Creates or replaces a symposium's registration settings. More seats promote from the
   * waiting list at once; fewer seats take no one's place away (new sign-ups wait).
   */
  async putSettings(
    symposiumId: string,
    input: RegistrationSettingsInput,
    expected: ExpectedVersion,
  ): Promise<RegistrationSettings> {
    const s = registrationSettingsInputSchema.parse(input);
    return this.repo.transaction(async (trx) => {
      if (!(await this.repo.lockSymposium(trx, symposiumId)))
        throw AppError.notFound('symposium', symposiumId);
      const current = await this.repo.lockSettings(trx, symposiumId);
      const values = {
        capacity: s.capacity,
        opensAt: s.opensAt,
        closesAt: s.closesAt,
        form: JSON.stringify(s.form ?? []),
        reminderOffsetsMinutes: s.reminderOffsetsMinutes ?? DEFAULT_REMINDER_OFFSETS,
      };
      let row: SettingsRow;
      if (current) {
        checkVersion(current.version, expected, 'registration settings');
        row = await this.repo.updateSettings(trx, symposiumId, values);
      } else {
        if (expected !== 'any') checkVersion(0, expected, 'registration settings');
        row = await this.repo.insertSettings(trx, { symposiumId, ...values });
      }
      await this.audit.record(trx, {
        entity: 'registration-settings',
        entityId: symposiumId,
        action: current ? 'update' : 'create',
        before: current ? toSettings(current, { taken: 0, waiting: 0 }, this.clock.now()) : null,
        after: toSettings(row, { taken: 0, waiting: 0 }, this.clock.now()),
      });
      const symposium = await this.repo.symposium(symposiumId, trx);
      if (symposium) await this.promote(trx, row, symposium);
      return toSettings(row, await this.repo.counts(symposiumId, trx), this.clock.now());
    });
  }

  // --- sign-up --------------------------------------------------------------------------

  /**
   * Registers one person: outside the window, with answers that break the form, or with an
   * address already registered, nothing is written (409 / 400 / 409). A seat while one is
   * free, the waiting list otherwise, decided under the settings lock in arrival order.
   * A partner's token registers a member of its own delegation, and staff may register for a
   * planned symposium; a public sign-up (`via: 'sign-up'`) is the public's whatever token came
   * with it, so a partner's token without `symposium:register` adds nobody to its delegation.
   */
  async register(
    symposiumId: string,
    input: RegistrationCreate,
    via: 'sign-up' | 'registration' = 'registration',
  ): Promise<{ registration: Registration; receipt: RegistrationReceipt }> {
    const body = registrationCreateSchema.parse(input);
    const now = this.clock.now();
    const partnerId = via === 'sign-up' ? null : (boundPartnerId() ?? null);
    const staff = via === 'registration' && isStaff();
    // What needs no lock is done before taking it: the lock is held only while deciding and
    // writing, so a burst of sign-ups to one symposium queues as briefly as possible.
    const [symposium, before] = await Promise.all([
      this.repo.symposium(symposiumId),
      this.repo.settings(symposiumId),
    ]);
    // A planned symposium is the organisers' own: not found for anyone else, as everywhere.
    if (!symposium || (symposium.status === 'planned' && !staff))
      throw AppError.notFound('symposium', symposiumId);
    if (!before) throw notConfigured(symposiumId);
    checkSymposiumTakesSignUps(symposium.status);
    checkRegistrationWindow(before.opensAt, before.closesAt, now);
    checkAnswers(formOf(before), body.answers ?? {});
    return this.repo.transaction(async (trx) => {
      const settings = await this.repo.lockSettings(trx, symposiumId);
      if (!settings) throw notConfigured(symposiumId);
      // Checked again under the locks: staff may have closed registration, or changed the
      // window or the form, meanwhile.
      const symposiumStatus = await this.repo.statusForSignUp(trx, symposiumId);
      if (!symposiumStatus) throw AppError.notFound('symposium', symposiumId);
      checkSymposiumTakesSignUps(symposiumStatus);
      checkRegistrationWindow(settings.opensAt, settings.closesAt, now);
      const answers = checkAnswers(formOf(settings), body.answers ?? {});
      const { taken, waiting } = await this.repo.counts(symposiumId, trx);
      const status = statusOnArrival(settings.capacity, taken);
      const id = randomUUID();
      const token = linkTokenOf(this.settings.SYMPOSIUM_LINK_SECRET, id);
      let row: RegistrationRow | undefined;
      for (let attempt = 0; !row && attempt < CODE_ATTEMPTS; attempt++) {
        row = await this.repo.insert(trx, {
          id,
          symposiumId,
          partnerId,
          name: body.name,
          email: body.email,
          language: body.language ?? 'en',
          answers: JSON.stringify(answers),
          status,
          tokenHash: tokenHashOf(token),
          checkInCode: newCheckInCode(),
          confirmedAt: status === 'confirmed' ? now : null,
        });
      }
      if (!row) throw new Error('no free check-in code after several draws');
      // The newest registration is last in the waiting list.
      const position = status === 'waitlisted' ? waiting + 1 : null;
      const registration = toRegistration(row, position);
      await this.audit.record(trx, {
        entity: 'registration',
        entityId: row.id,
        action: 'create',
        after: registration,
      });
      await writeOutbox(
        trx,
        'symposium',
        { name: 'registration.created', payload: toRegistrationEvent(row) },
        {
          name: 'email.send',
          payload: {
            template: status === 'confirmed' ? 'registration-confirmed' : 'registration-waitlisted',
            locale: row.language,
            to: [row.email],
            data: { ...mailData(row, symposium, this.links(token)), position },
            idempotencyKey: `registration-${status}:${row.id}`,
          },
        },
      );
      return { registration, receipt: toReceipt(row, position) };
    });
  }

  // --- reading --------------------------------------------------------------------------

  async list(symposiumId: string, query: RegistrationListQuery): Promise<RegistrationPage> {
    // A planned symposium is the organisers' own: not found for a partner, as everywhere.
    const symposium = await this.repo.symposium(symposiumId);
    if (!symposium || (symposium.status === 'planned' && !isStaff()))
      throw AppError.notFound('symposium', symposiumId);
    const after = query.cursor ? cursors.decode(query.cursor).seq : undefined;
    const { rows, more } = await this.repo.list(symposiumId, query, after);
    const items = rows.map((r) => toRegistration(r, r.waitlistPosition));
    const last = rows.at(-1);
    return { items, nextCursor: more && last ? cursors.encode({ seq: last.seq }) : null };
  }

  async get(id: string): Promise<Registration> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('registration', id);
    return toRegistration(row, await this.repo.waitlistPosition(row));
  }

  /** Every registration of a symposium, for the CSV export, with the form's fields. */
  async exportRows(symposiumId: string, status?: RegistrationStatus) {
    const settings = await this.repo.settings(symposiumId);
    if (!settings) {
      if (!(await this.repo.symposium(symposiumId)))
        throw AppError.notFound('symposium', symposiumId);
      throw notConfigured(symposiumId);
    }
    const repo = this.repo;
    const bound = { status, partnerId: boundPartnerId() ?? undefined };
    // Read a page at a time as the download goes: however long the list, it is never held whole.
    // The first page is read before the answer starts, so a database that fails it is a 503
    // problem, not a download cut after its header row.
    const first = await repo.exportPage(symposiumId, bound, undefined, EXPORT_PAGE);
    async function* items(): AsyncGenerator<Registration> {
      let waiting = 0;
      let after: string | undefined;
      for (let page = 0; ; page++) {
        const rows =
          page === 0 ? first : await repo.exportPage(symposiumId, bound, after, EXPORT_PAGE);
        for (const r of rows) yield toRegistration(r, r.status === 'waitlisted' ? ++waiting : null);
        if (rows.length < EXPORT_PAGE) return;
        after = rows[rows.length - 1]?.seq;
      }
    }
    return { form: formOf(settings), items: items() };
  }

  // --- the secret link ------------------------------------------------------------------

  async getByToken(token: string): Promise<Registration> {
    const row = await this.byToken(token);
    return toRegistration(row, await this.repo.waitlistPosition(row));
  }

  /** The check-in code as a QR code (PNG). */
  async qrByToken(token: string): Promise<Buffer> {
    const row = await this.byToken(token);
    return qrPng(row.checkInCode, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 8 });
  }

  cancelByToken(token: string): Promise<Registration> {
    return this.cancel(async () => this.byToken(token));
  }

  private async byToken(token: string): Promise<RegistrationRow> {
    const row = await this.repo.findByTokenHash(tokenHashOf(token));
    if (!row) throw new AppError('not-found', 'no registration has this link');
    return row;
  }

  // --- cancellation, promotion, check-in ------------------------------------------------

  /** Cancels a registration (a partner: only its own, 404 otherwise). */
  cancelById(id: string): Promise<Registration> {
    return this.cancel(async () => {
      const row = await this.repo.findById(id);
      if (!row) throw AppError.notFound('registration', id);
      return row;
    });
  }

  /**
   * Cancels, and when that frees a seat promotes the first of the waiting list, in the same
   * transaction (each promoted person mailed once, through the outbox). Cancelling a
   * cancelled registration changes nothing and answers it as it is.
   */
  private async cancel(find: () => Promise<RegistrationRow>): Promise<Registration> {
    const found = await find();
    return this.repo.transaction(async (trx) => {
      // The symposium's lock first, as sign-ups take it: no deadlock, and counts hold.
      const settings = await this.repo.lockSettings(trx, found.symposiumId);
      const current = await this.repo.lockById(trx, found.id);
      if (!current) throw AppError.notFound('registration', found.id);
      if (current.status === 'cancelled') return toRegistration(current, null);
      checkCancellable(current.status);
      const symposium = await this.repo.symposium(current.symposiumId, trx);
      if (!symposium) throw AppError.notFound('symposium', current.symposiumId);
      checkSymposiumTakesCancellations(symposium.status);
      const row = await this.repo.setStatus(trx, current.id, 'cancelled', 'cancelledAt');
      await this.audit.record(trx, {
        entity: 'registration',
        entityId: row.id,
        action: 'cancel',
        before: toRegistration(current, null),
        after: toRegistration(row, null),
      });
      await writeOutbox(
        trx,
        'symposium',
        {
          name: 'registration.cancelled',
          payload: { ...toRegistrationEvent(row), previousStatus: current.status },
        },
        {
          name: 'email.send',
          payload: {
            template: 'registration-cancelled',
            locale: row.language,
            to: [row.email],
            data: mailData(row, symposium, this.linksOf(row.id)),
            idempotencyKey: `registration-cancelled:${row.id}`,
          },
        },
      );
      if (settings && takesSeat(current.status)) await this.promote(trx, settings, symposium);
      return toRegistration(row, null);
    });
  }

  /** Fills free seats from the head of the waiting list. Call with the settings row locked. */
  private async promote(
    trx: Transaction<DB>,
    settings: SettingsRow,
    symposium: SymposiumFacts,
  ): Promise<number> {
    const { taken, waiting } = await this.repo.counts(settings.symposiumId, trx);
    const next = await this.repo.firstWaiting(
      trx,
      settings.symposiumId,
      promotable(settings.capacity, taken, waiting),
    );
    for (const waiter of next) {
      const row = await this.repo.setStatus(trx, waiter.id, 'confirmed', 'confirmedAt');
      await this.audit.record(trx, {
        entity: 'registration',
        entityId: row.id,
        action: 'promote',
        before: toRegistration(waiter, null),
        after: toRegistration(row, null),
      });
      await writeOutbox(
        trx,
        'symposium',
        { name: 'registration.promoted', payload: toRegistrationEvent(row) },
        {
          name: 'email.send',
          payload: {
            template: 'registration-promoted',
            locale: row.language,
            to: [row.email],
            data: mailData(row, symposium, this.linksOf(row.id)),
            idempotencyKey: `registration-promoted:${row.id}`,
          },
        },
      );
    }
    return next.length;
  }

  /** Checks a confirmed registrant in, by code or by registration id: state → attended. */
  checkIn(symposiumId: string, input: CheckIn): Promise<Registration> {
    return this.repo.transaction(async (trx) => {
      const current = input.code
        ? await this.repo.findByCode(trx, symposiumId, input.code)
        : await this.repo.lockById(trx, input.registrationId ?? '');
      if (!current || current.symposiumId !== symposiumId)
        throw new AppError('not-found', 'no registration of this symposium has this code or id', {
          errors: [
            {
              in: 'body',
              field: input.code ? 'code' : 'registrationId',
              message: 'matches no registration of this symposium',
              code: 'unknown',
            },
          ],
        });
      checkCheckIn(current.status, current.attendedAt);
      const row = await this.repo.setStatus(trx, current.id, 'attended', 'attendedAt');
      await this.audit.record(trx, {
        entity: 'registration',
        entityId: row.id,
        action: 'check-in',
        before: toRegistration(current, null),
        after: toRegistration(row, null),
      });
      await writeOutbox(trx, 'symposium', {
        name: 'registration.attended',
        payload: toRegistrationEvent(row),
      });
      return toRegistration(row, null);
    });
  }

  // --- reminders ------------------------------------------------------------------------

  /**
   * Mails each confirmed registrant the reminder due at `now` (see `dueReminder`), once per
   * start: the reminder's row and its mail are written in one transaction, and a row already
   * there (an earlier or concurrent run) means no mail; a symposium moved to another start
   * has its reminders again. Someone promoted from the waiting list counts from the moment
   * they got their seat. Returns the number mailed.
   */
  async sendDueReminders(now: Date = this.clock.now()): Promise<{ mailed: number }> {
    const candidates = await this.repo.reminderCandidates(now, REMINDER_HORIZON_MINUTES);
    let mailed = 0;
    for (const c of candidates) {
      const due = dueReminder({
        startsAt: c.startsAt,
        now,
        registeredAt: c.confirmedAt ?? c.createdAt,
        offsetsMinutes: c.offsets,
        sentOffsets: c.sent,
      });
      if (!due) continue;
      const sent = await this.repo.transaction(async (trx) => {
        // The list was read before: the person may have cancelled since.
        if (!(await this.repo.stillConfirmed(trx, c.id))) return false;
        const recorded = await this.repo.recordReminders(trx, c.id, c.startsAt, due.record);
        if (!recorded.includes(due.send)) return false;
        await writeOutbox(trx, 'symposium', {
          name: 'email.send',
          payload: {
            template: 'registration-reminder',
            locale: c.language,
            to: [c.email],
            data: mailData(c, c, this.linksOf(c.id)),
            idempotencyKey: `registration-reminder:${c.id}:${c.startsAt.toISOString()}:${due.send}`,
          },
        });
        return true;
      });
      if (sent) mailed++;
    }
    return { mailed };
  }

  private linksOf(registrationId: string) {
    return this.links(linkTokenOf(this.settings.SYMPOSIUM_LINK_SECRET, registrationId));
  }

  private links(token: string): { manageUrl: string; qrUrl: string } {
    const base = this.settings.SYMPOSIUM_PUBLIC_URL.replace(/\/+$/, '');
    const manageUrl = `${base}/registrations/self/${token}`;
    return { manageUrl, qrUrl: `${manageUrl}/qr.png` };
  }
}
