import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, boundPartnerId, KYSELY } from '@sp/platform';
import type { RegistrationListQuery, RegistrationStatus, SymposiumStatus } from '@sp/types';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';

type RegistrationTable = DB['symposium.registration'];
export type RegistrationRow = Selectable<RegistrationTable>;
export type SettingsRow = Selectable<DB['symposium.registrationSettings']>;
type Db = Kysely<DB> | Transaction<DB>;

/** The symposium facts registration mail and reminders need. */
export type SymposiumFacts = {
  id: string;
  status: SymposiumStatus;
  titleEn: string | null;
  titleJa: string | null;
  heldOn: string;
  startsAt: Date;
};

/**
 * When a symposium starts, for reminders: its date at its start time in its time zone (the
 * start of that day when no time is set).
 */
const startsAt = sql<Date>`((s.held_on + coalesce(s.starts_at, time '00:00')) at time zone s.time_zone)`;

/** A waitlisted row's place on its list (1 = next), null for others. */
const waitlistPositionOf = sql<number | null>`case when status = 'waitlisted' then (
  select count(*)::int from symposium.registration w
  where w.symposium_id = registration.symposium_id and w.status = 'waitlisted' and w.seq <= registration.seq
) end`;

const isViolation = (error: unknown, constraint: string): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === constraint;
};

const duplicateEmail = (email: string) =>
  new AppError('conflict', `${email} is already registered for this symposium`, {
    errors: [
      {
        in: 'body',
        field: 'email',
        message: 'is already registered for this symposium',
        code: 'duplicate',
      },
    ],
  });

/**
 * The only code that reads and writes registrations, their settings and sent reminders.
 * Partner tokens see only their own partner's registrations (another's is not found).
 */
