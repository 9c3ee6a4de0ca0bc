import { Inject, Injectable } from '@nestjs/common';
import type { DB, SessionPersonTable, SessionTable } from '@sp/db';
import { AppError, KYSELY } from '@sp/platform';
import type { SessionRecord } from '@sp/types';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';

type Db = Kysely<DB> | Transaction<DB>;
export type SessionRow = Selectable<SessionTable>;
export type SessionPersonRow = Selectable<SessionPersonTable> & {
  partnerNameEn: string | null;
  partnerNameJa: string | null;
  partnerCountry: string | null;
};
export type PublicationRow = Selectable<DB['symposium.programmePublication']>;

type PgError = { code?: unknown; constraint?: unknown; detail?: unknown } | null;

/** The session constraints → the AppErrors a caller expects (nothing is written then). */
const translateSession = (error: unknown, symposiumId: string): unknown => {
  const e = error as PgError;
  if (e?.code === '23P01' && e.constraint === 'session_room_overlap')
    return new AppError('conflict', 'another session is in that room at that time', {
      errors: [
        {
          in: 'body',
          field: 'startsAt',
          message: 'overlaps another session in the same room',
          code: 'overlap',
        },
        { in: 'body', field: 'room', message: 'is taken at that time', code: 'overlap' },
      ],
    });
  if (e?.code === '23514' && e.constraint === 'session_times_check')
    return new AppError('validation-error', 'invalid body: endsAt', {
      errors: [
        { in: 'body', field: 'endsAt', message: 'must be after startsAt', code: 'too_small' },
      ],
    });
  if (e?.code === '23503' && e.constraint === 'session_symposium_id_fkey')
    return AppError.notFound('symposium', symposiumId);
  return error;
};

/** A person linked to a partner the snapshot does not have → 400 naming that person. */
const translatePerson = (error: unknown, partnerIds: (string | null)[]): unknown => {
  const e = error as PgError;
  if (e?.code === '23503' && e.constraint === 'session_person_partner_id_fkey') {
    const detail = typeof e.detail === 'string' ? e.detail : '';
    const index = partnerIds.findIndex((id) => id !== null && detail.includes(id));
    return new AppError('validation-error', 'invalid body: people', {
      errors: [
        {
          in: 'body',
          field: index >= 0 ? `people.${index}.partnerId` : 'people',
          message: 'is not a known partner',
          code: 'unknown_partner',
        },
      ],
    });
  }
  return error;
};

/**
 * The only code that writes sessions, their people and the published programme. It reads the
 * partner snapshot's names to show linked speakers (a join; the snapshot module owns the rows).
 */
@Injectable()
export class ProgrammeRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  sessionsOf(symposiumId: string, db: Db = this.db): Promise<SessionRow[]> {
    return db
      .selectFrom('symposium.session')
      .selectAll()
      .where('symposiumId', '=', symposiumId)
      .orderBy('startsAt')
      .orderBy('room')
      .orderBy('id')
      .execute();
  }

  peopleOf(sessionIds: string[], db: Db = this.db): Promise<SessionPersonRow[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('symposium.sessionPerson as sp')
      .leftJoin('symposium.partner as p', 'p.id', 'sp.partnerId')
      .selectAll('sp')
      .select([
        'p.nameEn as partnerNameEn',
        'p.nameJa as partnerNameJa',
        'p.country as partnerCountry',
      ])
      .where('sp.sessionId', 'in', sessionIds)
      .orderBy('sp.sessionId')
      .orderBy('sp.position')
      .execute();
  }

  findSessionForUpdate(
    trx: Transaction<DB>,
    symposiumId: string,
    id: string,
  ): Promise<SessionRow | undefined> {
    return trx
      .selectFrom('symposium.session')
      .selectAll()
      .where('id', '=', id)
      .where('symposiumId', '=', symposiumId)
      .forUpdate()
      .executeTakeFirst();
  }

  async insertSession(trx: Transaction<DB>, values: Insertable<SessionTable>): Promise<SessionRow> {
    try {
      return await trx
        .insertInto('symposium.session')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      throw translateSession(error, values.symposiumId);
    }
  }

  async updateSession(
    trx: Transaction<DB>,
    row: SessionRow,
    values: Updateable<SessionTable>,
  ): Promise<SessionRow> {
    try {
      return await trx
        .updateTable('symposium.session')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      throw translateSession(error, row.symposiumId);
    }
  }

  async deleteSession(trx: Transaction<DB>, id: string): Promise<void> {
    await trx.deleteFrom('symposium.session').where('id', '=', id).execute();
  }

  /** Replaces a session's people with `people`, in order. */
  async replacePeople(
    trx: Transaction<DB>,
    sessionId: string,
    people: Omit<Insertable<SessionPersonTable>, 'sessionId' | 'position'>[],
  ): Promise<void> {
    await trx.deleteFrom('symposium.sessionPerson').where('sessionId', '=', sessionId).execute();
    if (people.length === 0) return;
    try {
      await trx
        .insertInto('symposium.sessionPerson')
        .values(people.map((p, position) => ({ ...p, sessionId, position })))
        .execute();
    } catch (error) {
      throw translatePerson(
        error,
        people.map((p) => p.partnerId ?? null),
      );
    }
  }

  publication(symposiumId: string, db: Db = this.db): Promise<PublicationRow | undefined> {
    return db
      .selectFrom('symposium.programmePublication')
      .selectAll()
      .where('symposiumId', '=', symposiumId)
      .executeTakeFirst();
  }

  /**
   * Locks the symposium row against another publish (FOR NO KEY UPDATE: sign-ups' foreign
   * key checks pass). Taken before the sessions are read, so publishes run one after the
   * other and the last to commit holds the newest sessions.
   */
  async lockForPublish(trx: Transaction<DB>, symposiumId: string): Promise<void> {
    await trx
      .selectFrom('symposium.symposium')
      .select('id')
      .where('id', '=', symposiumId)
      .forNoKeyUpdate()
      .execute();
  }

  publish(
    trx: Transaction<DB>,
    symposiumId: string,
    sessions: SessionRecord[],
    publishedBy: string | null,
  ): Promise<PublicationRow> {
    const values = {
      symposiumId,
      sessions: JSON.stringify(sessions),
      publishedAt: sql<Date>`now()`,
      publishedBy,
    };
    return trx
      .insertInto('symposium.programmePublication')
      .values(values)
      .onConflict((oc) =>
        oc.column('symposiumId').doUpdateSet({
          sessions: values.sessions,
          publishedAt: values.publishedAt,
          publishedBy,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}
