import { WorkerHost } from '@nestjs/bullmq';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import { type JobHandlers, jobs, queueNames, runJob } from '@sp/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { isFinalFailure } from '../runtime/job-failure';
import { startProcessor, stopProcessor } from '../runtime/processor-lifecycle';
import { QueueMetrics } from '../runtime/queue-metrics';
import { type BuildOutcome, ReportsBuilder } from './reports.builder';
import { ReportsService } from './reports.service';

export type ReportsOutcome =
  | BuildOutcome
  | { outcome: 'scheduled'; runs: { id: string; periodKey: string | null; kind: string }[] }
  | { outcome: 'pruned'; runs: number };

/**
 * Works the `reports` queue: builds runs (`report.build`, relayed from the reports outbox),
 * makes the scheduled runs (each once per period, whichever worker and however often the
 * schedule fires: the period's unique index decides) and prunes old runs with their files.
 */
@Injectable()
export class ReportsProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly builder: ReportsBuilder,
    private readonly reports: ReportsService,
    private readonly metrics: QueueMetrics,
    private readonly logger: PinoLogger,
  ) {
    super();
    logger.setContext(ReportsProcessor.name);
  }

  onApplicationBootstrap(): void {
    // A build's job the queue gives up on (stalled more than REPORTS_MAX_STALLS, or its last
    // attempt failed) fails its run too, so it does not stay `running` for good. BullMQ says so
    // on the worker that noticed: the stall checker's, not the one that died.
    this.worker.on('failed', (job, error) => {
      if (job?.name !== 'report.build' || !isFinalFailure(job, error)) return;
      const data = jobs['report.build'].schema.safeParse(job.data);
      if (!data.success) return; // refused before it ran: no run was taken
      const { runId } = data.data;
      this.builder
        .abandon(runId, `the build was given up: ${error.message}`)
        .catch((cause: unknown) =>
          this.logger.error({ err: cause, runId }, 'could not record a given-up build'),
        );
    });
    startProcessor(this, this.metrics, this.logger);
    // Runs a worker that crashed left behind are failed now, not at the next daily retention.
    this.reports
      .abandonStale()
      .then((n) => n > 0 && this.logger.warn({ runs: n }, 'failed runs no build was working on'))
      .catch((error: unknown) =>
        this.logger.error({ err: error }, 'could not look for runs no build is working on'),
      );
  }

  /** One handler per job of the queue: a report added to `jobs` without one does not compile. */
  private readonly handlers = {
    'report.build': ({ runId }, job) => this.build(runId, job),
    'reports.monthly-digest': async () => scheduled(await this.reports.scheduleDigest(new Date())),
    'reports.fiscal-year': async () => scheduled(await this.reports.scheduleFiscalYear(new Date())),
    'reports.retention': async () => ({
      outcome: 'pruned' as const,
      runs: await this.reports.prune(new Date()),
    }),
  } satisfies JobHandlers<typeof queueNames.reports, ReportsOutcome>;

  process(job: Job, token?: string): Promise<ReportsOutcome> {
    return runJob(queueNames.reports, this.handlers, job, token);
  }

  private async build(runId: string, job: Job): Promise<BuildOutcome> {
    const outcome = await this.builder.build(runId, ({ percent, rowsWritten }) => {
      job.updateProgress({ percent, rowsWritten }).catch(() => undefined);
    });
    // A failed build is recorded on its run with its reason; retrying would fail alike.
    if (outcome.outcome === 'failed') throw new UnrecoverableError(outcome.reason);
    return outcome;
  }

  beforeApplicationShutdown(): Promise<void> {
    return stopProcessor(this, this.config, this.logger);
  }
}

const scheduled = (runs: { id: string; periodKey: string | null; kind: string }[]) => ({
  outcome: 'scheduled' as const,
  runs: runs.map(({ id, periodKey, kind }) => ({ id, periodKey, kind })),
});
