import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { type ConsumerSchema, type DB } from '@sp/db';
import {
  closeWorker,
  createConsumer,
  pruneInBatches,
  type QueueName,
  redisOptions,
  topics,
} from '@sp/queue';
import { type RegistryEventReplay, registryEvents } from '@sp/types';
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import { PinoLogger } from 'nestjs-pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AppError } from '../app-error';
import type { BaseConfig } from '../config/config';
import { throttled } from '../logging/throttled';
import { APP_CONFIG, KYSELY, METRICS_REGISTRY, REDIS } from '../tokens';
import { MESSAGING_SCHEMA, REGISTRY_EVENT_HANDLER } from './messaging.tokens';
import type { RegistryEventHandler } from './registry-event-handler';

const DAY_MS = 24 * 3600 * 1000;
/** How often a consumer prunes its processed-message record (and once at start). */
const PRUNE_EVERY_MS = 3600 * 1000;

const consumerQueue = (schema: ConsumerSchema): QueueName =>
  topics['registry-events'].queues[schema];

/**
 * Applies the registry's events in a consuming service, each once, through the app's
 * `RegistryEventHandler` (e.g. its partner snapshot). An event whose effect fails (the database
 * is away) is retried until applied, with a capped backoff; `registry_events_failing` counts
 * those waiting for a retry or failed for good, and an admin can replay them
 * (`POST /registry-events/replay`).
 */
@Injectable()
export class RegistryEventConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<unknown> | undefined;
  private readonly queue: Queue;
  private readonly failures: Counter;

  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(MESSAGING_SCHEMA) private readonly schema: ConsumerSchema,
    @Inject(REGISTRY_EVENT_HANDLER) private readonly handler: RegistryEventHandler,
    @Inject(REDIS) redis: Redis,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(RegistryEventConsumer.name);
    // The app's producer connection: fails fast while Redis is away (a scrape or a replay
    // then answers at once instead of hanging).
    this.queue = new Queue(consumerQueue(schema), {
      connection: redis,
      prefix: config.BULLMQ_PREFIX,
    });
    this.queue.on('error', () => undefined); // surfaces as a failed call
    const queue = this.queue;
    new Gauge({
      name: 'registry_events_failing',
      help: 'Registry events not applied yet after a failed try: waiting for their next try (retrying), or failed for good (failed; an admin can replay them).',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        try {
          const counts = await queue.getJobCounts('delayed', 'failed');
          this.set({ queue: queue.name, state: 'retrying' }, counts['delayed'] ?? 0);
          this.set({ queue: queue.name, state: 'failed' }, counts['failed'] ?? 0);
        } catch {
          // Redis is away: dependency_up says so; keep the last values.
        }
      },
    });
    this.failures = new Counter({
      name: 'registry_event_failures_total',
      help: 'Tries of a registry event that failed (each is retried until applied).',
      labelNames: ['queue'],
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.QUEUES_ENABLED) return;
    this.worker = createConsumer({
      db: this.db,
      schema: this.schema,
      // The name its processed messages are recorded under (kept from when the platform
      // applied partner snapshots itself: renaming it would apply every kept event again).
      consumer: 'partner-snapshot',
      queue: consumerQueue(this.schema),
      redis: redisOptions(this.config.REDIS_URL),
      prefix: this.config.BULLMQ_PREFIX,
      backoffMs: this.config.REGISTRY_EVENTS_BACKOFF_MS,
      maxBackoffMs: this.config.REGISTRY_EVENTS_MAX_BACKOFF_MS,
      stalledIntervalMs: this.config.REGISTRY_EVENTS_STALLED_CHECK_MS,
      contracts: registryEvents,
      handle: (name, event, trx) => this.handler.handle(name, event, trx),
    });
    this.worker.on('failed', (job, error) => {
      this.failures.inc({ queue: this.queue.name });
      this.logger.warn(
        { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade },
        'registry event failed; retrying',
      );
    });
    // Connection trouble: BullMQ reconnects; say so once a minute at most.
    this.worker.on(
      'error',
      throttled((error: Error) =>
        this.logger.warn({ err: error }, 'registry events: redis unreachable; retrying'),
      ),
    );
    const prune = () => {
      this.pruning ??= this.prune()
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'could not prune processed messages; will try again'),
        )
        .finally(() => (this.pruning = undefined));
    };
    prune();
    this.pruneTimer = setInterval(prune, PRUNE_EVERY_MS).unref();
  }

  /**
   * Deletes processed-message records older than PROCESSED_MESSAGE_RETENTION_DAYS, in batches
   * of PRUNE_BATCH_SIZE. Returns how many went.
   */
  prune(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.PROCESSED_MESSAGE_RETENTION_DAYS * DAY_MS);
    return pruneInBatches(this.db, {
      table: `${this.schema}.processed_message`,
      where: sql<boolean>`processed_at < ${cutoff}`,
      batchSize: this.config.PRUNE_BATCH_SIZE,
    });
  }

  /**
   * Tries again now every event of this service's queue that failed for good (moved back to
   * waiting) or waits for its next try (promoted). Idempotent: an applied event is not applied twice.
   */
  async replay(): Promise<RegistryEventReplay> {
    try {
      const { failed = 0, delayed = 0 } = await this.queue.getJobCounts('failed', 'delayed');
      await this.queue.retryJobs({ state: 'failed' });
      await this.queue.promoteJobs();
      return { queue: this.queue.name, retried: failed, promoted: delayed };
    } catch (error) {
      this.logger.warn({ err: error }, 'registry events: replay failed');
      throw new AppError('service-unavailable', 'the queue is unreachable; try again shortly');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruneTimer);
    // Let a running job finish; one cut off is retried (and its effect is idempotent).
    if (!(await closeWorker(this.worker))) {
      this.logger.warn({}, 'registry events worker did not close within 5 s; disconnected it');
    }
    await this.pruning;
    await this.queue.close().catch(() => undefined);
  }
}
