import type { DynamicModule } from '@nestjs/common';
import { PlatformModule, type PlatformOptions } from '@sp/platform';
import { configSchema } from './config';
import { NotificationsModule } from './notifications/notifications.module';

export const SERVICE = 'worker';

export const description = {
  title: 'Worker',
  description:
    'Runs the queues named in WORKER_QUEUES (notifications, reports); this HTTP port serves its health and metrics.',
};

/**
 * The worker's ops HTTP server. Unlike the HTTP services it is ready only while Redis answers:
 * without Redis it can take no job.
 */
export function appModule(options: Omit<PlatformOptions, 'service'>): DynamicModule {
  return {
    module: class WorkerAppModule {},
    imports: [
      PlatformModule.forRoot({
        ...options,
        // The worker's own settings get their defaults when a caller passes only the platform's.
        config: configSchema.parse(options.config),
        service: SERVICE,
        redisRequired: true,
      }),
      NotificationsModule,
    ],
  };
}
