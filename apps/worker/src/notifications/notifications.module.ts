import { Processor } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { queueNames } from '@sp/queue';
import type { WorkerConfig } from '../config';
import { processorOptions } from '../runtime/processor-lifecycle';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';
import { NotificationsProcessor } from './notifications.processor';
import { DeliveryRetention } from './retention';

/**
 * Deliveries for admins always; the queue's processor, and the pruning of old deliveries, only
 * where this process works the queue.
 */
@Module({})
export class NotificationsModule {
  static register(config: WorkerConfig, options: { process: boolean }): DynamicModule {
    @Processor(
      queueNames.notifications,
      processorOptions(config, { concurrency: config.NOTIFICATIONS_CONCURRENCY }),
    )
    class ConfiguredNotificationsProcessor extends NotificationsProcessor {}
    const processor = {
      provide: NotificationsProcessor,
      useClass: ConfiguredNotificationsProcessor,
    };
    return {
      module: NotificationsModule,
      controllers: [DeliveriesController],
      providers: [
        DeliveriesRepository,
        DeliveriesService,
        ...(options.process ? [processor, DeliveryRetention] : []),
      ],
    };
  }
}
