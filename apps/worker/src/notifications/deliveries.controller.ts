import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CursorCodec, Responds, Roles } from '@sp/platform';
import {
  type DeliveryList,
  deliveryListSchema,
  deliveryQuerySchema,
  type Delivery,
} from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import { DeliveryRepository, type DeliveryRow } from './deliveries.repository';
import { messageIdOf } from './mailer';

class DeliveryQueryDto extends createZodDto(deliveryQuerySchema) {}
class DeliveryListDto extends createZodDto(deliveryListSchema) {}

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

@ApiTags('notifications')
@Controller('notifications')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveryRepository) {}

  /**
   * Messages and their fate, newest first; `status=failed` lists the ones that need a person,
   * `to=` what was sent to one address.
   */
  @Get('deliveries')
  @Roles('admin')
  @Responds(200, DeliveryListDto, 400, 401, 403)
  async list(@Query() query: DeliveryQueryDto): Promise<DeliveryList> {
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
  z.object({ at: z.string().regex(pgTimestamp), id: z.uuid() }).strict(),
);
