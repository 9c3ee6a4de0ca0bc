import { ServiceJobRunner } from '@sp/platform';
import { enqueue, queueNames } from '@sp/queue';
import { factories, testConfig, useTestApp } from '@sp/testing';
import { Queue, QueueEvents } from 'bullmq';
import { appModule, description } from '../src/app.module';

// The SLA sweep runs in the inquiries service, on its own queue.
const config = testConfig();
const connection = { url: config.REDIS_URL };
const inquiriesJobs = new Queue(queueNames.inquiriesJobs, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});
const events = new QueueEvents(queueNames.inquiriesJobs, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});

beforeAll(() => events.waitUntilReady());

const ctx = useTestApp(appModule, description);

afterAll(async () => {
  await events.close();
  await inquiriesJobs.close();
});

describe('inquiries jobs', () => {
  it('puts the SLA sweep on inquiries-jobs at start, every 15 minutes in Tokyo time', async () => {
    const runner = ctx.running.app.get(ServiceJobRunner);
    expect(runner.queueName).toBe('inquiries-jobs');
    expect(await runner.ready).toEqual(['inquiries.sla-sweep']);
    expect((await inquiriesJobs.getJobSchedulers()).map((s) => [s.key, s.pattern, s.tz])).toEqual([
      ['inquiries.sla-sweep', '*/15 * * * *', 'Asia/Tokyo'],
    ]);
    expect((await inquiriesJobs.getDelayed()).map((j) => j.name)).toEqual(['inquiries.sla-sweep']);
  });

  it('runs the sweep put on its queue in the inquiries service: a breach recorded once', async () => {
    const overdue = await factories(ctx).inquiryRow({
      firstResponseDueAt: new Date(Date.now() - 3_600_000),
      resolutionDueAt: new Date(Date.now() + 30 * 86_400_000),
    });
    const run = async () => {
      const job = await enqueue(inquiriesJobs, 'inquiries.sla-sweep', {});
      return job.waitUntilFinished(events, 10_000) as Promise<unknown>;
    };
    expect(await run()).toEqual({ outcome: 'swept', breaches: 1, dueTimesSet: 0 });
    expect(await run()).toEqual({ outcome: 'swept', breaches: 0, dueTimesSet: 0 });
    const breaches = await ctx.database.db
      .selectFrom('inquiries.slaBreach')
      .select(['kind'])
      .where('inquiryId', '=', overdue.id)
      .execute();
    expect(breaches).toEqual([{ kind: 'first-response' }]);
  });
});
