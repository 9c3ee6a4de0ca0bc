import { Injectable } from '@nestjs/common';
import type { ServiceJobs } from '@sp/platform';
import { type JobHandlers, queueNames } from '@sp/queue';
import { type ExpiryRemindersResult, AgreementsService } from '../agreements/agreements.service';
import { TokyoClock } from '../common/tokyo.clock';

const queue = queueNames.registryJobs;

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

  constructor(
    private readonly agreements: AgreementsService,
    private readonly clock: TokyoClock,
  ) {}

  /**
   * Mails each due expiry reminder (180, 90, 30 days before) to the partner's UTokyo
   * coordinator, once, for the Tokyo date on the clock.
   */
  expiryReminders(): Promise<ExpiryRemindersResult> {
    return this.agreements.sendExpiryReminders(this.clock.today());
  }
}
