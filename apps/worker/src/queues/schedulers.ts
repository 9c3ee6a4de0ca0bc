import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { upsertSchedules } from '@sp/queue';
import type { Queue } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { WORKER_QUEUES } from './tokens';

/**
 * Upserts the recurring jobs when the worker starts (every replica does; an upsert of an
 * unchanged schedule changes nothing). Not awaited by start-up: a worker that starts before
 * Redis does must not hang; the upsert completes once Redis answers.
 */
@Injectable()
export class Schedulers implements OnApplicationBootstrap {
  /** Settles when every schedule is in place (for tests and logs). */
  ready: Promise<string[]> = Promise.resolve([]);

  constructor(
    @Inject(WORKER_QUEUES) private readonly queues: Queue[],
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(Schedulers.name);
  }

  onApplicationBootstrap(): void {
    this.ready = Promise.all(this.queues.map((queue) => upsertSchedules(queue))).then(
      (lists) => {
        const scheduled = lists.flat();
        this.logger.info({ schedules: scheduled }, `${scheduled.length} job schedules in place`);
        return scheduled;
      },
      (error: unknown) => {
        this.logger.error({ err: error }, 'could not put the job schedules in place');
        return [];
      },
    );
  }
}
