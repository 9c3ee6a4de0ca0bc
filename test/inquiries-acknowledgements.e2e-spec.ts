import { type RunningApp, SmtpSink, startApp, testConfig, useTestApp, waitFor } from '@sp/testing';
import type { InquiryReceipt } from '@sp/types';
import {
  appModule as inquiriesModule,
  description as inquiriesDescription,
} from '../apps/inquiries/src/app.module';
import {
  appModule as workerModule,
  description as workerDescription,
} from '../apps/worker/src/app.module';

/**
 * The acceptance run of the public form: 500 submissions at once through the inquiries
 * service, its outbox and relay, BullMQ and the worker to a real SMTP server — 500 distinct,
 * consecutive references, 500 acknowledgements received, no 5xx.
 */
const COUNT = 500;
let worker: RunningApp | undefined;
let sink: SmtpSink | undefined;
afterAll(async () => {
  await worker?.close();
  await sink?.close();
});

const inquiries = useTestApp(inquiriesModule, inquiriesDescription, {
  env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '100000', DATABASE_POOL_MAX: '20' },
});

beforeAll(async () => {
  sink = await SmtpSink.start();
  worker = await startApp(
    workerModule,
    testConfig({ DATABASE_URL: inquiries.database.url, SMTP_URL: sink.url }),
    workerDescription,
  );
});

it('500 concurrent submissions: 500 consecutive references and 500 acknowledgements mailed, no 5xx', async () => {
  const responses = await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      const res = await fetch(`${inquiries.running.url}/inquiries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `Inquirer ${i}`,
          email: `inquirer${i}@example.org`,
          language: i % 2 ? 'ja' : 'en',
          category: 'symposium',
          fields: { role: 'attendee' },
          subject: `Question ${i}`,
          message: `Question number ${i}`,
        }),
      });
      return { i, status: res.status, body: (await res.json()) as InquiryReceipt };
    }),
  );
  expect(responses.filter((r) => r.status !== 201)).toEqual([]);

  const references = responses.map((r) => r.body.reference);
  expect(new Set(references).size).toBe(COUNT);
  const numbers = references.map((r) => Number(r.slice(-6))).sort((a, b) => a - b);
  expect(numbers).toEqual(Array.from({ length: COUNT }, (_, k) => (numbers[0] ?? 0) + k));
  expect(new Set(references.map((r) => r.slice(0, 8))).size).toBe(1);

  const mails = () => sink?.received ?? [];
  await waitFor(() => mails().length >= COUNT, `${COUNT} acknowledgements`, {
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  expect(mails()).toHaveLength(COUNT);
  // Each inquirer got exactly one, in their language, quoting their reference, with the
  // Message-ID the inquiry keeps (so a reply threads).
  const byAddress = new Map(
    mails().map((m) => [
      m.parsed.to && 'value' in m.parsed.to ? m.parsed.to.value[0]?.address : '',
      m,
    ]),
  );
  expect(byAddress.size).toBe(COUNT);
  const stored = new Set(
    (
      await inquiries.database.db.selectFrom('inquiries.mailThread').select('messageId').execute()
    ).map((t) => t.messageId),
  );
  for (const { i, body } of responses) {
    const mail = byAddress.get(`inquirer${i}@example.org`);
    expect(mail?.parsed.subject).toContain(body.reference);
    expect(mail?.parsed.subject).toMatch(i % 2 ? /お問い合わせを受け付けました/ : /We received/);
    expect(stored.has(mail?.messageId ?? '')).toBe(true);
  }
}, 180_000);
