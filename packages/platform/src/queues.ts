import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type DynamicModule,
  Module,
} from '@nestjs/common';
import { type ConsumerSchema, type DB, type OutboxSchema } from '@sp/db';
import { closeWorker, createConsumer, OutboxRelay, queueNames, redisOptions } from '@sp/queue';
import { registryEvents } from '@sp/types';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import { PinoLogger } from 'nestjs-pino';
import type { BaseConfig } from './config';
import { APP_CONFIG, KYSELY, REDIS } from './tokens';

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
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.QUEUES_ENABLED) await this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/**
 * Keeps the service's snapshot of the registry's partners current from `partner.*` events,
 * idempotently and order-safely (an older event never overwrites a newer snapshot).
 */
@Injectable()
export class PartnerSnapshotConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker | undefined;

  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(SCHEMA) private readonly schema: ConsumerSchema,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(PartnerSnapshotConsumer.name);
  }

  onApplicationBootstrap(): void {
    if (!this.config.QUEUES_ENABLED) return;
    const table = `${this.schema}.partner` as 'symposium.partner';
    this.worker = createConsumer({
      db: this.db,
      schema: this.schema,
      consumer: 'partner-snapshot',
      queue:
        this.schema === 'symposium'
          ? queueNames.registryEventsSymposium
          : queueNames.registryEventsInquiries,
      redis: redisOptions(this.config.REDIS_URL),
      prefix: this.config.BULLMQ_PREFIX,
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
                syncedAt: sql<Date>`now()`,
              }))
              .whereRef(`${table}.sourceUpdatedAt`, '<', 'excluded.sourceUpdatedAt'),
          )
          .execute();
      },
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn({ err: error, jobId: job?.id }, 'registry event failed'),
    );
    let lastLogged = 0;
    this.worker.on('error', (error) => {
      // Connection trouble: BullMQ reconnects; say so once a minute at most.
      if (Date.now() - lastLogged < 60_000) return;
      lastLogged = Date.now();
      this.logger.warn({ err: error }, 'registry events: redis unreachable; retrying');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Let a running job finish; one cut off is retried (and its effect is idempotent).
    if (!(await closeWorker(this.worker))) {
      this.logger.warn({}, 'registry events worker did not close within 5 s; disconnected it');
    }
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
      providers: [{ provide: SCHEMA, useValue: schema }, PartnerSnapshotConsumer],
      exports: [PartnerSnapshotConsumer],
    };
  }
}
