import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, boundPartnerId, KYSELY } from '@sp/platform';
import type { AgreementKind, AgreementReminderThreshold } from '@sp/types';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';

type AgreementTable = DB['registry.agreement'];
export type AgreementRow = Selectable<AgreementTable>;
export type AgreementRenewalRow = Selectable<DB['registry.agreementRenewal']>;
/** An agreement whose reminders may be due, with the partner's coordinator to write to. */
export type ReminderCandidateRow = Pick<AgreementRow, 'id' | 'title' | 'expiresOn'> & {
  partnerNameEn: string;
  partnerNameJa: string | null;
  coordinatorName: string | null;
  coordinatorEmail: string | null;
  coordinatorLocale: 'en' | 'ja' | null;
};
type Db = Kysely<DB> | Transaction<DB>;

/** Postgres' unique violation on an agreement's title within its partner (migration 0001). */
const isDuplicateTitle = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'agreement_partner_id_title_key';
};
const duplicateTitle = (title: string) =>
  new AppError('conflict', `this partner already has an agreement titled "${title}"`, {
    errors: [
      { in: 'body', field: 'title', message: 'is taken for this partner', code: 'duplicate' },
    ],
  });

/**
 * The only code that reads and writes `registry.agreement`, its renewals and its reminders.
 * It reads `registry.partner` for two things only: whether a partner the caller may see
 * exists, and the coordinator a reminder goes to.
 */
@Injectable()
export class AgreementsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Every read starts here: a partner's token sees its own partner's agreements only. */
  private baseQuery(db: Db = this.db) {
    const partnerId = boundPartnerId();
    const query = db.selectFrom('registry.agreement').selectAll();
    return partnerId ? query.where('partnerId', '=', partnerId) : query;
  }

  /** Whether the partner exists and the caller may see it (a partner token: only its own). */
  async partnerVisible(partnerId: string, db: Db = this.db): Promise<boolean> {
    const bound = boundPartnerId();
    if (bound && bound !== partnerId) return false;
    const row = await db
      .selectFrom('registry.partner')
      .select('id')
      .where('id', '=', partnerId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A partner's agreements, the earliest signed first (an undated one last), then by title. */
  listForPartner(
    partnerId: string,
    filter: { kind?: AgreementKind[] } = {},
    db: Db = this.db,
  ): Promise<AgreementRow[]> {
    let q = this.baseQuery(db)
      .where('partnerId', '=', partnerId)
      .orderBy(sql`signed_on asc nulls last`)
      .orderBy('title')
      .orderBy('id');
    if (filter.kind) q = q.where('kind', 'in', filter.kind);
    return q.execute();
  }

  /** Agreements across partners (a partner token: its own), soonest expiry first, open-ended last. */
  search(filter: { kind?: AgreementKind[]; partnerId?: string[] }): Promise<AgreementRow[]> {
    let q = this.baseQuery()
      .orderBy(sql`expires_on asc nulls last`)
      .orderBy('title')
      .orderBy('id');
    if (filter.kind) q = q.where('kind', 'in', filter.kind);
    if (filter.partnerId) q = q.where('partnerId', 'in', filter.partnerId);
    return q.execute();
  }

  findById(id: string, db: Db = this.db): Promise<AgreementRow | undefined> {
    return this.baseQuery(db).where('id', '=', id).executeTakeFirst();
  }

  /** Locks the row for the rest of the transaction, so concurrent changes serialise. */
  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<AgreementRow | undefined> {
    return this.baseQuery(trx).where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /**
   * The renewals of the given agreements in the order they were recorded: each one's previous
   * expiry is the one before's new expiry, whatever dates they were given (a renewal known
   * only to the year, recorded after one dated in June, is stored as 1 January).
   */
  renewalsOf(agreementIds: string[], db: Db = this.db): Promise<AgreementRenewalRow[]> {
    if (agreementIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('registry.agreementRenewal')
      .selectAll()
      .where('agreementId', 'in', agreementIds)
      .orderBy('recordedAt')
      .orderBy('id')
      .execute();
  }

  async insert(trx: Transaction<DB>, values: Insertable<AgreementTable>): Promise<AgreementRow> {
    try {
      return await trx
        .insertInto('registry.agreement')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateTitle(error)) throw duplicateTitle(values.title);
      throw error;
    }
  }

  /** Raises `version` in the statement that makes the change, under the row lock. */
  async update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<AgreementTable>,
  ): Promise<AgreementRow> {
    try {
      return await trx
        .updateTable('registry.agreement')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateTitle(error) && values.title !== undefined) throw duplicateTitle(values.title);
      throw error;
    }
  }

  /**
   * Records a renewal, under the agreement's row lock. Its time is the clock's when it is
   * written (not the transaction's start, `now()`), so renewals that waited for the lock are
   * recorded in the order they were applied.
   */
  insertRenewal(
    trx: Transaction<DB>,
    values: Omit<Insertable<DB['registry.agreementRenewal']>, 'recordedAt'>,
  ): Promise<unknown> {
    return trx
      .insertInto('registry.agreementRenewal')
      .values({ ...values, recordedAt: sql<Date>`clock_timestamp()` })
      .execute();
  }

  /**
   * Agreements of live partnerships whose last day is between `today` and `horizonDays`
   * ahead: those a reminder may be due for.
   */
  remindable(today: string, horizonDays: number): Promise<ReminderCandidateRow[]> {
    return this.db
      .selectFrom('registry.agreement as a')
      .innerJoin('registry.partner as p', 'p.id', 'a.partnerId')
      .select([
        'a.id',
        'a.title',
        'a.expiresOn',
        'p.nameEn as partnerNameEn',
        'p.nameJa as partnerNameJa',
        'p.coordinatorName',
        'p.coordinatorEmail',
        'p.coordinatorLocale',
      ])
      .where('p.status', '<>', 'ended')
      .where('a.expiresOn', '>=', today)
      .where('a.expiresOn', '<=', sql<string>`${today}::date + ${horizonDays}::int`)
      .orderBy('a.expiresOn')
      .orderBy('a.id')
      .execute();
  }

  /**
   * Claims a reminder: true when this call inserted the row, false when another run (the same
   * day, a second replica) already had. A concurrent claim waits on the key until the first
   * transaction ends, then finds the row.
   */
  async claimReminder(
    trx: Transaction<DB>,
    reminder: {
      agreementId: string;
      thresholdDays: AgreementReminderThreshold;
      expiresOn: string;
      sentOn: string;
      recipient: string;
    },
  ): Promise<boolean> {
    const row = await trx
      .insertInto('registry.agreementReminder')
      .values(reminder)
      .onConflict((oc) => oc.columns(['agreementId', 'thresholdDays', 'expiresOn']).doNothing())
      .returning('agreementId')
      .executeTakeFirst();
    return row !== undefined;
  }
}
