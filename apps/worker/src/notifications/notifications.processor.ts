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
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { QueueMetrics } from '../queues/queue-metrics';
import { type ScheduledOutcome, start, stop } from '../queues/worker-host';
import { DeliveryRepository } from './deliveries.repository';
import { Mailer, messageIdOf, type Sent } from './mailer';
import { render } from './templates';

export type EmailOutcome = 'sent' | 'already-sent' | 'already-failed';

/**
 * Works the `notifications` queue: `email.send` jobs become mail, at most once per idempotency
 * key. A 4xx or a network error is retried with backoff; a 5xx answer is final (the delivery
 * is marked failed and listed for admins), as is a payload that breaks its contract.
 * `NotificationsModule.register` declares it a processor, with the config's worker options.
 */
@Injectable()
export class NotificationsProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly mailer: Mailer;
  private readonly leaseMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly metrics: QueueMetrics,
    private readonly logger: PinoLogger,
  ) {
    super();
    logger.setContext(NotificationsProcessor.name);
    this.mailer = new Mailer(config.SMTP_URL, config.MAIL_DIR, config.SMTP_TIMEOUT_MS);
    // Long enough for the slowest send the timeouts allow (connect, greeting, data), queued
    // behind the pool's other messages; a crashed job takes its own claim back at once anyway.
    this.leaseMs = 5 * config.SMTP_TIMEOUT_MS;
  }

  onApplicationBootstrap(): void {
    if (!this.config.SMTP_URL)
      this.logger.info(`no SMTP_URL: mail is written to ${this.mailer.destination}`);
    start(this, this.metrics, this.logger);
  }

  async process(job: Job, token?: string): Promise<EmailOutcome | ScheduledOutcome> {
    const taken = takeJob(queueNames.notifications, job);
    switch (taken.name) {
      case 'email.send':
        return this.send(job, token, taken.data);
      case 'inquiries.sla-sweep':
      case 'agreements.expiry-reminders': {
        const reason = `${taken.name}: nothing to sweep yet (filled in by its owning issue)`;
        this.logger.info({ jobId: job.id }, reason);
        return { outcome: 'nothing-to-do', reason };
      }
    }
  }

  private async send(job: Job, token: string | undefined, data: EmailSend): Promise<EmailOutcome> {
    const jobId = String(job.id);
    const claim = await this.deliveries.claim(data, jobId, this.leaseMs);
    switch (claim.kind) {
      case 'sent':
        return 'already-sent';
      case 'failed':
        return 'already-failed';
      case 'busy': {
        // Another job with this key is sending it (a send takes milliseconds to seconds): look
        // again in a moment, without using an attempt.
        await job.moveToDelayed(Date.now() + 500, token);
        throw new DelayedError();
      }
      case 'claimed':
        break;
    }
    const { delivery } = claim;
    const { subject, text, html } = render(data.template, data.locale, data.data);
    let sent: Sent;
    try {
      sent = await this.mailer.send({
        from: this.config.MAIL_FROM,
        to: data.to,
        subject,
        text,
        html,
        messageId: messageIdOf(delivery.id),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { responseCode?: number }).responseCode;
      const permanent = typeof code === 'number' && code >= 500;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.deliveries.recordError(delivery.id, jobId, message, permanent || lastAttempt);
      if (permanent) throw new UnrecoverableError(`SMTP refused the message for good: ${message}`);
      throw error;
    }
    // Should the process die before this is recorded, the job runs again and the mail is sent
    // again, with the same Message-ID: the one repeat at-least-once delivery allows.
    await this.deliveries.recordSent(delivery.id, sent.providerMessageId);
    return 'sent';
  }

  async beforeApplicationShutdown(): Promise<void> {
    await stop(this, this.config, this.logger);
    this.mailer.close();
  }
}
