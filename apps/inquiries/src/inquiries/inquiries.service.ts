import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { APP_CONFIG, AppError, AuditLog, Gate } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  InquiryChannel,
  InquiryForm,
  InquiryReceipt,
  InquiryStatus,
  InquirySubmit,
} from '@sp/types';
import type { Transaction } from 'kysely';
import {
  AttachmentsService,
  type IncomingFile,
  type StoredFile,
} from '../attachments/attachments.service';
import type { InquiriesConfig } from '../config';
import { SlaService } from '../sla/sla.service';
import { yearInTokyo } from '@sp/platform';
import { inquiryForm } from './category-form';
import { INQUIRY_FULL, stateAfterInquirerMessage } from './inquirer-message';
import { referenceInSubject } from './inquiry-reference';
import {
  toInquiryAudit,
  toInquiryStatus,
  toInquirySnapshot,
  toMessageAdded,
} from './inquiries.mapper';
import {
  type InquiryRow,
  InquiriesRepository,
  isClientKeyClash,
  type MessageRow,
} from './inquiries.repository';
import {
  hashClientKey,
  hashStatusToken,
  newStatusToken,
  sealStatusToken,
  unsealStatusToken,
} from './status-token';

/** A size as people read it: `100 MB`, `25 KB`. */
const sizeText = (bytes: number): string =>
  bytes >= 2 ** 20 ? `${Math.floor(bytes / 2 ** 20)} MB` : `${Math.ceil(bytes / 1024)} KB`;

/** A submission's Idempotency-Key: the key, its hash, and a digest of what was asked. */
type ClientKey = { key: string; hash: string; request: string };

/**
 * What a submission asks, as one digest: its fields, the partner it comes from, and each
 * file's name and bytes. The same request again has the same digest.
 */
function submissionDigest(
  input: InquirySubmit,
  files: IncomingFile[],
  partnerId: string | null,
): string {
  const digest = createHash('sha256').update(JSON.stringify([input, partnerId]));
  for (const file of files)
    digest.update(
      JSON.stringify([file.filename, createHash('sha256').update(file.data).digest('hex')]),
    );
  return digest.digest('base64url');
}

/** An inquirer's message arriving by the status page or by mail. */
export type InquirerMessage = {
  body: string;
  channel: Extract<InquiryChannel, 'status-page' | 'email'>;
  /** The mail's Message-ID and In-Reply-To (mail only). */
  messageId?: string | null;
  inReplyTo?: string | null;
};

/** A mail's threading headers, sender and subject: what `findForMail` matches on. */
export type MailKeys = { messageIds: string[]; subject: string; from: string };

/** Merges followed from a duplicate to the inquiry it lives on in (a chain is short: merged ones are closed). */
const MERGE_HOPS = 10;

/**
 * The public side of inquiries: submission (reference, status token, acknowledgement), the
 * inquirer's status page and follow-ups. Files are checked and stored before the transaction
 * and removed if it fails; rows, audit, events and the acknowledgement mail commit together.
 */
@Injectable()
export class InquiriesService {
  constructor(
    private readonly repo: InquiriesRepository,
    private readonly attachments: AttachmentsService,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: InquiriesConfig,
    private readonly sla: SlaService,
  ) {
    this.gate = new Gate(config.INQUIRY_SUBMIT_CONCURRENCY);
  }

  /** Submissions queue here in a burst, not for a database connection. */
  private readonly gate: Gate;

  /** Drawn once from the category schemas: it changes only with a deploy. */
  private cachedForm: InquiryForm | undefined;

  form(): InquiryForm {
    return (this.cachedForm ??= inquiryForm(this.attachments.limits));
  }

  /** Attachment limits, for reading a multipart body. */
  get attachmentLimits(): InquiryForm['attachments'] {
    return this.attachments.limits;
  }

  private mailId(kind: string, id: string): string {
    return `<${kind}.${id}@${this.config.INQUIRY_MAIL_DOMAIN}>`;
  }

  private statusUrl(token: string): string {
    return `${this.config.STATUS_PAGE_URL}${token}`;
  }

