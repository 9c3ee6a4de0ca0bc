import { ServiceJobRunner } from '@sp/platform';
import { enqueue, queueNames } from '@sp/queue';
import { testConfig, useTestApp } from '@sp/testing';
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

  it('runs a job put on its queue in the inquiries service', async () => {
    const job = await enqueue(inquiriesJobs, 'inquiries.sla-sweep', {});
    expect(await job.waitUntilFinished(events, 10_000)).toEqual({
      outcome: 'nothing-to-do',
      reason: 'inquiries.sla-sweep: nothing to sweep yet (filled in by the SLA issue)',
    });
  });
});
