import { ServiceJobRunner } from '@sp/platform';
import { enqueue, queueNames } from '@sp/queue';
import { factories, testConfig, useTestApp } from '@sp/testing';
import { Queue, QueueEvents } from 'bullmq';
import { appModule, description } from '../src/app.module';
import { RegistrationsService } from '../src/registrations/registrations.service';

// Registration reminders run in the symposium service, on its own queue.
const config = testConfig();
const connection = { url: config.REDIS_URL };
const symposiumJobs = new Queue(queueNames.symposiumJobs, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});
const events = new QueueEvents(queueNames.symposiumJobs, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});
beforeAll(() => events.waitUntilReady());

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

afterAll(async () => {
  await events.close();
  await symposiumJobs.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The reminder mails in the outbox for an address, by their idempotency keys. */
const reminderKeys = async (email: string) =>
  (
    await ctx.database.db
      .selectFrom('symposium.outbox')
      .select('payload')
      .where('name', '=', 'email.send')
      .orderBy('createdAt')
      .orderBy('id')
      .execute()
  )
    .map((r) => r.payload as { template: string; to: string[]; idempotencyKey: string })
    .filter((p) => p.template === 'registration-reminder' && p.to.includes(email))
    .map((p) => p.idempotencyKey);

it('puts the reminder run on symposium-jobs at start, every 10 minutes in Tokyo time', async () => {
  const runner = ctx.running.app.get(ServiceJobRunner);
  expect(runner.queueName).toBe('symposium-jobs');
  expect(await runner.ready).toEqual(['symposium.registration-reminders']);
  expect((await symposiumJobs.getJobSchedulers()).map((s) => [s.key, s.pattern, s.tz])).toEqual([
    ['symposium.registration-reminders', '*/10 * * * *', 'Asia/Tokyo'],
  ]);
});

it('mails each confirmed registrant 3 days and 1 day before the start, once each', async () => {
  // Held on 2100-05-10: it starts at 2100-05-10T00:00 Tokyo = 2100-05-09T15:00Z.
  const symposium = await make.symposium({ heldOn: '2100-05-10' });
  await make.registrationSettings(symposium.id);
  const startsAt = Date.parse('2100-05-09T15:00:00Z');
  const registeredAt = new Date(startsAt - 30 * DAY);
  const early = await make.registration(symposium.id, { createdAt: registeredAt });
  const waiting = await make.registration(symposium.id, {
    status: 'waitlisted',
    confirmedAt: null,
    createdAt: registeredAt,
  });
  const cancelled = await make.registration(symposium.id, {
    status: 'cancelled',
    createdAt: registeredAt,
  });
  // Registered two days before: no "in 3 days" reminder, only the 1-day one.
  const late = await make.registration(symposium.id, { createdAt: new Date(startsAt - 2 * DAY) });
  const service = ctx.running.app.get(RegistrationsService);
  const at = (ms: number) => new Date(startsAt - ms);

  expect(await service.sendDueReminders(at(3 * DAY + HOUR))).toEqual({ mailed: 0 });
  expect(await service.sendDueReminders(at(3 * DAY - HOUR))).toEqual({ mailed: 1 });
  // A second run (or a concurrent replica) at the same moment sends nothing again.
  expect(await service.sendDueReminders(at(3 * DAY - HOUR))).toEqual({ mailed: 0 });
  expect(await service.sendDueReminders(at(2 * DAY))).toEqual({ mailed: 0 });
  expect(await service.sendDueReminders(at(DAY - HOUR))).toEqual({ mailed: 2 });
  expect(await service.sendDueReminders(at(HOUR))).toEqual({ mailed: 0 });
  expect(await service.sendDueReminders(at(-HOUR))).toEqual({ mailed: 0 });

  expect(await reminderKeys(early.email)).toEqual([
    `registration-reminder:${early.id}:4320`,
    `registration-reminder:${early.id}:1440`,
  ]);
  expect(await reminderKeys(late.email)).toEqual([`registration-reminder:${late.id}:1440`]);
  expect(await reminderKeys(waiting.email)).toEqual([]);
  expect(await reminderKeys(cancelled.email)).toEqual([]);
});

it('runs a reminder job put on its queue in the symposium service, with the real clock', async () => {
  // Starts in about 2 days (tomorrow-but-one in Tokyo): the 3-day reminder is due now.
  const tokyoDay = (offsetDays: number) =>
    new Date(Date.now() + 9 * HOUR + offsetDays * DAY).toISOString().slice(0, 10);
  const symposium = await make.symposium({ heldOn: tokyoDay(2) });
  await make.registrationSettings(symposium.id, { reminderOffsetsMinutes: [4320] });
  const person = await make.registration(symposium.id, {
    createdAt: new Date(Date.now() - 30 * DAY),
  });
  const job = await enqueue(symposiumJobs, 'symposium.registration-reminders', {});
  expect(await job.waitUntilFinished(events, 15_000)).toEqual({ mailed: 1 });
  expect(await reminderKeys(person.email)).toEqual([`registration-reminder:${person.id}:4320`]);
});
