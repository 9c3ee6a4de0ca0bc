import { Injectable } from '@nestjs/common';
import type { ServiceJobs } from '@sp/platform';
import { type JobHandlers, queueNames } from '@sp/queue';
import { type SweepResult, SlaService } from '../sla/sla.service';

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

  constructor(private readonly sla: SlaService) {}

  /**
   * Records SLA breaches and alerts the assignee (or the group) once per breach, through the
   * service's outbox; fills in due times an inquiry lacks.
   */
  private async slaSweep(): Promise<{ outcome: 'swept' } & SweepResult> {
    return { outcome: 'swept', ...(await this.sla.sweep()) };
  }
}
