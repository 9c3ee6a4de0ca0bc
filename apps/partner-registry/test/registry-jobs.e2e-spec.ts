import { ServiceJobRunner } from '@sp/platform';
import { enqueue, queueNames } from '@sp/queue';
import { testConfig, useTestApp } from '@sp/testing';
import { Queue, QueueEvents } from 'bullmq';
import { sql } from 'kysely';
import type { ExpiryRemindersResult } from '../src/agreements/agreements.service';
import { appModule, description } from '../src/app.module';

// The registry's scheduled work runs in the registry, on its own queue and its own data.
const config = testConfig();
const connection = { url: config.REDIS_URL };
const registryJobs = new Queue(queueNames.registryJobs, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});
const events = new QueueEvents(queueNames.registryJobs, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});

// Before the app starts: a schedule an older release put on this queue and this one no longer has.
beforeAll(async () => {
  await registryJobs.upsertJobScheduler('retired.registry-job', { pattern: '0 3 * * *' });
  await events.waitUntilReady();
});

const ctx = useTestApp(appModule, description);

afterAll(async () => {
  await events.close();
  await registryJobs.close();
});

const runner = () => ctx.running.app.get(ServiceJobRunner);

describe('registry jobs', () => {
  it('puts its schedules on registry-jobs at start, in Tokyo time, and drops retired ones', async () => {
    expect(runner().queueName).toBe('registry-jobs');
    expect(await runner().ready).toEqual(['agreements.expiry-reminders']);
    const schedulers = await registryJobs.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([
      ['agreements.expiry-reminders', '0 9 * * *', 'Asia/Tokyo'],
    ]);
    // The next run waits as a delayed job.
    expect((await registryJobs.getDelayed()).map((j) => j.name)).toEqual([
      'agreements.expiry-reminders',
    ]);
  });

  it('upserts idempotently: a second start changes nothing', async () => {
    const before = await registryJobs.getJobSchedulers();
    runner().onApplicationBootstrap();
    await runner().ready;
    expect(await registryJobs.getJobSchedulers()).toEqual(before);
    expect(await registryJobs.getDelayed()).toHaveLength(1);
  });

  it('runs a job put on its queue in the registry, reading the registry schema', async () => {
    const run = async () => {
      const job = await enqueue(registryJobs, 'agreements.expiry-reminders', {});
      return (await job.waitUntilFinished(events, 10_000)) as ExpiryRemindersResult;
    };
    const first = await run();
    expect(first).toMatchObject({ outcome: 'done', sent: 0, withoutCoordinator: 0 });

    // An agreement expiring in 30 days (Tokyo) is due; one expiring in a year is not. Its
    // partner has no coordinator yet, so the reminder waits for one.
    const db = ctx.database.db;
    const partner = await db
      .insertInto('registry.partner')
      .values({ nameEn: 'Jobs Test University', country: 'FI', status: 'strategic' })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const days of [30, 365])
      await db
        .insertInto('registry.agreement')
        .values({
          partnerId: partner.id,
          kind: 'comprehensive',
          title: `Expires in ${days} days`,
          expiresOn: sql<string>`(now() at time zone 'Asia/Tokyo')::date + ${days}::int`,
        })
        .execute();
    expect(await run()).toMatchObject({ sent: 0, withoutCoordinator: 1 });
  });
});
