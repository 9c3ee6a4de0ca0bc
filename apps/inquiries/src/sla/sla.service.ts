import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DB } from '@sp/db';
import { APP_CONFIG, type BusinessHours, businessHours } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type { InquiryCategory, SlaKind } from '@sp/types';
import type { Kysely, Transaction } from 'kysely';
import { CLOCK, type Clock } from '../common/clock';
import type { InquiriesConfig } from '../config';
import { type DueTimes, dueTimesOf, tokyoMinute } from './sla-due';
import { type SlaBreachRow, SlaRepository } from './sla.repository';

/** Rows per sweep step; the sweep goes on until nothing is left. */
const BATCH = 200;
/** A sweep stops after this many steps (the next one, 15 minutes later, goes on). */
const MAX_STEPS = 50;

const slaLabel: Record<'en' | 'ja', Record<SlaKind, string>> = {
  en: { 'first-response': 'first response', resolution: 'resolution' },
  ja: { 'first-response': '初回回答', resolution: '解決' },
};

export type SweepResult = { breaches: number; dueTimesSet: number };

/**
 * SLAs in business hours (Tokyo, weekdays 9–17, national holidays and the configured closure
 * days off): due times when an inquiry is created or changes category, and the sweep that
 * records breaches and alerts the assignee (or the group) once per breach.
 */
@Injectable()
export class SlaService {
  readonly hours: BusinessHours;
  private readonly logger = new Logger(SlaService.name);

  constructor(
    private readonly repo: SlaRepository,
    @Inject(APP_CONFIG) private readonly config: InquiriesConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.hours = businessHours({ closures: config.INQUIRY_CLOSURE_DAYS });
  }

  now(): Date {
    return this.clock();
  }

  dueTimes(createdAt: Date, category: InquiryCategory): DueTimes {
    return dueTimesOf(this.hours, this.config.INQUIRY_SLA_HOURS, createdAt, category);
  }

  /** Stores the due times of an inquiry created at `createdAt` (in the caller's transaction). */
  async setDueTimes(
    db: Kysely<DB> | Transaction<DB>,
    id: string,
    createdAt: Date,
    category: InquiryCategory,
  ): Promise<DueTimes> {
    const due = this.dueTimes(createdAt, category);
    await this.repo.setDueTimes(db, id, due);
    return due;
  }

  /** A resolved inquiry reopened (by the inquirer or the desk): its resolution clock runs again. */
  async reopened(db: Kysely<DB> | Transaction<DB>, id: string): Promise<void> {
    await this.repo.clearResolved(db, id);
  }

  breachesOf(inquiryId: string, db?: Transaction<DB>): Promise<SlaBreachRow[]> {
    return this.repo.breachesOf(inquiryId, db);
  }

  /**
   * One sweep at `now`: fills in missing due times, then records each breach not recorded yet
   * and, in the same transaction, the alert mail (outbox) and the `inquiry.sla-breached` event.
   * Run twice, or twice at once, it records and mails each breach once: the breach row's
   * unique key decides, and the mail's idempotency key is the breach's id.
   */
  async sweep(now: Date = this.clock()): Promise<SweepResult> {
    let dueTimesSet = 0;
    for (let step = 0; step < MAX_STEPS; step++) {
      const rows = await this.repo.withoutDueTimes(BATCH);
      if (rows.length === 0) break;
      await this.repo.transaction(async (trx) => {
        for (const row of rows) await this.setDueTimes(trx, row.id, row.createdAt, row.category);
      });
      dueTimesSet += rows.length;
      if (rows.length < BATCH) break;
    }

    let breaches = 0;
    for (let step = 0; step < MAX_STEPS; step++) {
      const overdue = await this.repo.overdue(now, BATCH);
      if (overdue.length === 0) break;
      breaches += await this.repo.transaction(async (trx) => {
        let recorded = 0;
        for (const row of overdue) {
          const notified = row.assigneeEmail ?? this.config.INQUIRY_GROUP_EMAIL;
          const breach = await this.repo.recordBreach(trx, {
            inquiryId: row.inquiryId,
            kind: row.kind,
            dueAt: row.dueAt,
            detectedAt: now,
            notified,
          });
          if (!breach) continue; // another sweep recorded (and mailed) it
          recorded++;
          const locale = this.config.INQUIRY_STAFF_LANGUAGE;
          await writeOutbox(
            trx,
            'inquiries',
            {
              name: 'email.send',
              payload: {
                template: 'sla-overdue',
                locale,
                to: [notified],
                data: {
                  reference: row.reference,
                  sla: slaLabel[locale][row.kind],
                  dueAt: tokyoMinute(row.dueAt),
                },
                idempotencyKey: `sla-breach:${breach.id}`,
              },
            },
            {
              name: 'inquiry.sla-breached',
              payload: {
                inquiryId: row.inquiryId,
                reference: row.reference,
                kind: row.kind,
                dueAt: row.dueAt.toISOString(),
                detectedAt: now.toISOString(),
              },
            },
          );
        }
        return recorded;
      });
      if (overdue.length < BATCH) break;
    }
    if (breaches > 0) this.logger.log(`SLA sweep: ${breaches} new breach(es) recorded and alerted`);
    return { breaches, dueTimesSet };
  }
}
