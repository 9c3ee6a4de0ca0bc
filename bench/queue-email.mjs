// queue-email: how fast the system turns `email.send` jobs into mail, compared with a bare
// BullMQ worker sending the same mail through the same SMTP transport
// (baseline-email-worker.mjs). The system's path is the one a service's change takes: an
// outbox row committed with the change, the outbox relay moving it to BullMQ, the real worker
// (apps/worker) checking the payload, recording the delivery under its idempotency key and
// sending the mail. The ratio system/baseline is the share of the raw queue-and-SMTP capacity
// left after everything the system adds for at-most-once, never-lost mail.
//
// Steps: a throwaway database (migrated) and a Redis key prefix of the run's own → an SMTP sink
// in this process (smtp-server, reading only the headers it needs) → the real worker and the
// baseline as child processes, waited for until ready, and the outbox relay in this process
// (as a producing service runs it) → a warm-up each → bursts of jobs, the two taking turns
// (see measure()) → a light-load phase for latency without a backlog → checks that every
// message arrived exactly once and every delivery is recorded as sent → a table and
// bench/results/queue-email.json. The database, the Redis keys, the sink and the processes are
// removed however the run ends (success, failure, Ctrl-C).
//
// Run through bench/run.mjs (`npm run bench`), or alone after a build:
//   node_modules/.bin/node bench/queue-email.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_EMAILS [20000]             measured jobs per side (system and baseline), in bursts
//   BENCH_ROUNDS [2]                 bursts per side (BENCH_EMAILS split evenly); the sides take
//                                    turns, the order reversed every round
//   BENCH_BATCH [500]                outbox rows per committed transaction (system), jobs per
//                                    addBulk (baseline)
//   BENCH_CONCURRENCY [50]           NOTIFICATIONS_CONCURRENCY of the worker; the baseline's
//                                    concurrency
//   BENCH_WARMUP_EMAILS [1000]       per side before measuring, not counted
//   BENCH_PACED_EMAILS [1000]        light load: jobs committed one at a time, at
//   BENCH_PACED_RATE [100]           this many per second (latency without a backlog)
//   BENCH_POOL_MAX [10]              the worker's DATABASE_POOL_MAX (its default)
//   BENCH_STALL_SECONDS [30]         fail when mail is missing and none arrived for this long
//   BENCH_WORKER_LOG_LEVEL [warn]    the worker's LOG_LEVEL
//   BENCH_CPU_PROF [unset]           a directory: profile the worker and the baseline with
//                                    --cpu-prof
//   BENCH_DATABASE_URL               the Postgres server
//                                    [postgres://postgres@127.0.0.1:5432/postgres]
//   BENCH_REDIS_URL [redis://127.0.0.1:6379]

import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
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
import { sql } from 'kysely';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  BenchFailure,
  intOption,
  progressLogger,
  requireBuilt,
  requireProjectNode,
  sleep,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import {
  cpuSecondsBetween,
  cpuSecondsByGroup,
  cpuSnapshot,
  ownCpuSeconds,
} from './lib/host-cpu.mjs';
import { median, percentiles } from './lib/load.mjs';
import { runBenchmark } from './lib/main.mjs';
import { startServer } from './lib/processes.mjs';
import { benchRedisUrl, createBenchKeyPrefix } from './lib/redis.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';
import { startSmtpSink } from './lib/smtp-sink.mjs';

const NAME = 'queue-email';
const WORKER_MAIN = 'apps/worker/dist/main.js';
const BASELINE = 'bench/baseline-email-worker.mjs';
/** System jobs/s at least this share of the baseline's. Reported, never enforced. */
const TARGET_RATIO = 0.8;
/** The partner registry's outbox: the worker does not care which service's outbox it was. */
const OUTBOX_SCHEMA = 'registry';
const PROGRESS_EVERY_MS = 2_000;
/** The worker's Message-ID for a delivery (apps/worker/src/notifications/mailer.ts). */
const messageIdOf = (deliveryId) => `<${deliveryId}@notifications.strategic-partnerships>`;

