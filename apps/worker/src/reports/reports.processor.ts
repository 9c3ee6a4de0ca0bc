import { WorkerHost } from '@nestjs/bullmq';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import { queueNames, takeJob } from '@sp/queue';
import type { Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { QueueMetrics } from '../queues/queue-metrics';
import { type ScheduledOutcome, start, stop } from '../queues/worker-host';

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
    start(this, this.metrics, this.logger);
  }

  process(job: Job): Promise<ScheduledOutcome> {
    const taken = takeJob(queueNames.reports, job);
    const reason = `${taken.name}: no report views yet (filled in by the reports issue)`;
    this.logger.info({ jobId: job.id }, reason);
    return Promise.resolve({ outcome: 'nothing-to-do', reason });
  }

  beforeApplicationShutdown(): Promise<void> {
    return stop(this, this.config, this.logger);
  }
}
