import { WorkerHost } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import { queueNames, takeJob } from '@sp/queue';
import type { EmailSend } from '@sp/types';
import { type Job, UnrecoverableError } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { QueueMetrics } from '../queues/queue-metrics';
import { start, stop } from '../queues/worker-host';
import type { ScheduledOutcome } from '../reports/reports.processor';
import { DeliveryRepository } from './deliveries.repository';
import { Mailer, messageIdOf } from './mailer';
import { render } from './templates';

export type EmailOutcome = 'sent' | 'already-sent' | 'already-failed';

/**
 * Works the `notifications` queue: `email.send` jobs become mail, at most once per idempotency
 * key. A 4xx or a network error is retried with backoff; a 5xx answer is final (the delivery
 * is marked failed and listed for admins), as is a payload that breaks its contract.
 * Declared as a processor per app by `configuredProcessor` (options from the config).
 */
@Injectable()
export class NotificationsProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly mailer: Mailer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly metrics: QueueMetrics,
    private readonly logger: PinoLogger,
  ) {
    super();
    logger.setContext(NotificationsProcessor.name);
    this.mailer = new Mailer(config.SMTP_URL, config.MAIL_DIR);
  }

  onApplicationBootstrap(): void {
    if (!this.config.SMTP_URL)
      this.logger.info(`no SMTP_URL: mail is written to ${this.mailer.destination}`);
    start(this, this.metrics, this.logger);
  }

  async process(job: Job): Promise<EmailOutcome | ScheduledOutcome> {
    const taken = takeJob(queueNames.notifications, job);
    switch (taken.name) {
      case 'email.send':
        return this.send(job, taken.data);
      case 'inquiries.sla-sweep':
      case 'agreements.expiry-reminders': {
        const reason = `${taken.name}: nothing to sweep yet (filled in by its owning issue)`;
        this.logger.info({ jobId: job.id }, reason);
        return { outcome: 'nothing-to-do', reason };
      }
    }
  }

  private async send(job: Job, data: EmailSend): Promise<EmailOutcome> {
    // The delivery row stays locked while its mail is sent: two jobs with one idempotency key
    // (enqueued twice, or a retry racing a stalled run) take turns, and the second finds it sent.
    const outcome = await this.deliveries.withLocked(
      data,
      String(job.id),
      async (delivery, record) => {
        if (delivery.status === 'sent') return 'already-sent' as const;
        if (delivery.status === 'failed') return 'already-failed' as const;
        const { subject, text, html } = render(data.template, data.locale, data.data);
        try {
          const { providerMessageId } = await this.mailer.send({
            from: this.config.MAIL_FROM,
            to: data.to,
            subject,
            text,
            html,
            messageId: messageIdOf(delivery.id),
          });
          await record.sent(providerMessageId);
          return 'sent' as const;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const code = (error as { responseCode?: number }).responseCode;
          const permanent = typeof code === 'number' && code >= 500;
          const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          await record.error(message, permanent || lastAttempt);
          return { error, permanent, message };
        }
      },
    );
    if (typeof outcome === 'string') return outcome;
    if (outcome.permanent)
      throw new UnrecoverableError(`SMTP refused the message for good: ${outcome.message}`);
    throw outcome.error;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await stop(this, this.config, this.logger);
    this.mailer.close();
  }
}
