import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY, type ServiceJobs } from '@sp/platform';
import { type JobHandlers, queueNames, type ScheduledOutcome } from '@sp/queue';
import { type Kysely, sql } from 'kysely';

const queue = queueNames.registryJobs;

/** The furthest ahead an expiry reminder looks (reminders go at 180, 90 and 30 days). */
const REMINDER_HORIZON_DAYS = 180;

/**
 * The registry's scheduled work, on its own data (`registry-jobs`, run by this service; the
 * schedules are in `@sp/queue`'s `schedules`).
 */
@Injectable()
export class RegistryJobs implements ServiceJobs<typeof queue> {
  readonly queue = queue;
  readonly handlers = {
    'agreements.expiry-reminders': () => this.expiryReminders(),
  } satisfies JobHandlers<typeof queue>;
  private readonly logger = new Logger(RegistryJobs.name);

  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  /**
   * Finds the agreements whose reminders are due; the agreements issue mails their faculty
   * leads (through the registry's outbox). Until then it counts them, says so and completes.
   */
  private async expiryReminders(): Promise<ScheduledOutcome> {
    const today = sql<string>`(now() at time zone 'Asia/Tokyo')::date`;
    const { due } = await this.db
      .selectFrom('registry.agreement')
      .select((eb) => eb.fn.countAll<string>().as('due'))
      .where('expiresOn', '>=', today)
      .where('expiresOn', '<=', sql<string>`${today} + ${REMINDER_HORIZON_DAYS}::int`)
      .executeTakeFirstOrThrow();
    const reason = `agreements.expiry-reminders: ${due} agreement(s) expire within ${REMINDER_HORIZON_DAYS} days; no reminder mail yet (filled in by the agreements issue)`;
    this.logger.log(reason);
    return { outcome: 'nothing-to-do', reason };
  }
}