const log = progressLogger(NAME);
/** The throwaway database's name: its Postgres backends are the ones whose CPU time counts. */
let databaseName;
/** A connection to it for reading pg_stat_activity. */
let observer;
const runId = randomBytes(4).toString('hex');

/** Read in main(), so a bad value is reported like any other failure. */
let options;
const readOptions = () => ({
  emails: intOption('BENCH_EMAILS', 20_000),
  rounds: intOption('BENCH_ROUNDS', 2),
  batch: intOption('BENCH_BATCH', 500),
  concurrency: intOption('BENCH_CONCURRENCY', 50),
  warmupEmails: intOption('BENCH_WARMUP_EMAILS', 1_000),
  pacedEmails: intOption('BENCH_PACED_EMAILS', 1_000),
  pacedRate: intOption('BENCH_PACED_RATE', 100),
  poolMax: intOption('BENCH_POOL_MAX', 10),
  stallSeconds: intOption('BENCH_STALL_SECONDS', 30),
  workerLogLevel: process.env.BENCH_WORKER_LOG_LEVEL || 'warn',
  cpuProfileDir: process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined,
});

/**
 * Every message of the run, by its reference number (`BENCH-<n>` in the subject; each phase
 * takes the next range of numbers): when its job was committed, when (and how often) its mail
 * arrived, the mail's Message-ID and size. Typed arrays: 40,000+ messages, no garbage.
 */
class Ledger {
  constructor(size) {
    this.size = size;
    this.commitAt = new Float64Array(size);
    this.arrivedAt = new Float64Array(size);
    this.copies = new Uint32Array(size);
    this.bytes = new Uint32Array(size);
    this.messageIds = new Array(size);
    /** Which side and phase each range belongs to. */
    this.ranges = [];
    this.next = 0;
    this.strays = [];
    this.current = undefined;
  }

  /** The next `count` reference numbers, for one phase of one side. */
  allocate(target, phase, count) {
    const first = this.next;
    if (first + count > this.size) throw new Error('ledger too small');
    this.next += count;
    this.current = { target: target.key, phase, first, end: first + count, received: 0 };
    this.ranges.push(this.current);
    return this.current;
  }

  /** Called by the sink for each message; cheap, since it runs once per mail. */
  receive({ head, bytes, at }) {
    // Header lines may be folded (nodemailer folds a long Message-ID onto the next line).
    const ref = /^subject:(?:[^\r\n]|\r?\n[ \t])*?BENCH-(\d+)/im.exec(head)?.[1];
    const n = ref === undefined ? -1 : Number(ref);
    if (n < 0 || n >= this.next) {
      if (this.strays.length < 1000) this.strays.push(head.slice(0, 500));
      return;
    }
    if (this.copies[n]++ > 0) return;
    this.arrivedAt[n] = at;
    this.bytes[n] = bytes;
    this.messageIds[n] = /^message-id:\s*(<[^>]*>)/im.exec(head)?.[1];
    const current = this.current;
    if (current && n >= current.first && n < current.end) current.received++;
  }
}
let ledger;
/** Set when a side's process exits before the end: the run cannot go on without it. */
let died;

/** The job's payload: what a service's change would enqueue for an inquiry received. */
const emailFor = (ref) => ({
  template: 'inquiry-received',
  locale: 'en',
  to: [`partner-${ref}@example.com`],
  data: {
    name: `Bench Partner ${ref}`,
    reference: `BENCH-${ref}`,
    statusUrl: `https://partners.example/inquiries/BENCH-${ref}`,
  },
  idempotencyKey: `bench:${runId}:${ref}`,
});

