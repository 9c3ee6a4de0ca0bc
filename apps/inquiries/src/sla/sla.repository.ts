import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { SlaKind } from '@sp/types';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';

type Db = Kysely<DB> | Transaction<DB>;
export type SlaBreachRow = Selectable<DB['inquiries.slaBreach']>;

/** An inquiry past a due time it has not met, as the sweep needs it. */
export type OverdueRow = {
  inquiryId: string;
  reference: string;
  kind: SlaKind;
  dueAt: Date;
  assigneeEmail: string | null;
};

/** The SLA tables: due times on the inquiry, and the breach records. */
@Injectable()
export class SlaRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Open inquiries without due times (created before the SLA columns, or by another path). */
  withoutDueTimes(limit: number, db: Db = this.db) {
    return db
      .selectFrom('inquiries.inquiry')
      .select(['id', 'category', 'createdAt'])
      .where((eb) =>
        eb.or([eb('firstResponseDueAt', 'is', null), eb('resolutionDueAt', 'is', null)]),
      )
      .where('state', '<>', 'closed')
      .orderBy('createdAt')
      .limit(limit)
      .execute();
  }

  async setDueTimes(
    db: Db,
    id: string,
    due: { firstResponseDueAt: Date; resolutionDueAt: Date },
  ): Promise<void> {
    await db.updateTable('inquiries.inquiry').set(due).where('id', '=', id).execute();
  }

  async clearResolved(db: Db, id: string): Promise<void> {
    await db
      .updateTable('inquiries.inquiry')
      .set({ resolvedAt: null })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Inquiries past a due time they have not met and not yet recorded as breached for that due
   * time: no public staff reply by the first-response due time (unless already resolved or
   * closed), not resolved by the resolution due time (unless closed).
   */
  async overdue(now: Date, limit: number, db: Db = this.db): Promise<OverdueRow[]> {
    const notYetRecorded = (kind: SlaKind, due: 'first_response_due_at' | 'resolution_due_at') =>
      sql`not exists (select 1 from inquiries.sla_breach b
        where b.inquiry_id = i.id and b.kind = ${kind} and b.due_at = i.${sql.raw(due)})`;
    const { rows } = await sql<OverdueRow>`
      select i.id as "inquiryId", i.reference, 'first-response' as kind,
             i.first_response_due_at as "dueAt", i.assignee_email as "assigneeEmail"
        from inquiries.inquiry i
       where i.first_response_at is null and i.state not in ('resolved', 'closed')
         and i.first_response_due_at <= ${now}
         and ${notYetRecorded('first-response', 'first_response_due_at')}
      union all
      select i.id, i.reference, 'resolution', i.resolution_due_at, i.assignee_email
        from inquiries.inquiry i
       where i.resolved_at is null and i.state <> 'closed'
         and i.resolution_due_at <= ${now}
         and ${notYetRecorded('resolution', 'resolution_due_at')}
       order by "dueAt"
       limit ${limit}`.execute(db);
    return rows;
  }

  /**
   * Records a breach once: `undefined` when another sweep recorded it first (the unique key on
   * inquiry, kind and due time; a concurrent insert waits for the other's commit, then yields).
   */
  recordBreach(
    trx: Transaction<DB>,
    breach: { inquiryId: string; kind: SlaKind; dueAt: Date; detectedAt: Date; notified: string },
  ): Promise<SlaBreachRow | undefined> {
    return trx
      .insertInto('inquiries.slaBreach')
      .values(breach)
      .onConflict((oc) => oc.constraint('sla_breach_once').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  breachesOf(inquiryId: string, db: Db = this.db): Promise<SlaBreachRow[]> {
    return db
      .selectFrom('inquiries.slaBreach')
      .selectAll()
      .where('inquiryId', '=', inquiryId)
      .orderBy('detectedAt')
      .orderBy('id')
      .execute();
  }
}
