export type { ConsumerOptions } from './consumer';
export { cappedBackoff, closeWorker, createConsumer } from './consumer';
export type {
  JobData,
  JobHandlers,
  JobName,
  QueueJobName,
  ScheduledOutcome,
  TakenJob,
} from './jobs';
export { enqueue, enqueueEmail, jobs, messageIdOf, runJob, takeJob } from './jobs';
export type { EventData, EventName, OutboxMessage, TopicOf } from './outbox';
export { writeOutbox } from './outbox';
export type { PruneOptions } from './prune';
export { pruneInBatches } from './prune';
export type { QueueName, Topic } from './queues';
export { defaultJobOptions, queueNames, registryEventJobOptions, topics } from './queues';
export type { RedisEvents, RedisRole } from './redis';
export { closeRedis, createRedis, redisOptions } from './redis';
export type { RelayLogger, RelayOptions } from './relay';
export { OutboxRelay } from './relay';
export type { Schedule } from './schedules';
export { schedules, upsertSchedules } from './schedules';
