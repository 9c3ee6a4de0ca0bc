import { Injectable } from '@nestjs/common';
import { CursorCodec } from '@sp/platform';
import { messageIdOf } from '@sp/queue';
import type { Delivery, DeliveryList, DeliveryQuery } from '@sp/types';
import { z } from 'zod';
import { uuid } from '@sp/types';
import { DeliveriesRepository, type DeliveryRow } from './deliveries.repository';

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  idempotencyKey: r.idempotencyKey,
  template: r.template,
  locale: r.locale,
  recipients: r.recipients,
  status: r.status,
  attempts: r.attempts,
  messageId: messageIdOf(r.id),
  providerMessageId: r.providerMessageId,
  lastError: r.lastError,
  jobId: r.jobId,
  createdAt: r.createdAt.toISOString(),
  sentAt: r.sentAt?.toISOString() ?? null,
});

/** Deliveries as admins see them: pages of the list, each row mapped to its contract. */
@Injectable()
export class DeliveriesService {
  constructor(private readonly deliveries: DeliveriesRepository) {}

  /** A page of deliveries, newest first, and the cursor of the next page if there is one. */
  async list(query: DeliveryQuery): Promise<DeliveryList> {
    const after = query.cursor === undefined ? undefined : cursors.decode(query.cursor);
    const rows = await this.deliveries.list(query, after);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toDelivery),
      nextCursor:
        rows.length > query.limit && last
          ? cursors.encode({ at: last.cursorAt, id: last.id })
          : null,
    };
  }
}

/** `created_at::text` as Postgres writes it, e.g. `2026-11-25 00:48:39.569123+00`. */
const pgTimestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const cursors = new CursorCodec(
  z.object({ at: z.string().regex(pgTimestamp), id: uuid() }).strict(),
);
