import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryRepository } from './deliveries.repository';
import { NotificationsProcessor } from './notifications.processor';

@Module({
  controllers: [DeliveriesController],
  providers: [DeliveryRepository, NotificationsProcessor],
})
export class NotificationsModule {}
