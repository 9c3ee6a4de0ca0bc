import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { DeliveriesRepository } from './deliveries.repository';

const DAY_MS = 24 * 3600 * 1000;
/** How often old deliveries are pruned (and once at start). */
const PRUNE_EVERY_MS = 3600 * 1000;

/**
 * Keeps the delivery ledger bounded: every hour, in the background, sent and failed
 * deliveries older than DELIVERY_RETENTION_DAYS are deleted in batches of PRUNE_BATCH_SIZE.
 * Several workers may do so at once: each batch deletes rows no other has.
 */
@Injectable()
export class DeliveryRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(DeliveryRetention.name);
  }

  onApplicationBootstrap(): void {
    if (!this.config.QUEUES_ENABLED) return;
    const tick = () => {
      this.running ??= this.prune()
        .then((deleted) => {
          if (deleted > 0) this.logger.info({ deleted }, 'pruned old deliveries');
        })
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'could not prune old deliveries; will try again'),
        )
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, PRUNE_EVERY_MS).unref();
  }

  /** Deletes the deliveries past retention now; returns how many went. */
  prune(): Promise<number> {
    return this.deliveries.prune(
      new Date(Date.now() - this.config.DELIVERY_RETENTION_DAYS * DAY_MS),
      this.config.PRUNE_BATCH_SIZE,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
