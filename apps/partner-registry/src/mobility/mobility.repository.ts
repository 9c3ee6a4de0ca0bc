import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, boundPartnerId, KYSELY } from '@sp/platform';
import type {
  MobilityDirection,
  MobilityExportQuery,
  MobilityListQuery,
  MobilityPersonType,
} from '@sp/types';
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

type MobilityTable = DB['registry.mobilityRecord'];
export type MobilityRow = Selectable<MobilityTable> & { partnerNameEn: string };
/** The table's own columns (an event's snapshot needs no more). */
export type MobilityTableRow = Selectable<MobilityTable>;
type Db = Kysely<DB> | Transaction<DB>;

/** Rows per multi-row insert of an import: ~12 parameters each, far below 65,535. */
const INSERT_BATCH = 1000;

/** A report's cell, its programme lower-cased as the cell index has it. */
export type MobilityCell = Pick<
  MobilityTableRow,
  'partnerId' | 'fiscalYear' | 'direction' | 'personType' | 'programme'
>;

/** One cell of the totals: approved and pending people of a partner, direction and person type. */
export type MobilityTotalRow = {
  partnerId: string;
  partnerNameEn: string;
  direction: MobilityDirection;
  personType: MobilityPersonType;
  approved: number;
  pending: number;
};

const pgError = (error: unknown) => error as { code?: unknown; constraint?: unknown } | null;

const translate = (error: unknown, values: { partnerId?: string }): unknown => {
  const e = pgError(error);
  if (e?.code === '23503' && e.constraint === 'mobility_record_partner_id_fkey')
    return new AppError('validation-error', `partner ${values.partnerId ?? ''} does not exist`, {
      errors: [{ in: 'body', field: 'partnerId', message: 'is not a partner', code: 'not_found' }],
    });
  if (e?.code === '23505' && e.constraint === 'mobility_record_cell_key')
    return new AppError(
      'conflict',
      'this partner already has a report for that fiscal year, direction, person type and programme: update that one',
      {
        errors: ['fiscalYear', 'direction', 'personType', 'programme'].map((field) => ({
          in: 'body' as const,
          field,
          message: 'already reported in another record',
          code: 'duplicate',
        })),
      },
    );
  return error;
};

