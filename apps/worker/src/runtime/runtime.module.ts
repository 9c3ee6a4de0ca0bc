import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type BaseConfig } from '@sp/platform';
import { defaultJobOptions, queueNames, redisOptions } from '@sp/queue';
import type { Queue } from 'bullmq';
import { Dashboard } from './dashboard';
import { DashboardAudit } from './dashboard-audit';
import { QueueMetrics } from './queue-metrics';
import { WorkerSchedules } from './worker-schedules';
import { ALL_QUEUES } from './tokens';

const names = Object.values(queueNames);

/**
 * The worker's runtime around its processors, through `@nestjs/bullmq`: the connection and key
 * prefix from the config, every queue of the system registered (processors take the ones in
 * WORKER_QUEUES; metrics and the dashboard see them all, the services' own job queues too),
 * the schedules of the worker's queues, and the dashboard with its audit. Global, so a
 * processor's module needs no import of its own.
 */
@Module({})
export class WorkerRuntimeModule {
  static forRoot(): DynamicModule {
    const queues = BullModule.registerQueue(...names.map((name) => ({ name })));
    return {
      module: WorkerRuntimeModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: BaseConfig) => ({
            connection: redisOptions(config.REDIS_URL),
            prefix: config.BULLMQ_PREFIX,
            defaultJobOptions,
          }),
        }),
        queues,
      ],
      providers: [
        {
          provide: ALL_QUEUES,
          inject: names.map((name) => getQueueToken(name)),
          useFactory: (...all: Queue[]) => all,
        },
        QueueMetrics,
        WorkerSchedules,
        DashboardAudit,
        Dashboard,
      ],
      exports: [queues, ALL_QUEUES, QueueMetrics, WorkerSchedules],
    };
  }
}
