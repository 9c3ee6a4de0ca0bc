import { Inject, Injectable } from '@nestjs/common';
import { type DB, precompiled, type SlotOf } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { InquiryState } from '@sp/types';
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { StoredFile } from '../attachments/attachments.service';

export type InquiryRow = Selectable<DB['inquiries.inquiry']>;
export type MessageRow = Selectable<DB['inquiries.message']>;
export type AttachmentRow = Selectable<DB['inquiries.attachment']>;
type Db = Kysely<DB> | Transaction<DB>;

/** A new message's columns, each given (`null` for none): one statement shape for all. */
export type NewMessage = Omit<Insertable<DB['inquiries.message']>, 'id' | 'createdAt'> & {
  authorId: string | null;
  messageId: string | null;
  inReplyTo: string | null;
};

/** A new inquiry's columns but its reference, each given (`null` for none). */
export type NewInquiry = {
  id: string;
  category: InquiryRow['category'];
  name: string;
  email: string;
  organisation: string | null;
  country: string | null;
  language: InquiryRow['language'];
  subject: string;
  /** JSON. */
  categoryFields: string;
  partnerId: string | null;
  statusTokenHash: string;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  /** With an Idempotency-Key (`status-token.ts`): its hash, the request's digest, the sealed token. */
  clientKeyHash: string | null;
  clientRequest: string | null;
  statusTokenSealed: string | null;
};

/**
 * Postgres' unique violation on a submission's Idempotency-Key (migration 0013): the same key
 * sent twice at once, the other request's inquiry committed first.
 */
export const isClientKeyClash = (error: unknown): boolean => {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'inquiry_client_key_hash_key';
};

/** The row an insert returned (`executeTakeFirstOrThrow` for a precompiled statement). */
const onlyRow = <R>({ rows }: { rows: R[] }): R => {
  const row = rows[0];
  if (row === undefined) throw new Error('the insert returned no row');
  return row;
};

/*
 * A public submission's statements: the same shape every time, so each is compiled once
 * (`precompiled` in @sp/db) rather than built for every inquiry.
 */
const insertMessage = precompiled((db, slot: SlotOf<NewMessage>) =>
  db
    .insertInto('inquiries.message')
    .values({
      inquiryId: slot('inquiryId'),
      authorKind: slot('authorKind'),
      authorId: slot('authorId'),
      visibility: slot('visibility'),
      channel: slot('channel'),
      body: slot('body'),
      messageId: slot('messageId'),
      inReplyTo: slot('inReplyTo'),
    })
    .returningAll(),
);

const insertMailThread = precompiled(
  (db, slot: SlotOf<{ messageId: string; inquiryId: string; kind: string }>) =>
    db.insertInto('inquiries.mailThread').values({
      messageId: slot('messageId'),
      inquiryId: slot('inquiryId'),
      kind: slot('kind'),
    }),
);

// A data-modifying CTE runs once, however often the insert reads it.
const insertNumbered = precompiled((db, slot: SlotOf<NewInquiry & { year: number }>) =>
  db
    .with('n', (db) =>
      db
        .insertInto('inquiries.referenceCounter')
        .values({ year: slot('year'), nextNumber: 2 })
        .onConflict((oc) =>
          oc
            .column('year')
            .doUpdateSet({ nextNumber: sql<number>`reference_counter.next_number + 1` }),
        )
        .returning(sql<number>`next_number - 1`.as('number')),
    )
    .insertInto('inquiries.inquiry')
    .values({
      id: slot('id'),
      category: slot('category'),
      name: slot('name'),
      email: slot('email'),
      organisation: slot('organisation'),
      country: slot('country'),
      language: slot('language'),
      subject: slot('subject'),
      categoryFields: slot('categoryFields'),
      partnerId: slot('partnerId'),
      statusTokenHash: slot('statusTokenHash'),
      clientKeyHash: slot('clientKeyHash'),
      clientRequest: slot('clientRequest'),
      statusTokenSealed: slot('statusTokenSealed'),
      firstResponseDueAt: slot('firstResponseDueAt'),
      resolutionDueAt: slot('resolutionDueAt'),
      reference: sql<string>`(select 'INQ-' || ${slot('year')}::text || '-' || lpad(n.number::text, 6, '0') from n)`,
      referenceYear: slot('year'),
      referenceNumber: sql<number>`(select n.number from n)`,
    })
    .returningAll(),
);

/**
 * The only code that reads and writes the inquiries, their messages, attachment rows, the
 * per-year reference counter and the Message-IDs of our mails.
 */
