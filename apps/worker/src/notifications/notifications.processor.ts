import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import { closeWorker, queueNames, redisOptions } from '@sp/queue';
import { emailSendSchema } from '@sp/types';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { DeliveryRepository } from './deliveries.repository';
import { Mailer } from './mailer';
import { render } from './templates';

/** The same Message-ID on every attempt: a repeat after a crash is recognisable as one. */
export const messageIdOf = (deliveryId: string) =>
  `<${deliveryId}@notifications.strategic-partnerships>`;

/**
 * Works the `notifications` queue: `email.send` jobs become mail, at most once per idempotency
 * key. A 4xx or a network error is retried with backoff; a 5xx answer is final (the delivery
 * is marked failed and listed for admins), as is a payload that breaks its contract.
 */
@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker | undefined;
  readonly mailer: Mailer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(NotificationsProcessor.name);
    this.mailer = new Mailer(config.SMTP_URL, config.MAIL_DIR);
  }

  onApplicationBootstrap(): void {
    if (!this.config.QUEUES_ENABLED || !this.config.WORKER_QUEUES.includes('notifications')) return;
    if (!this.config.SMTP_URL)
      this.logger.info(`no SMTP_URL: mail is written to ${this.mailer.destination}`);
    this.worker = new Worker(queueNames.notifications, (job) => this.process(job), {
      connection: redisOptions(this.config.REDIS_URL),
      prefix: this.config.BULLMQ_PREFIX,
      concurrency: this.config.NOTIFICATIONS_CONCURRENCY,
      drainDelay: 1,
    });
    this.worker.on('error', () => undefined); // Redis trouble: BullMQ reconnects
  }

  async process(job: Job): Promise<'sent' | 'already-sent' | 'already-failed'> {
    if (job.name !== 'email.send')
      throw new UnrecoverableError(`unknown notification job "${job.name}"`);
    const parsed = emailSendSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `email.send payload breaks its contract: ${parsed.error.message}`,
      );
    const data = parsed.data;
    // The delivery row stays locked while its mail is sent: two jobs with one idempotency key
    // (enqueued twice, or a retry racing a stalled run) take turns, and the second finds it sent.
    const outcome = await this.deliveries.withLocked(data, async (delivery, record) => {
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
    });
    if (typeof outcome === 'string') return outcome;
    if (outcome.permanent)
      throw new UnrecoverableError(`SMTP refused the message for good: ${outcome.message}`);
    throw outcome.error;
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Running jobs finish; a job cut off is retried and its idempotency key prevents a repeat.
    if (!(await closeWorker(this.worker)))
      this.logger.warn({}, 'notifications worker did not close within 5 s; disconnected it');
    this.mailer.close();
  }
}
