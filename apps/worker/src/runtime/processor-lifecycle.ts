import type { WorkerHost } from '@nestjs/bullmq';
import { throttled } from '@sp/platform';
import { closeWorker } from '@sp/queue';
import type { WorkerOptions } from 'bullmq';
import type { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import type { QueueMetrics } from './queue-metrics';

/**
 * The life of a processor's BullMQ worker, shared by the worker's processors: its options from
 * the config, its start with metrics and logging, and its bounded stop.
 */

/**
 * Worker options from the config. `@Processor` takes its options where the class is declared,
 * before the config is read, so each module declares its processor subclass in `register`.
 */
export function processorOptions(
  config: WorkerConfig,
  { concurrency, maxStalls = config.JOB_MAX_STALLS }: { concurrency: number; maxStalls?: number },
): Omit<WorkerOptions, 'connection'> {
  return {
    autorun: false, // started by `startProcessor`, once its listeners are attached
    concurrency,
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_STALLED_CHECK_MS,
    maxStalledCount: maxStalls,
    // Seconds a fetch blocks waiting for a job; also how long `close()` may wait for it.
    drainDelay: 1,
  };
}

/** Starts a processor's worker with its metrics and logging attached. */
export function startProcessor(host: WorkerHost, metrics: QueueMetrics, logger: PinoLogger): void {
  metrics.watch(host.worker);
  // Connection trouble: BullMQ reconnects; say so once a minute at most.
  host.worker.on(
    'error',
    throttled((error: Error) =>
      logger.warn({ err: error }, `${host.worker.name} worker: redis unreachable; retrying`),
    ),
  );
  host.worker.on('failed', (job, error) =>
    logger.warn({ err: error, jobId: job?.id, job: job?.name }, 'job failed'),
  );
  host.worker.run().catch((error: unknown) => {
    logger.error({ err: error }, `${host.worker.name} worker stopped`);
  });
}

/**
 * Stops taking jobs and lets the running ones finish, for most of SHUTDOWN_TIMEOUT_MS (the rest
 * is for closing pools). A job still running then is cut off: its lock expires and another
 * worker retries it, which its idempotency makes safe. Bounded, so a Redis outage cannot hold
 * the process open.
 */
export async function stopProcessor(
  host: WorkerHost,
  config: WorkerConfig,
  logger: PinoLogger,
): Promise<void> {
  const ms = Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 2_000);
  if (!(await closeWorker(host.worker, ms)))
    logger.warn({}, `${host.worker.name} worker did not finish within ${ms} ms; disconnected it`);
}