  /**
   * Takes a submission. With an `Idempotency-Key` (`clientKey`), the same request sent again
   * (a double click, a retry after a timeout) answers with the first one's receipt, writing
   * and mailing nothing (`replayed`); the key with another request is a 409.
   */
  async submit(
    input: InquirySubmit,
    files: IncomingFile[],
    partnerId: string | null,
    clientKey?: string,
  ): Promise<{ receipt: InquiryReceipt; replayed: boolean }> {
    // The honeypot: a hidden field only a bot fills in. Refused before anything is stored.
    if (input.website) {
      throw new AppError('validation-error', 'the submission was refused', {
        errors: [{ in: 'body', field: 'website', message: 'must be left empty', code: 'honeypot' }],
      });
    }
    const keyed =
      clientKey === undefined
        ? undefined
        : {
            key: clientKey,
            hash: hashClientKey(clientKey),
            request: submissionDigest(input, files, partnerId),
          };
    if (keyed) {
      const earlier = await this.replay(keyed);
      if (earlier) return { receipt: earlier, replayed: true };
    }
    try {
      return {
        receipt: await this.insertSubmission(input, files, partnerId, keyed),
        replayed: false,
      };
    } catch (error) {
      if (keyed && isClientKeyClash(error)) {
        const earlier = await this.replay(keyed);
        if (earlier) return { receipt: earlier, replayed: true };
      }
      throw error;
    }
  }

  /**
   * The receipt of the inquiry an earlier submission with this key made (undefined: none);
   * a 409 when that submission asked something else.
   */
  private async replay(keyed: ClientKey): Promise<InquiryReceipt | undefined> {
    const row = await this.repo.findByClientKeyHash(keyed.hash);
    if (!row || row.statusTokenSealed === null) return undefined;
    if (row.clientRequest !== keyed.request)
      throw new AppError(
        'conflict',
        'this Idempotency-Key was sent with another submission: use a new key for a new inquiry',
      );
    return this.receiptOf(row, unsealStatusToken(row.statusTokenSealed, keyed.key));
  }

  /** What the inquirer is given for an inquiry: its reference, state and status link. */
  private receiptOf(row: InquiryRow, token: string): InquiryReceipt {
    return {
      reference: row.reference,
      state: row.state,
      statusToken: token,
      statusUrl: this.statusUrl(token),
      createdAt: row.createdAt.toISOString(),
    };
  }

  private async insertSubmission(
    input: InquirySubmit,
    files: IncomingFile[],
    partnerId: string | null,
    keyed: ClientKey | undefined,
  ): Promise<InquiryReceipt> {
    const stored = await this.attachments.accept(files);
    const { token, hash } = newStatusToken();
    const id = randomUUID();
    const ackId = this.mailId('ack', id);
    try {
      return await this.gate.run(() =>
        this.repo.transaction(async (trx) => {
          // The thread first (its foreign key to the inquiry is checked at commit), so the
          // reference counter is locked only for the last few statements.
          const message = await this.insertMessage(
            trx,
            id,
            { body: input.message, channel: 'form' },
            stored,
          );
          await this.repo.recordOutgoingMail(trx, id, ackId, 'acknowledgement');
          const row = await this.repo.insertNumbered(trx, yearInTokyo(), {
            id,
            category: input.category,
            name: input.name,
            email: input.email,
            organisation: input.organisation ?? null,
            country: input.country ?? null,
            language: input.language,
            subject: input.subject,
            categoryFields: JSON.stringify(input.fields),
            partnerId,
            statusTokenHash: hash,
            clientKeyHash: keyed?.hash ?? null,
            clientRequest: keyed?.request ?? null,
            statusTokenSealed: keyed ? sealStatusToken(token, keyed.key) : null,
            // The SLA clocks start now: due times in business hours by the category's targets.
            ...this.sla.dueTimes(this.sla.now(), input.category),
          });
          await this.audit.record(trx, {
            entity: 'inquiry',
            entityId: row.id,
            action: 'create',
            after: toInquiryAudit(row),
          });
          await writeOutbox(
            trx,
            'inquiries',
            { name: 'inquiry.created', payload: toInquirySnapshot(row) },
            { name: 'inquiry.message-added', payload: toMessageAdded(row, message, stored.length) },
            {
              name: 'email.send',
              payload: {
                template: 'inquiry-received',
                locale: row.language,
                to: [row.email],
                data: {
                  name: row.name,
                  reference: row.reference,
                  statusUrl: this.statusUrl(token),
                },
                idempotencyKey: `inquiry-received:${row.id}`,
                messageId: ackId,
                ...(this.config.INQUIRY_REPLY_TO ? { replyTo: this.config.INQUIRY_REPLY_TO } : {}),
              },
            },
          );
          return this.receiptOf(row, token);
        }),
      );
    } catch (error) {
      await this.attachments.discard(stored);
      throw error;
    }
  }

