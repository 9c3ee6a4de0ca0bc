import { WorkerHost } from '@nestjs/bullmq';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import { type JobHandlers, queueNames, runJob, type ScheduledOutcome } from '@sp/queue';
import type { Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { startProcessor, stopProcessor } from '../runtime/processor-lifecycle';
import { QueueMetrics } from '../runtime/queue-metrics';

/**
 * Works the `reports` queue. For now it runs the scheduled reports, which have nothing to
 * build until the reports issue gives them their views: they run, say so and complete, so the
 * schedule is live and visible in the dashboard from day one.
 */
@Injectable()
export class ReportsProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly metrics: QueueMetrics,
    private readonly logger: PinoLogger,
  ) {
    super();
    logger.setContext(ReportsProcessor.name);
  }

  onApplicationBootstrap(): void {
    startProcessor(this, this.metrics, this.logger);
  }

  /** One handler per job of the queue: a report added to `jobs` without one does not compile. */
  private readonly handlers = {
    'reports.monthly-digest': (_data, job) => this.noViewsYet('reports.monthly-digest', job),
    'reports.fiscal-year': (_data, job) => this.noViewsYet('reports.fiscal-year', job),
  } satisfies JobHandlers<typeof queueNames.reports, ScheduledOutcome>;

  process(job: Job): Promise<ScheduledOutcome> {
    return runJob(queueNames.reports, this.handlers, job);
  }

  private noViewsYet(name: string, job: Job): Promise<ScheduledOutcome> {
    const reason = `${name}: no report views yet (filled in by the reports issue)`;
    this.logger.info({ jobId: job.id }, reason);
    return Promise.resolve({ outcome: 'nothing-to-do', reason });
  }

  beforeApplicationShutdown(): Promise<void> {
    return stopProcessor(this, this.config, this.logger);
  }
}
