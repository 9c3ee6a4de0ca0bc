import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { METRICS_REGISTRY } from '@sp/platform';
import { jobs } from '@sp/queue';
import type { Job, Queue, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { isFinalFailure } from './job-failure';
import { ALL_QUEUES } from './tokens';

/** States a queue's depth is reported in. */
const states = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** A scrape must answer even while Redis is away: counts that take longer are left out. */
const COUNT_TIMEOUT_MS = 1_000;

const seconds = (from: number | undefined, to: number | undefined) =>
  from !== undefined && to !== undefined ? Math.max(0, to - from) / 1000 : undefined;

/**
 * Queue metrics for Prometheus (and for autoscaling on depth): jobs per queue and state, read
 * from Redis at scrape time, and per job name the time jobs waited and took, with their outcome.
 */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  private processed!: Counter<'queue' | 'job' | 'outcome'>;
  private duration!: Histogram<'queue' | 'job' | 'outcome'>;
  private wait!: Histogram<'queue' | 'job'>;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(ALL_QUEUES) private readonly queues: Queue[],
  ) {}

  onModuleInit(): void {
    const registers = [this.registry];
    const queues = this.queues;
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in each queue by state, read from Redis when scraped.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async (queue) => {
            const counts = await withTimeout(queue.getJobCounts(...states), COUNT_TIMEOUT_MS);
            if (!counts) return;
            for (const state of states) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
    this.processed = new Counter({
      name: 'queue_jobs_processed_total',
      help: 'Jobs this process finished, by queue, job name and outcome (completed or failed).',
      labelNames: ['queue', 'job', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'queue_job_duration_seconds',
      help: 'Time a job ran in this process, by queue, job name and outcome.',
      labelNames: ['queue', 'job', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.wait = new Histogram({
      name: 'queue_job_wait_seconds',
      help: 'Time from a job being added (or becoming due) to a worker taking it.',
      labelNames: ['queue', 'job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
  }

  /**
   * Counts and times what `worker` finishes. An attempt that fails and will be retried counts
   * as `retried`, not `failed` (a job that failed once and then went out is one job done). The
   * wait is a first attempt's only, from when the job was due (`opts.delay` keeps the delay it
   * was added with; BullMQ sets `delay` to 0 once it is due): a retry's wait would hold its
   * backoffs, and a monthly schedule's a month. A job name no contract declares (one added
   * through the dashboard, say) is labelled `unknown`, so names cannot grow the series.
   */
  watch(worker: Worker): void {
    const record = (job: Job | undefined, outcome: 'completed' | 'failed' | 'retried') => {
      if (!job) return;
      const name = Object.hasOwn(jobs, job.name) ? job.name : 'unknown';
      const labels = { queue: worker.name, job: name, outcome };
      this.processed.inc(labels);
      const took = seconds(job.processedOn, job.finishedOn ?? Date.now());
      if (took !== undefined) this.duration.observe(labels, took);
      if (job.attemptsStarted > 1) return;
      const waited = seconds(job.timestamp + (job.opts.delay ?? 0), job.processedOn);
      if (waited !== undefined) this.wait.observe({ queue: worker.name, job: name }, waited);
    };
    worker.on('completed', (job) => record(job, 'completed'));
    worker.on('failed', (job, error) =>
      record(job, job && !isFinalFailure(job, error) ? 'retried' : 'failed'),
    );
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.catch(() => undefined),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
