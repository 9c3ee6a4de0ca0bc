import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import {
  AppError,
  APP_CONFIG,
  AuditLog,
  actorOf,
  checkVersion,
  type ExpectedVersion,
  requestContext,
} from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  DeskMessageCreate,
  InquiryDetail,
  InquiryListQuery,
  InquiryPage,
  InquiryState,
  InquiryUpdate,
} from '@sp/types';
import type { Transaction, Updateable } from 'kysely';
import { CannedResponsesService } from '../canned-responses/canned-responses.service';
import type { InquiriesConfig } from '../config';
import { SlaService } from '../sla/sla.service';
import { decodeListCursor, encodeListCursor } from './desk-cursor';
import { type InquiryRow, DeskRepository } from './desk.repository';
import { toInquiryDetail, toInquiryEventSnapshot, toInquirySummary } from './desk.mapper';
import { checkOpenForChanges, checkStateChange } from './inquiry-state';

const unknownLink = (field: 'partnerId' | 'into', message: string) =>
  new AppError('validation-error', `invalid body: ${field}`, {
    errors: [{ in: 'body', field, message, code: 'not_found' }],
  });

/**
 * The desk: staff read the whole thread (internal notes included), assign, move the state
 * (guarded by `inquiry-state.ts`), reply (mailed through the outbox in the inquirer's
 * language, threaded by Message-ID) or note (never mailed), link a partner or a symposium, and
 * merge duplicates. Every change takes `If-Match`, is audited and published on
 * `inquiry-events` in its transaction.
 */
@Injectable()
export class DeskService {
  constructor(
    private readonly repo: DeskRepository,
    private readonly sla: SlaService,
    private readonly canned: CannedResponsesService,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: InquiriesConfig,
  ) {}

