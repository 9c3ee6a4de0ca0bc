import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { queueNames, upsertSchedules } from '@sp/queue';
import type { Queue } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

/**
 * Upserts the recurring jobs of the worker's own queues (`notifications`, `reports`) when the
 * worker starts; the services schedule theirs (`registry-jobs`, `inquiries-jobs`). Every
 * replica does; an unchanged schedule is left as it is (its next run too), and a schedule no longer
 * listed on these queues is removed (as the SLA sweep and expiry reminders, which ran on
 * `notifications` before their services took them). Not awaited by start-up: a worker that
 * starts before Redis does must not hang; the upsert completes once Redis answers.
 */
@Injectable()
export class WorkerSchedules implements OnApplicationBootstrap {
  /** Settles when every schedule is in place (for tests and logs). */
  ready: Promise<string[]> = Promise.resolve([]);
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(queueNames.notifications) notifications: Queue,
    @InjectQueue(queueNames.reports) reports: Queue,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(WorkerSchedules.name);
    this.queues = [notifications, reports];
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