/** The only code that reads and writes `registry.mobility_record`. */
@Injectable()
export class MobilityRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Every read starts here: a partner's token sees its own partner's reports and no other. */
  private baseQuery(db: Db = this.db) {
    const partnerId = boundPartnerId();
    const query = db
      .selectFrom('registry.mobilityRecord as m')
      .innerJoin('registry.partner as p', 'p.id', 'm.partnerId')
      .selectAll('m')
      .select('p.nameEn as partnerNameEn');
    return partnerId ? query.where('m.partnerId', '=', partnerId) : query;
  }

  findById(id: string, db: Db = this.db): Promise<MobilityRow | undefined> {
    return this.baseQuery(db).where('m.id', '=', id).executeTakeFirst();
  }

  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<MobilityRow | undefined> {
    return this.baseQuery(trx).where('m.id', '=', id).forUpdate('m').executeTakeFirst();
  }

  async list(
    query: MobilityListQuery,
    cursor: TimeCursor | undefined,
  ): Promise<{ rows: (MobilityRow & { cursorAt: string })[]; more: boolean }> {
    let q = this.baseQuery()
      .select(cursorText('m.created_at').as('cursorAt'))
      .orderBy('m.createdAt', 'desc')
      .orderBy('m.id', 'desc')
      .limit(query.limit + 1);
    if (query.partnerId) q = q.where('m.partnerId', 'in', query.partnerId);
    if (query.fiscalYear !== undefined) q = q.where('m.fiscalYear', '=', query.fiscalYear);
    if (query.direction) q = q.where('m.direction', '=', query.direction);
    if (query.personType) q = q.where('m.personType', 'in', query.personType);
    if (query.reviewStatus) q = q.where('m.reviewStatus', 'in', query.reviewStatus);
    if (cursor)
      q = q.where(
        sql<boolean>`(m.created_at, m.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`,
      );
    const rows = await q.execute();
    return { rows: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  /** People per partner, direction and person type in a fiscal year: approved, and still pending. */
  totals(fiscalYear: number, partnerIds: string[] | undefined): Promise<MobilityTotalRow[]> {
    const partnerId = boundPartnerId();
    let q = this.db
      .selectFrom('registry.mobilityRecord as m')
      .innerJoin('registry.partner as p', 'p.id', 'm.partnerId')
      .select([
        'm.partnerId',
        'p.nameEn as partnerNameEn',
        'm.direction',
        'm.personType',
        sql<number>`coalesce(sum(m.count) filter (where m.review_status = 'approved'), 0)::int`.as(
          'approved',
        ),
        sql<number>`coalesce(sum(m.count) filter (where m.review_status <> 'approved'), 0)::int`.as(
          'pending',
        ),
      ])
      .where('m.fiscalYear', '=', fiscalYear)
      .groupBy(['m.partnerId', 'p.nameEn', 'm.direction', 'm.personType'])
      .orderBy('p.nameEn')
      .orderBy('m.partnerId');
    if (partnerId) q = q.where('m.partnerId', '=', partnerId);
    if (partnerIds) q = q.where('m.partnerId', 'in', partnerIds);
    return q.execute();
  }

  /** Many rows at once (an import), in multi-row inserts inside the caller's transaction. */
  async insertMany(
    trx: Transaction<DB>,
    values: Insertable<MobilityTable>[],
  ): Promise<MobilityTableRow[]> {
    const rows: MobilityTableRow[] = [];
    for (let i = 0; i < values.length; i += INSERT_BATCH) {
      const batch = values.slice(i, i + INSERT_BATCH);
      try {
        rows.push(
          ...(await trx
            .insertInto('registry.mobilityRecord')
            .values(batch)
            .returningAll()
            .execute()),
        );
      } catch (error) {
        throw translate(error, {});
      }
    }
    return rows;
  }

  /**
   * The report cells (partner, fiscal year, direction, person type, programme) these partners
   * have, each programme as the cell index's key: Postgres' `lower()` of it.
   */
  async cellsOf(partnerIds: string[]): Promise<MobilityCell[]> {
    if (partnerIds.length === 0) return [];
    return this.db
      .selectFrom('registry.mobilityRecord')
      .select(['partnerId', 'fiscalYear', 'direction', 'personType'])
      .select(sql<string>`lower(programme)`.as('programme'))
      .where('partnerId', 'in', partnerIds)
      .execute();
  }

  /**
   * Programmes as the cell index compares them (Postgres' `lower()`, in order), so that an
   * import's check and the index agree: JavaScript lower-cases 'İ' differently.
   */
  async programmeKeys(programmes: string[]): Promise<string[]> {
    if (programmes.length === 0) return [];
    const { rows } = await sql<{ key: string }>`
      select lower(p.programme) as key
        from unnest(${programmes}::text[]) with ordinality as p(programme, ord)
       order by p.ord`.execute(this.db);
    return rows.map((r) => r.key);
  }

  /**
   * Every mobility report the filters match, oldest first,
   * as a CSV file written by Postgres (an export); `columns` are SQL over this query's tables.
   */
  exportCsv(filters: MobilityExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    let q = this.baseQuery()
      .clearSelect()
      .select(csvSelection(columns))
      .orderBy('m.createdAt')
      .orderBy('m.id');
    if (filters.partnerId) q = q.where('m.partnerId', 'in', filters.partnerId);
    if (filters.fiscalYear !== undefined) q = q.where('m.fiscalYear', '=', filters.fiscalYear);
    if (filters.direction) q = q.where('m.direction', '=', filters.direction);
    if (filters.personType) q = q.where('m.personType', 'in', filters.personType);
    if (filters.reviewStatus) q = q.where('m.reviewStatus', 'in', filters.reviewStatus);
    return csvExport(this.db, q, columns);
  }

  async insert(trx: Transaction<DB>, values: Insertable<MobilityTable>): Promise<MobilityRow> {
    let id: string;
    try {
      ({ id } = await trx
        .insertInto('registry.mobilityRecord')
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
    values: Updateable<MobilityTable>,
  ): Promise<MobilityRow> {
    try {
      await trx
        .updateTable('registry.mobilityRecord')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      throw translate(error, {});
    }
    return this.reread(trx, id);
  }

  private async reread(trx: Transaction<DB>, id: string): Promise<MobilityRow> {
    const row = await this.findById(id, trx);
    if (!row) throw AppError.notFound('mobility record', id);
    return row;
  }
}