  async list(query: InquiryListQuery): Promise<InquiryPage> {
    const cursor = query.cursor ? decodeListCursor(query.cursor) : undefined;
    const now = this.sla.now();
    const { rows, more } = await this.repo.list(query, cursor, now);
    const last = rows.at(-1);
    return {
      items: rows.map((row) => toInquirySummary(row, now)),
      nextCursor:
        more && last ? encodeListCursor({ createdAt: last.sortValue, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<InquiryDetail> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('inquiry', id);
    return this.detail(row);
  }

  update(id: string, patch: InquiryUpdate, expected: ExpectedVersion): Promise<InquiryDetail> {
    return this.repo.transaction(async (trx) => {
      const current = (await this.repo.lock(trx, [id])).get(id);
      if (!current) throw AppError.notFound('inquiry', id);
      checkVersion(current.version, expected, 'inquiry');
      checkOpenForChanges(current.state, current.reference);
      if (patch.partnerId && !(await this.repo.partner(patch.partnerId, trx)))
        throw unknownLink('partnerId', 'no partner with this id is known to the inquiries service');

      const changes: Updateable<DB['inquiries.inquiry']> = {};
      if (patch.assignee !== undefined) {
        changes.assignee = patch.assignee;
        // The address goes with the assignee: a new one without it is alerted through the group.
        const kept = patch.assignee === current.assignee ? current.assigneeEmail : null;
        // An explicit null clears the address; only an absent one keeps it.
        changes.assigneeEmail =
          patch.assignee === null
            ? null
            : patch.assigneeEmail !== undefined
              ? patch.assigneeEmail
              : kept;
      } else if (patch.assigneeEmail !== undefined) changes.assigneeEmail = patch.assigneeEmail;
      if (patch.partnerId !== undefined) changes.partnerId = patch.partnerId;
      if (patch.symposiumId !== undefined) changes.symposiumId = patch.symposiumId;
      if (patch.category !== undefined && patch.category !== current.category) {
        changes.category = patch.category;
        Object.assign(changes, this.sla.dueTimes(current.createdAt, patch.category));
      }
      if (patch.state !== undefined && patch.state !== current.state) {
        checkStateChange(current.state, patch.state);
        Object.assign(changes, this.stateChanges(current.state, patch.state));
      }
      const row = await this.repo.update(trx, id, changes);
      await this.audit.record(trx, {
        entity: 'inquiry',
        entityId: id,
        action: this.actionOf(current, row),
        before: toInquirySummary(current, this.sla.now()),
        after: toInquirySummary(row, this.sla.now()),
      });
      await this.publishChange(trx, current, row);
      return this.detail(row, trx);
    });
  }

  /**
   * A public reply (mailed to the inquirer in their language, `inquiry-reply`, with a new
   * Message-ID stored for threading, `In-Reply-To` the inquirer's last mail or our last one,
   * `References` the whole thread) or an internal note (never mailed, never public). The first
   * public reply stamps `first_response_at`; a reply to a new inquiry opens it.
   */
  addMessage(
    id: string,
    input: DeskMessageCreate,
    clientKey?: string,
  ): Promise<{ inquiry: InquiryDetail; replayed: boolean }> {
    // What was asked, so a key sent again with another request is told apart.
    const clientRequest =
      clientKey === undefined
        ? null
        : createHash('sha256')
            .update(
              JSON.stringify([
                input.visibility,
                input.body ?? null,
                input.cannedResponseId ?? null,
                input.state ?? null,
              ]),
            )
            .digest('base64url');
    return this.repo.transaction(async (trx) => {
      const current = (await this.repo.lock(trx, [id])).get(id);
      if (!current) throw AppError.notFound('inquiry', id);
      // Under the inquiry's lock: a repeat sent at the same time waits here for the first.
      if (clientKey !== undefined) {
        const earlier = await this.repo.findByClientKey(trx, id, clientKey);
        if (earlier) {
          if (earlier.clientRequest !== clientRequest)
            throw new AppError(
              'conflict',
              'this Idempotency-Key was sent with another message on this inquiry; use a new key for a new message',
            );
          return { inquiry: await this.detail(current, trx), replayed: true };
        }
      }
      checkOpenForChanges(current.state, current.reference);
      const body =
        input.body ??
        (await this.canned.textFor(input.cannedResponseId ?? '', current.language, trx));
      const isPublic = input.visibility === 'public';
      // A public reply opens a new inquiry; a state asked for with it is a step from there
      // (a question to the inquirer: `waiting`; an answer that settles it: `resolved`).
      const from: InquiryState = isPublic && current.state === 'new' ? 'open' : current.state;
      const target: InquiryState | undefined =
        input.state ?? (from !== current.state ? from : undefined);
      if (target !== undefined) checkStateChange(from, target);

      const messageId = isPublic ? this.newMessageId() : null;
      const thread = isPublic ? await this.repo.threadMessageIds(trx, id) : undefined;
      const message = await this.repo.insertMessage(trx, {
        inquiryId: id,
        authorKind: 'staff',
        authorId: actorOf(requestContext.principal()).id,
        visibility: input.visibility,
        channel: 'desk',
        body,
        messageId,
        inReplyTo: thread ? (thread.lastInbound ?? thread.sent.at(-1) ?? null) : null,
        clientKey: clientKey ?? null,
        clientRequest,
      });

      const changes: Updateable<DB['inquiries.inquiry']> = {};
      if (target !== undefined && target !== current.state)
        Object.assign(changes, this.stateChanges(current.state, target));
      if (isPublic && current.firstResponseAt === null) changes.firstResponseAt = message.createdAt;
      const row = await this.repo.update(trx, id, changes);

      if (isPublic && messageId && thread) {
        await this.repo.recordMailThread(trx, { messageId, inquiryId: id, kind: 'reply' });
        const inReplyTo = thread.lastInbound ?? thread.sent.at(-1);
        await writeOutbox(trx, 'inquiries', {
          name: 'email.send',
          payload: {
            template: 'inquiry-reply',
            locale: current.language,
            to: [current.email],
            data: { name: current.name, reference: current.reference, body },
            idempotencyKey: `inquiry-reply:${message.id}`,
            messageId,
            ...(inReplyTo ? { inReplyTo } : {}),
            ...(thread.sent.length > 0 ? { references: thread.sent.slice(-50) } : {}),
            ...this.replyTo(),
          },
        });
      }
      await writeOutbox(trx, 'inquiries', {
        name: 'inquiry.message-added',
        payload: {
          inquiryId: id,
          reference: current.reference,
          messageId: message.id,
          authorKind: 'staff',
          visibility: input.visibility,
          channel: 'desk',
          attachments: 0,
          createdAt: message.createdAt.toISOString(),
        },
      });
      await this.publishChange(trx, current, row);
      await this.audit.record(trx, {
        entity: 'inquiry',
        entityId: id,
        action: isPublic ? 'reply' : 'note',
        after: {
          messageId: message.id,
          visibility: input.visibility,
          cannedResponseId: input.cannedResponseId ?? null,
          body,
        },
      });
      // A state moved with the message is audited as a PATCH moving it would be.
      if (row.state !== current.state)
        await this.audit.record(trx, {
          entity: 'inquiry',
          entityId: id,
          action: 'update-state',
          before: toInquirySummary(current, this.sla.now()),
          after: toInquirySummary(row, this.sla.now()),
        });
      return { inquiry: await this.detail(row, trx), replayed: false };
    });
  }

  /**
   * Merges a duplicate into another inquiry of the same inquirer (one e-mail address,
   * whatever its case): its messages and mail ids move there (replies to its mails thread into
   * the other), it is closed with a pointer to the other, and its inquirer is told once
   * (`inquiry-merged`, keyed by the duplicate).
   */
  merge(id: string, into: string, expected: ExpectedVersion): Promise<InquiryDetail> {
    if (id === into) throw unknownLink('into', 'an inquiry cannot be merged into itself');
    return this.repo.transaction(async (trx) => {
      const locked = await this.repo.lock(trx, [id, into]);
      const duplicate = locked.get(id);
      if (!duplicate) throw AppError.notFound('inquiry', id);
      checkVersion(duplicate.version, expected, 'inquiry');
      checkOpenForChanges(duplicate.state, duplicate.reference);
      const target = locked.get(into);
      if (!target) throw unknownLink('into', 'no such inquiry');
      if (target.state === 'closed')
        throw new AppError(
          'conflict',
          `inquiry ${target.reference} is closed: merge into an open one`,
          {
            errors: [{ in: 'body', field: 'into', message: 'is closed', code: 'invalid_state' }],
          },
        );
      // Both threads are shown on one status page after a merge, with their attachments, and
      // either inquirer's later mail lands there: only one person's inquiries may be merged.
      if (duplicate.email.toLowerCase() !== target.email.toLowerCase())
        throw new AppError(
          'conflict',
          `${duplicate.reference} and ${target.reference} are from different people: merging would show each the other's messages; answer each, or link them to the same partner or symposium`,
          {
            errors: [
              {
                in: 'body',
                field: 'into',
                message: 'is from another e-mail address',
                code: 'different_inquirer',
              },
            ],
          },
        );

      await this.repo.moveThread(trx, id, into);
      const closed = await this.repo.update(trx, id, {
        state: 'closed',
        mergedIntoId: into,
      });
      const note = (text: string, inquiryId: string) =>
        this.repo.insertMessage(trx, {
          inquiryId,
          authorKind: 'staff',
          authorId: actorOf(requestContext.principal()).id,
          visibility: 'internal',
          channel: 'desk',
          body: text,
          messageId: null,
          inReplyTo: null,
        });
      await note(
        `Merged ${duplicate.reference} (${duplicate.name} <${duplicate.email}>) into this inquiry.`,
        into,
      );
      await note(`Merged into ${target.reference} as a duplicate.`, id);
      // A reply to either thread now lands on the target. The duplicate's public replies
      // are the target's now: its inquirer was answered when the first of them went, so the
      // target's first response is the earlier one, and a new target is open.
      const answered = [target.firstResponseAt, duplicate.firstResponseAt]
        .filter((at): at is Date => at !== null)
        .sort((a, b) => a.getTime() - b.getTime())[0];
      const targetChanges: Updateable<DB['inquiries.inquiry']> = {};
      if (answered && answered !== target.firstResponseAt) targetChanges.firstResponseAt = answered;
      if (answered && target.state === 'new')
        Object.assign(targetChanges, this.stateChanges('new', 'open'));
      const row = await this.repo.update(trx, into, targetChanges);
      await this.publishChange(trx, target, row);

      await writeOutbox(
        trx,
        'inquiries',
        {
          name: 'email.send',
          payload: {
            template: 'inquiry-merged',
            locale: duplicate.language,
            to: [duplicate.email],
            data: {
              name: duplicate.name,
              reference: duplicate.reference,
              into: target.reference,
            },
            idempotencyKey: `inquiry-merged:${id}`,
            ...this.replyTo(),
          },
        },
        {
          name: 'inquiry.state-changed',
          payload: { ...toInquiryEventSnapshot(closed), previousState: duplicate.state },
        },
        {
          name: 'inquiry.merged',
          payload: {
            inquiryId: id,
            reference: duplicate.reference,
            intoId: into,
            intoReference: target.reference,
          },
        },
      );
      const now = this.sla.now();
      await this.audit.record(trx, {
        entity: 'inquiry',
        entityId: id,
        action: 'merge',
        before: toInquirySummary(duplicate, now),
        after: toInquirySummary(closed, now),
      });
      await this.audit.record(trx, {
        entity: 'inquiry',
        entityId: into,
        action: 'merge-in',
        before: toInquirySummary(target, now),
        after: { ...toInquirySummary(row, now), merged: duplicate.reference },
      });
      return this.detail(row, trx);
    });
  }

  /** Columns a state change sets besides the state: the resolution stamp. */
  private stateChanges(from: InquiryState, to: InquiryState): Updateable<DB['inquiries.inquiry']> {
    if (to === 'resolved') return { state: to, resolvedAt: this.sla.now() };
    // Reopened: the resolution clock runs again (against the due time it had).
    if (from === 'resolved' && to === 'open') return { state: to, resolvedAt: null };
    return { state: to };
  }

  private actionOf(before: InquiryRow, after: InquiryRow): string {
    if (before.state !== after.state) return 'update-state';
    if (before.assignee !== after.assignee) return after.assignee === null ? 'unassign' : 'assign';
    return 'update';
  }

  /** `inquiry.state-changed` when the state moved, `inquiry.updated` for any other change. */
  private async publishChange(
    trx: Transaction<DB>,
    before: InquiryRow,
    after: InquiryRow,
  ): Promise<void> {
    if (before.state !== after.state)
      await writeOutbox(trx, 'inquiries', {
        name: 'inquiry.state-changed',
        payload: { ...toInquiryEventSnapshot(after), previousState: before.state },
      });
    else
      await writeOutbox(trx, 'inquiries', {
        name: 'inquiry.updated',
        payload: toInquiryEventSnapshot(after),
      });
  }

  private newMessageId(): string {
    return `<${randomUUID()}@${this.config.INQUIRY_MAIL_DOMAIN}>`;
  }

  private replyTo(): { replyTo?: string } {
    const address = this.config.INQUIRY_REPLY_TO;
    return address ? { replyTo: address } : {};
  }

  private async detail(row: InquiryRow, trx?: Transaction<DB>): Promise<InquiryDetail> {
    const [messages, breaches, partner, merged] = await Promise.all([
      this.repo.messages(row.id, trx),
      this.sla.breachesOf(row.id, trx),
      row.partnerId ? this.repo.partner(row.partnerId, trx) : Promise.resolve(undefined),
      this.repo.mergedInto(row.id, trx),
    ]);
    const attachments = await this.repo.attachmentsOf(
      messages.map((m) => m.id),
      trx,
    );
    return toInquiryDetail(row, this.sla.now(), {
      messages,
      attachments,
      breaches,
      partner,
      merged,
    });
  }
}
