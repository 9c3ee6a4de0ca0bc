import type { DynamicModule } from '@nestjs/common';
import { PlatformModule, type PlatformOptions } from '@sp/platform';
import { configSchema } from './config';
import { NotificationsModule } from './notifications/notifications.module';
import { ReportsModule } from './reports/reports.module';
import { WorkerRuntimeModule } from './runtime/runtime.module';

export const SERVICE = 'worker';

export const description = {
  title: 'Worker',
  description:
    'Runs the queues named in WORKER_QUEUES (notifications, reports); this HTTP port serves the reports API (request, progress, download), its health, metrics, the deliveries list and the queue dashboard (/queues).',
};

/**
 * The worker: BullMQ processors for the queues in WORKER_QUEUES (it sends notifications and
 * builds reports; a service's own scheduled work runs in that service), the schedules of those
 * queues, and a small ops HTTP server. Unlike the HTTP services it is ready only while Redis
 * answers: without Redis it can take no job. With QUEUES_ENABLED=false (tests of the HTTP side) no queue is touched.
 */
export function appModule(options: Omit<PlatformOptions, 'service'>): DynamicModule {
  // The worker's own settings get their defaults when a caller passes only the platform's.
  const config = configSchema.parse(options.config);
  const works = (queue: 'notifications' | 'reports') =>
    config.QUEUES_ENABLED && config.WORKER_QUEUES.includes(queue);
  return {
    module: class WorkerAppModule {},
    imports: [
      PlatformModule.forRoot({
        ...options,
        config,
        service: SERVICE,
        redisRequired: true,
        // What admins change through the queue dashboard (GET /audit).
        auditSchema: 'notifications',
      }),
      ...(config.QUEUES_ENABLED ? [WorkerRuntimeModule.forRoot()] : []),
      NotificationsModule.register(config, { process: works('notifications') }),
      ReportsModule.register(config, { process: works('reports') }),
    ],
  };
}
