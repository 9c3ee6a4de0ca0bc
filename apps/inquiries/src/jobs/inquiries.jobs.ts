import { Injectable, Logger } from '@nestjs/common';
import type { ServiceJobs } from '@sp/platform';
import { type JobHandlers, queueNames, type ScheduledOutcome } from '@sp/queue';

const queue = queueNames.inquiriesJobs;

/**
 * The inquiries service's scheduled work, on its own data (`inquiries-jobs`, run by this
 * service; the schedules are in `@sp/queue`'s `schedules`).
 */
@Injectable()
export class InquiriesJobs implements ServiceJobs<typeof queue> {
  readonly queue = queue;
  readonly handlers = {
    'inquiries.sla-sweep': () => this.slaSweep(),
  } satisfies JobHandlers<typeof queue>;
  private readonly logger = new Logger(InquiriesJobs.name);

  /**
   * Alerts the owners of inquiries past their SLA (through the service's outbox). The inquiry
   * tables arrive with the SLA issue; until then it says so and completes.
   */
  private slaSweep(): Promise<ScheduledOutcome> {
    const reason = 'inquiries.sla-sweep: nothing to sweep yet (filled in by the SLA issue)';
    this.logger.log(reason);
    return Promise.resolve({ outcome: 'nothing-to-do', reason });
  }
}
