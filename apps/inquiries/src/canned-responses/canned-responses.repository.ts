import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, KYSELY } from '@sp/platform';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';

export type CannedResponseRow = Selectable<DB['inquiries.cannedResponse']>;
type Db = Kysely<DB> | Transaction<DB>;

/** Postgres' unique violation on the case-insensitive title (migration 0009). */
const isDuplicateTitle = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'canned_response_title_key';
};

const duplicateTitle = (title: string) =>
  new AppError('conflict', `a canned response titled "${title}" already exists`, {
    errors: [
      { in: 'body', field: 'title', message: 'is already the title of another', code: 'duplicate' },
    ],
  });

/** The only code that reads and writes `inquiries.canned_response`. */
@Injectable()
export class CannedResponsesRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  list(): Promise<CannedResponseRow[]> {
    return this.db
      .selectFrom('inquiries.cannedResponse')
      .selectAll()
      .orderBy(sql`lower(title)`)
      .orderBy('id')
      .execute();
  }

  findById(id: string, db: Db = this.db): Promise<CannedResponseRow | undefined> {
    return db
      .selectFrom('inquiries.cannedResponse')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<CannedResponseRow | undefined> {
    return trx
      .selectFrom('inquiries.cannedResponse')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async insert(
    trx: Transaction<DB>,
    values: { title: string; bodyEn: string; bodyJa: string },
  ): Promise<CannedResponseRow> {
    try {
      return await trx
        .insertInto('inquiries.cannedResponse')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateTitle(error)) throw duplicateTitle(values.title);
      throw error;
    }
  }

  async update(
    trx: Transaction<DB>,
    id: string,
    patch: { title?: string; bodyEn?: string; bodyJa?: string },
  ): Promise<CannedResponseRow> {
    try {
      return await trx
        .updateTable('inquiries.cannedResponse')
        .set({ ...patch, version: sql`version + 1`, updatedAt: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateTitle(error)) throw duplicateTitle(patch.title ?? '');
      throw error;
    }
  }

  async delete(trx: Transaction<DB>, id: string): Promise<void> {
    await trx.deleteFrom('inquiries.cannedResponse').where('id', '=', id).execute();
  }
}
