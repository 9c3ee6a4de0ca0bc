import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer';

export type Mail = {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  replyTo?: string;
  /** Sent by the system, not written by a person: marked so auto-replies stay away. */
  automatic?: boolean;
};
export type Sent = { providerMessageId: string | null };

/**
 * Sends mail over SMTP (pooled connections, `SMTP_URL`), or with no SMTP configured writes each
 * message as an .eml file under MAIL_DIR, so local runs never need a mail server.
 */
export class Mailer {
  private readonly transport: Transporter;

  constructor(
    private readonly smtpUrl: string | undefined,
    private readonly mailDir: string,
    timeoutMs = 60_000,
  ) {
    this.transport = smtpUrl
      ? nodemailer.createTransport({
          url: smtpUrl,
          pool: true,
          maxConnections: 5,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
        } as TransportOptions)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  get destination(): string {
    return this.smtpUrl ? 'smtp' : `.eml files in ${this.mailDir}`;
  }

  async send(mail: Mail): Promise<Sent> {
    const { automatic, ...message } = mail;
    const info = (await this.transport.sendMail({
      ...message,
      // RFC 3834: out-of-office and other responders do not answer an automatic mail (an
      // acknowledgement, a reminder), so their replies do not fill the inbound review list;
      // Exchange reads its own header for the same.
      ...(automatic
        ? { headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } }
        : {}),
    })) as {
      messageId?: string;
      response?: string;
      message?: Buffer;
    };
    if (!this.smtpUrl && info.message) {
      await mkdir(this.mailDir, { recursive: true });
      const name = mail.messageId.replace(/[<>@]/g, '_');
      await writeFile(
        join(this.mailDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}.eml`),
        info.message,
      );
    }
    return { providerMessageId: info.response ?? info.messageId ?? null };
  }

  close(): void {
    this.transport.close();
  }
}
