// queue-email: the two sides under test, ready to take jobs: the baseline (a bare BullMQ
// worker + nodemailer, baseline-email-worker.mjs) and the system (outbox rows committed as a
// service writes them, the outbox relay in this process, the real worker as a child process).

import { randomUUID } from 'node:crypto';
import { createDb } from '@sp/db';
import {
  closeRedis,
  createRedis,
  defaultJobOptions,
  jobs,
  OutboxRelay,
  queueNames,
  writeOutbox,
} from '@sp/queue';
import { Queue } from 'bullmq';
import { onCleanup } from '../lib/cleanup.mjs';
import { BenchFailure } from '../lib/common.mjs';
import { startServer } from '../lib/processes.mjs';
import { benchRedisUrl } from '../lib/redis.mjs';

export const WORKER_MAIN = 'apps/worker/dist/main.js';
const BASELINE = 'bench/baseline-email-worker.mjs';
/** The partner registry's outbox: the worker does not care which service's outbox it was. */
export const OUTBOX_SCHEMA = 'registry';

/** The job's payload: what a service's change would enqueue for an inquiry received. */
const emailFor = (run, ref) => ({
  template: 'inquiry-received',
  locale: 'en',
  to: [`partner-${ref}@example.com`],
  data: {
    name: `Bench Partner ${ref}`,
    reference: `BENCH-${ref}`,
    statusUrl: `https://partners.example/inquiries/BENCH-${ref}`,
  },
  idempotencyKey: `bench:${run.runId}:${ref}`,
});

/**
 * The two sides, ready to take jobs. Each gets a BullMQ prefix of its own under the run's key
 * prefix, so neither worker can take the other's jobs.
 */
export async function startTargets(run, { database, keyPrefix, sink }) {
  const redisUrl = benchRedisUrl();
  const common = {
    REDIS_URL: redisUrl,
    SMTP_URL: sink.url,
    NOTIFICATIONS_CONCURRENCY: String(run.options.concurrency),
    // Production as deployed. The staff issuer is required there and never asked: no request
    // with a token reaches the worker in this benchmark.
    NODE_ENV: 'production',
    AUTH_STAFF_ISSUER: 'urn:sp:bench:unused',
    AUTH_STAFF_JWKS_URL: 'http://127.0.0.1:9/unused-jwks.json',
    // Production names its sender.
    MAIL_FROM: 'Strategic Partnerships bench <bench@strategic-partnerships.example>',
  };
  const profile = (key) =>
    run.options.cpuProfileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${run.options.cpuProfileDir}`,
          `--cpu-prof-name=${key}.cpuprofile`,
        ]
      : [];

  // One producer connection, as a service has (fails fast while Redis is away): the
  // baseline's jobs are added through it, and both queues are inspected through it.
  const producer = createRedis(redisUrl, 'producer');
  onCleanup('close the producer connection', () => closeRedis(producer));
  await untilReady(producer);
  const queueOn = (prefix) => {
    const queue = new Queue(queueNames.notifications, {
      connection: producer,
      prefix,
      defaultJobOptions,
    });
    queue.on('error', () => {});
    onCleanup(`close the queue ${prefix}`, () => queue.close());
    return queue;
  };

  run.log('starting the baseline (bare BullMQ worker + nodemailer)');
  const baselinePrefix = `${keyPrefix}baseline`;
  const baselineQueue = queueOn(baselinePrefix);
  const baseline = {
    key: 'baseline',
    label: 'baseline (BullMQ + nodemailer)',
    queue: baselineQueue,
    server: await startServer({
      name: 'baseline-email-worker',
      args: [...profile('baseline'), BASELINE],
      env: { ...common, BULLMQ_PREFIX: baselinePrefix },
      readyPath: '/health/ready',
    }),
    /** Jobs straight into the queue, as many per call as given (one addBulk). */
    add: (refs) =>
      baselineQueue.addBulk(
        refs.map((ref) => ({
          name: 'email.send',
          data: emailFor(run, ref),
          // What the relay gives each job: the job's own options and an id of the producer's.
          opts: { ...jobs['email.send'].options, jobId: randomUUID() },
        })),
      ),
  };

  run.log(
    `starting the worker (concurrency ${run.options.concurrency}, pool ${run.options.poolMax})`,
  );
  const systemPrefix = `${keyPrefix}system`;
  // The relay, as a producing service runs it (packages/platform's OutboxRelayService): its
  // own pool, a LISTEN connection, a producer Redis connection.
  const relayDb = createDb(database.url, { max: 2, applicationName: 'bench-relay' });
  const relayRedis = createRedis(redisUrl, 'producer');
  const relay = new OutboxRelay({
    db: relayDb,
    databaseUrl: database.url,
    schema: OUTBOX_SCHEMA,
    redis: relayRedis,
    prefix: systemPrefix,
    logger: { warn: (context, message) => run.log(`relay: ${message} (${context.err?.message})`) },
  });
  // The producer of the changes: the pool a service would write its transactions with.
  const appDb = createDb(database.url, { max: 2, applicationName: 'bench-producer' });
  onCleanup('stop the outbox relay', async () => {
    await relay.stop();
    await Promise.allSettled([relayDb.destroy(), appDb.destroy(), closeRedis(relayRedis)]);
  });
  const system = {
    key: 'system',
    label: 'system (outbox → relay → worker)',
    queue: queueOn(systemPrefix),
    relay,
    server: await startServer({
      name: 'worker',
      args: [...profile('worker'), WORKER_MAIN],
      env: {
        ...common,
        DATABASE_URL: database.url,
        DATABASE_POOL_MAX: String(run.options.poolMax),
        BULLMQ_PREFIX: systemPrefix,
        REDIS_KEY_PREFIX: keyPrefix,
        WORKER_QUEUES: 'notifications',
        LOG_LEVEL: run.options.workerLogLevel,
      },
      readyPath: '/health/ready',
    }),
    /** Outbox rows in one committed transaction, as a change writes them. */
    add: (refs) =>
      appDb.transaction().execute((trx) =>
        writeOutbox(
          trx,
          OUTBOX_SCHEMA,
          ...refs.map((ref) => ({
            topic: 'notifications',
            name: 'email.send',
            payload: emailFor(run, ref),
          })),
        ),
      ),
  };
  await untilReady(relayRedis);
  await relay.start();

  const targets = [baseline, system];
  for (const target of targets) {
    target.server.exited.catch((error) => (run.died ??= error));
    target.rounds = [];
  }
  const info = await producer.info('server');
  return { targets, redisVersion: `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}` };
}

/** Until a Redis connection is ready (a producer connection refuses commands before). */
export async function untilReady(redis) {
  if (redis.status === 'ready') return;
  let timer;
  try {
    await new Promise((ready, fail) => {
      redis.once('ready', ready);
      timer = setTimeout(() => fail(new BenchFailure('Redis did not answer within 5 s')), 5_000);
    });
  } finally {
    clearTimeout(timer);
  }
}
