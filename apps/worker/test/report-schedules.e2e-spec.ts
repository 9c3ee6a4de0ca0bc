import { enqueue, queueNames } from '@sp/queue';
import { type RunningApp, startApp, testConfig, useTestAppWithSmtp, waitFor } from '@sp/testing';
import { Queue, QueueEvents } from 'bullmq';
import { appModule, description } from '../src/app.module';
import type { WorkerConfig } from '../src/config';
import { fiscalYearJustEnded, fiscalYearOf, previousMonth } from '../src/reports/report-periods';
import { Gate, registerFixtureKinds } from './report-fixtures';

const env: Partial<Record<keyof WorkerConfig, string>> = {
  REPORT_RECIPIENTS: 'office@example.org, Director@example.org',
  REPORT_SCHEDULED_FORMAT: 'csv',
  REPORT_MAIL_LOCALE: 'ja',
  PUBLIC_URL: 'https://ops.example.ac.jp',
};
let second: RunningApp | undefined;
let queue: Queue;
let events: QueueEvents;
// Declared first, so it runs first (Jest runs afterAll hooks in declaration order): the second
// worker's pooled SMTP connections must be gone before the mail server closes.
afterAll(async () => {
  await second?.close();
  await events?.close();
  await queue?.close();
});
const ctx = useTestAppWithSmtp(appModule, description, { env });
const gate = new Gate();

beforeAll(async () => {
  // A second worker on the same database, Redis keys and mail server: two replicas.
  second = await startApp(
    appModule,
    testConfig({ DATABASE_URL: ctx.database.url, SMTP_URL: ctx.sink.url, ...env }),
    description,
  );
  registerFixtureKinds(ctx.running.app, gate);
  registerFixtureKinds(second.app, gate);
  const config = testConfig();
  queue = new Queue(queueNames.reports, {
    connection: { url: config.REDIS_URL },
    prefix: config.BULLMQ_PREFIX,
  });
  events = new QueueEvents(queueNames.reports, {
    connection: { url: config.REDIS_URL },
    prefix: config.BULLMQ_PREFIX,
  });
  await events.waitUntilReady();
});

const runs = () =>
  ctx.database.db
    .selectFrom('reports.run')
    .select(['id', 'kind', 'params', 'periodKey', 'state'])
    .where('periodKey', 'is not', null)
    .execute();

it('makes one run per period and kind, and one mail per run and recipient, with two workers and a schedule fired twice', async () => {
  const before = ctx.sink.received.length;
  // Each schedule fired twice at once (a double-fired scheduler), on a queue two workers work.
  const jobs = await Promise.all([
    enqueue(queue, 'reports.monthly-digest', {}),
    enqueue(queue, 'reports.monthly-digest', {}),
    enqueue(queue, 'reports.fiscal-year', {}),
    enqueue(queue, 'reports.fiscal-year', {}),
  ]);
  await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 30_000)));

  const now = new Date();
  const month = previousMonth(now);
  const made = await runs();
  expect(made.map((r) => [r.periodKey, r.kind, r.params]).sort()).toEqual(
    [
      [`digest:${month}`, 'fiscal-year', { fiscalYear: fiscalYearOf(month) }],
      [`digest:${month}`, 'inquiry-statistics', { from: month, to: month }],
      [
        `fiscal-year:${fiscalYearJustEnded(now)}`,
        'fiscal-year',
        { fiscalYear: fiscalYearJustEnded(now) },
      ],
    ].sort(),
  );
  await waitFor(
    async () => (await runs()).every((r) => r.state === 'succeeded'),
    'the scheduled runs to be built',
  );
  // Fired twice again once the runs have finished (no live run to find): still nothing new.
  const again = await Promise.all([
    enqueue(queue, 'reports.monthly-digest', {}),
    enqueue(queue, 'reports.monthly-digest', {}),
    enqueue(queue, 'reports.fiscal-year', {}),
    enqueue(queue, 'reports.fiscal-year', {}),
  ]);
  await Promise.all(again.map((job) => job.waitUntilFinished(events, 30_000)));
  expect((await runs()).map((r) => r.id).sort()).toEqual(made.map((r) => r.id).sort());

  // Two recipients × three runs; each mail once.
  const reportMails = () =>
    ctx.database.db
      .selectFrom('notifications.delivery')
      .select(['idempotencyKey', 'status', 'recipients'])
      .where('template', '=', 'report-ready')
      .execute();
  await waitFor(async () => {
    const mails = await reportMails();
    return mails.length === 6 && mails.every((m) => m.status === 'sent');
  }, 'six report mails to be sent');
  const mails = ctx.sink.received.slice(before);
  expect(mails).toHaveLength(6);
  const ids = made.map((r) => r.id);
  expect((await reportMails()).map((m) => m.idempotencyKey).sort()).toEqual(
    ids
      .flatMap((id) => [
        `report-ready:${id}:director@example.org`,
        `report-ready:${id}:office@example.org`,
      ])
      .sort(),
  );
  const digest = made.find((r) => r.kind === 'inquiry-statistics')!;
  const toOffice = mails.filter((m) => m.parsed.text?.includes(`/reports/${digest.id}/file`));
  expect(toOffice).toHaveLength(2);
  expect(toOffice[0]!.parsed.subject).toContain('レポートが作成されました');
  expect(toOffice[0]!.parsed.text).toContain(`https://ops.example.ac.jp/reports/${digest.id}/file`);
});
