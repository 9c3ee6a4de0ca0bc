import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, boundPartnerId, KYSELY } from '@sp/platform';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { NameCursor } from './name-cursor';

type ContactTable = DB['registry.contact'];
export type ContactRow = Selectable<ContactTable>;
type Db = Kysely<DB> | Transaction<DB>;

/** Postgres' unique violation on (partner, lower(email)) (migration 0008). */
const isDuplicateEmail = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'contact_partner_email_key';
};

const duplicateEmail = (email: string) =>
  new AppError('conflict', `this partner already has a contact with e-mail ${email}`, {
    errors: [
      {
        in: 'body',
        field: 'email',
        message: "is already another contact's e-mail at this partner",
        code: 'duplicate',
      },
    ],
  });

/**
 * The only code that reads and writes `registry.contact`. Every read starts from a query that
 * applies the caller's bound partner: a partner's token never sees another partner's contact.
 */
@Injectable()
export class ContactsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  private baseQuery(db: Db = this.db) {
    const partnerId = boundPartnerId();
    const query = db.selectFrom('registry.contact').selectAll();
    return partnerId ? query.where('partnerId', '=', partnerId) : query;
  }

  findById(id: string): Promise<ContactRow | undefined> {
    return this.baseQuery().where('id', '=', id).executeTakeFirst();
  }

  /** Locks the row for the rest of the transaction, so concurrent updates serialise. */
  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<ContactRow | undefined> {
    return this.baseQuery(trx).where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** A partner's contacts by English name: `limit + 1` rows, to know whether more follow. */
  listForPartner(
    partnerId: string,
    limit: number,
    cursor: NameCursor | undefined,
  ): Promise<ContactRow[]> {
    let q = this.baseQuery()
      .where('partnerId', '=', partnerId)
      .orderBy('nameEn')
      .orderBy('id')
      .limit(limit + 1);
    if (cursor) q = q.where(sql<boolean>`(name_en, id) > (${cursor.nameEn}, ${cursor.id}::uuid)`);
    return q.execute();
  }

  async insert(trx: Transaction<DB>, values: Insertable<ContactTable>): Promise<ContactRow> {
    try {
      return await trx
        .insertInto('registry.contact')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateEmail(error)) throw duplicateEmail(values.email);
      throw error;
    }
  }

  async update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<ContactTable>,
  ): Promise<ContactRow> {
    try {
      return await trx
        .updateTable('registry.contact')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateEmail(error) && values.email !== undefined) throw duplicateEmail(values.email);
      throw error;
    }
  }

  async delete(trx: Transaction<DB>, id: string): Promise<void> {
    await trx.deleteFrom('registry.contact').where('id', '=', id).execute();
  }
}