@Injectable()
export class RegistrationsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  symposium(id: string, db: Db = this.db): Promise<SymposiumFacts | undefined> {
    return db
      .selectFrom('symposium.symposium as s')
      .select(['s.id', 's.status', 's.titleEn', 's.titleJa', 's.heldOn', startsAt.as('startsAt')])
      .where('s.id', '=', id)
      .executeTakeFirst();
  }

  /**
   * The symposium's status for a sign-up, read with a key-share lock (the one the
   * registration's foreign key takes too): a status change in progress (FOR UPDATE) is
   * waited for and its status seen, and one that comes later waits for the sign-up.
   */
  async statusForSignUp(
    trx: Transaction<DB>,
    symposiumId: string,
  ): Promise<SymposiumStatus | undefined> {
    const row = await trx
      .selectFrom('symposium.symposium')
      .select('status')
      .where('id', '=', symposiumId)
      .forKeyShare()
      .executeTakeFirst();
    return row?.status;
  }

  /**
   * Whether the registration still holds a seat, read with a share lock: a cancellation in
   * progress (FOR UPDATE) is waited for and seen, and one that comes later waits for this.
   */
  async stillConfirmed(trx: Transaction<DB>, id: string): Promise<boolean> {
    const row = await trx
      .selectFrom('symposium.registration')
      .select('status')
      .where('id', '=', id)
      .forShare()
      .executeTakeFirst();
    return row?.status === 'confirmed';
  }

  settings(symposiumId: string, db: Db = this.db): Promise<SettingsRow | undefined> {
    return db
      .selectFrom('symposium.registrationSettings')
      .selectAll()
      .where('symposiumId', '=', symposiumId)
      .executeTakeFirst();
  }

  /**
   * Locks a symposium's registration settings for the rest of the transaction: every sign-up,
   * cancellation and promotion of that symposium takes this lock first, so they run one at a
   * time, in the order they asked for it, and seat counts cannot race.
   */
  lockSettings(trx: Transaction<DB>, symposiumId: string): Promise<SettingsRow | undefined> {
    return trx
      .selectFrom('symposium.registrationSettings')
      .selectAll()
      .where('symposiumId', '=', symposiumId)
      .forUpdate()
      .executeTakeFirst();
  }

  /**
   * Locks the symposium row itself (settings are created under it, so two PUTs serialise).
   * FOR NO KEY UPDATE, not FOR UPDATE: a sign-up holding the settings lock inserts a
   * registration, whose foreign key check takes a key-share lock on this row, and FOR UPDATE
   * made it wait for a PUT that waited for the settings lock, a deadlock (a 500).
   */
  async lockSymposium(trx: Transaction<DB>, symposiumId: string): Promise<boolean> {
    const row = await trx
      .selectFrom('symposium.symposium')
      .select('id')
      .where('id', '=', symposiumId)
      .forNoKeyUpdate()
      .executeTakeFirst();
    return row !== undefined;
  }

  insertSettings(
    trx: Transaction<DB>,
    values: Insertable<DB['symposium.registrationSettings']>,
  ): Promise<SettingsRow> {
    return trx
      .insertInto('symposium.registrationSettings')
      .values(values)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  updateSettings(
    trx: Transaction<DB>,
    symposiumId: string,
    values: Updateable<DB['symposium.registrationSettings']>,
  ): Promise<SettingsRow> {
    return trx
      .updateTable('symposium.registrationSettings')
      .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
      .where('symposiumId', '=', symposiumId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Seats taken (confirmed or attended) and people waiting, of one symposium. */
  async counts(symposiumId: string, db: Db = this.db): Promise<{ taken: number; waiting: number }> {
    const row = await db
      .selectFrom('symposium.registration')
      .select([
        sql<number>`count(*) filter (where status in ('confirmed','attended'))::int`.as('taken'),
        sql<number>`count(*) filter (where status = 'waitlisted')::int`.as('waiting'),
      ])
      .where('symposiumId', '=', symposiumId)
      .executeTakeFirstOrThrow();
    return row;
  }

  /**
   * Inserts a registration; undefined when its random check-in code is already taken in that
   * symposium (the caller draws another). A second live registration of the address is a 409.
   */
  async insert(
    trx: Transaction<DB>,
    values: Insertable<RegistrationTable>,
  ): Promise<RegistrationRow | undefined> {
    try {
      return await trx
        .insertInto('symposium.registration')
        .values(values)
        .onConflict((oc) => oc.columns(['symposiumId', 'checkInCode']).doNothing())
        .returningAll()
        .executeTakeFirst();
    } catch (error) {
      if (isViolation(error, 'registration_email_key')) throw duplicateEmail(values.email);
      throw error;
    }
  }

  /** Every read of registrations by id starts here: a partner sees its own rows only. */
  private baseQuery(db: Db = this.db) {
    const partnerId = boundPartnerId();
    const query = db.selectFrom('symposium.registration').selectAll();
    return partnerId ? query.where('partnerId', '=', partnerId) : query;
  }

  findById(id: string, db: Db = this.db): Promise<RegistrationRow | undefined> {
    return this.baseQuery(db).where('id', '=', id).executeTakeFirst();
  }

  /**
   * Locks a registration the caller has already found (through `findById`, bound to its
   * partner, or through the secret link, which is a credential of its own).
   */
  lockById(trx: Transaction<DB>, id: string): Promise<RegistrationRow | undefined> {
    return trx
      .selectFrom('symposium.registration')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** By the secret link (its hash); not bound to a partner: the link is the credential. */
  findByTokenHash(tokenHash: string, db: Db = this.db): Promise<RegistrationRow | undefined> {
    return db
      .selectFrom('symposium.registration')
      .selectAll()
      .where('tokenHash', '=', tokenHash)
      .executeTakeFirst();
  }

  findByCode(
    trx: Transaction<DB>,
    symposiumId: string,
    code: string,
  ): Promise<RegistrationRow | undefined> {
    return trx
      .selectFrom('symposium.registration')
      .selectAll()
      .where('symposiumId', '=', symposiumId)
      .where('checkInCode', '=', code)
      .forUpdate()
      .executeTakeFirst();
  }

  /** One page in arrival order, after the cursor's `seq`. */
  async list(
    symposiumId: string,
    query: RegistrationListQuery,
    afterSeq: string | undefined,
  ): Promise<{ rows: (RegistrationRow & { waitlistPosition: number | null })[]; more: boolean }> {
    let q = this.baseQuery()
      .select(waitlistPositionOf.as('waitlistPosition'))
      .where('symposiumId', '=', symposiumId)
      .orderBy('seq')
      .limit(query.limit + 1);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]));
    }
    if (afterSeq) q = q.where('seq', '>', afterSeq);
    const rows = await q.execute();
    return { rows: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  /**
   * Up to `limit` registrations of a symposium after `afterSeq`, in arrival order (a page of
   * the export). Bound to `partnerId` when given: read while the export streams, after the
   * request's context (which `baseQuery` reads it from) may be gone.
   */
  exportPage(
    symposiumId: string,
    { status, partnerId }: { status?: RegistrationStatus; partnerId?: string },
    afterSeq: string | undefined,
    limit: number,
  ): Promise<RegistrationRow[]> {
    let q = this.db
      .selectFrom('symposium.registration')
      .selectAll()
      .where('symposiumId', '=', symposiumId)
      .orderBy('seq')
      .limit(limit);
    if (partnerId) q = q.where('partnerId', '=', partnerId);
    if (status) q = q.where('status', '=', status);
    if (afterSeq) q = q.where('seq', '>', afterSeq);
    return q.execute();
  }

  /** 1 for the next to be promoted; null unless waitlisted. */
  async waitlistPosition(row: RegistrationRow, db: Db = this.db): Promise<number | null> {
    if (row.status !== 'waitlisted') return null;
    const { position } = await db
      .selectFrom('symposium.registration')
      .select(sql<number>`count(*)::int`.as('position'))
      .where('symposiumId', '=', row.symposiumId)
      .where('status', '=', 'waitlisted')
      .where('seq', '<=', row.seq)
      .executeTakeFirstOrThrow();
    return position;
  }

  /** The first `n` of the waiting list, locked. */
  firstWaiting(trx: Transaction<DB>, symposiumId: string, n: number): Promise<RegistrationRow[]> {
    if (n <= 0) return Promise.resolve([]);
    return trx
      .selectFrom('symposium.registration')
      .selectAll()
      .where('symposiumId', '=', symposiumId)
      .where('status', '=', 'waitlisted')
      .orderBy('seq')
      .limit(n)
      .forUpdate()
      .execute();
  }

  setStatus(
    trx: Transaction<DB>,
    id: string,
    status: RegistrationStatus,
    stamp: 'confirmedAt' | 'cancelledAt' | 'attendedAt',
  ): Promise<RegistrationRow> {
    return trx
      .updateTable('symposium.registration')
      .set({ status, [stamp]: sql<Date>`now()`, updatedAt: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * Confirmed registrations of symposiums that start after `now` and within `horizonMinutes`,
   * with their symposium's reminder offsets and the offsets already sent.
   */
  reminderCandidates(
    now: Date,
    horizonMinutes: number,
  ): Promise<
    (RegistrationRow & {
      startsAt: Date;
      offsets: number[];
      sent: number[];
      titleEn: string | null;
      titleJa: string | null;
      heldOn: string;
    })[]
  > {
    return this.db
      .selectFrom('symposium.registration as r')
      .innerJoin('symposium.symposium as s', 's.id', 'r.symposiumId')
      .innerJoin('symposium.registrationSettings as rs', 'rs.symposiumId', 'r.symposiumId')
      .selectAll('r')
      .select([
        startsAt.as('startsAt'),
        'rs.reminderOffsetsMinutes as offsets',
        's.titleEn',
        's.titleJa',
        's.heldOn',
        sql<
          number[]
        >`coalesce((select array_agg(m.offset_minutes) from symposium.registration_reminder m
          where m.registration_id = r.id and m.starts_at = ${startsAt}), '{}')`.as('sent'),
      ])
      .where('r.status', '=', 'confirmed')
      .where(startsAt, '>', now)
      .where(
        startsAt,
        '<=',
        sql<Date>`${now}::timestamptz + make_interval(mins => ${horizonMinutes})`,
      )
      .orderBy('r.symposiumId')
      .orderBy('r.seq')
      .execute();
  }

  /** Records reminders; returns the offsets this call recorded (none if another run did). */
  async recordReminders(
    trx: Transaction<DB>,
    registrationId: string,
    startsAt: Date,
    offsets: number[],
  ): Promise<number[]> {
    if (offsets.length === 0) return [];
    const rows = await trx
      .insertInto('symposium.registrationReminder')
      .values(offsets.map((offsetMinutes) => ({ registrationId, startsAt, offsetMinutes })))
      .onConflict((oc) => oc.doNothing())
      .returning('offsetMinutes')
      .execute();
    return rows.map((r) => r.offsetMinutes);
  }
}
