import { Inject, Injectable } from '@nestjs/common';
import { type DB, precompiledShapes, type SlotOf, type SymposiumTable } from '@sp/db';
import { AppError, KYSELY } from '@sp/platform';
import type { SymposiumListQuery, SymposiumStatus } from '@sp/types';
import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { SymposiumRow } from './symposiums.mapper';

type Db = Kysely<DB> | Transaction<DB>;

/** Statuses the public and partners see: a `planned` symposium is the organisers' own. */
export const publicStatuses: readonly SymposiumStatus[] = [
  'announced',
  'registration-open',
  'registration-closed',
  'held',
  'report-published',
];

/** Statuses of the archive: symposiums that took place. */
export const archiveStatuses: readonly SymposiumStatus[] = ['held', 'report-published'];

/** A list's values; those its shape does not use are left out. */
type ListValues = { status?: SymposiumStatus; statuses?: readonly SymposiumStatus[] };

/**
 * The symposium list's statement per shape, compiled once (`precompiledShapes` in @sp/db): the
 * public archive and list read it on every page view. Statuses are one array parameter
 * (`= some(…)`); 2 × 2 × 2 shapes.
 */
const listStatement = precompiledShapes(
  (db, slot: SlotOf<ListValues>, shape: { desc: boolean; status: boolean; statuses: boolean }) => {
    let q = db
      .selectFrom('symposium.symposium')
      .selectAll()
      .orderBy('heldOn', shape.desc ? 'desc' : 'asc');
    if (shape.status) q = q.where('status', '=', slot('status'));
    if (shape.statuses) q = q.where(sql<boolean>`status = some(${slot('statuses')})`);
    return q;
  },
);

const uniqueFields: Record<string, { field: string; message: string }> = {
  symposium_edition_key: {
    field: 'edition',
    message: 'is already the edition of another symposium',
  },
  symposium_held_on_key: { field: 'heldOn', message: 'another symposium is held on that day' },
};

/** A taken edition or day → 409 naming the field; anything else passes through. */
const translate = (error: unknown): unknown => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  const unique =
    e?.code === '23505' && typeof e.constraint === 'string'
      ? uniqueFields[e.constraint]
      : undefined;
  if (unique)
    return new AppError('conflict', `symposium ${unique.field} ${unique.message}`, {
      errors: [{ in: 'body', field: unique.field, message: unique.message, code: 'duplicate' }],
    });
  if (e?.code === '23514' && e.constraint === 'symposium_times_check')
    return new AppError('validation-error', 'invalid body: endsAt', {
      errors: [
        { in: 'body', field: 'endsAt', message: 'must be after startsAt', code: 'too_small' },
      ],
    });
  return error;
};

/**
 * The only code that reads and writes `symposium.symposium`. Constraint violations leave it as
 * AppErrors naming the field (a taken edition or day is a 409).
 */
@Injectable()
export class SymposiumsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** `statuses` limits what is seen (the public's view); undefined: every symposium (staff). */
  list(
    query: Pick<SymposiumListQuery, 'order' | 'status'>,
    statuses?: readonly SymposiumStatus[],
  ): Promise<SymposiumRow[]> {
    const statement = listStatement({
      desc: query.order === 'desc',
      status: query.status !== undefined,
      statuses: statuses !== undefined,
    });
    return statement(this.db, { status: query.status, statuses }).then(({ rows }) => rows);
  }

  findById(
    id: string,
    statuses?: readonly SymposiumStatus[],
    db: Db = this.db,
  ): Promise<SymposiumRow | undefined> {
    let q = db.selectFrom('symposium.symposium').selectAll().where('id', '=', id);
    if (statuses) q = q.where('status', 'in', [...statuses]);
    return q.executeTakeFirst();
  }

  /**
   * Locks the row for the rest of the transaction, so concurrent changes serialise. Every
   * status change takes it first (FOR UPDATE, not the weaker lock a bare UPDATE takes): a
   * sign-up reads the status with a key-share lock, which waits only for this one.
   */
  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<SymposiumRow | undefined> {
    return trx
      .selectFrom('symposium.symposium')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async insert(trx: Transaction<DB>, values: Insertable<SymposiumTable>): Promise<SymposiumRow> {
    try {
      return await trx
        .insertInto('symposium.symposium')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      throw translate(error);
    }
  }

  /** Raises the version in the statement that makes the change (under the row lock). */
  async update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<SymposiumTable>,
  ): Promise<SymposiumRow> {
    try {
      return await trx
        .updateTable('symposium.symposium')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      throw translate(error);
    }
  }
}
