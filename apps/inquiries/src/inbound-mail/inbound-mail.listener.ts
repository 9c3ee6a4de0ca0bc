import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, AppError } from '@sp/platform';
import { type AddressObject, simpleParser } from 'mailparser';
import { PinoLogger } from 'nestjs-pino';
import { SMTPServer } from 'smtp-server';
import type { InquiriesConfig } from '../config';
import { type InboundMail, InboundMailService } from './inbound-mail.service';
import { withoutQuotedReply } from './quoted-reply';

/** An SMTP error the sending server understands: 5xx for good, 4xx to try again later. */
const smtpError = (responseCode: number, message: string) =>
  Object.assign(new Error(message), { responseCode });

const firstAddress = (from: AddressObject | undefined) => from?.value[0];

const messageIds = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? value.split(/\s+/) : [])
    .map((s) => s.trim())
    .filter((s) => /^<[^<>\s]+>$/.test(s));

/**
 * The inbound mail endpoint: an SMTP listener (INBOUND_SMTP_PORT) for the inquiries mailbox.
 * Each mail is parsed (mailparser) and handed to `InboundMailService`; it is accepted (250)
 * only once it is stored — threaded, or in the review list — so a mail is never lost: a
 * failure answers 4xx and the sender's server tries again. A mail over the size limit (552)
 * or with attachments over the attachment limits (552/554) is refused, and nothing is stored.
 */
@Injectable()
export class InboundMailListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: SMTPServer | undefined;
  /** The port it listens on (useful with INBOUND_SMTP_PORT=0), once started. */
  port: number | undefined;

  constructor(
    private readonly inbound: InboundMailService,
    @Inject(APP_CONFIG) private readonly config: InquiriesConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(InboundMailListener.name);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.INBOUND_SMTP_PORT === undefined) return;
    const maxBytes = this.config.INBOUND_MAIL_MAX_BYTES;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: maxBytes,
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (error) => callback(error));
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            callback(smtpError(552, `5.3.4 message over ${maxBytes} bytes`));
            return;
          }
          this.handle(Buffer.concat(chunks)).then(
            () => callback(),
            (error: unknown) => callback(this.toSmtpError(error)),
          );
        });
      },
    });
    server.on('error', (error) => this.logger.warn({ err: error }, 'inbound SMTP error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.config.INBOUND_SMTP_PORT, this.config.INBOUND_SMTP_HOST, () => resolve());
    });
    const address = server.server.address();
    this.port = address && typeof address !== 'string' ? address.port : undefined;
    this.server = server;
    this.logger.info({ port: this.port }, 'inbound SMTP listener ready');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(raw: Buffer): Promise<void> {
    const parsed = await simpleParser(raw);
    const from = firstAddress(parsed.from);
    if (!from?.address) throw new AppError('bad-request', 'the mail has no sender address');
    const mail: InboundMail = {
      from: from.address,
      fromName: from.name || null,
      subject: parsed.subject ?? '',
      // The new text only: the earlier mail it quotes is already in the thread.
      text: withoutQuotedReply(parsed.text ?? '') || '(no text)',
      messageId: messageIds(parsed.messageId)[0] ?? null,
      inReplyTo: messageIds(parsed.inReplyTo)[0] ?? null,
      references: messageIds(parsed.references).slice(0, 50),
      attachments: parsed.attachments
        .filter((a) => a.contentDisposition !== 'inline' || !a.related)
        .map((a) => ({ filename: a.filename ?? 'attachment', data: a.content })),
    };
    const outcome = await this.inbound.receive(mail);
    this.logger.info({ ...outcome, messageId: mail.messageId }, 'inbound mail taken');
  }

  private toSmtpError(error: unknown): Error {
    if (error instanceof AppError) {
      switch (error.code) {
        case 'payload-too-large':
          return smtpError(
            552,
            `5.3.4 ${error.message}: ${error.errors?.map((e) => e.message).join('; ') ?? ''}`,
          );
        case 'unsupported-media-type':
          return smtpError(
            554,
            `5.6.1 ${error.message}: ${error.errors?.map((e) => e.message).join('; ') ?? ''}`,
          );
        case 'bad-request':
        case 'validation-error':
          return smtpError(550, `5.6.0 ${error.message}`);
        default:
          break;
      }
    }
    this.logger.error({ err: error }, 'could not take an inbound mail; the sender will retry');
    return smtpError(451, '4.3.0 could not take the message now, try again later');
  }
}
