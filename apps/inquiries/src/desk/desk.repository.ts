import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import { type InquiryListQuery, messageIdSchema } from '@sp/types';
import {
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type Selectable,
  type SqlBool,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';

type Db = Kysely<DB> | Transaction<DB>;
export type InquiryRow = Selectable<DB['inquiries.inquiry']>;
export type MessageRow = Selectable<DB['inquiries.message']>;
export type AttachmentRow = Selectable<DB['inquiries.attachment']>;
export type PartnerSnapshotRow = Pick<
  Selectable<DB['inquiries.partner']>,
  'id' | 'nameEn' | 'country' | 'status'
>;
/** A list row: the inquiry and where its page ends (its `created_at` with microseconds). */
export type InquiryListRow = InquiryRow & { sortValue: string };
export type ListCursor = { createdAt: string; id: string };

type InquiryEb = ExpressionBuilder<DB, 'inquiries.inquiry'>;

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Past a due time not met yet (the sweep's rule): no public staff reply by the first-response
 * due time unless resolved or closed; not resolved by the resolution due time unless closed.
 * Never NULL: an inquiry without due times (yet) is not overdue, so `not overdueAt` lists it
 * (a NULL comparison would have kept it out of both lists).
 */
export const overdueAt = (eb: InquiryEb, now: Date): Expression<SqlBool> =>
  eb.or([
    eb.and([
      eb('firstResponseAt', 'is', null),
      eb('state', 'not in', ['resolved', 'closed']),
      eb('firstResponseDueAt', 'is not', null),
      eb('firstResponseDueAt', '<=', now),
    ]),
    eb.and([
      eb('resolvedAt', 'is', null),
      eb('state', '<>', 'closed'),
      eb('resolutionDueAt', 'is not', null),
      eb('resolutionDueAt', '<=', now),
    ]),
  ]);

/** The desk's reads and writes of inquiries, their messages and the thread's mail ids. */
@Injectable()
export class DeskRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Newest first, in keyset pages of (created_at, id); one row more than asked says "more". */
  async list(
    query: InquiryListQuery,
    cursor: ListCursor | undefined,
    now: Date,
  ): Promise<{ rows: InquiryListRow[]; more: boolean }> {
    let q = this.db
      .selectFrom('inquiries.inquiry')
      .selectAll()
      .select(
        sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
          'sortValue',
        ),
      );
    if (query.state) q = q.where('state', 'in', query.state);
    if (query.category) q = q.where('category', 'in', query.category);
    if (query.assignee === 'none') q = q.where('assignee', 'is', null);
    else if (query.assignee) q = q.where('assignee', '=', query.assignee);
    if (query.partnerId) q = q.where('partnerId', '=', query.partnerId);
    if (query.symposiumId) q = q.where('symposiumId', '=', query.symposiumId);
    if (query.overdue !== undefined) {
      const overdue = query.overdue;
      q = q.where((eb) => (overdue ? overdueAt(eb, now) : eb.not(overdueAt(eb, now))));
    }
    if (query.q) {
      const pattern = `%${likeEscape(query.q)}%`;
      q = q.where((eb) =>
        eb.or([
          eb('subject', 'ilike', pattern),
          eb('reference', 'ilike', pattern),
          eb('name', 'ilike', pattern),
          eb('email', 'ilike', pattern),
          eb.exists(
            eb
              .selectFrom('inquiries.message as m')
              .select(sql`1`.as('one'))
              .whereRef('m.inquiryId', '=', 'inquiries.inquiry.id')
              .where('m.body', 'ilike', pattern),
          ),
        ]),
      );
    }
    if (cursor) {
      const at = cursor.createdAt;
      q = q.where((eb) =>
        eb.or([
          eb('createdAt', '<', sql<Date>`${at}::timestamptz`),
          eb.and([eb('createdAt', '=', sql<Date>`${at}::timestamptz`), eb('id', '<', cursor.id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return { rows: rows.slice(0, query.limit), more: rows.length > query.limit };
  }

  findById(id: string, db: Db = this.db): Promise<InquiryRow | undefined> {
    return db.selectFrom('inquiries.inquiry').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Locks the rows for the rest of the transaction (in id order, so two merges cannot deadlock). */
  async lock(trx: Transaction<DB>, ids: string[]): Promise<Map<string, InquiryRow>> {
    const rows = await trx
      .selectFrom('inquiries.inquiry')
      .selectAll()
      .where('id', 'in', ids)
      .orderBy('id')
      .forUpdate()
      .execute();
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Applies a change and raises the version (the next ETag). */
  update(
    trx: Transaction<DB>,
    id: string,
    patch: Updateable<DB['inquiries.inquiry']>,
  ): Promise<InquiryRow> {
    return trx
      .updateTable('inquiries.inquiry')
      .set({ ...patch, version: sql`version + 1`, updatedAt: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  messages(inquiryId: string, db: Db = this.db): Promise<MessageRow[]> {
    return db
      .selectFrom('inquiries.message')
      .selectAll()
      .where('inquiryId', '=', inquiryId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
  }

  async attachmentsOf(messageIds: string[], db: Db = this.db): Promise<AttachmentRow[]> {
    if (messageIds.length === 0) return [];
    return db
      .selectFrom('inquiries.attachment')
      .selectAll()
      .where('messageId', 'in', messageIds)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
  }

  insertMessage(
    trx: Transaction<DB>,
    values: Insertable<DB['inquiries.message']>,
  ): Promise<MessageRow> {
    return trx
      .insertInto('inquiries.message')
      .values(values)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** The message a reply with this `Idempotency-Key` made on the inquiry, or undefined. */
  findByClientKey(
    trx: Transaction<DB>,
    inquiryId: string,
    clientKey: string,
  ): Promise<{ id: string; clientRequest: string | null } | undefined> {
    return trx
      .selectFrom('inquiries.message')
      .select(['id', 'clientRequest'])
      .where('inquiryId', '=', inquiryId)
      .where('clientKey', '=', clientKey)
      .executeTakeFirst();
  }

  async recordMailThread(
    trx: Transaction<DB>,
    values: { messageId: string; inquiryId: string; kind: string },
  ): Promise<void> {
    await trx.insertInto('inquiries.mailThread').values(values).execute();
  }

  /**
   * The thread's Message-IDs, oldest first: every mail we sent about it and every mail the
   * inquirer sent into it (for `References`; the newest inbound one is `In-Reply-To`).
   */
  async threadMessageIds(
    trx: Transaction<DB>,
    inquiryId: string,
  ): Promise<{ sent: string[]; lastInbound: string | null }> {
    const sent = await trx
      .selectFrom('inquiries.mailThread')
      .select(['messageId', 'createdAt'])
      .where('inquiryId', '=', inquiryId)
      .execute();
    const inbound = await trx
      .selectFrom('inquiries.message')
      .select(['messageId', 'createdAt'])
      .where('inquiryId', '=', inquiryId)
      .where('authorKind', '=', 'inquirer')
      .where('messageId', 'is not', null)
      .execute();
    // Only ids the mail contract takes: one stored before the listener checked them would fail
    // this reply's outbox row, and every later one's.
    const usable = (row: {
      messageId: string | null;
    }): row is { messageId: string; createdAt: Date } =>
      row.messageId !== null && messageIdSchema.safeParse(row.messageId).success;
    const all = [...sent, ...inbound]
      .filter(usable)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const lastInbound = inbound
      .filter(usable)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
    return {
      sent: [...new Set(all.map((row) => row.messageId))],
      lastInbound: lastInbound?.messageId ?? null,
    };
  }

  /**
   * Moves a duplicate's messages (their attachments with them) and mail ids to another
   * inquiry. Their Idempotency-Keys stay behind: a key is unique per inquiry, and the two
   * may each have used one key (a repeat sent to the merged duplicate is then refused, as
   * it is closed).
   */
  async moveThread(trx: Transaction<DB>, fromId: string, toId: string): Promise<number> {
    const moved = await trx
      .updateTable('inquiries.message')
      .set({ inquiryId: toId, clientKey: null, clientRequest: null })
      .where('inquiryId', '=', fromId)
      .executeTakeFirst();
    await trx
      .updateTable('inquiries.mailThread')
      .set({ inquiryId: toId })
      .where('inquiryId', '=', fromId)
      .execute();
    return Number(moved.numUpdatedRows);
  }

  /** The duplicates merged into an inquiry. */
  mergedInto(id: string, db: Db = this.db): Promise<{ id: string; reference: string }[]> {
    return db
      .selectFrom('inquiries.inquiry')
      .select(['id', 'reference'])
      .where('mergedIntoId', '=', id)
      .orderBy('createdAt')
      .execute();
  }

  /** A partner from the local snapshot of the registry. */
  partner(id: string, db: Db = this.db): Promise<PartnerSnapshotRow | undefined> {
    return db
      .selectFrom('inquiries.partner')
      .select(['id', 'nameEn', 'country', 'status'])
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
