import type { ConsumerSchema, DB } from '@sp/db';
import { type Job, type RedisOptions, UnrecoverableError, Worker } from 'bullmq';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { QueueName } from './queues';

export type ConsumerOptions<S extends Record<string, z.ZodType>> = {
  db: Kysely<DB>;
  schema: ConsumerSchema;
  /** Names this consumer in the processed-message table. */
  consumer: string;
  queue: QueueName;
  /** Where Redis is: BullMQ opens and closes the worker's connections itself (see `redisOptions`). */
  redis: RedisOptions;
  prefix: string;
  concurrency?: number;
  /** Payload schema per job name: a payload that fails it is failed for good, not retried. */
  contracts: S;
  /**
   * Retries until applied: the delay before retry n is `backoffMs · 2^(n-1)`, capped at
   * `maxBackoffMs` (with jitter), for as many attempts as the job allows (registry events:
   * effectively unlimited, see `registryEventJobOptions`). Defaults: 1 s, 1 min.
   */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Times a job may stall (its worker died or lost its lock mid-job) before it is failed.
   * The effect is idempotent, so a stall costs nothing but the retry. Default 100.
   */
  maxStalledCount?: number;
  /** How often the worker looks for stalled jobs (BullMQ's `stalledInterval`). Default 30 s. */
  stalledIntervalMs?: number;
  /** The effect, in the transaction that also records the message as processed. */
  handle: (
    name: keyof S & string,
    data: z.infer<S[keyof S]>,
    trx: Transaction<DB>,
  ) => Promise<void>;
};

/**
 * An idempotent consumer: BullMQ delivers at least once, so each job's effect and the record
 * that its id was processed commit together; a second delivery finds the record and does nothing.
 */
export function createConsumer<S extends Record<string, z.ZodType>>(
  options: ConsumerOptions<S>,
): Worker {
  const table = `${options.schema}.processedMessage` as 'symposium.processedMessage';
  const process = async (job: Job): Promise<'done' | 'duplicate'> => {
    const contract = options.contracts[job.name];
    if (!contract) throw new UnrecoverableError(`no contract for job "${job.name}"`);
    const parsed = contract.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `job ${job.id} payload breaks its contract: ${parsed.error.message}`,
      );
    return options.db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto(table)
        .values({ consumer: options.consumer, messageId: String(job.id) })
        .onConflict((oc) => oc.columns(['consumer', 'messageId']).doNothing())
        .returning('messageId')
        .executeTakeFirst();
      if (!fresh) return 'duplicate';
      await options.handle(job.name, parsed.data as z.infer<S[keyof S]>, trx);
      return 'done';
    });
  };
  return new Worker(options.queue, process, {
    connection: options.redis,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 4,
    autorun: true,
    maxStalledCount: options.maxStalledCount ?? 100,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    settings: {
      backoffStrategy: cappedBackoff(options.backoffMs ?? 1_000, options.maxBackoffMs ?? 60_000),
    },
    // Seconds a fetch blocks waiting for a job; also how long `close()` may wait for it.
    drainDelay: 1,
  });
}

/**
 * Exponential backoff from `baseMs`, never above `maxMs`, with up to 20 % jitter below the
 * nominal delay (so consumers coming back from one outage do not retry in lockstep). The
 * `registry-event` backoff type of `registryEventJobOptions` resolves to it; a job with a
 * built-in type (`fixed`, `exponential`) keeps its own.
 */
export function cappedBackoff(
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): (attemptsMade: number) => number {
  return (attemptsMade) => {
    const nominal = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 30));
    return Math.round(nominal * (1 - 0.2 * random()));
  };
}

/**
 * Closes a BullMQ worker, letting running jobs finish for up to `ms`. A worker whose Redis is
 * away may never finish closing; then its connections are cut (not awaited: that promise may
 * never settle either) so the process can exit.
 */
export async function closeWorker(worker: Worker | undefined, ms = 5_000): Promise<boolean> {
  if (!worker) return true;
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    worker.close().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!closed) void worker.disconnect().catch(() => undefined);
  return closed;
}
