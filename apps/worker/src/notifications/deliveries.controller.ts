import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Responds, Roles } from '@sp/platform';
import {
  type DeliveryList,
  deliveryListSchema,
  deliveryQuerySchema,
  type Delivery,
} from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';
import { DeliveryRepository, type DeliveryRow } from './deliveries.repository';
import { messageIdOf } from './mailer';

class DeliveryQueryDto extends createZodDto(deliveryQuerySchema) {}
class DeliveryListDto extends createZodDto(deliveryListSchema) {}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  idempotencyKey: r.idempotencyKey,
  template: r.template as Delivery['template'],
  locale: r.locale as Delivery['locale'],
  recipients: r.recipients,
  status: r.status as Delivery['status'],
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

  /** Messages and their fate, newest first; `status=failed` lists the ones that need a person. */
  @Get('deliveries')
  @Roles('admin')
  @Responds(200, DeliveryListDto, 401, 403)
  async list(@Query() query: DeliveryQueryDto): Promise<DeliveryList> {
    return { items: (await this.deliveries.list(query)).map(toDelivery) };
  }
}
