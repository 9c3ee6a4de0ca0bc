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
//   BENCH_QUICK [unset]              1: a smoke run (2,000 jobs a side, 200 to warm up, 200 paced)
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
//
// The parts, in bench/queue-email/: targets.mjs (the two sides), measuring.mjs (warm-up,
// bursts, light load), cpu.mjs (CPU accounting), checks.mjs (exactly once), report.mjs (table
// and results file), ledger.mjs (every message of the run). They share one run object (see
// main()) instead of module state.

// First: V8 set as the services run it (lib/v8-runtime.mjs).
import './lib/v8-runtime.mjs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createDb } from '@sp/db';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  intOption,
  progressLogger,
  quickRun,
  requireBuilt,
  requireProjectNode,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { runBenchmark } from './lib/main.mjs';
import { createBenchKeyPrefix } from './lib/redis.mjs';
import { machineInfo } from './lib/report.mjs';
import { startSmtpSink } from './lib/smtp-sink.mjs';
import { verify } from './queue-email/checks.mjs';
import { Ledger } from './queue-email/ledger.mjs';
import { measure, measurePaced, warmUp } from './queue-email/measuring.mjs';
import { report } from './queue-email/report.mjs';
import { startTargets, WORKER_MAIN } from './queue-email/targets.mjs';

const NAME = 'queue-email';
const log = progressLogger(NAME);

const readOptions = () => ({
  quick: quickRun,
  emails: intOption('BENCH_EMAILS', quickRun ? 2_000 : 20_000),
  rounds: intOption('BENCH_ROUNDS', 2),
  batch: intOption('BENCH_BATCH', 500),
  concurrency: intOption('BENCH_CONCURRENCY', 50),
  warmupEmails: intOption('BENCH_WARMUP_EMAILS', quickRun ? 200 : 1_000),
  pacedEmails: intOption('BENCH_PACED_EMAILS', quickRun ? 200 : 1_000),
  pacedRate: intOption('BENCH_PACED_RATE', 100),
  poolMax: intOption('BENCH_POOL_MAX', 10),
  stallSeconds: intOption('BENCH_STALL_SECONDS', 30),
  workerLogLevel: process.env.BENCH_WORKER_LOG_LEVEL || 'warn',
  cpuProfileDir: process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined,
});

async function main() {
  requireProjectNode();
  /**
   * The run: what every part reads and writes. `options` is read here, so a bad value is
   * reported like any other failure.
   */
  const run = {
    name: NAME,
    log,
    options: readOptions(),
    /** Names this run's idempotency keys. */
    runId: randomBytes(4).toString('hex'),
    /** The throwaway database's name: its Postgres backends are the ones whose CPU time counts. */
    databaseName: undefined,
    /** A connection to it for reading pg_stat_activity. */
    observer: undefined,
    /** Every message of the run (see Ledger). */
    ledger: undefined,
    /** Set when a side's process exits before the end: the run cannot go on without it. */
    died: undefined,
  };
  requireBuilt(WORKER_MAIN);
  cleanUpOnSignals(log);
  const started = new Date();
  const machine = machineInfo();
  const perSide = run.options.warmupEmails + run.options.emails + run.options.pacedEmails;
  run.ledger = new Ledger(2 * perSide);

  log('creating and migrating a throwaway database');
  const database = await createBenchDatabase();
  run.databaseName = database.name;
  await database.close();
  run.observer = createDb(database.url, { max: 1, applicationName: 'bench-observer' });
  onCleanup('close the observer connection', () => run.observer.destroy());
  database.postgres = await postgresVersion();
  const keyPrefix = await createBenchKeyPrefix();
  log(`database ${database.name}, Redis keys ${keyPrefix}*`);

  const sink = await startSmtpSink((message) => run.ledger.receive(message));
  log(`SMTP sink listening on ${sink.url}`);
  const { targets, redisVersion } = await startTargets(run, { database, keyPrefix, sink });
  database.redis = redisVersion;

  await warmUp(run, targets);
  await measure(run, targets);
  await measurePaced(run, targets);
  const checks = await verify(run, targets, database);
  report(run, targets, { started, machine, database, checks });
}

await runBenchmark(NAME, main, {
  log,
  cleaningUp: 'stopping the workers, the relay and the sink, dropping the database and keys',
});
