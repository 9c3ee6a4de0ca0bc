import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { InboundMessageState } from '@sp/types';
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { StoredFile } from '../attachments/attachments.service';

export type InboundRow = Selectable<DB['inquiries.inboundMessage']>;
export type InboundAttachmentRow = Selectable<DB['inquiries.attachment']>;
export type InboundCursor = { receivedAt: string; id: string };

/** The only code that reads and writes the review list of unmatched mail (and its files' rows). */
@Injectable()
export class InboundMailRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  async insert(
    trx: Transaction<DB>,
    values: Insertable<DB['inquiries.inboundMessage']>,
    files: StoredFile[],
  ): Promise<InboundRow | undefined> {
    // undefined: a mail of this Message-ID is stored already (a copy delivered at the same
    // time; the unique index waits for the other's commit and decides).
    const row = await trx
      .insertInto('inquiries.inboundMessage')
      .values(values)
      .onConflict((oc) => oc.column('messageId').where('messageId', 'is not', null).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    if (files.length) {
      await trx
        .insertInto('inquiries.attachment')
        .values(files.map((f, position) => ({ ...f, position, inboundMessageId: row.id })))
        .execute();
    }
    return row;
  }

  async hasMessageId(messageId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('inquiries.inboundMessage')
      .select('id')
      .where('messageId', '=', messageId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Oldest first, keyset-paged by (received_at, id). */
  async list(
    state: InboundMessageState,
    limit: number,
    after: InboundCursor | undefined,
  ): Promise<{ rows: (InboundRow & { cursorAt: string })[]; more: boolean }> {
    let q = this.db
      .selectFrom('inquiries.inboundMessage')
      .selectAll()
      // The exact time (microseconds; a JS Date keeps milliseconds) for the next page's cursor:
      // with milliseconds, each page's last mail came back first on the next.
      .select(
        sql<string>`to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
          'cursorAt',
        ),
      )
      .where('state', '=', state)
      .orderBy('receivedAt')
      .orderBy('id')
      .limit(limit + 1);
    if (after) {
      q = q.where((eb) =>
        eb(
          eb.refTuple('receivedAt', 'id'),
          '>',
          eb.tuple(sql<Date>`${after.receivedAt}::timestamptz`, after.id),
        ),
      );
    }
    const rows = await q.execute();
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  findById(
    id: string,
    db: Kysely<DB> | Transaction<DB> = this.db,
  ): Promise<InboundRow | undefined> {
    return db
      .selectFrom('inquiries.inboundMessage')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<InboundRow | undefined> {
    return trx
      .selectFrom('inquiries.inboundMessage')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** The files of these mails: still their own while pending, their message's once filed. */
  attachmentsOf(
    rows: Pick<InboundRow, 'id' | 'assignedMessageId'>[],
    db: Kysely<DB> | Transaction<DB> = this.db,
  ): Promise<InboundAttachmentRow[]> {
    if (!rows.length) return Promise.resolve([]);
    const assigned = rows.flatMap((r) => (r.assignedMessageId ? [r.assignedMessageId] : []));
    return db
      .selectFrom('inquiries.attachment')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb(
            'inboundMessageId',
            'in',
            rows.map((r) => r.id),
          ),
          ...(assigned.length ? [eb('messageId', 'in', assigned)] : []),
        ]),
      )
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  attachmentsOfMessage(
    messageId: string,
    db: Kysely<DB> | Transaction<DB> = this.db,
  ): Promise<InboundAttachmentRow[]> {
    return db
      .selectFrom('inquiries.attachment')
      .selectAll()
      .where('messageId', '=', messageId)
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  /** Sets a waiting mail aside as not for any inquiry (spam, out of office): kept, listed as discarded. */
  markDiscarded(trx: Transaction<DB>, id: string, decidedBy: string | null): Promise<InboundRow> {
    return trx
      .updateTable('inquiries.inboundMessage')
      .set({
        state: 'discarded',
        decidedBy,
        version: sql<string>`version + 1`,
        updatedAt: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Files the mail into a message: its files' rows move to that message. */
  async markAssigned(
    trx: Transaction<DB>,
    id: string,
    inquiryId: string,
    messageId: string,
    decidedBy: string | null,
  ): Promise<InboundRow> {
    await trx
      .updateTable('inquiries.attachment')
      .set({ messageId, inboundMessageId: null })
      .where('inboundMessageId', '=', id)
      .execute();
    return trx
      .updateTable('inquiries.inboundMessage')
      .set({
        state: 'assigned',
        inquiryId,
        assignedMessageId: messageId,
        decidedBy,
        version: sql<string>`version + 1`,
        updatedAt: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}