async function main() {
  requireProjectNode();
  options = readOptions();
  requireBuilt(WORKER_MAIN);
  cleanUpOnSignals(log);
  const started = new Date();
  const machine = machineInfo();
  const perSide = options.warmupEmails + options.emails + options.pacedEmails;
  ledger = new Ledger(2 * perSide);

  log('creating and migrating a throwaway database');
  const database = await createBenchDatabase();
  databaseName = database.name;
  await database.close();
  observer = createDb(database.url, { max: 1, applicationName: 'bench-observer' });
  onCleanup('close the observer connection', () => observer.destroy());
  database.postgres = await postgresVersion();
  const keyPrefix = await createBenchKeyPrefix();
  log(`database ${database.name}, Redis keys ${keyPrefix}*`);

  const sink = await startSmtpSink((message) => ledger.receive(message));
  log(`SMTP sink listening on ${sink.url}`);
  const { targets, redisVersion } = await startTargets({ database, keyPrefix, sink });
  database.redis = redisVersion;

  await warmUp(targets);
  await measure(targets);
  await measurePaced(targets);
  const checks = await verify(targets, database);
  report(targets, { started, machine, database, checks });
}

/**
 * The two sides, ready to take jobs. Each gets a BullMQ prefix of its own under the run's key
 * prefix, so neither worker can take the other's jobs.
 */
