import { type ConsumerSchema, type Topic, topicMessages } from '@sp/db';
import type { JobsOptions } from 'bullmq';

export type { Topic };

/**
 * Queue names. Never rename one: waiting jobs reference it. Registry events fan out to one
 * queue per consuming service, so each consumes (and retries) at its own pace. A service's
 * scheduled jobs (`<service>-jobs`) read that service's schema, so that service runs them.
 */
export const queueNames = {
  notifications: 'notifications',
  reports: 'reports',
  registryEventsSymposium: 'registry-events.symposium',
  registryEventsInquiries: 'registry-events.inquiries',
  /** Scheduled work of a service on its own data, run by that service (not by the worker). */
  registryJobs: 'registry-jobs',
  inquiriesJobs: 'inquiries-jobs',
  symposiumJobs: 'symposium-jobs',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

/**
 * Outbox topics: the queue each consumer of a topic reads (keyed by consumer; the relay fans
 * a message out to all of them), and the messages published on it with their contracts
 * (`topicMessages` in @sp/db, where `writeOutbox` finds a message's topic by its name).
 */
export const topics = {
  'registry-events': {
    /** One queue per consuming service, so each consumes (and retries) at its own pace. */
    queues: {
      symposium: queueNames.registryEventsSymposium,
      inquiries: queueNames.registryEventsInquiries,
    } satisfies Record<ConsumerSchema, QueueName>,
    messages: topicMessages['registry-events'],
  },
  /** Mail a change must cause (`email.send`), sent only if the change commits. */
  notifications: {
    queues: { worker: queueNames.notifications },
    messages: topicMessages.notifications,
  },
  /** Report runs to build (`report.build`, jobId = the outbox row's id). */
  reports: { queues: { worker: queueNames.reports }, messages: topicMessages.reports },
  /** Domain events without a consumer yet: recorded, marked sent, enqueued nowhere. */
  'registry-records': { queues: {}, messages: topicMessages['registry-records'] },
  'symposium-events': { queues: {}, messages: topicMessages['symposium-events'] },
  'inquiry-events': { queues: {}, messages: topicMessages['inquiry-events'] },
} as const satisfies {
  [T in Topic]: { queues: Record<string, QueueName>; messages: (typeof topicMessages)[T] };
};

/** Retries with exponential backoff; finished jobs are kept a while for the dashboard, then dropped. */
export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/**
 * Registry events are applied eventually, not given up on: a consumer whose database is away
 * for minutes or hours retries (effectively without limit) with a capped backoff of its own
 * (`cappedBackoff`, the consumer's `backoff` settings), and an admin can replay one failed for
 * good (a payload that breaks its contract) once it is fixed.
 */
export const registryEventJobOptions: JobsOptions = {
  ...defaultJobOptions,
  attempts: 1_000_000,
  backoff: { type: 'registry-event' },
};
