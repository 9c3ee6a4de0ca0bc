import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type OnApplicationBootstrap } from '@nestjs/common';
import { queueNames, takeJob } from '@sp/queue';
import type { Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { QueueMetrics } from '../queues/queue-metrics';

export type ScheduledOutcome = { outcome: 'nothing-to-do'; reason: string };

/**
 * Works the `reports` queue. For now it runs the scheduled reports, which have nothing to
 * build until the reports issue gives them their views: they run, say so and complete, so the
 * schedule is live and visible in the dashboard from day one.
 */
@Processor(queueNames.reports, { autorun: false, concurrency: 2, drainDelay: 1 })
export class ReportsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: QueueMetrics,
    private readonly logger: PinoLogger,
  ) {
    super();
    logger.setContext(ReportsProcessor.name);
  }

  onApplicationBootstrap(): void {
    this.metrics.watch(this.worker);
    this.worker.on('error', () => undefined); // Redis trouble: BullMQ reconnects
    this.worker.run().catch((error: unknown) => {
      this.logger.error({ err: error }, 'reports worker stopped');
    });
  }

  process(job: Job): Promise<ScheduledOutcome> {
    const taken = takeJob(queueNames.reports, job);
    const reason = `${taken.name}: no report views yet (filled in by the reports issue)`;
    this.logger.info({ jobId: job.id }, reason);
    return Promise.resolve({ outcome: 'nothing-to-do', reason });
  }
}
