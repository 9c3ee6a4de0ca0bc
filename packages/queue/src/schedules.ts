import { isDeepStrictEqual } from 'node:util';
import type { Queue } from 'bullmq';
import { type JobName, jobs } from './jobs';
import type { QueueName } from './queues';

export type Schedule = {
  /** The scheduler's id in BullMQ; also the job it adds. */
  job: JobName;
  /** Cron pattern, read in `tz`. */
  pattern: string;
  tz: string;
  summary: string;
};

/**
 * The recurring jobs, each upserted on its job's queue when the service that runs that queue
 * starts (the registry: `registry-jobs`; inquiries: `inquiries-jobs`; symposium: `symposium-jobs`; the worker: `notifications`
 * and `reports`). Any number of replicas may do so: an unchanged schedule is left as it is,
 * its next run included, even one overdue (see `upsertSchedules`). Times are Tokyo times, as
 * the programme's office keeps them.
 */
export const schedules: readonly Schedule[] = [
  {
    job: 'inquiries.sla-sweep',
    pattern: '*/15 * * * *',
    tz: 'Asia/Tokyo',
    summary: 'Alert owners of inquiries past their first-response or resolution SLA.',
  },
  {
    job: 'symposium.registration-reminders',
    pattern: '*/10 * * * *',
    tz: 'Asia/Tokyo',
    summary:
      'Remind confirmed registrants of a symposium the configured time before it starts (default 3 days and 1 day), once each.',
  },
  {
    job: 'agreements.expiry-reminders',
    pattern: '0 9 * * *',
    tz: 'Asia/Tokyo',
    summary: 'Remind faculty leads of agreements expiring in 180, 90 and 30 days.',
  },
  {
    job: 'reports.monthly-digest',
    pattern: '0 8 1 * *',
    tz: 'Asia/Tokyo',
    summary: "Build and mail the previous month's activity digest.",
  },
  {
    job: 'reports.fiscal-year',
    pattern: '0 6 1 4 *',
    tz: 'Asia/Tokyo',
    summary: 'Build the report of the Japanese fiscal year (April–March) that just ended.',
  },
  {
    job: 'reports.retention',
    pattern: '30 3 * * *',
    tz: 'Asia/Tokyo',
    summary: 'Delete report runs and their files past REPORT_RETENTION_DAYS, in batches.',
  },
];

/** States of a scheduler's next job in which it will still run. */
const PENDING = new Set(['delayed', 'waiting', 'prioritized', 'waiting-children', 'active']);

/**
 * Whether `queue` already holds `schedule` as it is in code, with its next run still to come.
 * BullMQ's upsert replaces a scheduler's pending job with one computed from now, even for an
 * unchanged schedule: a run that came due while no worker was up (a monthly digest, the
 * fiscal-year report) would be dropped by the restart that was to run it late.
 */
async function inPlace(queue: Queue, schedule: Schedule): Promise<boolean> {
  const existing = await queue.getJobScheduler(schedule.job);
  if (
    !existing ||
    existing.name !== schedule.job ||
    existing.pattern !== schedule.pattern ||
    existing.tz !== schedule.tz ||
    existing.next === undefined ||
    !isDeepStrictEqual(existing.template?.opts ?? {}, jobs[schedule.job].options)
  )
    return false;
  const state = await queue.getJobState(`repeat:${schedule.job}:${existing.next}`);
  return PENDING.has(state);
}

/**
 * Makes the schedulers on `queue` exactly `schedules` (those whose job lives there): each is
 * upserted unless it is in Redis as it is in code (`inPlace`), and one no longer listed
 * (renamed or dropped in code) is removed, so old schedules do not linger in Redis.
 */
export async function upsertSchedules(queue: Queue): Promise<string[]> {
  const mine = schedules.filter((s) => jobs[s.job].queue === (queue.name as QueueName));
  for (const schedule of mine) {
    if (await inPlace(queue, schedule)) continue;
    await queue.upsertJobScheduler(
      schedule.job,
      { pattern: schedule.pattern, tz: schedule.tz },
      { name: schedule.job, data: {}, opts: jobs[schedule.job].options },
    );
  }
  const wanted = new Set<string>(mine.map((s) => s.job));
  for (const existing of await queue.getJobSchedulers()) {
    if (!wanted.has(existing.key)) await queue.removeJobScheduler(existing.key);
  }
  return mine.map((s) => s.job);
}
