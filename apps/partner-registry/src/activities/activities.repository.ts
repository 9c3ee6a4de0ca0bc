import { Inject, Injectable } from '@nestjs/common';
import { type DB, precompiledShapes, type SlotOf } from '@sp/db';
import { AppError, boundPartnerId, KYSELY } from '@sp/platform';
import type { ActivityExportQuery, ActivityListQuery } from '@sp/types';
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

type ActivityTable = DB['registry.activity'];
export type ActivityRow = Selectable<ActivityTable> & {
  partnerNameEn: string;
  partnerNameJa: string | null;
  partnerCountry: string;
};
/** The table's own columns (an event's snapshot needs no more). */
export type ActivityTableRow = Selectable<ActivityTable>;
type Db = Kysely<DB> | Transaction<DB>;

/** Rows per multi-row insert of an import: ~20 parameters each, far below 65,535. */
const INSERT_BATCH = 1000;

/** An activity with its partner's names: what every read returns. */
const selectActivity = (db: Db) =>
  db
    .selectFrom('registry.activity as a')
    .innerJoin('registry.partner as p', 'p.id', 'a.partnerId')
    .selectAll('a')
    .select([
      'p.nameEn as partnerNameEn',
      'p.nameJa as partnerNameJa',
      'p.country as partnerCountry',
    ]);

/**
 * One activity by id, as the caller may see it, locked or not: every change reads the row
 * under its lock and again after, so each shape is compiled once (`precompiledShapes`).
 */
const activityById = precompiledShapes(
  (
    db,
    slot: SlotOf<{ id: string; partnerId?: string }>,
    shape: { bound: boolean; lock: boolean },
  ) => {
    let q = selectActivity(db).where('a.id', '=', slot('id'));
    if (shape.bound) q = q.where('a.partnerId', '=', slot('partnerId'));
    return shape.lock ? q.forUpdate('a') : q;
  },
);

/** Postgres' foreign-key violation on the activity's partner (migration 0009). */
const isUnknownPartner = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23503' && e.constraint === 'activity_partner_id_fkey';
};

export const unknownPartner = (partnerId: string) =>
  new AppError('validation-error', `partner ${partnerId} does not exist`, {
    errors: [{ in: 'body', field: 'partnerId', message: 'is not a partner', code: 'not_found' }],
  });

/**
 * The only code that reads and writes `registry.activity`. Reads carry the partner's names
 * (joined); a partner's token reaches only its own partner's activities.
 */
