import {
  type RunningApp,
  factories,
  SmtpSink,
  startApp,
  testConfig,
  useTestApp,
  waitFor,
} from '@sp/testing';
import {
  appModule as registryModule,
  description as registryDescription,
} from '../apps/partner-registry/src/app.module';
import { TokyoClock } from '../apps/partner-registry/src/common/tokyo.clock';
import { RegistryJobs } from '../apps/partner-registry/src/jobs/registry.jobs';
import {
  appModule as workerModule,
  description as workerDescription,
} from '../apps/worker/src/app.module';

/**
 * Agreement-expiry reminders end to end: the registry's daily job (two replicas, each run
 * twice at once, on a fixed clock stepped across 200 days) → the registry outbox → the relay →
 * the worker → a real SMTP server. Each threshold reaches the coordinator once.
 */
let sink: SmtpSink | undefined;
let worker: RunningApp | undefined;
let replica: RunningApp | undefined;
// Declared before useTestApp: Jest runs afterAll hooks in declaration order, and the apps
// must be gone before the database is dropped.
afterAll(async () => {
  await replica?.close();
  await worker?.close();
  await sink?.close();
});

const registry = useTestApp(registryModule, registryDescription);
const make = factories(registry);

beforeAll(async () => {
  sink = await SmtpSink.start();
  const env = { DATABASE_URL: registry.database.url, SMTP_URL: sink.url } as Record<string, string>;
  worker = await startApp(workerModule, testConfig(env), workerDescription);
  // A second registry replica on the same database, running the same job.
  replica = await startApp(
    registryModule,
    testConfig({ DATABASE_URL: registry.database.url }),
    registryDescription,
  );
});

const DAY = 86_400_000;
const day0 = '2027-01-01';
const dayN = (n: number) =>
  new Date(Date.parse(`${day0}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

it('mails each threshold once to the coordinator across 200 days, two replicas running twice a day', async () => {
  const email = 'kenji.hongo@example.ac.jp';
  const partner = await make.partner({
    nameEn: 'Reminder Test University',
    coordinator: { name: '本郷 健二', email, locale: 'ja' },
  });
  const agreement = await make.agreement(partner.id, {
    title: 'Student exchange agreement',
    expiresOn: dayN(100),
  });

  const apps = [registry.running, replica!];
  const clocks = apps.map(({ app }) => app.get(TokyoClock, { strict: false }));
  const jobs = apps.map(({ app }) => app.get(RegistryJobs, { strict: false }));
  let sent = 0;
  for (let n = 0; n <= 200; n++) {
    const now = new Date(`${dayN(n)}T09:00:00+09:00`);
    for (const clock of clocks) clock.now = () => now;
    const runs = await Promise.all(jobs.flatMap((j) => [j.expiryReminders(), j.expiryReminders()]));
    sent += runs.reduce((total, r) => total + r.sent, 0);
  }
  // 180 (crossed before day 0: 100 days left), 90 on day 10, 30 on day 70.
  expect(sent).toBe(3);

  const db = registry.database.db;
  await waitFor(
    async () => {
      const unsent = await db
        .selectFrom('registry.outbox')
        .select('id')
        .where('name', '=', 'email.send')
        .where('sentAt', 'is', null)
        .execute();
      const settled = await db
        .selectFrom('notifications.delivery')
        .select('id')
        .where('status', '=', 'sent')
        .execute();
      return unsent.length === 0 && settled.length === 3 && sink!.received.length >= 3;
    },
    'three reminders relayed, delivered and received',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  expect(sink!.received).toHaveLength(3);
  const mails = sink!.received.map((m) => ({
    to: m.parsed.to && !Array.isArray(m.parsed.to) ? m.parsed.to.text : '',
    subject: m.parsed.subject ?? '',
    text: m.parsed.text ?? '',
  }));
  expect(mails.every((m) => m.to === email)).toBe(true);
  expect(mails.map((m) => /残り(\d+)日/.exec(m.subject)?.[1]).sort()).toEqual(['100', '30', '90']);
  expect(mails[0]!.text).toContain('本郷 健二');
  expect(mails[0]!.text).toContain('Student exchange agreement');
  expect(mails[0]!.text).toContain(dayN(100));
  const reminders = await db
    .selectFrom('registry.agreementReminder')
    .select(['thresholdDays', 'sentOn'])
    .where('agreementId', '=', agreement.id)
    .orderBy('sentOn')
    .execute();
  expect(reminders).toEqual([
    { thresholdDays: 180, sentOn: dayN(0) },
    { thresholdDays: 90, sentOn: dayN(10) },
    { thresholdDays: 30, sentOn: dayN(70) },
  ]);
});
