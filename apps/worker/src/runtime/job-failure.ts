import { type Job, UnrecoverableError } from 'bullmq';

/**
 * Whether the queue will not run this job again (no attempt left, or not to be retried).
 * BullMQ's worker emits `failed` for every failed attempt, retried ones too.
 */
export const isFinalFailure = (job: Job, error: Error): boolean =>
  error instanceof UnrecoverableError ||
  error.name === 'UnrecoverableError' ||
  job.attemptsMade >= (job.opts.attempts ?? 1);
