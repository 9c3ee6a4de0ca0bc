import { ServiceJobRunner } from '@sp/platform';
import { enqueue, queueNames } from '@sp/queue';
import { factories, testConfig, useTestApp, waitForLockWait } from '@sp/testing';
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

  const start = new Date(startsAt).toISOString();
  expect(await reminderKeys(early.email)).toEqual([
    `registration-reminder:${early.id}:${start}:4320`,
    `registration-reminder:${early.id}:${start}:1440`,
  ]);
  expect(await reminderKeys(late.email)).toEqual([
    `registration-reminder:${late.id}:${start}:1440`,
  ]);
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
  expect(await reminderKeys(person.email)).toEqual([
    expect.stringMatching(new RegExp(`^registration-reminder:${person.id}:.*:4320$`)),
  ]);
});

it('mails the reminders again for the new start when the symposium is moved', async () => {
  const symposium = await make.symposium({ heldOn: '2100-06-10' });
  await make.registrationSettings(symposium.id, { reminderOffsetsMinutes: [4320] });
  const first = Date.parse('2100-06-09T15:00:00Z');
  const person = await make.registration(symposium.id, { createdAt: new Date(first - 30 * DAY) });
  const service = ctx.running.app.get(RegistrationsService);
  expect(await service.sendDueReminders(new Date(first - 3 * DAY + HOUR))).toEqual({ mailed: 1 });
  // Postponed by a month: the 3-day reminder of the new date is due in its turn, once.
  await ctx.database.db
    .updateTable('symposium.symposium')
    .set({ heldOn: '2100-07-10' })
    .where('id', '=', symposium.id)
    .execute();
  const second = Date.parse('2100-07-09T15:00:00Z');
  expect(await service.sendDueReminders(new Date(second - 3 * DAY + HOUR))).toEqual({ mailed: 1 });
  expect(await service.sendDueReminders(new Date(second - 3 * DAY + HOUR))).toEqual({ mailed: 0 });
  expect(await reminderKeys(person.email)).toEqual([
    `registration-reminder:${person.id}:${new Date(first).toISOString()}:4320`,
    `registration-reminder:${person.id}:${new Date(second).toISOString()}:4320`,
  ]);
});

it('counts a promoted registrant from their seat, not from their place in the queue', async () => {
  // On the waiting list for a month, given a seat two days before: the "in 3 days" moment had
  // passed before they had a seat, so only the 1-day reminder is theirs.
  const symposium = await make.symposium({ heldOn: '2100-08-10' });
  await make.registrationSettings(symposium.id);
  const startsAt = Date.parse('2100-08-09T15:00:00Z');
  const promoted = await make.registration(symposium.id, {
    createdAt: new Date(startsAt - 30 * DAY),
    confirmedAt: new Date(startsAt - 2 * DAY),
  });
  const service = ctx.running.app.get(RegistrationsService);
  expect(await service.sendDueReminders(new Date(startsAt - 2 * DAY + HOUR))).toEqual({
    mailed: 0,
  });
  expect(await service.sendDueReminders(new Date(startsAt - DAY + HOUR))).toEqual({ mailed: 1 });
  expect(await reminderKeys(promoted.email)).toEqual([
    `registration-reminder:${promoted.id}:${new Date(startsAt).toISOString()}:1440`,
  ]);
});

it('sends no reminder to someone whose cancellation commits while the run is on its way', async () => {
  const symposium = await make.symposium({ heldOn: '2100-09-10' });
  await make.registrationSettings(symposium.id, { reminderOffsetsMinutes: [4320] });
  const startsAt = Date.parse('2100-09-09T15:00:00Z');
  const person = await make.registration(symposium.id, {
    createdAt: new Date(startsAt - 30 * DAY),
  });
  const service = ctx.running.app.get(RegistrationsService);
  let run: Promise<{ mailed: number }> | undefined;
  await ctx.database.db.transaction().execute(async (trx) => {
    // A cancellation holding the registration's lock, as the cancel route does.
    await trx
      .updateTable('symposium.registration')
      .set({ status: 'cancelled', cancelledAt: new Date() })
      .where('id', '=', person.id)
      .execute();
    run = service.sendDueReminders(new Date(startsAt - 3 * DAY + HOUR));
    await waitForLockWait(trx, ctx.database.db, run, 'the reminder run to wait for the lock');
  });
  expect(await run!).toEqual({ mailed: 0 });
  expect(await reminderKeys(person.email)).toEqual([]);
});
