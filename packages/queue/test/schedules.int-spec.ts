import { testConfig } from '@sp/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueNames } from '../src/queues';
import { schedules, upsertSchedules } from '../src/schedules';

/**
 * The schedules against a real Redis (a prefix of this file's own) and no worker: a start
 * leaves a schedule that is as in code alone, its next run included, even one overdue, so a
 * run that came due while no worker was up still runs late, once.
 */
const config = testConfig();
const reports = new Queue(queueNames.reports, {
  connection: { url: config.REDIS_URL },
  prefix: config.BULLMQ_PREFIX,
});

/** 2026-03-31 20:00 UTC: 05:00 on 1 April in Tokyo, an hour before the fiscal-year report. */
const BEFORE_FISCAL_YEAR_RUN = Date.UTC(2026, 2, 31, 20);
/** When that run was due: 06:00 on 1 April 2026 in Tokyo. */
const FISCAL_YEAR_RUN = Date.UTC(2026, 2, 31, 21);

/** Upserts the reports queue's schedules as a start would at `now` (BullMQ reads Date.now). */
async function startAt(now: number | undefined): Promise<void> {
  const clock = now === undefined ? undefined : jest.spyOn(Date, 'now').mockReturnValue(now);
  try {
    await upsertSchedules(reports);
  } finally {
    clock?.mockRestore();
  }
}

const jobOf = (millis: number) => `repeat:reports.fiscal-year:${millis}`;
const fiscalYear = () => reports.getJobScheduler('reports.fiscal-year');

beforeEach(async () => {
  await reports.obliterate({ force: true });
});

afterAll(async () => {
  await reports.obliterate({ force: true });
  await reports.close();
});

it('a start keeps an unchanged schedule’s overdue run, which was due while no worker was up', async () => {
  await startAt(BEFORE_FISCAL_YEAR_RUN);
  expect((await fiscalYear())?.next).toBe(FISCAL_YEAR_RUN);
  expect(await reports.getJobState(jobOf(FISCAL_YEAR_RUN))).toBe('delayed');

  // The worker comes back months later: the restart must leave that run to be taken late.
  await startAt(undefined);
  expect(await reports.getJobState(jobOf(FISCAL_YEAR_RUN))).toBe('delayed');
  expect((await fiscalYear())?.next).toBe(FISCAL_YEAR_RUN);
  expect((await reports.getDelayed()).map((j) => j.name).sort()).toEqual(
    schedules
      .filter((s) => s.job.startsWith('reports.'))
      .map((s) => s.job)
      .sort(),
  );
});

it('a changed schedule is upserted: its next run computed from now', async () => {
  await reports.upsertJobScheduler(
    'reports.fiscal-year',
    { pattern: '0 6 1 5 *', tz: 'Asia/Tokyo' },
    { name: 'reports.fiscal-year', data: {} },
  );
  await startAt(undefined);
  const scheduler = await fiscalYear();
  expect(scheduler?.pattern).toBe('0 6 1 4 *');
  expect(scheduler?.next).toBeGreaterThan(Date.now());
  expect(new Date(scheduler!.next!).toISOString()).toMatch(/-03-31T21:00:00\.000Z$/);
  expect(await reports.getJobState(jobOf(scheduler!.next!))).toBe('delayed');
});

it('a schedule whose next run is gone (lost from Redis) gets one again', async () => {
  await startAt(BEFORE_FISCAL_YEAR_RUN);
  // BullMQ refuses to remove a scheduler's job; Redis can still lose it (eviction, a hand).
  const redis = new Redis(config.REDIS_URL);
  try {
    await redis.zrem(reports.toKey('delayed'), jobOf(FISCAL_YEAR_RUN));
    await redis.del(reports.toKey(jobOf(FISCAL_YEAR_RUN)));
  } finally {
    redis.disconnect();
  }
  expect(await reports.getJobState(jobOf(FISCAL_YEAR_RUN))).toBe('unknown');
  await startAt(undefined);
  const next = (await fiscalYear())?.next;
  expect(next).toBeGreaterThan(Date.now());
  expect(await reports.getJobState(jobOf(next!))).toBe('delayed');
});
