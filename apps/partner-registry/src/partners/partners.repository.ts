import { Inject, Injectable } from '@nestjs/common';
import type { DB, PartnerTable } from '@sp/db';
import { boundPartnerId, KYSELY } from '@sp/platform';
import type { PartnerListQuery, PartnerSort, PartnerStatus } from '@sp/types';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { Cursor } from './cursor';

export type PartnerRow = Selectable<PartnerTable>;
type Db = Kysely<DB> | Transaction<DB>;

const sortColumns = { nameEn: 'nameEn', country: 'country', createdAt: 'createdAt' } as const;
type SortColumn = keyof typeof sortColumns;
const snakeColumns = { nameEn: 'name_en', country: 'country', createdAt: 'created_at' } as const;

/** A sort value as text that orders like the column: timestamps keep their microseconds. */
const sortValue = {
  nameEn: sql<string>`name_en`,
  country: sql<string>`country::text`,
  createdAt: sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
} satisfies Record<SortColumn, unknown>;

export const parseSort = (sort: PartnerSort): { column: SortColumn; desc: boolean } => ({
  column: (sort.startsWith('-') ? sort.slice(1) : sort) as SortColumn,
  desc: sort.startsWith('-'),
});

@Injectable()
export class PartnerRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  findById(id: string, db: Db = this.db): Promise<PartnerRow | undefined> {
    return this.baseQuery(db).where('id', '=', id).executeTakeFirst();
  }

  /** Every read starts here: a partner's token sees its own partner row and no other. */
  private baseQuery(db: Db = this.db) {
    const partnerId = boundPartnerId();
    const query = db.selectFrom('registry.partner').selectAll();
    return partnerId ? query.where('id', '=', partnerId) : query;
  }

  /** Locks the row for the rest of the transaction, so concurrent updates serialise. */
  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<PartnerRow | undefined> {
    return trx
      .selectFrom('registry.partner')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** One page in keyset order: `limit + 1` rows are read to know whether another page follows. */
  async list(
    query: PartnerListQuery,
    cursor: Cursor | undefined,
  ): Promise<{ rows: (PartnerRow & { sortValue: string })[]; more: boolean }> {
    const { column, desc } = parseSort(query.sort);
    const direction = desc ? 'desc' : 'asc';
    let q = this.baseQuery()
      .select(sortValue[column].as('sortValue'))
      .orderBy(sortColumns[column], direction)
      .orderBy('id', direction)
      .limit(query.limit + 1);
    if (query.status) q = q.where('status', 'in', query.status);
    if (query.country) q = q.where('country', 'in', query.country);
    if (cursor) {
      // Row comparison `(col, id) > (value, id)` walks the (col, id) index from the cursor on.
      const value =
        column === 'createdAt' ? sql`${cursor.value}::timestamptz` : sql`${cursor.value}`;
      q = q.where(
        sql<boolean>`(${sql.raw(snakeColumns[column])}, id) ${sql.raw(desc ? '<' : '>')} (${value}, ${cursor.id}::uuid)`,
      );
    }
    const rows = await q.execute();
    return { rows: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  insert(trx: Transaction<DB>, values: Insertable<PartnerTable>): Promise<PartnerRow> {
    return trx
      .insertInto('registry.partner')
      .values(values)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * `version` orders this change's event against others: raised in the statement that makes
   * the change, under the row lock the update holds, so versions follow commit order.
   */
  update(trx: Transaction<DB>, id: string, values: Updateable<PartnerTable>): Promise<PartnerRow> {
    return trx
      .updateTable('registry.partner')
      .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  recordStatusChange(
    trx: Transaction<DB>,
    change: {
      partnerId: string;
      fromStatus: PartnerStatus | null;
      toStatus: PartnerStatus;
      changedOn: string;
      note: string | null;
    },
  ): Promise<unknown> {
    return trx.insertInto('registry.partnerStatusChange').values(change).execute();
  }

  statusHistory(partnerId: string, db: Db = this.db) {
    return db
      .selectFrom('registry.partnerStatusChange')
      .select(['fromStatus', 'toStatus', 'changedOn', 'note', 'recordedAt'])
      .where('partnerId', '=', partnerId)
      .orderBy('id')
      .execute();
  }

  agreements(partnerId: string, db: Db = this.db) {
    return db
      .selectFrom('registry.agreement')
      .selectAll()
      .where('partnerId', '=', partnerId)
      .orderBy(sql`coalesce(signed_on, make_date(signed_year, 1, 1))`, 'asc')
      .orderBy('title')
      .execute();
  }
}
