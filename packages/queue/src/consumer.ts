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
    // Seconds a fetch blocks waiting for a job; also how long `close()` may wait for it.
    drainDelay: 1,
  });
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
