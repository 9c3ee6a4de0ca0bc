import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { DB, OutboxSchema } from '@sp/db';
import { OutboxRelay } from '@sp/queue';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { PinoLogger } from 'nestjs-pino';
import type { BaseConfig } from '../config/config';
import { APP_CONFIG, KYSELY, REDIS } from '../tokens';
import { MESSAGING_SCHEMA } from './messaging.tokens';

/** Runs the outbox relay of a producing service for as long as the app runs. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @Inject(KYSELY) db: Kysely<DB>,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(MESSAGING_SCHEMA) schema: OutboxSchema,
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
