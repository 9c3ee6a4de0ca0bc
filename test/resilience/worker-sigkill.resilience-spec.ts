import {
  createTestDatabase,
  type ServiceProcess,
  SmtpSink,
  type TestDatabase,
  waitFor,
} from '@sp/testing';
import {
  type Counts,
  mailLedger,
  notificationsInFlight,
  printCounts,
  unsentOutboxRows,
} from './lib/ledger';
import { writeMails } from './lib/mail-load';
import { RedisServer } from './lib/redis-server';
import { Stack, stackEnv } from './lib/stack';
import { messageCount } from './lib/suite';

/**
 * The worker killed with SIGKILL 2–4 s after each start, and started again, while 5,000
 * `email.send` jobs flow from outbox rows: every mail reaches the SMTP server at least once,
 * and a mail arrives twice only as the README's Mail section allows (the server accepted it
 * and the worker died before recording it; the repeat has the same Message-ID), so never more
 * repeats than kills × the mails one worker has in flight.
 *
 * Each kind of work the worker does is a `Workload`: what it submits before the kills, how
 * it knows it is finished, and its counts and assertions after. Report builds join the list
 * when they land.
 */
const MAILS = messageCount(5_000);
const CONCURRENCY = 25;
const workerEnv = {
  NOTIFICATIONS_CONCURRENCY: String(CONCURRENCY),
  // A dead worker's jobs are retried within seconds (production: 30 s). JOB_MAX_STALLS keeps
  // its default (5): a job cut off by more kills than that is failed, and its mail lost.
  JOB_LOCK_MS: '2000',
  JOB_STALLED_CHECK_MS: '1000',
};

type Workload = {
  name: string;
  submit: () => Promise<void>;
  finished: () => Promise<boolean>;
  /** Counts to print, asserted by the workload itself (given how many times the worker died). */
  check: (kills: number) => Promise<Record<string, Counts>>;
};

let database: TestDatabase;
let redis: RedisServer;
let sink: SmtpSink;
let stack: Stack;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await RedisServer.start();
  sink = await SmtpSink.start();
  stack = new Stack(stackEnv(database.url, redis.url, { SMTP_URL: sink.url, ...workerEnv }));
  await stack.start('partner-registry');
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  await sink?.close();
  await redis?.close();
  await database?.drop();
}, 60_000);

const mailWorkload = (): Workload => {
  let keys = new Set<string>();
  const ledger = () => mailLedger(database.db, sink, { keys: (k) => keys.has(k) });
  return {
    name: `${MAILS} notifications`,
    submit: async () => {
      keys = new Set(await writeMails(database.db, 'sigkill', MAILS));
    },
    finished: async () =>
      (await unsentOutboxRows(database.db)) === 0 &&
      (await notificationsInFlight(redis.url, stack.env['BULLMQ_PREFIX']!)) === 0,
    check: async (kills) => {
      const mails = await ledger();
      expect(mails.submitted).toBe(MAILS);
      expect(mails.missingKeys).toEqual([]);
      // Repeats only within the guarantee: each kill can repeat at most the mails in flight.
      expect(mails.duplicates).toBeLessThanOrEqual(kills * CONCURRENCY);
      const unsent = await database.db
        .selectFrom('notifications.delivery')
        .select(['idempotencyKey', 'status', 'lastError'])
        .where('status', '!=', 'sent')
        .execute();
      expect(unsent).toEqual([]);
      return { 'mails (email.send)': mails };
    },
  };
};

it(`loses no mail of ${MAILS} while the worker is killed every 2–4 s`, async () => {
  const workloads = [mailWorkload()];
  for (const w of workloads) await w.submit();

  const allFinished = async () => {
    for (const w of workloads) if (!(await w.finished())) return false;
    return true;
  };
  let kills = 0;
  const deadline = Date.now() + 1_500_000;
  // Kill, restart, repeat, until the work is done with the kills going on.
  while (!(await allFinished())) {
    if (Date.now() > deadline) throw new Error(`not finished after ${kills} kills`);
    const worker: ServiceProcess = await stack.start('worker');
    const lifeMs = 2_000 + ((kills * 797) % 2_001);
    const { exit } = worker;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, lifeMs)), exit]);
    expect(worker.alive()).toBe(true); // it died of the kill, not of something else
    worker.child.kill('SIGKILL');
    await exit;
    kills++;
  }
  // One last worker, left alone: nothing remains to do, and it does nothing twice.
  await stack.start('worker');
  await waitFor(allFinished, 'the work to stay finished', { timeoutMs: 60_000 });

  const counts: Record<string, Counts> = {};
  for (const w of workloads) Object.assign(counts, await w.check(kills));
  printCounts(`worker SIGKILLed ${kills} times (every 2–4 s of its life)`, counts);
  expect(kills).toBeGreaterThanOrEqual(3);
  expect(stack.dead()).toEqual([]);
}, 1_800_000);
