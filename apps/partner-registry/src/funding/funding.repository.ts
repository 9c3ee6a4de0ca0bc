import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, boundPartnerId, KYSELY } from '@sp/platform';
import type { FundingExportQuery, FundingListQuery } from '@sp/types';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { Readable } from 'node:stream';
import { type CsvColumn, csvExport, csvSelection } from '../common/csv-export';
import { cursorText, type TimeCursor } from '../common/time-cursor';

type FundingTable = DB['registry.funding'];
export type FundingRow = Selectable<FundingTable> & { partnerNameEn: string };
type Db = Kysely<DB> | Transaction<DB>;

const translate = (error: unknown, values: { partnerId?: string }): unknown => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (e?.code === '23503' && e.constraint === 'funding_partner_id_fkey')
    return new AppError('validation-error', `partner ${values.partnerId ?? ''} does not exist`, {
      errors: [{ in: 'body', field: 'partnerId', message: 'is not a partner', code: 'not_found' }],
    });
  if (e?.code === '23503' && e.constraint === 'funding_activity_id_fkey')
    return new AppError('validation-error', 'the linked activity does not exist', {
      errors: [
        { in: 'body', field: 'activityId', message: 'is not an activity', code: 'not_found' },
      ],
    });
  return error;
};

/** The only code that reads and writes `registry.funding`. */
@Injectable()
export class FundingRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Every read starts here: a partner's token sees its own partner's funding and no other. */
  private baseQuery(db: Db = this.db) {
    const partnerId = boundPartnerId();
    const query = db
      .selectFrom('registry.funding as f')
      .innerJoin('registry.partner as p', 'p.id', 'f.partnerId')
      .selectAll('f')
      .select('p.nameEn as partnerNameEn');
    return partnerId ? query.where('f.partnerId', '=', partnerId) : query;
  }

  findById(id: string, db: Db = this.db): Promise<FundingRow | undefined> {
    return this.baseQuery(db).where('f.id', '=', id).executeTakeFirst();
  }

  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<FundingRow | undefined> {
    return this.baseQuery(trx).where('f.id', '=', id).forUpdate('f').executeTakeFirst();
  }

  /**
   * Every funding record the filters match, oldest first,
   * as a CSV file written by Postgres (an export); `columns` are SQL over this query's tables.
   */
  exportCsv(filters: FundingExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    let q = this.baseQuery()
      .clearSelect()
      .select(csvSelection(columns))
      .orderBy('f.createdAt')
      .orderBy('f.id');
    if (filters.partnerId) q = q.where('f.partnerId', 'in', filters.partnerId);
    if (filters.activityId) q = q.where('f.activityId', '=', filters.activityId);
    if (filters.fiscalYear !== undefined) q = q.where('f.fiscalYear', '=', filters.fiscalYear);
    if (filters.status) q = q.where('f.status', 'in', filters.status);
    return csvExport(this.db, q, columns);
  }

  async list(
    query: FundingListQuery,
    cursor: TimeCursor | undefined,
  ): Promise<{ rows: (FundingRow & { cursorAt: string })[]; more: boolean }> {
    let q = this.baseQuery()
      .select(cursorText('f.created_at').as('cursorAt'))
      .orderBy('f.createdAt', 'desc')
      .orderBy('f.id', 'desc')
      .limit(query.limit + 1);
    if (query.partnerId) q = q.where('f.partnerId', 'in', query.partnerId);
    if (query.activityId) q = q.where('f.activityId', '=', query.activityId);
    if (query.fiscalYear !== undefined) q = q.where('f.fiscalYear', '=', query.fiscalYear);
    if (query.status) q = q.where('f.status', 'in', query.status);
    if (cursor)
      q = q.where(
        sql<boolean>`(f.created_at, f.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`,
      );
    const rows = await q.execute();
    return { rows: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  async insert(trx: Transaction<DB>, values: Insertable<FundingTable>): Promise<FundingRow> {
    let id: string;
    try {
      ({ id } = await trx
        .insertInto('registry.funding')
        .values(values)
        .returning('id')
        .executeTakeFirstOrThrow());
    } catch (error) {
      throw translate(error, values);
    }
    return this.reread(trx, id);
  }

  async update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<FundingTable>,
  ): Promise<FundingRow> {
    try {
      await trx
        .updateTable('registry.funding')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      throw translate(error, {});
    }
    return this.reread(trx, id);
  }

  private async reread(trx: Transaction<DB>, id: string): Promise<FundingRow> {
    const row = await this.findById(id, trx);
    if (!row) throw AppError.notFound('funding', id);
    return row;
  }
}
