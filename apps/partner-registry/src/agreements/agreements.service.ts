import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DB } from '@sp/db';
import {
  actorOf,
  APP_CONFIG,
  AppError,
  AuditLog,
  boundPartnerId,
  checkVersion,
  type ExpectedVersion,
  requestContext,
} from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import {
  type Agreement,
  type AgreementCreate,
  type AgreementList,
  type AgreementListQuery,
  type AgreementRenewalCreate,
  type AgreementSearchQuery,
  agreementReminderThresholds,
  type AgreementUpdate,
  splitPartialDate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { TokyoClock } from '../common/tokyo.clock';
import type { RegistryConfig } from '../config';
import {
  agreementStatus,
  checkNotAhead,
  checkRenewal,
  checkTerm,
  daysBetween,
  dueReminder,
} from './agreement-dates';
import { type Audience, toAgreement, toAgreementSnapshot } from './agreements.mapper';
import { type AgreementRow, AgreementsRepository } from './agreements.repository';

/** What one run of the daily reminder job did. */
export type ExpiryRemindersResult = {
  outcome: 'done';
  /** The Tokyo date the run stood for. */
  today: string;
  /** Reminders written to the outbox by this run. */
  sent: number;
  /** Due reminders another run had already sent. */
  alreadySent: number;
  /** Due reminders not sent: the partner has no coordinator e-mail yet (sent once one is set). */
  withoutCoordinator: number;
};

/** First day and precision of a partial date the contract has already checked. */
const split = (value: string) => {
  const parts = splitPartialDate(value);
  if (!parts) throw new Error(`not a partial date: ${value}`);
  return parts;
};

const audience = (): Audience => (boundPartnerId() ? 'partner' : 'staff');

/**
 * Agreements signed with partners: their terms, renewals and statuses, and the reminders
 * sent to the partner's UTokyo coordinator before one expires. Other modules reach them only
 * through this service (exported by AgreementsModule).
 */
@Injectable()
export class AgreementsService {
  private readonly logger = new Logger(AgreementsService.name);

  constructor(
    private readonly repo: AgreementsRepository,
    private readonly audit: AuditLog,
    private readonly clock: TokyoClock,
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** A partner's agreements, oldest first; inside the caller's transaction when given one. */
  async listForPartner(partnerId: string, trx?: Transaction<DB>): Promise<Agreement[]> {
    return this.withRenewals(await this.repo.listForPartner(partnerId, {}, trx), trx);
  }

  /** `GET /partners/{id}/agreements`: 404 for a partner the caller may not see. */
  async list(partnerId: string, query: AgreementListQuery): Promise<AgreementList> {
    if (!(await this.repo.partnerVisible(partnerId))) throw AppError.notFound('partner', partnerId);
    const rows = await this.repo.listForPartner(partnerId, { kind: query.kind });
    const items = await this.withRenewals(rows);
    return { items: query.status ? items.filter((a) => query.status!.includes(a.status)) : items };
  }

  /** `GET /agreements`: across partners, filtered by status, kind and partner. */
  async search(query: AgreementSearchQuery): Promise<AgreementList> {
    const rows = await this.repo.search({ kind: query.kind, partnerId: query.partnerId });
    const items = await this.withRenewals(rows);
    return { items: query.status ? items.filter((a) => query.status!.includes(a.status)) : items };
  }

  async get(id: string): Promise<Agreement> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('agreement', id);
    return (await this.withRenewals([row]))[0]!;
  }

  create(partnerId: string, input: AgreementCreate): Promise<Agreement> {
    checkNotAhead(input.signedOn, this.clock.today(), 'signedOn');
    return this.repo.transaction(async (trx) => {
      if (!(await this.repo.partnerVisible(partnerId, trx)))
        throw AppError.notFound('partner', partnerId);
      const signed = input.signedOn ? split(input.signedOn) : undefined;
      const row = await this.repo.insert(trx, {
        partnerId,
        kind: input.kind,
        title: input.title,
        signatories: input.signatories,
        signedOn: signed?.firstDay ?? null,
        signedOnPrecision: signed?.precision ?? null,
        startsOn: input.startsOn ?? null,
        expiresOn: input.expiresOn ?? null,
        autoRenewal: input.autoRenewal,
        documentUrl: input.documentUrl ?? null,
        note: input.note ?? null,
      });
      const agreement = await this.agreement(row, trx);
      await this.audit.record(trx, {
        entity: 'agreement',
        entityId: row.id,
        action: 'create',
        after: agreement,
      });
      await writeOutbox(trx, 'registry', {
        name: 'agreement.created',
        payload: toAgreementSnapshot(row),
      });
      return agreement;
    });
  }

  /** Corrects the given fields (If-Match); the term must still end on or after it starts. */
  update(id: string, patch: AgreementUpdate, expected: ExpectedVersion): Promise<Agreement> {
    checkNotAhead(patch.signedOn, this.clock.today(), 'signedOn');
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('agreement', id);
      checkVersion(current.version, expected, 'agreement');
      const { signedOn, ...fields } = patch;
      checkTerm(
        fields.startsOn !== undefined ? fields.startsOn : current.startsOn,
        fields.expiresOn !== undefined ? fields.expiresOn : current.expiresOn,
      );
      const signed = signedOn ? split(signedOn) : undefined;
      const row = await this.repo.update(trx, id, {
        ...fields,
        ...(signedOn !== undefined
          ? { signedOn: signed?.firstDay ?? null, signedOnPrecision: signed?.precision ?? null }
          : {}),
      });
      const [before, after] = await Promise.all([
        this.agreement(current, trx),
        this.agreement(row, trx),
      ]);
      await this.audit.record(trx, {
        entity: 'agreement',
        entityId: id,
        action: 'update',
        before,
        after,
      });
      await writeOutbox(trx, 'registry', {
        name: 'agreement.updated',
        payload: toAgreementSnapshot(row),
      });
      return after;
    });
  }

  /**
   * Records a renewal (If-Match): the new expiry, after the current one or open-ended, kept
   * in the history with the one it replaced. A new expiry starts the reminders again.
   */
  renew(id: string, input: AgreementRenewalCreate, expected: ExpectedVersion): Promise<Agreement> {
    const today = this.clock.today();
    checkNotAhead(input.renewedOn, today, 'renewedOn');
    const renewedOn = split(input.renewedOn ?? today);
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('agreement', id);
      checkVersion(current.version, expected, 'agreement');
      checkRenewal(current.expiresOn, input.expiresOn);
      checkTerm(current.startsOn, input.expiresOn);
      const actor = actorOf(requestContext.principal());
      await this.repo.insertRenewal(trx, {
        agreementId: id,
        renewedOn: renewedOn.firstDay,
        renewedOnPrecision: renewedOn.precision,
        previousExpiresOn: current.expiresOn,
        newExpiresOn: input.expiresOn,
        note: input.note ?? null,
        actorKind: actor.kind,
        actorId: actor.id,
      });
      const row = await this.repo.update(trx, id, { expiresOn: input.expiresOn });
      const [before, after] = await Promise.all([
        this.agreement(current, trx),
        this.agreement(row, trx),
      ]);
      await this.audit.record(trx, {
        entity: 'agreement',
        entityId: id,
        action: 'renew',
        before,
        after,
      });
      await writeOutbox(trx, 'registry', {
        name: 'agreement.renewed',
        payload: { ...toAgreementSnapshot(row), previousExpiresOn: current.expiresOn },
      });
      return after;
    });
  }

  /**
   * The daily reminders for `today` (a Tokyo date): for each agreement of a live partnership
   * expiring within 180 days, the tightest threshold crossed (180, 90, 30 days) is mailed to
   * the partner's coordinator once. The reminder row and its `email.send` outbox row commit
   * together; the row's key (agreement, threshold, expiry) makes a second run, or a run on
   * another replica at the same time, find it taken and send nothing.
   */
  async sendExpiryReminders(today: string): Promise<ExpiryRemindersResult> {
    const result: ExpiryRemindersResult = {
      outcome: 'done',
      today,
      sent: 0,
      alreadySent: 0,
      withoutCoordinator: 0,
    };
    const horizon = Math.max(...agreementReminderThresholds);
    for (const a of await this.repo.remindable(today, horizon)) {
      const expiresOn = a.expiresOn!;
      const threshold = dueReminder(expiresOn, today);
      if (threshold === undefined) continue;
      if (!a.coordinatorEmail) {
        result.withoutCoordinator++;
        continue;
      }
      const email = a.coordinatorEmail;
      const locale = a.coordinatorLocale ?? 'ja';
      const claimed = await this.repo.transaction(async (trx) => {
        const won = await this.repo.claimReminder(trx, {
          agreementId: a.id,
          thresholdDays: threshold,
          expiresOn,
          sentOn: today,
          recipient: email,
        });
        if (won)
          await writeOutbox(trx, 'registry', {
            name: 'email.send',
            payload: {
              template: 'agreement-expiring',
              locale,
              to: [email],
              data: {
                name: a.coordinatorName,
                // The partner as the coordinator reads it: its Japanese name in a Japanese mail.
                partner: locale === 'ja' ? (a.partnerNameJa ?? a.partnerNameEn) : a.partnerNameEn,
                agreement: a.title,
                expiresOn,
                daysLeft: daysBetween(today, expiresOn),
                threshold,
              },
              idempotencyKey: `agreement-expiry:${a.id}:${threshold}:${expiresOn}`,
            },
          });
        return won;
      });
      if (claimed) result.sent++;
      else result.alreadySent++;
    }
    const quiet = result.sent === 0 && result.withoutCoordinator === 0;
    this.logger[quiet ? 'debug' : 'log'](
      `agreements.expiry-reminders ${today}: ${result.sent} sent, ${result.alreadySent} already sent, ${result.withoutCoordinator} waiting for a coordinator`,
    );
    return result;
  }

  private async agreement(row: AgreementRow, trx?: Transaction<DB>): Promise<Agreement> {
    return (await this.withRenewals([row], trx))[0]!;
  }

  /** Contracts for rows: each with its renewals and its status on today's Tokyo date. */
  private async withRenewals(rows: AgreementRow[], trx?: Transaction<DB>): Promise<Agreement[]> {
    const renewals = await this.repo.renewalsOf(
      rows.map((r) => r.id),
      trx,
    );
    const today = this.clock.today();
    const window = this.config.AGREEMENT_EXPIRING_WINDOW_DAYS;
    const who = audience();
    return rows.map((row) =>
      toAgreement(
        row,
        agreementStatus(row, today, window),
        renewals.filter((r) => r.agreementId === row.id),
        who,
      ),
    );
  }
}
