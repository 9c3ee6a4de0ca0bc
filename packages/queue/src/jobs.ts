import { emailSendSchema, reportBuildSchema, scheduledRunSchema } from '@sp/types';
import { type Job, type JobsOptions, type Queue, UnrecoverableError } from 'bullmq';
import type { z } from 'zod';
import { defaultJobOptions, type QueueName, queueNames } from './queues';

type JobDefinition = {
  queue: QueueName;
  /** The payload's contract: checked when the job is added and again when it is taken. */
  schema: z.ZodType;
  options: JobsOptions;
};

/** A scheduled run that misses its slot is not worth eight retries: the next slot comes. */
const scheduledRunOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { age: 30 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/**
 * Every job the system knows: its queue, its payload's contract and its options. Producers
 * (`enqueue`) and processors (`takeJob`, `runJob`) share these, so neither can drift from the
 * other. A job runs in the service whose data it reads: the worker's queues (`notifications`,
 * `reports`) send mail and build reports; a service's own queue (`registry-jobs`,
 * `inquiries-jobs`, `symposium-jobs`) runs its scheduled work there. Never rename a job: waiting jobs carry the name.
 */
export const jobs = {
  'email.send': {
    queue: queueNames.notifications,
    schema: emailSendSchema,
    options: defaultJobOptions,
  },
  'inquiries.sla-sweep': {
    queue: queueNames.inquiriesJobs,
    schema: scheduledRunSchema,
    options: scheduledRunOptions,
  },
  'symposium.registration-reminders': {
    queue: queueNames.symposiumJobs,
    schema: scheduledRunSchema,
    options: scheduledRunOptions,
  },
  'agreements.expiry-reminders': {
    queue: queueNames.registryJobs,
    schema: scheduledRunSchema,
    options: scheduledRunOptions,
  },
  'reports.monthly-digest': {
    queue: queueNames.reports,
    schema: scheduledRunSchema,
    options: scheduledRunOptions,
  },
  'reports.fiscal-year': {
    queue: queueNames.reports,
    schema: scheduledRunSchema,
    options: scheduledRunOptions,
  },
  'reports.retention': {
    queue: queueNames.reports,
    schema: scheduledRunSchema,
    options: scheduledRunOptions,
  },
  /**
   * Builds one report run (relayed from `reports.outbox`, jobId = the row's id). Few attempts:
   * a build that fails on its data fails the same way again; a lost worker is a stall, not an
   * attempt, and the run is rebuilt.
   */
  'report.build': {
    queue: queueNames.reports,
    schema: reportBuildSchema,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  },
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobs;
export type JobData<N extends JobName> = z.infer<(typeof jobs)[N]['schema']>;
export type QueueJobName<Q extends QueueName> = {
  [N in JobName]: (typeof jobs)[N]['queue'] extends Q ? N : never;
}[JobName];

/**
 * Adds a job, checking its payload first: a bad payload is the producer's bug and is refused
 * here (a ZodError), before it reaches the queue.
 */
export function enqueue<N extends JobName>(
  queue: Queue,
  name: N,
  data: JobData<N>,
  options: JobsOptions = {},
): Promise<Job> {
  const definition: JobDefinition = jobs[name];
  if (queue.name !== definition.queue)
    throw new Error(`job "${name}" belongs on queue "${definition.queue}", not "${queue.name}"`);
  return queue.add(name, definition.schema.parse(data), { ...definition.options, ...options });
}

export const enqueueEmail = (queue: Queue, data: JobData<'email.send'>, options?: JobsOptions) =>
  enqueue(queue, 'email.send', data, options);

/**
 * The Message-ID of the mail an `email.send` job sends for a delivery: the same on every
 * attempt, so a repeat after a crash is recognisable as one. The worker sends it and lists it;
 * the queue-email benchmark checks mail against it.
 */
export const messageIdOf = (deliveryId: string) =>
  `<${deliveryId}@notifications.strategic-partnerships>`;

export type TakenJob<Q extends QueueName> = {
  [N in QueueJobName<Q>]: { name: N; data: JobData<N> };
}[QueueJobName<Q>];

/**
 * Reads a job a processor of `queue` has taken: its name must be one of that queue's jobs and
 * its payload must keep the contract. Either failure is final (`UnrecoverableError`): a retry
 * would fail the same way.
 */
export function takeJob<Q extends QueueName>(queue: Q, job: Job): TakenJob<Q> {
  const definition = (jobs as Record<string, JobDefinition>)[job.name];
  if (!definition || definition.queue !== queue)
    throw new UnrecoverableError(`queue "${queue}" has no job "${job.name}"`);
  const parsed = definition.schema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(
      `${job.name} payload breaks its contract: ${parsed.error.message}`,
    );
  return { name: job.name, data: parsed.data } as TakenJob<Q>;
}

/**
 * A processor of `queue`: one handler per job of that queue, so a job added to the queue in
 * `jobs` without its handler does not compile. Declare the map with
 * `satisfies JobHandlers<typeof queue>`; `runJob` dispatches to it.
 */
export type JobHandlers<Q extends QueueName, R = unknown> = {
  [N in QueueJobName<Q>]: (data: JobData<N>, job: Job, token?: string) => Promise<R>;
};

/** Takes a job (`takeJob`) and runs its handler. */
export function runJob<Q extends QueueName, R>(
  queue: Q,
  handlers: JobHandlers<Q, R>,
  job: Job,
  token?: string,
): Promise<R> {
  const taken: { name: string; data: unknown } = takeJob(queue, job);
  // `taken` pairs a name with its checked payload, and the map's handler for that name takes
  // that payload; the compiler cannot follow the pairing through the generic queue.
  const byName = handlers as unknown as Partial<
    Record<string, (data: unknown, job: Job, token?: string) => Promise<R>>
  >;
  const handler = byName[taken.name];
  if (!handler) throw new UnrecoverableError(`queue "${queue}" has no handler for "${taken.name}"`);
  return handler(taken.data, job, token);
}

/** What a scheduled job whose owning issue has not filled it yet returns. */
export type ScheduledOutcome = { outcome: 'nothing-to-do'; reason: string };
