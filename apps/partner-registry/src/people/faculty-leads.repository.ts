import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, KYSELY } from '@sp/platform';
import type { FacultyLeadListQuery } from '@sp/types';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { NameCursor } from './name-cursor';

type FacultyLeadTable = DB['registry.facultyLead'];
export type FacultyLeadRow = Selectable<FacultyLeadTable>;
export type LeadPartnerRow = {
  facultyLeadId: string;
  id: string;
  nameEn: string;
  nameJa: string | null;
};
type Db = Kysely<DB> | Transaction<DB>;

const constraintOf = (error: unknown, code: string): string | undefined => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === code && typeof e.constraint === 'string' ? e.constraint : undefined;
};

const duplicateEmail = (email: string) =>
  new AppError('conflict', `a faculty lead with e-mail ${email} already exists`, {
    errors: [
      {
        in: 'body',
        field: 'email',
        message: "is already another faculty lead's e-mail",
        code: 'duplicate',
      },
    ],
  });

const unknownPartner = () =>
  new AppError('validation-error', 'a partner given in partnerIds does not exist', {
    errors: [
      {
        in: 'body',
        field: 'partnerIds',
        message: 'names a partner that does not exist',
        code: 'unknown',
      },
    ],
  });

/**
 * The only code that reads and writes `registry.faculty_lead` and its partner links. Faculty
 * leads are UTokyo staff: only staff routes reach this repository.
 */
@Injectable()
export class FacultyLeadsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  findById(id: string, db: Db = this.db): Promise<FacultyLeadRow | undefined> {
    return db
      .selectFrom('registry.facultyLead')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<FacultyLeadRow | undefined> {
    return trx
      .selectFrom('registry.facultyLead')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** One page by English name, `limit + 1` rows, filtered by partner and department. */
  list(query: FacultyLeadListQuery, cursor: NameCursor | undefined): Promise<FacultyLeadRow[]> {
    let q = this.db
      .selectFrom('registry.facultyLead')
      .selectAll()
      .orderBy('nameEn')
      .orderBy('id')
      .limit(query.limit + 1);
    if (query.partnerId) {
      const partnerId = query.partnerId;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('registry.facultyLeadPartner as l')
            .select(sql`1`.as('one'))
            .whereRef('l.facultyLeadId', '=', 'registry.facultyLead.id')
            .where('l.partnerId', '=', partnerId),
        ),
      );
    }
    if (query.department) q = q.where(sql<boolean>`lower(department) = lower(${query.department})`);
    if (cursor) q = q.where(sql<boolean>`(name_en, id) > (${cursor.nameEn}, ${cursor.id}::uuid)`);
    return q.execute();
  }

  /** The partners each of the leads leads with, by English name. */
  partnersOf(leadIds: string[], db: Db = this.db): Promise<LeadPartnerRow[]> {
    if (leadIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('registry.facultyLeadPartner as l')
      .innerJoin('registry.partner as p', 'p.id', 'l.partnerId')
      .select(['l.facultyLeadId', 'p.id', 'p.nameEn', 'p.nameJa'])
      .where('l.facultyLeadId', 'in', leadIds)
      .orderBy('p.nameEn')
      .execute();
  }

  async insert(
    trx: Transaction<DB>,
    values: Insertable<FacultyLeadTable>,
  ): Promise<FacultyLeadRow> {
    try {
      return await trx
        .insertInto('registry.facultyLead')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (constraintOf(error, '23505') === 'faculty_lead_email_key')
        throw duplicateEmail(values.email);
      throw error;
    }
  }

  async update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<FacultyLeadTable>,
  ): Promise<FacultyLeadRow> {
    try {
      return await trx
        .updateTable('registry.facultyLead')
        .set({ ...values, updatedAt: sql<Date>`now()`, version: sql<string>`version + 1` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (constraintOf(error, '23505') === 'faculty_lead_email_key' && values.email)
        throw duplicateEmail(values.email);
      throw error;
    }
  }

  /** Replaces the lead's partner links; an unknown partner id is the caller's 400. */
  async setPartners(trx: Transaction<DB>, leadId: string, partnerIds: string[]): Promise<void> {
    await trx
      .deleteFrom('registry.facultyLeadPartner')
      .where('facultyLeadId', '=', leadId)
      .execute();
    if (partnerIds.length === 0) return;
    try {
      await trx
        .insertInto('registry.facultyLeadPartner')
        .values(partnerIds.map((partnerId) => ({ facultyLeadId: leadId, partnerId })))
        .execute();
    } catch (error) {
      if (constraintOf(error, '23503')) throw unknownPartner();
      throw error;
    }
  }
}
