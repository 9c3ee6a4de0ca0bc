import { randomUUID } from 'node:crypto';
import {
  inquiriesClient,
  type ReceivedMail,
  type RunningApp,
  staffToken,
  startApp,
  testConfig,
  useTestAppWithSmtp,
  waitFor,
} from '@sp/testing';
import {
  appModule as inquiriesModule,
  description as inquiriesDescription,
} from '../apps/inquiries/src/app.module';
import { SlaService } from '../apps/inquiries/src/sla/sla.service';
import {
  appModule as workerModule,
  description as workerDescription,
} from '../apps/worker/src/app.module';

/**
 * The desk's mail end to end: the inquiries service writes replies and SLA alerts to its
 * outbox, its relay hands them to the worker, the worker sends them over SMTP to a real
 * server (the sink). Internal notes must never reach it.
 */
let inquiries: RunningApp | undefined;
// Declared before the worker's setup so it closes before the database is dropped.
afterAll(async () => {
  await inquiries?.close();
});
const worker = useTestAppWithSmtp(workerModule, workerDescription);

beforeAll(async () => {
  inquiries = await startApp(
    inquiriesModule,
    testConfig({ DATABASE_URL: worker.database.url }),
    inquiriesDescription,
  );
});

const mailsAbout = (reference: string): ReceivedMail[] =>
  worker.sink.received.filter((mail) => (mail.parsed.subject ?? '').includes(reference));

/** Waits until every mail the inquiries service queued has been sent (or given up on). */
async function allMailDelivered(): Promise<void> {
  const db = worker.database.db;
  await waitFor(
    async () => {
      const unsent = await db
        .selectFrom('inquiries.outbox')
        .select(db.fn.countAll<string>().as('n'))
        .where('name', '=', 'email.send')
        .where('sentAt', 'is', null)
        .executeTakeFirstOrThrow();
      const pending = await db
        .selectFrom('notifications.delivery')
        .select(db.fn.countAll<string>().as('n'))
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirstOrThrow();
      const queued = await db
        .selectFrom('inquiries.outbox')
        .select(db.fn.countAll<string>().as('n'))
        .where('name', '=', 'email.send')
        .executeTakeFirstOrThrow();
      const deliveries = await db
        .selectFrom('notifications.delivery')
        .select(db.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      return (
        Number(unsent.n) === 0 &&
        Number(pending.n) === 0 &&
        Number(deliveries.n) >= Number(queued.n)
      );
    },
    'every queued mail delivered',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

it('mails a public reply to the inquirer in Japanese, threaded, with the reference; never an internal note', async () => {
  if (!inquiries) throw new Error('the inquiries service did not start');
  const publicApi = inquiriesClient(inquiries);
  const desk = inquiriesClient(inquiries, await staffToken('staff'));
  const submitted = await publicApi.POST('/inquiries', {
    body: {
      name: '山田 花子',
      email: 'hanako@example.jp',
      language: 'ja',
      category: 'mobility',
      fields: { direction: 'to-utokyo', level: 'graduate' },
      subject: '交換留学について',
      message: '来年度の交換留学について教えてください。',
    },
  });
  expect(submitted.response.status).toBe(201);
  const receipt = submitted.data!;
  const found = await desk.GET('/inquiries', { params: { query: { q: receipt.reference } } });
  const id = found.data!.items[0]!.id;
  expect(found.data!.items[0]!.firstResponseDueAt).not.toBeNull();

  const secret = `internal-${randomUUID()}`;
  const note = await desk.POST('/inquiries/{id}/messages', {
    params: { path: { id } },
    body: { visibility: 'internal', body: `Ask the Graduate School first. ${secret}` },
  });
  expect(note.response.status).toBe(201);
  const reply = await desk.POST('/inquiries/{id}/messages', {
    params: { path: { id } },
    body: { visibility: 'public', body: '募集要項をお送りします。' },
  });
  expect(reply.response.status).toBe(201);
  const replyId = reply.data!.messages.at(-1)!.messageId;

  await waitFor(
    () => Promise.resolve(mailsAbout(receipt.reference).some((m) => m.messageId === replyId)),
    'the reply at the SMTP server',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const received = mailsAbout(receipt.reference).find((m) => m.messageId === replyId)!;
  const ack = mailsAbout(receipt.reference).find((m) => m.messageId !== replyId);
  expect(received.parsed.subject).toBe(`Re: お問い合わせ（${receipt.reference}）`);
  expect(received.parsed.to).toMatchObject({ value: [{ address: 'hanako@example.jp' }] });
  expect(received.parsed.text).toContain('山田 花子 様');
  expect(received.parsed.text).toContain('募集要項をお送りします。');
  // Threaded to the acknowledgement: a reply from the inquirer lands in the same inquiry.
  expect(ack?.messageId).toBeDefined();
  expect(received.parsed.inReplyTo).toBe(ack?.messageId);
  expect([received.parsed.references].flat()).toContain(ack?.messageId);

  // The note is in no mail and not on the status page.
  await allMailDelivered();
  for (const mail of worker.sink.received) expect(mail.raw.toString('utf8')).not.toContain(secret);
  const status = await publicApi.GET('/inquiries/status/{token}', {
    params: { path: { token: receipt.statusToken } },
  });
  expect(status.response.status).toBe(200);
  expect(JSON.stringify(status.data)).not.toContain(secret);
  expect(status.data!.messages.map((m) => m.body)).toContain('募集要項をお送りします。');
});

it('sends one breach alert to a real SMTP server when the sweep runs twice, and twice at once', async () => {
  if (!inquiries) throw new Error('the inquiries service did not start');
  const desk = inquiriesClient(inquiries, await staffToken('staff'));
  const submitted = await inquiriesClient(inquiries).POST('/inquiries', {
    body: {
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      language: 'en',
      category: 'other',
      fields: {},
      subject: 'A late question',
      message: 'Nobody answers?',
    },
  });
  const reference = submitted.data!.reference;
  const found = await desk.GET('/inquiries', { params: { query: { q: reference } } });
  const inquiry = found.data!.items[0]!;
  await desk.PATCH('/inquiries/{id}', {
    params: { path: { id: inquiry.id }, header: { 'If-Match': `"${inquiry.version}"` } },
    body: { assignee: 'kenji', assigneeEmail: 'kenji@example.ac.jp' },
  });

  // Past the first-response due time, before the resolution one.
  const at = new Date(new Date(inquiry.firstResponseDueAt!).getTime() + 60_000);
  const sla = inquiries.app.get(SlaService);
  await sla.sweep(at);
  await sla.sweep(at);
  await Promise.all([sla.sweep(at), sla.sweep(at)]);

  const alerts = () =>
    worker.sink.received.filter((mail) => mail.parsed.subject === `対応期限超過：${reference}`);
  await waitFor(() => Promise.resolve(alerts().length > 0), 'the breach alert', {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  await allMailDelivered();
  expect(alerts()).toHaveLength(1);
  expect(alerts()[0]!.parsed.to).toMatchObject({ value: [{ address: 'kenji@example.ac.jp' }] });
  expect(alerts()[0]!.parsed.text).toContain('初回回答');
});