  /**
   * The inquiry a status link stands for: the one it was made for, or, once that one was
   * merged as a duplicate, the inquiry it was merged into (its thread moved there, and a merge
   * joins one inquirer's inquiries only), with the reference the link was made for.
   */
  private async findByToken(
    token: string,
  ): Promise<{ row: InquiryRow; mergedFrom: string | null }> {
    const own = await this.repo.findByTokenHash(hashStatusToken(token));
    // The same answer for a token that never existed: nothing to learn by guessing.
    if (!own) throw new AppError('not-found', 'no inquiry has this status link');
    const row = await this.followMerges(own);
    if (!row || row.mergedIntoId) return { row: own, mergedFrom: null };
    return { row, mergedFrom: row === own ? null : own.reference };
  }

  async status(token: string): Promise<InquiryStatus> {
    const { row, mergedFrom } = await this.findByToken(token);
    const messages = await this.repo.publicMessages(row.id);
    const attachments = await this.repo.attachmentsOf(messages.map((m) => m.id));
    return toInquiryStatus(row, messages, attachments, mergedFrom);
  }

  /** A follow-up from the status page; a resolved inquiry reopens. */
  async followUp(token: string, body: string, files: IncomingFile[]): Promise<InquiryStatus> {
    const { row } = await this.findByToken(token);
    stateAfterInquirerMessage(row.state); // a closed inquiry: 409 before any file is stored
    await this.addInquirerMessage(row.id, { body, channel: 'status-page' }, files);
    return this.status(token);
  }

  /** An attachment of the public thread, for download only. */
  async publicAttachment(
    token: string,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; size: number; stream: Readable }> {
    const { row } = await this.findByToken(token);
    const attachment = await this.repo.publicAttachment(row.id, attachmentId);
    if (!attachment) throw AppError.notFound('attachment', attachmentId);
    return { ...attachment, stream: await this.attachments.open(attachment.storageKey) };
  }

  /**
   * An inquiry holds at most INQUIRY_MAX_FOLLOW_UPS messages from the inquirer after the first,
   * and INQUIRY_MAX_ATTACHMENT_BYTES of the inquirer's files (staff's do not count): without a
   * limit, anyone with its status link could grow one thread (read whole by staff and the status
   * page) and the disk for ever. An inquiry that does not exist is left to the caller.
   */
  private async checkRoom(inquiryId: string, adding: number, t?: Transaction<DB>) {
    const holds = await this.repo.holds(inquiryId, t);
    if (!holds) return;
    const followUps = holds.messages - 1;
    const full =
      followUps >= this.config.INQUIRY_MAX_FOLLOW_UPS
        ? `it has taken the ${this.config.INQUIRY_MAX_FOLLOW_UPS} follow-up messages one inquiry may have`
        : holds.bytes + adding > this.config.INQUIRY_MAX_ATTACHMENT_BYTES
          ? `its attachments would pass the ${sizeText(this.config.INQUIRY_MAX_ATTACHMENT_BYTES)} one inquiry may hold`
          : undefined;
    if (full)
      throw new AppError(
        'conflict',
        `inquiry ${holds.reference} takes no more: ${full}. Please send a new inquiry, quoting ${holds.reference}.`,
        { extra: { reason: INQUIRY_FULL } },
      );
  }

