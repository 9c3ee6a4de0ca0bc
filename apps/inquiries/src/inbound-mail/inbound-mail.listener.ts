import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, AppError } from '@sp/platform';
import { messageIdSchema } from '@sp/types';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { PinoLogger } from 'nestjs-pino';
import { SMTPServer } from 'smtp-server';
import type { InquiriesConfig } from '../config';
import { type InboundMail, InboundMailService } from './inbound-mail.service';
import { withoutQuotedReply } from './quoted-reply';

/** An SMTP error the sending server understands: 5xx for good, 4xx to try again later. */
const smtpError = (responseCode: number, message: string) =>
  Object.assign(new Error(message), { responseCode });

const firstAddress = (from: AddressObject | undefined) => from?.value[0];

/**
 * The Message-IDs a header holds, as the `email.send` contract takes them (`<id@host>`, at most
 * 250 characters): one of another shape would become a staff reply's In-Reply-To or References
 * and fail that reply's outbox row, every later reply's too. Others are treated as absent.
 */
const messageIds = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? value.split(/\s+/) : [])
    .map((s) => s.trim())
    .filter((s) => messageIdSchema.safeParse(s).success);

/** A message's text is held to the form's limit; a longer mail is kept cut, and says so. */
const MAIL_TEXT_MAX = 20_000;
const CUT_NOTE = '\n\n[The rest of this mail was cut: it was longer than 20,000 characters.]';
const withinLimit = (text: string): string =>
  text.length <= MAIL_TEXT_MAX ? text : text.slice(0, MAIL_TEXT_MAX - CUT_NOTE.length) + CUT_NOTE;

/** Postgres stores no U+0000 in text; a mail carrying one (quoted-printable `=00`) loses it. */
const stored = (text: string): string => text.replaceAll('\u0000', '');

/**
 * Whether a program, not a person, sent the mail (RFC 3834 `Auto-Submitted`, the older
 * `X-Autoreply`/`X-Autorespond`, `Precedence: bulk|junk|auto_reply|list`, or a null envelope
 * sender as bounces have): an out-of-office answer must not reopen an inquiry as the inquirer.
 */
const isAutomatic = (parsed: ParsedMail, envelopeFrom: string | false): boolean => {
  const header = (name: string) => {
    const value = parsed.headers.get(name);
    return typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  };
  const autoSubmitted = header('auto-submitted');
  return (
    envelopeFrom === false ||
    envelopeFrom === '' ||
    (autoSubmitted !== undefined && autoSubmitted !== 'no') ||
    parsed.headers.has('x-autoreply') ||
    parsed.headers.has('x-autorespond') ||
    ['bulk', 'junk', 'auto_reply', 'list'].includes(header('precedence') ?? '')
  );
};

/** Postgres' data exceptions (class 22) and check violations: the same mail fails every time. */
const isDataError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '23514');
};

/**
 * A mail's bytes as they arrive, up to a limit. A client may send more than the SIZE it was
 * told: past the limit its bytes are dropped, not kept, so a huge mail costs no more memory
 * than the limit while the stream is read to its end.
 */
export function mailCollector(maxBytes: number) {
  let chunks: Buffer[] = [];
  let received = 0;
  return {
    add(chunk: Buffer): void {
      received += chunk.length;
      if (received <= maxBytes) chunks.push(chunk);
      else chunks = [];
    },
    /** Bytes held now (never more than the limit). */
    get held(): number {
      return received <= maxBytes ? received : 0;
    },
    /** The whole mail, or undefined when it was over the limit. */
    bytes(): Buffer | undefined {
      return received <= maxBytes ? Buffer.concat(chunks) : undefined;
    },
  };
}

/**
 * The inbound mail endpoint: an SMTP listener (INBOUND_SMTP_PORT) for the inquiries mailbox.
 * Each mail is parsed (mailparser) and handed to `InboundMailService`; it is accepted (250)
 * only once it is stored — threaded, or in the review list — so a mail is never lost: a
 * failure that may pass answers 4xx and the sender's server tries again; one that will fail
 * every time (a mail mailparser cannot read, data Postgres refuses) answers 5xx, so the sender
 * is told at once rather than after days of retries. A mail over the size limit (552) or with
 * attachments over the attachment limits (552/554) is refused, and nothing is stored.
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
      // Each client may hold a mail of up to maxBytes in memory; one more waits (421, retried).
      maxClients: this.config.INBOUND_SMTP_MAX_CLIENTS,
      socketTimeout: 60_000,
      logger: false,
      onData: (stream, session, callback) => {
        const mail = mailCollector(maxBytes);
        stream.on('data', (c: Buffer) => mail.add(c));
        stream.on('error', (error) => callback(error));
        stream.on('end', () => {
          const raw = mail.bytes();
          if (!raw || (stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            callback(smtpError(552, `5.3.4 message over ${maxBytes} bytes`));
            return;
          }
          const envelopeFrom = session.envelope.mailFrom && session.envelope.mailFrom.address;
          this.handle(raw, envelopeFrom).then(
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

  private async handle(raw: Buffer, envelopeFrom: string | false): Promise<void> {
    let parsed: ParsedMail;
    try {
      parsed = await simpleParser(raw);
    } catch (error) {
      // mailparser refuses some mails for good (MIME nested too deep, for one): no retry helps.
      throw new AppError('bad-request', `the mail cannot be read: ${(error as Error).message}`);
    }
    const from = firstAddress(parsed.from);
    if (!from?.address) throw new AppError('bad-request', 'the mail has no sender address');
    const mail: InboundMail = {
      from: from.address,
      fromName: stored(from.name) || null,
      subject: stored(parsed.subject ?? ''),
      // The new text only: the earlier mail it quotes is already in the thread.
      text: withinLimit(withoutQuotedReply(stored(parsed.text ?? '')) || '(no text)'),
      messageId: messageIds(parsed.messageId)[0] ?? null,
      inReplyTo: messageIds(parsed.inReplyTo)[0] ?? null,
      references: messageIds(parsed.references).slice(0, 50),
      automatic: isAutomatic(parsed, envelopeFrom),
      attachments: parsed.attachments
        .filter((a) => a.contentDisposition !== 'inline' || !a.related)
        // A nameless file is named from its content by the attachment check, as on the form.
        .map((a) => ({ filename: stored(a.filename ?? ''), data: a.content })),
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
    if (isDataError(error)) {
      this.logger.warn({ err: error }, 'refused an inbound mail its data cannot be stored');
      return smtpError(554, '5.6.0 the message cannot be stored');
    }
    this.logger.error({ err: error }, 'could not take an inbound mail; the sender will retry');
    return smtpError(451, '4.3.0 could not take the message now, try again later');
  }
}
