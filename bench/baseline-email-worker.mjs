// The queue-email benchmark's baseline: `email.send` jobs turned into mail by a bare BullMQ
// Worker and nodemailer, and nothing else. It does what the real worker must do for a job and
// no less, so the ratio between the two is the cost of everything the worker adds on top (the
// outbox and its relay, Nest and @nestjs/bullmq, the payload check, the delivery row that makes
// each idempotency key one mail, metrics):
//   - a BullMQ Worker on the same queue name, with the same connection options (`redisOptions`
//     in @sp/queue), the same concurrency and `drainDelay` as the notifications processor;
//   - the same nodemailer transport: SMTP_URL, pooled, 5 connections (apps/worker's mailer.ts);
//   - the same message: the `inquiry-received` template rendered as the worker renders it
//     (subject, text, and HTML derived from the text), the worker's MAIL_FROM, a Message-ID
//     of the same shape (`<uuid@notifications.strategic-partnerships>`), and the headers that
//     mark automatic mail (Auto-Submitted).
// queue-email.mjs checks that both send messages of the same size before it reports anything.
//
// Environment: PORT and HOST (readiness only: GET /health/ready answers 200 once the worker is
// connected), REDIS_URL, BULLMQ_PREFIX, SMTP_URL, NOTIFICATIONS_CONCURRENCY, MAIL_FROM.

// V8 set as the worker runs it (lib/v8-runtime.mjs).
import './lib/v8-runtime.mjs';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Worker } from 'bullmq';
import nodemailer from 'nodemailer';

const env = process.env;
const from =
  env.MAIL_FROM ||
  'International Projects Promotion Group <noreply@strategic-partnerships.example>';

const transport = nodemailer.createTransport({
  url: env.SMTP_URL,
  pool: true,
  maxConnections: 5,
});

// apps/worker/src/notifications/templates.ts, `inquiry-received` in English, and its HTML.
const escapeHtml = (s) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

function render(locale, data) {
  const d = (key) => (data[key] === undefined || data[key] === null ? '' : String(data[key]));
  const subject = `We received your inquiry ${d('reference')}`;
  const text = `Dear ${d('name')},\n\nThank you for contacting the International Projects Promotion Group. Your inquiry has the reference ${d('reference')}; we will answer as soon as we can.\n\nYou can follow it here: ${d('statusUrl')}`;
  const html = `<!doctype html><html lang="${locale}"><meta charset="utf-8"><body>${text
    .split('\n\n')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}</body></html>`;
  return { subject, text, html };
}

async function process_(job) {
  if (job.name !== 'email.send') throw new Error(`no job "${job.name}" here`);
  const { to, locale, data } = job.data;
  const { subject, text, html } = render(locale, data);
  await transport.sendMail({
    from,
    to,
    subject,
    text,
    html,
    messageId: `<${randomUUID()}@notifications.strategic-partnerships>`,
    // An acknowledgement is automatic mail: the worker marks it so (mailer.ts).
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
  });
  return 'sent';
}

const worker = new Worker('notifications', process_, {
  connection: {
    url: env.REDIS_URL,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  },
  prefix: env.BULLMQ_PREFIX,
  concurrency: Number(env.NOTIFICATIONS_CONCURRENCY || 5),
  drainDelay: 1,
});
worker.on('failed', (job, error) =>
  process.stderr.write(`job ${job?.id} failed: ${error?.message ?? error}\n`),
);
worker.on('error', (error) => process.stderr.write(`worker error: ${error?.message ?? error}\n`));

let ready = false;
const server = createServer((request, response) => {
  const ok = request.url === '/health/ready' ? ready : request.url === '/health/live';
  response.writeHead(ok ? 200 : 503).end();
});
server.listen(Number(env.PORT || 0), env.HOST || '127.0.0.1');
await worker.waitUntilReady();
ready = true;

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await worker.close();
  transport.close();
  server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
