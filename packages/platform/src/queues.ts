import {
  Controller,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type DynamicModule,
  Module,
  Post,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type ConsumerSchema, type DB, type OutboxSchema } from '@sp/db';
import {
  closeWorker,
  createConsumer,
  OutboxRelay,
  pruneInBatches,
  type QueueName,
  redisOptions,
  topics,
} from '@sp/queue';
import { type RegistryEventReplay, registryEventReplaySchema, registryEvents } from '@sp/types';
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import { PinoLogger } from 'nestjs-pino';
import { createZodDto } from 'nestjs-zod/dto';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AppError } from './app-error';
import { AuditLog } from './audit';
import { Roles } from './auth/decorators';
import type { BaseConfig } from './config';
import { Responds } from './responds.decorator';
import { APP_CONFIG, KYSELY, METRICS_REGISTRY, REDIS } from './tokens';

const SCHEMA = Symbol('QUEUE_SCHEMA');

/** Runs the outbox relay of a producing service for as long as the app runs. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @Inject(KYSELY) db: Kysely<DB>,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(SCHEMA) schema: OutboxSchema,
    logger: PinoLogger,
  ) {
    logger.setContext(OutboxRelayService.name);
    this.relay = new OutboxRelay({
      db,
      databaseUrl: config.DATABASE_URL,
      schema,
      redis,
      prefix: config.BULLMQ_PREFIX,
      logger: { warn: (context, message) => logger.warn(context, message) },
      retentionMs: config.OUTBOX_RETENTION_DAYS * 24 * 3600 * 1000,
      pruneBatchSize: config.PRUNE_BATCH_SIZE,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.QUEUES_ENABLED) await this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

const DAY_MS = 24 * 3600 * 1000;
/** How often a consumer prunes its processed-message record (and once at start). */
const PRUNE_EVERY_MS = 3600 * 1000;

const consumerQueue = (schema: ConsumerSchema): QueueName =>
  topics['registry-events'].queues[schema];

/**
 * Keeps the service's snapshot of the registry's partners current from `partner.*` events,
 * idempotently and order-safely: the event with the higher partner `version` wins, whatever
 * order events arrive in. An event whose effect fails (the database is away) is retried until
 * applied, with a capped backoff; `registry_events_failing` counts those waiting for a retry
 * or failed for good, and an admin can replay them (`POST /registry-events/replay`).
 */
@Injectable()
export class PartnerSnapshotConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<unknown> | undefined;
  private readonly queue: Queue;
  private readonly failures: Counter;

  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(SCHEMA) private readonly schema: ConsumerSchema,
    @Inject(REDIS) redis: Redis,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(PartnerSnapshotConsumer.name);
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
    const table = `${this.schema}.partner` as 'symposium.partner';
    this.worker = createConsumer({
      db: this.db,
      schema: this.schema,
      consumer: 'partner-snapshot',
      queue: consumerQueue(this.schema),
      redis: redisOptions(this.config.REDIS_URL),
      prefix: this.config.BULLMQ_PREFIX,
      backoffMs: this.config.REGISTRY_EVENTS_BACKOFF_MS,
      maxBackoffMs: this.config.REGISTRY_EVENTS_MAX_BACKOFF_MS,
      stalledIntervalMs: this.config.REGISTRY_EVENTS_STALLED_CHECK_MS,
      contracts: registryEvents,
      handle: async (_name, partner, trx) => {
        await trx
          .insertInto(table)
          .values({
            id: partner.id,
            nameEn: partner.nameEn,
            nameJa: partner.nameJa,
            country: partner.country,
            status: partner.status,
            sourceUpdatedAt: partner.updatedAt,
            sourceVersion: partner.version,
          })
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet((eb) => ({
                nameEn: eb.ref('excluded.nameEn'),
                nameJa: eb.ref('excluded.nameJa'),
                country: eb.ref('excluded.country'),
                status: eb.ref('excluded.status'),
                sourceUpdatedAt: eb.ref('excluded.sourceUpdatedAt'),
                sourceVersion: eb.ref('excluded.sourceVersion'),
                syncedAt: sql<Date>`now()`,
              }))
              // The higher version wins; events from before versions (0) order by time among
              // themselves.
              .where(
                sql<boolean>`(${sql.ref(`${table}.sourceVersion`)}, ${sql.ref(`${table}.sourceUpdatedAt`)})
                  < (excluded.source_version, excluded.source_updated_at)`,
              ),
          )
          .execute();
      },
    });
    this.worker.on('failed', (job, error) => {
      this.failures.inc({ queue: this.queue.name });
      this.logger.warn(
        { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade },
        'registry event failed; retrying',
      );
    });
    let lastLogged = 0;
    this.worker.on('error', (error) => {
      // Connection trouble: BullMQ reconnects; say so once a minute at most.
      if (Date.now() - lastLogged < 60_000) return;
      lastLogged = Date.now();
      this.logger.warn({ err: error }, 'registry events: redis unreachable; retrying');
    });
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

class RegistryEventReplayDto extends createZodDto(registryEventReplaySchema) {}

@ApiTags('registry-events')
@Controller('registry-events')
export class RegistryEventsController {
  constructor(
    private readonly consumer: PartnerSnapshotConsumer,
    private readonly audit: AuditLog,
    @Inject(KYSELY) private readonly db: Kysely<DB>,
  ) {}

  /**
   * Replays this service's registry events that are not applied yet: those failed for good
   * are tried again, those waiting for a retry are tried now. Safe to repeat.
   */
  @Post('replay')
  @Roles('admin')
  @Responds(200, RegistryEventReplayDto, 401, 403, 503)
  async replay(): Promise<RegistryEventReplay> {
    const result = await this.consumer.replay();
    await this.db.transaction().execute((trx) =>
      this.audit.record(trx, {
        entity: 'registry-events',
        entityId: result.queue,
        action: 'replay',
        after: result,
      }),
    );
    return result;
  }
}

/** The asynchronous side of a service: its outbox relay and/or its registry-event consumer. */
@Module({})
export class QueuesModule {
  static relay(schema: OutboxSchema): DynamicModule {
    return {
      module: QueuesModule,
      providers: [{ provide: SCHEMA, useValue: schema }, OutboxRelayService],
      exports: [OutboxRelayService],
    };
  }

  static partnerSnapshots(schema: ConsumerSchema): DynamicModule {
    return {
      module: QueuesModule,
      controllers: [RegistryEventsController],
      providers: [{ provide: SCHEMA, useValue: schema }, PartnerSnapshotConsumer],
      exports: [PartnerSnapshotConsumer],
    };
  }
}