@Injectable()
export class InquiriesRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** The inquiry a submission with this Idempotency-Key (its hash) made; undefined when none did. */
  findByClientKeyHash(hash: string): Promise<InquiryRow | undefined> {
    return this.db
      .selectFrom('inquiries.inquiry')
      .selectAll()
      .where('clientKeyHash', '=', hash)
      .executeTakeFirst();
  }

  /**
   * Inserts the inquiry with the next reference of `year`, in one statement: the per-year
   * counter row is bumped and stays locked until the caller's transaction ends, so concurrent
   * submissions queue here and a rolled-back one gives its number back — references are
   * gap-free and never repeat. Call it as late in the transaction as possible.
   */
  async insertNumbered(
    trx: Transaction<DB>,
    year: number,
    values: NewInquiry,
  ): Promise<InquiryRow> {
    return onlyRow(await insertNumbered(trx, { ...values, year }));
  }

  async insertMessage(trx: Transaction<DB>, values: NewMessage): Promise<MessageRow> {
    return onlyRow(await insertMessage(trx, values));
  }

  async insertAttachments(
    trx: Transaction<DB>,
    messageId: string,
    files: StoredFile[],
  ): Promise<AttachmentRow[]> {
    if (!files.length) return [];
    return trx
      .insertInto('inquiries.attachment')
      .values(files.map((f, position) => ({ ...f, position, messageId })))
      .returningAll()
      .execute();
  }

  async recordOutgoingMail(
    trx: Transaction<DB>,
    inquiryId: string,
    messageId: string,
    kind: string,
  ): Promise<void> {
    await insertMailThread(trx, { messageId, inquiryId, kind });
  }

  findByTokenHash(hash: string, db: Db = this.db): Promise<InquiryRow | undefined> {
    return db
      .selectFrom('inquiries.inquiry')
      .selectAll()
      .where('statusTokenHash', '=', hash)
      .executeTakeFirst();
  }

  /**
   * What the inquirer has put in an inquiry (messages, and their attachments' bytes), with its
   * reference; undefined when there is no such inquiry.
   */
  async holds(
    id: string,
    db: Db = this.db,
  ): Promise<{ reference: string; messages: number; bytes: number } | undefined> {
    const row = await db
      .selectFrom('inquiries.inquiry as i')
      .where('i.id', '=', id)
      .select((eb) => [
        'i.reference',
        eb
          .selectFrom('inquiries.message')
          .select(eb.fn.countAll<string>().as('n'))
          .where('inquiryId', '=', id)
          .where('authorKind', '=', 'inquirer')
          .as('messages'),
        eb
          .selectFrom('inquiries.attachment as a')
          .innerJoin('inquiries.message as m', 'm.id', 'a.messageId')
          .select(sql<string>`coalesce(sum(a.size), 0)`.as('bytes'))
          .where('m.inquiryId', '=', id)
          .where('m.authorKind', '=', 'inquirer')
          .as('bytes'),
      ])
      .executeTakeFirst();
    return (
      row && { reference: row.reference, messages: Number(row.messages), bytes: Number(row.bytes) }
    );
  }

  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<InquiryRow | undefined> {
    return trx
      .selectFrom('inquiries.inquiry')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  findById(id: string, db: Db = this.db): Promise<InquiryRow | undefined> {
    return db.selectFrom('inquiries.inquiry').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByReference(reference: string, db: Db = this.db): Promise<InquiryRow | undefined> {
    return db
      .selectFrom('inquiries.inquiry')
      .selectAll()
      .where('reference', '=', reference)
      .executeTakeFirst();
  }

  /**
   * The inquiries these Message-IDs belong to (at most two: one is a match, two an ambiguity):
   * a mail we sent about one, or a message already in its thread (a mail replying to an
   * earlier mail of the inquirer's).
   */
  async findByMessageIds(ids: string[], db: Db = this.db): Promise<InquiryRow[]> {
    if (!ids.length) return [];
    return db
      .selectFrom('inquiries.inquiry as i')
      .selectAll('i')
      .where((eb) =>
        eb.or([
          eb(
            'i.id',
            'in',
            eb.selectFrom('inquiries.mailThread').select('inquiryId').where('messageId', 'in', ids),
          ),
          eb(
            'i.id',
            'in',
            eb.selectFrom('inquiries.message').select('inquiryId').where('messageId', 'in', ids),
          ),
        ]),
      )
      .orderBy('i.createdAt', 'desc')
      .limit(2)
      .execute();
  }

  /** Whether a message of a thread, or a mail we sent, already has this Message-ID. */
  async hasMessageId(messageId: string, db: Db = this.db): Promise<boolean> {
    const row = await db
      .selectFrom('inquiries.message')
      .select('id')
      .where('messageId', '=', messageId)
      .unionAll(
        db
          .selectFrom('inquiries.mailThread')
          .select('inquiryId as id')
          .where('messageId', '=', messageId),
      )
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A change to the inquiry (its state, or a message in its thread): a new version. */
  touch(trx: Transaction<DB>, id: string, state: InquiryState): Promise<InquiryRow> {
    return trx
      .updateTable('inquiries.inquiry')
      .set({
        state,
        version: sql<string>`version + 1`,
        updatedAt: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** The public thread, oldest first: internal notes never leave this query. */
  publicMessages(inquiryId: string, db: Db = this.db): Promise<MessageRow[]> {
    return db
      .selectFrom('inquiries.message')
      .selectAll()
      .where('inquiryId', '=', inquiryId)
      .where('visibility', '=', 'public')
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
  }

  attachmentsOf(messageIds: string[], db: Db = this.db): Promise<AttachmentRow[]> {
    if (!messageIds.length) return Promise.resolve([]);
    return db
      .selectFrom('inquiries.attachment')
      .selectAll()
      .where('messageId', 'in', messageIds)
      .orderBy('createdAt')
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  /** An attachment of a public message of the inquiry, or nothing. */
  publicAttachment(inquiryId: string, attachmentId: string): Promise<AttachmentRow | undefined> {
    return this.db
      .selectFrom('inquiries.attachment as a')
      .innerJoin('inquiries.message as m', 'm.id', 'a.messageId')
      .selectAll('a')
      .where('a.id', '=', attachmentId)
      .where('m.inquiryId', '=', inquiryId)
      .where('m.visibility', '=', 'public')
      .executeTakeFirst();
  }
}