@Injectable()
export class ActivitiesRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Every read starts here: a partner's token sees its own partner's activities and no other. */
  private baseQuery(db: Db = this.db) {
    const partnerId = boundPartnerId();
    const query = selectActivity(db);
    return partnerId ? query.where('a.partnerId', '=', partnerId) : query;
  }

  /** One activity as the caller may see it; `lock` holds it for the rest of the transaction. */
  private async byId(db: Db, id: string, lock: boolean): Promise<ActivityRow | undefined> {
    const partnerId = boundPartnerId() ?? undefined;
    const statement = activityById({ bound: partnerId !== undefined, lock });
    return (await statement(db, { id, partnerId })).rows[0];
  }

  findById(id: string, db: Db = this.db): Promise<ActivityRow | undefined> {
    return this.byId(db, id, false);
  }

  /** The partner an activity belongs to (as the caller may see it), or undefined. */
  async partnerIdOf(id: string, db: Db = this.db): Promise<string | undefined> {
    return (await this.findById(id, db))?.partnerId;
  }

  /** Locks the row (as the caller may see it) for the rest of the transaction. */
  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<ActivityRow | undefined> {
    return this.byId(trx, id, true);
  }

  /** Newest first; `limit + 1` rows are read to know whether another page follows. */
  async list(
    query: ActivityListQuery,
    cursor: TimeCursor | undefined,
  ): Promise<{ rows: (ActivityRow & { cursorAt: string })[]; more: boolean }> {
    let q = this.baseQuery()
      .select(cursorText('a.created_at').as('cursorAt'))
      .orderBy('a.createdAt', 'desc')
      .orderBy('a.id', 'desc')
      .limit(query.limit + 1);
    if (query.partnerId) q = q.where('a.partnerId', 'in', query.partnerId);
    if (query.type) q = q.where('a.type', 'in', query.type);
    if (query.reviewStatus) q = q.where('a.reviewStatus', 'in', query.reviewStatus);
    if (query.isPublic !== undefined) q = q.where('a.isPublic', '=', query.isPublic);
    if (cursor)
      q = q.where(
        sql<boolean>`(a.created_at, a.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`,
      );
    const rows = await q.execute();
    return { rows: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  /**
   * The public "Recent Activities": approved public ones, newest publication first. Not bound
   * to a partner (anonymous callers) and never anything unpublished.
   */
  async listPublished(
    limit: number,
    cursor: TimeCursor | undefined,
    partnerId?: string,
  ): Promise<{ rows: (ActivityRow & { cursorAt: string })[]; more: boolean }> {
    let q = selectActivity(this.db)
      .select(cursorText('a.published_at').as('cursorAt'))
      .where('a.publishedAt', 'is not', null)
      .where('a.reviewStatus', '=', 'approved')
      .where('a.isPublic', '=', true)
      .orderBy('a.publishedAt', 'desc')
      .orderBy('a.id', 'desc')
      .limit(limit + 1);
    if (partnerId) q = q.where('a.partnerId', '=', partnerId);
    if (cursor)
      q = q.where(
        sql<boolean>`(a.published_at, a.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`,
      );
    const rows = await q.execute();
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  /** One approved public activity, whoever asks (the public page). */
  findPublished(id: string): Promise<ActivityRow | undefined> {
    return selectActivity(this.db)
      .where('a.id', '=', id)
      .where('a.publishedAt', 'is not', null)
      .where('a.reviewStatus', '=', 'approved')
      .where('a.isPublic', '=', true)
      .executeTakeFirst();
  }

  /**
   * Many rows at once (an import), in multi-row inserts of INSERT_BATCH inside the caller's
   * transaction; the partners were checked by the import, a vanished one still fails here.
   */
  async insertMany(
    trx: Transaction<DB>,
    values: Insertable<ActivityTable>[],
  ): Promise<ActivityTableRow[]> {
    const rows: ActivityTableRow[] = [];
    for (let i = 0; i < values.length; i += INSERT_BATCH) {
      const batch = values.slice(i, i + INSERT_BATCH);
      try {
        rows.push(
          ...(await trx.insertInto('registry.activity').values(batch).returningAll().execute()),
        );
      } catch (error) {
        if (isUnknownPartner(error)) throw unknownPartner(batch[0]!.partnerId);
        throw error;
      }
    }
    return rows;
  }

  /**
   * Every activity the filters match, oldest first,
   * as a CSV file written by Postgres (an export); `columns` are SQL over this query's tables.
   */
  exportCsv(filters: ActivityExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    let q = this.baseQuery()
      .clearSelect()
      .select(csvSelection(columns))
      .orderBy('a.createdAt')
      .orderBy('a.id');
    if (filters.partnerId) q = q.where('a.partnerId', 'in', filters.partnerId);
    if (filters.type) q = q.where('a.type', 'in', filters.type);
    if (filters.reviewStatus) q = q.where('a.reviewStatus', 'in', filters.reviewStatus);
    if (filters.isPublic !== undefined) q = q.where('a.isPublic', '=', filters.isPublic);
    return csvExport(this.db, q, columns);
  }

  async insert(trx: Transaction<DB>, values: Insertable<ActivityTable>): Promise<ActivityRow> {
    let id: string;
    try {
      ({ id } = await trx
        .insertInto('registry.activity')
        .values(values)
        .returning('id')
        .executeTakeFirstOrThrow());
    } catch (error) {
      if (isUnknownPartner(error)) throw unknownPartner(values.partnerId);
      throw error;
    }
    return this.reread(trx, id);
  }

  /** Raises `version` in the statement that makes the change, under the row lock. */
  async update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<ActivityTable>,
  ): Promise<ActivityRow> {
    await trx
      .updateTable('registry.activity')
      .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
      .where('id', '=', id)
      .execute();
    return this.reread(trx, id);
  }

  private async reread(trx: Transaction<DB>, id: string): Promise<ActivityRow> {
    const row = await this.findById(id, trx);
    if (!row) throw AppError.notFound('activity', id);
    return row;
  }
}
