import { Inject, Injectable } from '@nestjs/common';
import { type DB, precompiledShapes, type SlotOf } from '@sp/db';
import { AppError, boundPartnerId, KYSELY } from '@sp/platform';
import type { PartnerExportQuery, PartnerListQuery, PartnerSort, PartnerStatus } from '@sp/types';
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
import type { Cursor } from './cursor';

type PartnerTable = DB['registry.partner'];
export type PartnerRow = Selectable<PartnerTable>;
export type PartnerStatusChangeRow = Pick<
  Selectable<DB['registry.partnerStatusChange']>,
  'fromStatus' | 'toStatus' | 'changedOn' | 'changedOnPrecision' | 'note' | 'actorId' | 'recordedAt'
>;
type Db = Kysely<DB> | Transaction<DB>;

/** Rows per multi-row insert: 10 parameters each stays far below Postgres' 65,535. */
const INSERT_BATCH = 1000;

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

type ListRow = PartnerRow & { sortValue: string };

/** What shapes a page's statement: the same SQL serves every request of one shape. */
type ListShape = {
  /** A partner's token: its own row only. */
  bound: boolean;
  column: SortColumn;
  desc: boolean;
  status: boolean;
  country: boolean;
  tag: boolean;
  cursor: boolean;
};

/** A page's values; those its shape does not use are left out. */
type ListValues = {
  partnerId?: string;
  limit: number;
  status?: PartnerStatus[];
  country?: string[];
  tag?: string[];
  cursorValue?: string;
  cursorId?: string;
};

/**
 * The statement of each list shape, compiled once (`precompiledShapes` in @sp/db): the partner
 * list is the registry's busiest read, and building and compiling it was about 45 µs of each
 * page. A list filter is one array parameter (`= some(…)`, the SQL standard's test against an
 * array's items), so the shape does not depend on its
 * length; there are at most 2 × 3 × 2 × 2⁴ = 192 shapes.
 */
const listStatement = precompiledShapes((db, slot: SlotOf<ListValues>, shape: ListShape) => {
  const { column, desc } = shape;
  const direction = desc ? 'desc' : 'asc';
  let q = db
    .selectFrom('registry.partner')
    .selectAll()
    .select(sortValue[column].as('sortValue'))
    .orderBy(sortColumns[column], direction)
    .orderBy('id', direction)
    .limit(slot('limit'));
  if (shape.bound) q = q.where('id', '=', slot('partnerId'));
  if (shape.status) q = q.where(sql<boolean>`status = some(${slot('status')})`);
  if (shape.country) q = q.where(sql<boolean>`country = some(${slot('country')})`);
  // Every tag asked for (the GIN index on tags answers `@>`).
  if (shape.tag) q = q.where('tags', '@>', sql<string[]>`${slot('tag')}::text[]`);
  if (shape.cursor) {
    // Row comparison `(col, id) > (value, id)` walks the (col, id) index from the cursor on.
    const value =
      column === 'createdAt'
        ? sql`${slot('cursorValue')}::timestamptz`
        : sql`${slot('cursorValue')}`;
    q = q.where(
      sql<boolean>`(${sql.raw(snakeColumns[column])}, id) ${sql.raw(desc ? '<' : '>')} (${value}, ${slot('cursorId')}::uuid)`,
    );
  }
  return q;
});

/** Postgres' unique violation on the case-insensitive English name (migration 0001). */
const isDuplicateName = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'partner_name_en_key';
};

const duplicateName = (name: string) =>
  new AppError('conflict', `a partner named "${name}" already exists`, {
    errors: [
      {
        in: 'body',
        field: 'nameEn',
        message: 'is already the name of another partner',
        code: 'duplicate',
      },
    ],
  });

/**
 * The only code that reads and writes `registry.partner` and its status history. Constraint
 * violations leave it as AppErrors (a taken name is a 409 naming `nameEn`), never as driver errors.
 */
@Injectable()
export class PartnersRepository {
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

