import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { parsed: ParsedMail; raw: Buffer; messageId: string | undefined };

/**
 * A real SMTP server in the test process. `answer(n)` decides the reply to the n-th message
 * (1-based): 250 accepts it; 4xx/5xx refuse it with that code, as a real server would.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private attempts = 0;
  answer: (attempt: number) => number = () => 250;
  /** Milliseconds the server takes over each message before it answers (a slow relay). */
  delayMs = 0;
  /**
   * Per message, by its number in the order messages' data ended (1-based, see `ended`): its
   * delay, instead of `delayMs`, and its answer, instead of `answer`.
   */
  delayOf: ((message: number) => number) | undefined;
  answerOf: ((message: number) => number) | undefined;
  private dataEnded = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    const holder: { sink?: SmtpSink } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const self = holder.sink!;
          const message = ++self.dataEnded;
          setTimeout(() => finish(message), self.delayOf?.(message) ?? self.delayMs);
        });
        const finish = (message: number) => {
          const self = holder.sink!;
          const attempt = ++self.attempts;
          const code = self.answerOf?.(message) ?? self.answer(attempt);
          if (code !== 250) {
            const error = Object.assign(
              new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'),
              { responseCode: code },
            );
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              self.received.push({ parsed, raw, messageId: parsed.messageId });
              callback();
            },
            (error: Error) => callback(error),
          );
        };
      },
    });
    // A client that dies mid-conversation (a killed worker) resets its connection: normal for
    // a server, and an unhandled 'error' would crash the test process.
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.server.address();
    if (!address || typeof address === 'string') throw new Error('SMTP sink has no port');
    const sink = new SmtpSink(server, address.port);
    holder.sink = sink;
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** How many messages' data has arrived (answered or not yet). */
  get ended(): number {
    return this.dataEnded;
  }

  /** How many times a message was offered (accepted or not). */
  get offered(): number {
    return this.attempts;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
