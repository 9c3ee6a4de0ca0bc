import { type DynamicModule, Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryRepository } from './deliveries.repository';
import { NotificationsProcessor } from './notifications.processor';

/** Deliveries for admins always; the queue's processor only where this process works it. */
@Module({})
export class NotificationsModule {
  static register(options: { process: boolean }): DynamicModule {
    return {
      module: NotificationsModule,
      controllers: [DeliveriesController],
      providers: [DeliveryRepository, ...(options.process ? [NotificationsProcessor] : [])],
    };
  }
}