  /**
   * Partners the programme page lists (not ended), by English name. Public: not bound to a
   * partner, whoever calls.
   */
  listPublic(): Promise<PartnerRow[]> {
    return this.db
      .selectFrom('registry.partner')
      .selectAll()
      .where('status', '!=', 'ended')
      .orderBy('nameEn')
      .orderBy('id')
      .execute();
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
  ): Promise<{ rows: ListRow[]; more: boolean }> {
    const { column, desc } = parseSort(query.sort);
    const partnerId = boundPartnerId();
    const statement = listStatement({
      bound: partnerId !== null,
      column,
      desc,
      status: query.status !== undefined,
      country: query.country !== undefined,
      tag: query.tag !== undefined,
      cursor: cursor !== undefined,
    });
    const { rows } = await statement(this.db, {
      partnerId: partnerId ?? undefined,
      limit: query.limit + 1,
      status: query.status,
      country: query.country,
      tag: query.tag,
      cursorValue: cursor?.value,
      cursorId: cursor?.id,
    });
    return { rows: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  /**
   * Every partner the filters match, by English name,
   * as a CSV file written by Postgres (an export); `columns` are SQL over this query's tables.
   */
  exportCsv(filters: PartnerExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    let q = this.baseQuery()
      .clearSelect()
      .select(csvSelection(columns))
      .orderBy('nameEn')
      .orderBy('id');
    if (filters.status) q = q.where('status', 'in', filters.status);
    if (filters.country) q = q.where('country', 'in', filters.country);
    return csvExport(this.db, q, columns);
  }

  async insert(trx: Transaction<DB>, values: Insertable<PartnerTable>): Promise<PartnerRow> {
    try {
      return await trx
        .insertInto('registry.partner')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateName(error)) throw duplicateName(values.nameEn);
      throw error;
    }
  }

  /**
   * Many partners at once (an import), in multi-row inserts of INSERT_BATCH rows inside the
   * caller's transaction, each with the first entry of its status history.
   */
  async insertMany(
    trx: Transaction<DB>,
    values: Insertable<PartnerTable>[],
  ): Promise<PartnerRow[]> {
    const rows: PartnerRow[] = [];
    for (let i = 0; i < values.length; i += INSERT_BATCH) {
      const batch = values.slice(i, i + INSERT_BATCH);
      let inserted: PartnerRow[];
      try {
        inserted = await trx.insertInto('registry.partner').values(batch).returningAll().execute();
      } catch (error) {
        if (isDuplicateName(error)) {
          const detail = (error as { detail?: string }).detail ?? '';
          throw duplicateName(/=\((.*)\) already exists/.exec(detail)?.[1] ?? '');
        }
        throw error;
      }
      await trx
        .insertInto('registry.partnerStatusChange')
        .values(
          inserted.map((row) => ({
            partnerId: row.id,
            fromStatus: null,
            toStatus: row.status,
            changedOn: row.statusSince,
            note: null,
          })),
        )
        .execute();
      rows.push(...inserted);
    }
    return rows;
  }

  /** The ids among these that are partners'. */
  async existingIds(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('registry.partner')
      .select('id')
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Each English name's key as the unique index `partner_name_en_key` compares it, Postgres'
   * `lower()`, and whether a partner already has it, in the order given. The key comes from
   * Postgres because JavaScript's `toLowerCase()` differs for some letters ('İ', a final 'Σ'):
   * a file with 'İstanbul …' and 'Istanbul …' passed a check made with it, then failed on the
   * index when applied.
   */
  async nameKeys(names: string[], db: Db = this.db): Promise<{ key: string; taken: boolean }[]> {
    if (names.length === 0) return [];
    const { rows } = await sql<{ key: string; taken: boolean }>`
      select lower(n.name) as key,
             exists (select 1 from registry.partner p where lower(p.name_en) = lower(n.name)) as taken
      from unnest(${names}::text[]) with ordinality as n(name, ord)
      order by n.ord`.execute(db);
    return rows;
  }

  /**
   * `version` orders this change's event against others: raised in the statement that makes
   * the change, under the row lock the update holds, so versions follow commit order.
   */
  async update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<PartnerTable>,
  ): Promise<PartnerRow> {
    try {
      return await trx
        .updateTable('registry.partner')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isDuplicateName(error) && values.nameEn !== undefined) throw duplicateName(values.nameEn);
      throw error;
    }
  }

  recordStatusChange(
    trx: Transaction<DB>,
    change: Insertable<DB['registry.partnerStatusChange']>,
  ): Promise<unknown> {
    return trx.insertInto('registry.partnerStatusChange').values(change).execute();
  }

  statusHistory(partnerId: string, db: Db = this.db): Promise<PartnerStatusChangeRow[]> {
    return db
      .selectFrom('registry.partnerStatusChange')
      .select([
        'fromStatus',
        'toStatus',
        'changedOn',
        'changedOnPrecision',
        'note',
        'actorId',
        'recordedAt',
      ])
      .where('partnerId', '=', partnerId)
      .orderBy('changedOn')
      .orderBy('id')
      .execute();
  }
}
