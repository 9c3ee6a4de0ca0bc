import { Inject, Injectable } from '@nestjs/common';
import { type DB, precompiledShapes, type SlotOf, type SymposiumDocumentTable } from '@sp/db';
import { AppError, KYSELY } from '@sp/platform';
import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { DocumentRow } from './documents.mapper';
import type { SymposiumStatus } from '@sp/types';

type Db = Kysely<DB> | Transaction<DB>;

/** Postgres' answer to a constraint this table has → the AppError the caller would expect. */
const translate = (error: unknown, symposiumId: string): unknown => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (e?.code === '23503' && e.constraint === 'document_symposium_id_fkey')
    return AppError.notFound('symposium', symposiumId);
  if (e?.code === '23505' && e.constraint === 'document_symposium_id_kind_language_title_key')
    return new AppError(
      'conflict',
      'the symposium already has a document of that kind, language and title',
      {
        errors: [
          {
            in: 'body',
            field: 'title',
            message: 'another document of this kind and language has this title',
            code: 'duplicate',
          },
        ],
      },
    );
  return error;
};

/**
 * The documents of several symposiums, compiled once per shape (`precompiledShapes` in @sp/db):
 * the public archive reads them on every page view, and building the statement (one value
 * node per symposium) was a fair part of its Kysely time. The ids are one array parameter
 * (`= some(…)`), so their number is not a shape.
 */
const listForStatement = precompiledShapes(
  (db, slot: SlotOf<{ symposiumIds: string[] }>, shape: { publishedOnly: boolean }) => {
    let q = db
      .selectFrom('symposium.document')
      .selectAll()
      .where(sql<boolean>`symposium_id = some(${slot('symposiumIds')}::uuid[])`)
      .orderBy('symposiumId')
      .orderBy('position')
      .orderBy('createdAt')
      .orderBy('id');
    if (shape.publishedOnly) q = q.where('published', '=', true);
    return q;
  },
);

/** The only code that reads and writes `symposium.document`. */
@Injectable()
export class DocumentsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** The documents of several symposiums in one query, in their listed order. */
  listFor(
    symposiumIds: string[],
    publishedOnly: boolean,
    db: Db = this.db,
  ): Promise<DocumentRow[]> {
    if (symposiumIds.length === 0) return Promise.resolve([]);
    return listForStatement({ publishedOnly })(db, { symposiumIds }).then(({ rows }) => rows);
  }

  /** The status of the symposium the documents belong to (undefined: no such symposium). */
  async symposiumStatus(symposiumId: string): Promise<SymposiumStatus | undefined> {
    const row = await this.db
      .selectFrom('symposium.symposium')
      .select('status')
      .where('id', '=', symposiumId)
      .executeTakeFirst();
    return row?.status;
  }

  find(symposiumId: string, id: string, db: Db = this.db): Promise<DocumentRow | undefined> {
    return db
      .selectFrom('symposium.document')
      .selectAll()
      .where('id', '=', id)
      .where('symposiumId', '=', symposiumId)
      .executeTakeFirst();
  }

  findForUpdate(
    trx: Transaction<DB>,
    symposiumId: string,
    id: string,
  ): Promise<DocumentRow | undefined> {
    return trx
      .selectFrom('symposium.document')
      .selectAll()
      .where('id', '=', id)
      .where('symposiumId', '=', symposiumId)
      .forUpdate()
      .executeTakeFirst();
  }

  async insert(
    trx: Transaction<DB>,
    values: Insertable<SymposiumDocumentTable>,
  ): Promise<DocumentRow> {
    try {
      return await trx
        .insertInto('symposium.document')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      throw translate(error, values.symposiumId);
    }
  }

  async update(
    trx: Transaction<DB>,
    row: DocumentRow,
    values: Updateable<SymposiumDocumentTable>,
  ): Promise<DocumentRow> {
    try {
      return await trx
        .updateTable('symposium.document')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      throw translate(error, row.symposiumId);
    }
  }

  async delete(trx: Transaction<DB>, id: string): Promise<void> {
    await trx.deleteFrom('symposium.document').where('id', '=', id).execute();
  }
}
