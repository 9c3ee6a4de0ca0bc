import { Injectable, Logger } from '@nestjs/common';
import type { ServiceJobs } from '@sp/platform';
import { type JobHandlers, queueNames } from '@sp/queue';
import { RegistrationsService } from '../registrations/registrations.service';

const queue = queueNames.symposiumJobs;

/**
 * The symposium service's scheduled work, on its own data (`symposium-jobs`, run by this
 * service; the schedule is in `@sp/queue`'s `schedules`).
 */
@Injectable()
export class SymposiumJobs implements ServiceJobs<typeof queue> {
  readonly queue = queue;
  readonly handlers = {
    'symposium.registration-reminders': () => this.registrationReminders(),
  } satisfies JobHandlers<typeof queue>;
  private readonly logger = new Logger(SymposiumJobs.name);

  constructor(private readonly registrations: RegistrationsService) {}

  /** Mails the reminders due now, each once (see `RegistrationsService.sendDueReminders`). */
  private async registrationReminders(): Promise<{ mailed: number }> {
    const result = await this.registrations.sendDueReminders();
    this.logger.log(`symposium.registration-reminders: ${result.mailed} reminder(s) mailed`);
    return result;
  }
}