async function startTargets({ database, keyPrefix, sink }) {
  const redisUrl = benchRedisUrl();
  const common = {
    REDIS_URL: redisUrl,
    SMTP_URL: sink.url,
    NOTIFICATIONS_CONCURRENCY: String(options.concurrency),
    // Production as deployed. The staff issuer is required there and never asked: no request
    // with a token reaches the worker in this benchmark.
    NODE_ENV: 'production',
    AUTH_STAFF_ISSUER: 'urn:sp:bench:unused',
    AUTH_STAFF_JWKS_URL: 'http://127.0.0.1:9/unused-jwks.json',
  };
  const profile = (key) =>
    options.cpuProfileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${options.cpuProfileDir}`,
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

  log('starting the baseline (bare BullMQ worker + nodemailer)');
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
          data: emailFor(ref),
          // What the relay gives each job: the job's own options and an id of the producer's.
          opts: { ...jobs['email.send'].options, jobId: randomUUID() },
        })),
      ),
  };

  log(`starting the worker (concurrency ${options.concurrency}, pool ${options.poolMax})`);
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
    logger: { warn: (context, message) => log(`relay: ${message} (${context.err?.message})`) },
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
        DATABASE_POOL_MAX: String(options.poolMax),
        BULLMQ_PREFIX: systemPrefix,
        REDIS_KEY_PREFIX: keyPrefix,
        WORKER_QUEUES: 'notifications',
        LOG_LEVEL: options.workerLogLevel,
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
            payload: emailFor(ref),
          })),
        ),
      ),
  };
  await untilReady(relayRedis);
  await relay.start();

  const targets = [baseline, system];
  for (const target of targets) {
    target.server.exited.catch((error) => (died ??= error));
    target.rounds = [];
  }
  const info = await producer.info('server');
  return { targets, redisVersion: `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}` };
}

/** Until a Redis connection is ready (a producer connection refuses commands before). */
async function untilReady(redis) {
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

/** Some jobs through each side first, so connections are open and the code is compiled. */
async function warmUp(targets) {
  for (const target of targets) {
    log(`warming up ${target.label}: ${options.warmupEmails} mails`);
    const phase = await runPhase(target, 'warm-up', options.warmupEmails);
    target.warmup = phase;
    log(`${target.label} warm-up: ${phase.jobsPerSec} jobs/s`);
  }
}

/**
 * How the measuring is arranged, and why. Each side gets BENCH_EMAILS jobs in BENCH_ROUNDS
 * bursts; in a burst the producer commits all its jobs, BENCH_BATCH per transaction (system:
 * outbox rows; baseline: one addBulk), as fast as it can while the worker is already taking
 * them, and the burst lasts until the last of its mails has arrived at the sink. So:
 *   - jobs/s = mails / (last mail's arrival − first batch's commit), over all of a side's
 *     bursts: the rate at which the whole path delivers with a backlog to work on;
 *   - commit-to-mail latency = a mail's arrival at the sink − the commit of the batch that
 *     carried its job, both read from this process's clock (the sink is in this process);
 *     with the whole burst committed within a second or two, it is mostly time spent waiting
 *     in the queue (p50 ≈ half a burst's length), which is why the light-load phase
 *     (measurePaced) measures it again without a backlog;
 *   - the ratio is system jobs/s ÷ baseline jobs/s.
 * The host swings between fast and slow states (about 2×, for seconds at a time), so the
 * sides take turns burst by burst, the order reversed every round (B S, S B, …), and neither
 * systematically gets the earlier or later slot. Both sides stay up throughout; the idle one
 * costs next to nothing (a blocked Redis read).
 */
async function measure(targets) {
  const { rounds, emails } = options;
  const sizes = Array.from(
    { length: rounds },
    (_, i) => Math.floor((emails * (i + 1)) / rounds) - Math.floor((emails * i) / rounds),
  );
  log(`measuring: ${rounds} bursts of about ${sizes[0]} mails per side, taking turns`);
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      const phase = await runPhase(target, `burst ${round}/${rounds}`, sizes[round - 1]);
      target.rounds.push({ round, ...phase });
      log(
        `${target.label} burst ${round}: ${phase.mails} mails in ${phase.seconds} s = ` +
          `${phase.jobsPerSec} jobs/s, latency p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms`,
      );
      await sleep(500); // Let the last jobs' bookkeeping finish before the other side starts.
    }
  }
  const [baseline, system] = targets;
  for (const target of targets) {
    const mails = sum(target.rounds.map((r) => r.mails));
    const seconds = sum(target.rounds.map((r) => r.seconds));
    target.jobsPerSec = Math.round(mails / seconds);
    target.mails = mails;
    target.latencyMs = percentiles(
      target.rounds.flatMap((r) => r.latencies),
      [50, 90, 99, 100],
    );
    target.cpuMsPerMail = perMail(target.rounds);
  }
  system.roundRatios = system.rounds.map((r, i) =>
    hundredths(r.jobsPerSec / baseline.rounds[i].jobsPerSec),
  );
  system.ratio = hundredths(system.jobsPerSec / baseline.jobsPerSec);
  // The same comparison by CPU time per mail, all processes together: on a host where every
  // process shares the cores, the side that costs more CPU per mail delivers fewer per second.
  const allCpu = ({ cpuMsPerMail: c }) => c.sideProcess + c.benchProcess + c.postgres + c.redis;
  system.cpuRatio = hundredths(allCpu(baseline) / allCpu(system));
}

/**
 * Latency at light load: BENCH_PACED_EMAILS jobs, each committed on its own (one outbox row
 * per transaction, as a request writes it; one `add` for the baseline), at BENCH_PACED_RATE
 * per second on a fixed schedule (a late commit does not delay the next one's slot). Far below
 * either side's capacity, so there is no backlog: what remains is the path itself (for the
 * system: NOTIFY → relay → BullMQ → worker → database → SMTP).
 */
async function measurePaced(targets) {
  const { pacedEmails, pacedRate } = options;
  for (const target of targets) {
    log(`light load on ${target.label}: ${pacedEmails} jobs at ${pacedRate}/s, one per commit`);
    const phase = await runPhase(target, 'light load', pacedEmails, pacedRate);
    phase.stagesMs = await latencyStages(target, ledger.ranges.at(-1));
    target.paced = phase;
    const stages = Object.entries(phase.stagesMs)
      .map(([stage, ms]) => `${stage} ${ms}`)
      .join(', ');
    log(
      `${target.label} light load: latency p50 ${phase.latencyMs.p50} ms, ` +
        `p99 ${phase.latencyMs.p99} ms; stages, p50 ms: ${stages}`,
    );
  }
}

/**
 * Where a light-load job's time goes, from the timestamps BullMQ keeps on each completed job
 * (wall clock, whole milliseconds, so ±1 ms): medians of commit → job added to the queue (the
 * relay's part; about 0 or below for the baseline, whose commit *is* the add), commit → a
 * worker takes it, taken → its mail arrives (the worker's work before and during SMTP), mail →
 * job finished (what the worker records after the mail: not in the latency, but holding a
 * slot of its concurrency).
 */
async function latencyStages(target, { first, end }) {
  const wall = (n) => performance.timeOrigin + n;
  const jobs = await target.queue.getJobs(['completed'], 0, end - first + 100);
  const stages = { toQueue: [], toWorker: [], toMail: [], afterMail: [] };
  for (const job of jobs) {
    const n = Number(/^BENCH-(\d+)$/.exec(job.data?.data?.reference ?? '')?.[1] ?? -1);
    if (n < first || n >= end) continue;
    const commit = wall(ledger.commitAt[n]);
    const arrival = wall(ledger.arrivedAt[n]);
    stages.toQueue.push(job.timestamp - commit);
    stages.toWorker.push(job.processedOn - commit);
    stages.toMail.push(arrival - job.processedOn);
    stages.afterMail.push(job.finishedOn - arrival);
  }
  if (stages.toMail.length < (end - first) / 2) return {};
  return Object.fromEntries(
    Object.entries(stages).map(([stage, values]) => [stage, hundredths(median(values))]),
  );
}

/**
 * One phase of one side: `count` jobs committed (in batches, or one at a time at `rate` per
 * second), waited for until every mail has arrived. Returns its numbers.
 */
async function runPhase(target, phase, count, rate) {
  const range = ledger.allocate(target, phase, count);
  const cpuBefore = await cpuReadings(target);
  let producerError;
  const producing = (rate ? producePaced(target, range, rate) : produceBurst(target, range)).catch(
    (error) => (producerError = error),
  );
  await waitForMail(target, phase, range, () => producerError);
  await producing;
  const cpuAfter = await cpuReadings(target);

  let firstCommit = Infinity;
  let lastArrival = 0;
  const latencies = new Array(count);
  for (let n = range.first; n < range.end; n++) {
    firstCommit = Math.min(firstCommit, ledger.commitAt[n]);
    lastArrival = Math.max(lastArrival, ledger.arrivedAt[n]);
    latencies[n - range.first] = ledger.arrivedAt[n] - ledger.commitAt[n];
  }
  const seconds = (lastArrival - firstCommit) / 1000;
  return {
    mails: count,
    seconds: Math.round(seconds * 1000) / 1000,
    jobsPerSec: Math.round(count / seconds),
    latencyMs: percentiles(latencies, [50, 90, 99, 100]),
    latencies,
    cpuSeconds: cpuBetween(cpuBefore, cpuAfter),
  };
}

async function produceBurst(target, { first, end }) {
  for (let at = first; at < end; at += options.batch) {
    const upTo = Math.min(end, at + options.batch);
    const refs = [];
    for (let ref = at; ref < upTo; ref++) refs.push(ref);
    await target.add(refs);
    ledger.commitAt.fill(performance.now(), at, upTo);
  }
}

async function producePaced(target, { first, end }, rate) {
  const start = performance.now();
  for (let ref = first; ref < end; ref++) {
    const wait = start + ((ref - first) * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    await target.add([ref]);
    ledger.commitAt[ref] = performance.now();
  }
}

/** Until every mail of the phase has arrived; fails when a side dies or this one stops delivering. */
async function waitForMail(target, phase, range, producerError) {
  const count = range.end - range.first;
  let seen = 0;
  let lastArrivalAt = performance.now();
  let lastLogAt = performance.now();
  let seenAtLastLog = 0;
  while (range.received < count) {
    await sleep(20);
    const error = producerError();
    if (error) throw error;
    if (died) throw died;
    const now = performance.now();
    if (range.received > seen) {
      seen = range.received;
      lastArrivalAt = now;
    } else if (now - lastArrivalAt > options.stallSeconds * 1000) {
      throw new BenchFailure(
        `${target.label}, ${phase}: ${count - seen} of ${count} mails never arrived ` +
          `(none for ${options.stallSeconds} s).\nIts last output:\n${target.server.tail(15)}`,
      );
    }
    if (now - lastLogAt >= PROGRESS_EVERY_MS) {
      const perSec = Math.round(((seen - seenAtLastLog) * 1000) / (now - lastLogAt));
      log(`${target.label}, ${phase}: ${seen}/${count} mails (${perSec}/s)`);
      lastLogAt = now;
      seenAtLastLog = seen;
    }
  }
}

/**
 * CPU seconds so far of everything that works on a job: the side's process, this process (the
 * sink, the producer and, for the system, the relay), the Postgres backends of the benchmark's
 * database plus the WAL writer, and Redis. Postgres backends are told apart by their client
 * (pg_stat_activity's application_name): the worker's pool, the outbox's side (the producer's
 * transactions and the relay's pool), and the rest (WAL writer, the relay's LISTEN connection,
 * autovacuum, this reading itself). Postgres and Redis are shared with whatever else runs on
 * the host; on a quiet host they are the benchmark's.
 */
async function cpuReadings(target) {
  const { rows } = await sql`
    select pid, application_name as client from pg_stat_activity where datname = current_database()`.execute(
    observer,
  );
  return {
    sideProcess: target.server.cpuSeconds() ?? NaN,
    benchProcess: ownCpuSeconds(),
    postgres: cpuSnapshot(
      (cmd) =>
        cmd.startsWith('postgres: ') &&
        (cmd.includes(` ${databaseName} `) || cmd.includes(': walwriter')),
    ),
    clients: new Map(rows.map((row) => [row.pid, row.client])),
    redis: cpuSnapshot((cmd) => cmd.startsWith('redis-server')),
  };
}

const postgresPart = {
  worker: 'postgresWorker',
  'bench-producer': 'postgresOutbox',
  'bench-relay': 'postgresOutbox',
};

/** CPU seconds by process between two readings. */
function cpuBetween(before, after) {
  const parts = cpuSecondsByGroup(
    before.postgres,
    after.postgres,
    (pid) => postgresPart[after.clients.get(pid)] ?? 'postgresOther',
  );
  return {
    sideProcess: after.sideProcess - before.sideProcess,
    benchProcess: after.benchProcess - before.benchProcess,
    postgres: cpuSecondsBetween(before.postgres, after.postgres),
    postgresWorker: parts.postgresWorker ?? 0,
    postgresOutbox: parts.postgresOutbox ?? 0,
    postgresOther: parts.postgresOther ?? 0,
    redis: cpuSecondsBetween(before.redis, after.redis),
  };
}

/** CPU ms per mail over some phases, by process. */
function perMail(phases) {
  const mails = sum(phases.map((p) => p.mails));
  const keys = Object.keys(phases[0].cpuSeconds);
  return Object.fromEntries(
    keys.map((key) => [
      key,
      hundredths((sum(phases.map((p) => p.cpuSeconds[key])) * 1000) / mails),
    ]),
  );
}

/**
 * A benchmark of mail that lost or doubled mail would be measuring the wrong thing: every
 * message must have arrived exactly once, with its own Message-ID; every system message must
 * be the Message-ID of a delivery recorded as sent; no outbox row may be left unsent, no job
 * failed. And the two sides must have sent messages of the same size, or one did less work.
 */
async function verify(targets, database) {
  log('checking: every mail once, deliveries sent, outbox empty, no failed job');
  const total = ledger.next;
  const problems = [];
  let missing = 0;
  let duplicates = 0;
  for (let n = 0; n < total; n++) {
    if (ledger.copies[n] === 0) missing++;
    else if (ledger.copies[n] > 1) duplicates += ledger.copies[n] - 1;
  }
  if (missing) problems.push(`${missing} mails never arrived`);
  if (duplicates) problems.push(`${duplicates} mails arrived more than once`);
  if (ledger.strays.length) {
    problems.push(
      `${ledger.strays.length} mails the benchmark did not send arrived, e.g.:\n${ledger.strays[0]}`,
    );
  }
  const ids = ledger.messageIds.slice(0, total);
  const distinct = new Set(ids.filter(Boolean)).size;
  if (distinct !== total) problems.push(`${total} mails but ${distinct} distinct Message-IDs`);

  const refsOf = (key) =>
    ledger.ranges.filter((r) => r.target === key).flatMap((r) => range(r.first, r.end));
  const systemRefs = refsOf('system');
  const db = createDb(database.url, { max: 1, applicationName: 'bench-verify' });
  let deliveries;
  try {
    const { rows } = await sql`
      select id, status, attempts from notifications.delivery`.execute(db);
    deliveries = rows;
    const { rows: outbox } = await sql`
      select count(*)::int as unsent from registry.outbox where sent_at is null`.execute(db);
    if (outbox[0].unsent) problems.push(`${outbox[0].unsent} outbox rows were never relayed`);
  } finally {
    await db.destroy();
  }
  const sent = deliveries.filter((d) => d.status === 'sent');
  if (sent.length !== systemRefs.length || deliveries.length !== systemRefs.length) {
    problems.push(
      `${systemRefs.length} system mails but ${deliveries.length} delivery rows, ${sent.length} of them sent`,
    );
  }
  const recorded = new Set(sent.map((d) => messageIdOf(d.id)));
  const unrecorded = systemRefs.filter((ref) => !recorded.has(ledger.messageIds[ref])).length;
  if (unrecorded) {
    problems.push(`${unrecorded} system mails carry no Message-ID of a sent delivery`);
  }
  const retried = deliveries.filter((d) => d.attempts > 1).length;

  for (const target of targets) {
    const counts = await target.queue.getJobCounts('failed', 'waiting', 'active');
    if (counts.failed) problems.push(`${target.label}: ${counts.failed} jobs failed`);
    if (counts.waiting || counts.active) {
      problems.push(
        `${target.label}: ${counts.waiting} jobs still waiting, ${counts.active} active`,
      );
    }
    const refs = refsOf(target.key);
    target.messageBytes = Math.round(sum(refs.map((ref) => ledger.bytes[ref])) / refs.length);
  }
  const [baseline, system] = targets;
  const sizeRatio = system.messageBytes / baseline.messageBytes;
  if (Math.abs(sizeRatio - 1) > 0.02) {
    problems.push(
      `the sides sent messages of different sizes (system ${system.messageBytes} bytes, ` +
        `baseline ${baseline.messageBytes} on average): they are not doing the same work`,
    );
  }
  if (problems.length) throw new BenchFailure(`wrong results:\n  - ${problems.join('\n  - ')}`);
  log(
    `all ${total} mails arrived once with distinct Message-IDs; ${sent.length} deliveries sent ` +
      `(${retried} after a retry); messages ${system.messageBytes} / ${baseline.messageBytes} bytes`,
  );
  return { mails: total, distinctMessageIds: distinct, deliveriesSent: sent.length, retried };
}

function report(targets, { started, machine, database, checks }) {
  const [, system] = targets;
  const met = system.ratio >= TARGET_RATIO;
  const ms = (n) => (n >= 100 ? String(Math.round(n)) : n.toFixed(1));
  const rows = [
    [
      '',
      'jobs/s',
      'p50 ms',
      'p99 ms',
      'light p50 ms',
      'light p99 ms',
      'rounds: jobs/s',
      'system/baseline',
    ],
  ];
  for (const target of targets) {
    rows.push([
      target.label,
      target.jobsPerSec,
      ms(target.latencyMs.p50),
      ms(target.latencyMs.p99),
      ms(target.paced.latencyMs.p50),
      ms(target.paced.latencyMs.p99),
      target.rounds.map((r) => r.jobsPerSec).join(' '),
      target.ratio === undefined ? '' : target.ratio.toFixed(2),
    ]);
  }
  const cpuRows = [
    [
      'CPU ms per mail (bursts)',
      'side process',
      'bench process',
      'postgres: worker',
      'postgres: outbox',
      'postgres: other',
      'redis',
      'all',
    ],
  ];
  const cell = (n) => (Number.isNaN(n) ? '?' : n.toFixed(2));
  for (const target of targets) {
    const cpu = target.cpuMsPerMail;
    cpuRows.push([
      target.label,
      cell(cpu.sideProcess),
      cell(cpu.benchProcess),
      cell(cpu.postgresWorker),
      cell(cpu.postgresOutbox),
      cell(cpu.postgresOther),
      cell(cpu.redis),
      cell(cpu.sideProcess + cpu.benchProcess + cpu.postgres + cpu.redis),
    ]);
  }
  process.stdout.write(
    `\n${NAME}: ${options.emails} email.send jobs per side in ${options.rounds} bursts, ` +
      `concurrency ${options.concurrency}, SMTP pool of 5; light load: ${options.pacedEmails} jobs ` +
      `at ${options.pacedRate}/s\n\n${formatTable(rows)}\n` +
      'p50, p99: commit-to-mail latency in the bursts (mostly time queued behind the burst); ' +
      'light: one job per commit, no backlog\n' +
      targets
        .map(
          (t) =>
            `light load, p50 ms by stage, ${t.label}: ` +
            Object.entries(t.paced.stagesMs)
              .map(([stage, ms]) => `${stage} ${ms}`)
              .join(', '),
        )
        .join('\n') +
      `\n\n${formatTable(cpuRows)}\n\n` +
      `ratio system / baseline jobs/s: ${system.ratio.toFixed(2)} — target ≥ ${TARGET_RATIO}: ` +
      `${met ? 'met' : 'below target'}\n` +
      (Number.isNaN(system.cpuRatio)
        ? ''
        : `cross-check, CPU per mail (all processes) baseline / system: ${system.cpuRatio.toFixed(2)}\n`),
  );

  const summarize = (phase) => ({
    mails: phase.mails,
    seconds: phase.seconds,
    jobsPerSec: phase.jobsPerSec,
    latencyMs: phase.latencyMs,
    ...(phase.stagesMs ? { stagesP50Ms: phase.stagesMs } : {}),
    cpuMsPerMail: perMail([phase]),
  });
  const file = writeResults(NAME, {
    benchmark: NAME,
    description:
      'email.send jobs to an SMTP sink: the system (outbox rows committed in transactions, the ' +
      'outbox relay, the real worker with its delivery rows) vs a bare BullMQ worker with the ' +
      'same nodemailer transport; jobs/s and commit-to-mail latency.',
    date: started.toISOString(),
    machine: { ...machine, postgres: database.postgres, redis: database.redis },
    parameters: {
      emailsPerSide: options.emails,
      rounds: options.rounds,
      batch: options.batch,
      concurrency: options.concurrency,
      smtpPoolConnections: 5,
      warmupEmailsPerSide: options.warmupEmails,
      pacedEmails: options.pacedEmails,
      pacedRatePerSec: options.pacedRate,
      workerDatabasePoolMax: options.poolMax,
      workerLogLevel: options.workerLogLevel,
      method:
        'bursts: all jobs committed as fast as possible while the worker runs, the sides take ' +
        'turns, order reversed every round; jobs/s = mails / (last arrival − first commit) over ' +
        "all of a side's bursts; latency = arrival at the sink − commit of the job's batch, " +
        'percentiles over all burst mails; light load: one job per commit at a fixed rate; ' +
        'CPU per mail: the side process, this process (sink, producer, relay), the Postgres ' +
        "backends of the benchmark's database plus the WAL writer, Redis",
      messageBytes: Object.fromEntries(targets.map((t) => [t.key, t.messageBytes])),
    },
    results: targets.map((target) => ({
      key: target.key,
      label: target.label,
      jobsPerSec: target.jobsPerSec,
      latencyMs: target.latencyMs,
      mails: target.mails,
      cpuMsPerMail: target.cpuMsPerMail,
      lightLoad: summarize(target.paced),
      warmup: summarize(target.warmup),
      rounds: target.rounds.map((round) => ({ round: round.round, ...summarize(round) })),
      ...(target.ratio === undefined
        ? {}
        : { ratio: target.ratio, roundRatios: target.roundRatios }),
    })),
    ratio: {
      definition: 'jobs/s of the system / jobs/s of the baseline, over all bursts of each',
      value: system.ratio,
      target: TARGET_RATIO,
      met,
      cpuCrossCheck: Number.isNaN(system.cpuRatio) ? null : system.cpuRatio,
    },
    checks,
  });
  log(`results written to ${file}`);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const hundredths = (n) => Math.round(n * 100) / 100;
const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);

await runBenchmark(NAME, main, {
  log,
  cleaningUp: 'stopping the workers, the relay and the sink, dropping the database and keys',
});
