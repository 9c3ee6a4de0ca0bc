import { randomUUID } from 'node:crypto';
import { WorkerHost } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@sp/platform';
import { type JobHandlers, jobs, messageIdOf, queueNames, runJob } from '@sp/queue';
import type { EmailSend } from '@sp/types';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { isFinalFailure } from '../runtime/job-failure';
import { startProcessor, stopProcessor } from '../runtime/processor-lifecycle';
import { QueueMetrics } from '../runtime/queue-metrics';
import { DeliveriesRepository, type Owner } from './deliveries.repository';
import { Mailer, type Sent } from './mailer';
import { isAutomatic, MissingTemplateData, render } from './templates';

export type EmailOutcome = 'sent' | 'already-sent' | 'already-failed';

/** Waits before each further try to record a mail the SMTP server accepted. */
const RECORD_SENT_RETRIES_MS = [100, 250, 500, 1_000, 2_000, 4_000];

/**
 * Works the `notifications` queue: `email.send` jobs become mail, once per idempotency key
 * (the exact guarantee is in the README's Mail section). A 4xx or a network error is retried
 * with backoff; a 5xx answer is final (the delivery is marked failed and listed for admins),
 * as is a payload that breaks its contract or lacks data its template uses.
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
    private readonly deliveries: DeliveriesRepository,
    private readonly metrics: QueueMetrics,
    private readonly logger: PinoLogger,
  ) {
    super();
    logger.setContext(NotificationsProcessor.name);
    this.mailer = new Mailer(config.SMTP_URL, config.MAIL_DIR, config.SMTP_TIMEOUT_MS);
    // The claim on a delivery being sent: renewed every JOB_LOCK_MS / 2 while the mail is on
    // its way, so a slow SMTP server never lets it lapse, while the claim of a process that
    // died lapses soon after its job's lock (twice as long: a run after a lost lock waits).
    this.leaseMs = 2 * config.JOB_LOCK_MS;
  }

  onApplicationBootstrap(): void {
    if (!this.config.SMTP_URL)
      this.logger.info(`no SMTP_URL: mail is written to ${this.mailer.destination}`);
    // A mail job the queue gives up on (its last attempt failed, or it stalled too often and
    // was failed without running) leaves its delivery failed, listed for admins, not sending.
    this.worker.on('failed', (job, error) => {
      if (job?.name !== 'email.send' || !isFinalFailure(job, error)) return;
      const data = jobs['email.send'].schema.safeParse(job.data);
      if (!data.success) return;
      this.deliveries
        .giveUp(data.data.idempotencyKey, `the job was given up: ${error.message}`)
        .catch((cause: unknown) =>
          this.logger.error({ err: cause, jobId: job.id }, 'could not record a given-up mail'),
        );
    });
    startProcessor(this, this.metrics, this.logger);
  }

  /** One handler per job of the queue: a job added to `jobs` without one does not compile. */
  private readonly handlers = {
    'email.send': (data, job, token) => this.send(job, token, data),
  } satisfies JobHandlers<typeof queueNames.notifications, EmailOutcome>;

  process(job: Job, token?: string): Promise<EmailOutcome> {
    return runJob(queueNames.notifications, this.handlers, job, token);
  }

  private async send(job: Job, token: string | undefined, data: EmailSend): Promise<EmailOutcome> {
    // This run of the job: BullMQ's lock token is new for every run (a retry, a stall).
    const owner: Owner = { jobId: String(job.id), token: token ?? randomUUID() };
    const claim = await this.deliveries.claim(data, owner, this.leaseMs);
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
    let rendered: ReturnType<typeof render>;
    try {
      rendered = render(data.template, data.locale, data.data);
    } catch (error) {
      if (!(error instanceof MissingTemplateData)) throw error;
      await this.deliveries.recordError(delivery.id, owner, error.message, true);
      throw new UnrecoverableError(error.message);
    }
    let sent: Sent;
    const renewal = setInterval(() => {
      this.deliveries.renew(delivery.id, owner, this.leaseMs).catch((error: unknown) => {
        this.logger.warn({ err: error, jobId: owner.jobId }, 'could not renew a delivery claim');
      });
    }, this.leaseMs / 4);
    try {
      sent = await this.mailer.send({
        from: this.config.MAIL_FROM,
        to: data.to,
        ...rendered,
        messageId: data.messageId ?? messageIdOf(delivery.id),
        ...(data.inReplyTo ? { inReplyTo: data.inReplyTo } : {}),
        ...(data.references?.length ? { references: data.references } : {}),
        ...(data.replyTo ? { replyTo: data.replyTo } : {}),
        automatic: isAutomatic(data.template),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { responseCode?: number }).responseCode;
      const permanent = typeof code === 'number' && code >= 500;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.deliveries.recordError(delivery.id, owner, message, permanent || lastAttempt);
      if (permanent) throw new UnrecoverableError(`SMTP refused the message for good: ${message}`);
      throw error;
    } finally {
      clearInterval(renewal);
    }
    // Accepted: from here on the job must not fail in a way that is retried, or the retry
    // sends the mail again. Should the process die before this is recorded, the job does run
    // again and the mail goes again, with the same Message-ID (see the README's Mail section).
    await this.recordSent(delivery.id, owner, sent.providerMessageId);
    return 'sent';
  }

  /**
   * Records an accepted mail, trying again for a few seconds (a database failover). If it
   * still cannot, the job fails for good rather than be retried into a second send; the
   * delivery stays `sending` until its claim lapses.
   */
  private async recordSent(id: string, owner: Owner, providerMessageId: string | null) {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!(await this.deliveries.recordSent(id, owner, providerMessageId)))
          this.logger.warn(
            { deliveryId: id, jobId: owner.jobId },
            'mail sent by an attempt whose claim had lapsed; another attempt holds the delivery',
          );
        return;
      } catch (error) {
        const wait = RECORD_SENT_RETRIES_MS[attempt];
        if (wait === undefined)
          throw new UnrecoverableError(
            `the SMTP server accepted delivery ${id}, but it could not be recorded (${String(
              error,
            )}); not retried, so as not to send it twice`,
          );
        this.logger.warn(
          { err: error, deliveryId: id, jobId: owner.jobId },
          'could not record a sent mail; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await stopProcessor(this, this.config, this.logger);
    this.mailer.close();
  }
}
