import type { DB, OutboxSchema } from '@sp/db';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { jobs } from './jobs';
import { pruneInBatches } from './prune';
import {
  defaultJobOptions,
  type QueueName,
  registryEventJobOptions,
  type Topic,
  topics,
} from './queues';

const knownTopics = Object.keys(topics);

export type RelayLogger = {
  warn: (context: object, message: string) => void;
  debug?: (context: object, message: string) => void;
};

export type RelayOptions = {
  db: Kysely<DB>;
  /** For LISTEN: a connection of its own, outside the pool. */
  databaseUrl: string;
  schema: OutboxSchema;
  /** A producer connection (fails fast while Redis is away). */
  redis: Redis;
  /** BullMQ key prefix. */
  prefix: string;
  logger: RelayLogger;
  batchSize?: number;
  /** Poll this often even without a notification (a missed NOTIFY, a relay that was down). */
  pollMs?: number;
  /** Sent rows are deleted after this long. */
  retentionMs?: number;
  /** First wait before reconnecting a lost LISTEN connection; doubles up to 30 s. */
  listenRetryMs?: number;
  /** Rows per DELETE when pruning sent rows. */
  pruneBatchSize?: number;
};

/**
 * Moves outbox rows to BullMQ. Safe with many replicas: each batch is claimed with
 * `FOR UPDATE SKIP LOCKED`, added with `jobId` = row id (so a retried add is a no-op in
 * BullMQ), and marked sent in the same transaction. If Redis is away the transaction rolls
 * back and the rows wait for the next attempt: nothing is lost, nothing is sent twice by it.
 */
export class OutboxRelay {
  private readonly queues = new Map<QueueName, Queue>();
  private listener: pg.Client | undefined;
  private listenTimer: NodeJS.Timeout | undefined;
  private listenFailures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;
  private lastPrune = 0;
  private readonly batchSize: number;
  /**
   * Rows of the next batch: `batchSize`, halved after each failed drain and grown back by a
   * quarter after each batch sent (halving fast, growing slowly, so a slow Redis is not hit
   * with a batch too big for it every other time). One batch is one `addBulk` of its jobs, and
   * each command of it has the producer connection's 2 s timeout: on a Redis slowed down (a
   * loaded host) a full batch failed as a whole and was retried whole, forever, while smaller
   * ones would have gone.
   */
  private batch: number;
  private readonly pollMs: number;
  private readonly retentionMs: number;
  private readonly listenRetryMs: number;
  /** Rows this relay has moved (for metrics and tests). */
  relayed = 0;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.batch = this.batchSize;
    this.pollMs = options.pollMs ?? 1_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.listenRetryMs = options.listenRetryMs ?? 1_000;
  }

  /** Whether the LISTEN connection is up (notifications wake the relay at once). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.schedule(0);
  }

  /** Stops waking up and waits for a batch in progress; closes its queues and its listener. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.listenTimer);
    await this.running;
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Relays everything pending now (also what `start` and notifications trigger). */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped) {
            const size = this.batch;
            const sent = await this.relayBatch(size);
            // Progress: Redis is there, so a later failure backs off from the start again.
            this.failures = 0;
            this.batch = Math.min(this.batchSize, Math.ceil(this.batch * 1.25));
            if (sent < size) break;
          }
        } while (this.again && !this.stopped);
        this.failures = 0;
        await this.prune();
      } catch (error) {
        this.failures++;
        this.batch = Math.max(1, Math.floor(this.batch / 2));
        this.options.logger.warn(
          { err: error, failures: this.failures, nextBatch: this.batch },
          'outbox relay could not deliver; will retry',
        );
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async relayBatch(size: number): Promise<number> {
    const { db, schema } = this.options;
    const table = `${schema}.outbox` as const;
    return db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom(table)
        .select(['id', 'topic', 'name', 'payload'])
        .where('sentAt', 'is', null)
        // A topic this release does not know (a newer replica wrote it, mid-rollout) waits for
        // a relay that does, instead of failing every batch it is in.
        .where('topic', 'in', knownTopics)
        .orderBy('createdAt')
        .limit(size)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      for (const [queueName, batch] of this.fanOut(rows)) {
        await this.queue(queueName).addBulk(batch);
      }
      await trx
        .updateTable(table)
        .set({ sentAt: sql<Date>`now()` })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      this.relayed += rows.length;
      return rows.length;
    });
  }

  private fanOut(rows: { id: string; topic: string; name: string; payload: unknown }[]) {
    const byQueue = new Map<
      QueueName,
      { name: string; data: unknown; opts: JobsOptions & { jobId: string } }[]
    >();
    for (const row of rows) {
      const targets: QueueName[] = Object.values(topics[row.topic as Topic].queues);
      // A known job's own options (attempts, retention); registry events retry until applied.
      const options =
        (jobs as Partial<Record<string, { options: JobsOptions }>>)[row.name]?.options ??
        (row.topic === 'registry-events' ? registryEventJobOptions : undefined);
      for (const queueName of targets) {
        const list = byQueue.get(queueName) ?? [];
        list.push({ name: row.name, data: row.payload, opts: { ...options, jobId: row.id } });
        byQueue.set(queueName, list);
      }
    }
    return byQueue;
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.options.redis,
        prefix: this.options.prefix,
        defaultJobOptions,
      });
      queue.on('error', () => undefined); // connection trouble surfaces as a failed add
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Deletes sent rows past retention, in bounded batches, at most once a minute. */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await pruneInBatches(this.options.db, {
      table: `${this.options.schema}.outbox`,
      where: sql<boolean>`sent_at < ${new Date(Date.now() - this.retentionMs)}`,
      batchSize: this.options.pruneBatchSize ?? 1_000,
      // Bounded: a backlog is worked off a minute at a time, never holding up the relaying.
      maxBatches: 10,
    });
  }

  /** Next wake-up: the poll interval, or a backoff (up to 30 s) after failures. */
  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.drain().finally(() => {
        const backoff = this.failures ? Math.min(30_000, 500 * 2 ** this.failures) : this.pollMs;
        this.schedule(backoff);
      });
    }, delay);
    this.timer.unref();
  }

  /**
   * LISTENs on a connection of its own, for as long as the relay runs: a lost connection (the
   * server restarted, a failover, a terminated backend) or a failed connect is retried with
   * backoff (`listenRetryMs`, doubling, up to 30 s) while the poll keeps rows moving.
   */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      application_name: `${this.options.schema}-outbox-listener`,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      const delay = this.nextListenDelay();
      this.options.logger.warn(
        { err: error, retryInMs: delay, failures: this.listenFailures },
        'outbox listener is not connected; polling until it is back',
      );
      clearTimeout(this.listenTimer);
      this.listenTimer = setTimeout(() => void this.listen(), delay);
      this.listenTimer.unref();
    };
    client.on('notification', () => void this.drain());
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the listener connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(`${this.options.schema}_outbox`)}`);
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (lost) return;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    if (this.listenFailures > 0) {
      this.options.logger.warn(
        { failures: this.listenFailures },
        'outbox listener is connected again',
      );
      // Rows committed while nobody listened are picked up now, not at the next poll.
      void this.drain();
    }
    this.listenFailures = 0;
  }

  private nextListenDelay(): number {
    this.listenFailures++;
    const base = this.listenRetryMs * 2 ** Math.min(this.listenFailures - 1, 16);
    // Jitter, so replicas that lost the server together do not come back in step.
    return Math.round(Math.min(30_000, base) * (0.75 + Math.random() * 0.5));
  }
}