  /**
   * Adds the inquirer's message (checking and storing its files first) and reopens a resolved
   * inquiry, in `trx` when given (the caller's transaction) or a new one. Returns the message's id.
   */
  async addInquirerMessage(
    inquiryId: string,
    message: InquirerMessage,
    files: IncomingFile[],
    trx?: Transaction<DB>,
    { filedByStaff = false }: { filedByStaff?: boolean } = {},
  ): Promise<string> {
    const adding = files.reduce((sum, f) => sum + f.data.length, 0);
    // A first look before a file is stored: a full inquiry costs no writes. The check under
    // the lock below is the one that counts.
    if (!filedByStaff) await this.checkRoom(inquiryId, adding);
    const stored = await this.attachments.accept(files);
    const work = async (t: Transaction<DB>) => {
      const current = await this.repo.findByIdForUpdate(t, inquiryId);
      if (!current) throw AppError.notFound('inquiry', inquiryId);
      const next = stateAfterInquirerMessage(current.state);
      // Checked under the inquiry's lock, so messages added at once cannot pass it together.
      // Staff filing a mail from the review list decide for themselves (it may be there because
      // the inquiry is full).
      if (!filedByStaff)
        await this.checkRoom(
          inquiryId,
          stored.reduce((sum, f) => sum + f.size, 0),
          t,
        );
      const row = await this.repo.touch(t, inquiryId, next);
      // Reopened: the resolution clock runs again.
      if (current.state === 'resolved' && next !== current.state)
        await this.sla.reopened(t, inquiryId);
      if (next !== current.state) {
        await this.audit.record(t, {
          entity: 'inquiry',
          entityId: inquiryId,
          action: 'reopen',
          before: { state: current.state },
          after: { state: next },
        });
        await writeOutbox(t, 'inquiries', {
          name: 'inquiry.state-changed',
          payload: { ...toInquirySnapshot(row), previousState: current.state },
        });
      }
      const added = await this.insertMessage(t, inquiryId, message, stored);
      await writeOutbox(t, 'inquiries', {
        name: 'inquiry.message-added',
        payload: toMessageAdded(row, added, stored.length),
      });
      return added.id;
    };
    try {
      return trx ? await work(trx) : await this.repo.transaction(work);
    } catch (error) {
      await this.attachments.discard(stored);
      throw error;
    }
  }

  private async insertMessage(
    trx: Transaction<DB>,
    inquiryId: string,
    message: {
      body: string;
      channel: InquiryChannel;
      messageId?: string | null;
      inReplyTo?: string | null;
    },
    files: StoredFile[],
  ): Promise<MessageRow> {
    const row = await this.repo.insertMessage(trx, {
      inquiryId,
      authorKind: 'inquirer',
      authorId: null,
      visibility: 'public',
      channel: message.channel,
      body: message.body,
      messageId: message.messageId ?? null,
      inReplyTo: message.inReplyTo ?? null,
    });
    await this.repo.insertAttachments(trx, row.id, files);
    return row;
  }

  /**
   * The inquiry a mail belongs to: by its In-Reply-To/References (a mail we sent, or a message
   * already in a thread), or else by the reference in its subject — then only when its From is
   * the inquirer's address, so a mistyped reference lands nowhere. From is a header a sender
   * can forge: this keeps mistakes out, not a determined forger (README, Replies by mail).
   * Ids of two inquiries' threads in one mail match neither.
   */
  async findForMail(keys: MailKeys): Promise<{ id: string; state: InquiryRow['state'] } | null> {
    const byHeader = await this.repo.findByMessageIds(keys.messageIds);
    // Ids of two inquiries' threads in one mail: someone planted one; staff decide.
    if (byHeader.length > 1) return null;
    if (byHeader[0]) return { id: byHeader[0].id, state: byHeader[0].state };
    const reference = referenceInSubject(keys.subject);
    if (!reference) return null;
    const found = await this.repo.findByReference(reference);
    if (!found || found.email.toLowerCase() !== keys.from.toLowerCase()) return null;
    // A duplicate merged into another inquiry (of the same address): its mail lands there, as a
    // reply to its moved thread does.
    const row = await this.followMerges(found);
    return row ? { id: row.id, state: row.state } : null;
  }

  /**
   * The inquiry `row` lives on in: itself, or the one it was merged into, and so on for at most
   * MERGE_HOPS merges (still merged past that). Undefined if a link leads nowhere.
   */
  private async followMerges(row: InquiryRow): Promise<InquiryRow | undefined> {
    let current: InquiryRow | undefined = row;
    for (let hops = 0; current?.mergedIntoId && hops < MERGE_HOPS; hops++)
      current = await this.repo.findById(current.mergedIntoId);
    return current;
  }

  /** Whether a mail with this Message-ID is already in a thread (delivered twice), or is one we sent. */
  hasMessage(messageId: string): Promise<boolean> {
    return this.repo.hasMessageId(messageId);
  }

  /** Whether an inquiry exists (for staff filing a mail into it). */
  async exists(id: string): Promise<boolean> {
    return (await this.repo.findById(id)) !== undefined;
  }
}
