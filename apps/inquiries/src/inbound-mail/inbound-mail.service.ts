import { isInquiryFull } from '../inquiries/inquirer-message';
import { Injectable } from '@nestjs/common';
import {
  AppError,
  AuditLog,
  checkVersion,
  CursorCodec,
  type ExpectedVersion,
  requestContext,
} from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type { InboundList, InboundMessage, InboundQuery } from '@sp/types';
import { z } from 'zod';
import { uuid } from '@sp/types';
import { AttachmentsService, type IncomingFile } from '../attachments/attachments.service';
import { InquiriesService } from '../inquiries/inquiries.service';
import { toInboundMessage } from './inbound-mail.mapper';
import { InboundMailRepository } from './inbound-mail.repository';

/** A received mail, parsed: what threading and the review list need. */
export type InboundMail = {
  from: string;
  fromName: string | null;
  subject: string;
  text: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Sent by a program (an out-of-office answer, a bounce): never threaded as the inquirer. */
  automatic: boolean;
  attachments: IncomingFile[];
};

export type ReceiveOutcome =
  | { outcome: 'threaded'; inquiryId: string; messageId: string }
  | { outcome: 'review'; inboundMessageId: string }
  | { outcome: 'duplicate' };

const cursor = new CursorCodec(z.object({ receivedAt: z.string(), id: uuid() }));

/**
 * Replies by mail: a mail is threaded into its inquiry (by In-Reply-To/References, or the
 * reference in the subject from the inquirer's address) as the inquirer's message, reopening
 * a resolved inquiry; anything else waits in the review list until staff file it.
 */
@Injectable()
export class InboundMailService {
  constructor(
    private readonly repo: InboundMailRepository,
    private readonly inquiries: InquiriesService,
    private readonly attachments: AttachmentsService,
    private readonly audit: AuditLog,
  ) {}

  async receive(mail: InboundMail): Promise<ReceiveOutcome> {
    // The same mail delivered twice (a sender's retry) is taken once. A mail bearing the
    // Message-ID of one we sent is our own mail come back, or one made to look like it: kept,
    // that id would thread the next reply to our mail into whichever inquiry it landed in.
    if (
      mail.messageId &&
      ((await this.inquiries.hasMessage(mail.messageId)) ||
        (await this.repo.hasMessageId(mail.messageId)))
    ) {
      return { outcome: 'duplicate' };
    }
    const target = await this.inquiries.findForMail({
      messageIds: [mail.inReplyTo, ...mail.references].filter((id): id is string => !!id),
      subject: mail.subject,
      from: mail.from,
    });
    // A closed inquiry takes no more messages, and a program's answer (out of office) is not
    // the inquirer's: such mail waits for staff instead, marked with the inquiry it is about.
    // So does mail for an inquiry that has taken all the messages or files it may hold.
    if (target && target.state !== 'closed' && !mail.automatic) {
      try {
        const messageId = await this.inquiries.addInquirerMessage(
          target.id,
          {
            body: mail.text,
            channel: 'email',
            messageId: mail.messageId,
            inReplyTo: mail.inReplyTo,
          },
          mail.attachments,
        );
        return { outcome: 'threaded', inquiryId: target.id, messageId };
      } catch (error) {
        if (!isInquiryFull(error)) throw error;
      }
    }
    const stored = await this.attachments.accept(mail.attachments);
    try {
      const row = await this.repo.transaction(async (trx) => {
        const inbound = await this.repo.insert(
          trx,
          {
            fromAddress: mail.from,
            fromName: mail.fromName,
            subject: mail.subject,
            body: mail.text,
            messageId: mail.messageId,
            inReplyTo: mail.inReplyTo,
            references: mail.references,
            inquiryId: target?.id ?? null,
          },
          stored,
        );
        if (!inbound) return undefined;
        await writeOutbox(trx, 'inquiries', {
          name: 'inquiry.inbound-unmatched',
          payload: { inboundMessageId: inbound.id, receivedAt: inbound.receivedAt.toISOString() },
        });
        return inbound;
      });
      if (!row) {
        await this.attachments.discard(stored);
        return { outcome: 'duplicate' };
      }
      return { outcome: 'review', inboundMessageId: row.id };
    } catch (error) {
      await this.attachments.discard(stored);
      throw error;
    }
  }

  async list(query: InboundQuery): Promise<InboundList> {
    const after = query.cursor ? cursor.decode(query.cursor) : undefined;
    const { rows, more } = await this.repo.list(query.state, query.limit, after);
    const attachments = await this.repo.attachmentsOf(rows);
    const last = rows.at(-1);
    return {
      items: rows.map((r) => toInboundMessage(r, attachments)),
      nextCursor: more && last ? cursor.encode({ receivedAt: last.cursorAt, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<InboundMessage> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('inbound message', id);
    return toInboundMessage(row, await this.repo.attachmentsOf([row]));
  }

  /** Staff file a waiting mail into an inquiry: the inquirer's message there, files and all. */
  async assign(id: string, inquiryId: string, expected: ExpectedVersion): Promise<InboundMessage> {
    if (!(await this.inquiries.exists(inquiryId))) {
      throw new AppError('validation-error', `inquiry ${inquiryId} does not exist`, {
        errors: [
          { in: 'body', field: 'inquiryId', message: 'is not an inquiry', code: 'not_found' },
        ],
      });
    }
    const principal = requestContext.principal();
    const staff = principal.kind === 'staff' ? principal.sub : null;
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('inbound message', id);
      checkVersion(current.version, expected, 'inbound message');
      if (current.state !== 'pending') {
        throw new AppError('conflict', `this mail was already ${current.state}`);
      }
      const messageId = await this.inquiries.addInquirerMessage(
        inquiryId,
        {
          body: current.body,
          channel: 'email',
          messageId: current.messageId,
          inReplyTo: current.inReplyTo,
        },
        [],
        trx,
        { filedByStaff: true },
      );
      const row = await this.repo.markAssigned(trx, id, inquiryId, messageId, staff);
      await this.audit.record(trx, {
        entity: 'inbound-message',
        entityId: id,
        action: 'assign',
        before: { state: current.state, inquiryId: current.inquiryId },
        after: { state: row.state, inquiryId },
      });
      return toInboundMessage(row, await this.repo.attachmentsOfMessage(messageId, trx));
    });
  }

  /** Staff set a waiting mail aside (spam, an auto-reply): kept and listed as discarded. */
  async discard(id: string, expected: ExpectedVersion): Promise<InboundMessage> {
    const principal = requestContext.principal();
    const staff = principal.kind === 'staff' ? principal.sub : null;
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('inbound message', id);
      checkVersion(current.version, expected, 'inbound message');
      if (current.state !== 'pending') {
        throw new AppError('conflict', `this mail was already ${current.state}`);
      }
      const row = await this.repo.markDiscarded(trx, id, staff);
      await this.audit.record(trx, {
        entity: 'inbound-message',
        entityId: id,
        action: 'discard',
        before: { state: current.state },
        after: { state: row.state },
      });
      return toInboundMessage(row, await this.repo.attachmentsOf([row], trx));
    });
  }
}
