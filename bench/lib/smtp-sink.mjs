// An SMTP server in the benchmark's own process that accepts every message and keeps only
// what a benchmark needs of it: when it arrived, its header block and its size. It reads no
// body and parses no MIME (the test suite's SmtpSink runs mailparser on every message), so at
// a thousand and more messages a second the sink is not what limits the sender.

import { SMTPServer } from 'smtp-server';
import { onCleanup } from './cleanup.mjs';

/**
 * Starts the sink on a free port of 127.0.0.1 and registers its closing with the cleanup
 * stack. `onMessage({ head, bytes, at })` is called once per accepted message, before the
 * sender gets its 250: `head` is the header block (latin1 text, up to the first empty line),
 * `bytes` the size of the message as received, `at` is `performance.now()` when its last
 * byte arrived. Configured like packages/testing's SmtpSink: no TLS, no AUTH, no logging.
 */
export async function startSmtpSink(onMessage) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // The senders are stopped before the sink closes; do not wait long for stragglers.
    closeTimeout: 2_000,
    onData(stream, _session, callback) {
      let head;
      let pending = '';
      let bytes = 0;
      stream.on('data', (chunk) => {
        bytes += chunk.length;
        if (head !== undefined) return;
        pending += chunk.toString('latin1');
        const end = pending.search(/\r?\n\r?\n/);
        if (end >= 0) {
          head = pending.slice(0, end);
          pending = '';
        }
      });
      stream.on('end', () => {
        const at = performance.now();
        onMessage({ head: head ?? pending, bytes, at });
        callback();
      });
    },
  });
  server.on('error', () => {}); // A sender's dropped connection is the sender's business.
  onCleanup('close the SMTP sink', () => new Promise((resolve) => server.close(resolve)));
  await new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address();
  return { port, url: `smtp://127.0.0.1:${port}` };
}
