import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { enqueueEmail, messageIdOf, queueNames } from '@sp/queue';
import { createTestDatabase, SmtpSink, type TestDatabase, testConfig, waitFor } from '@sp/testing';
import { Queue } from 'bullmq';

/** The worker as `npm start` runs it: the built `main`, in a process of its own we can kill. */
const main = join(__dirname, '..', 'dist', 'main.js');
const config = testConfig();

let database: TestDatabase;
let sink: SmtpSink;
let queue: Queue;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
  database = await createTestDatabase();
  sink = await SmtpSink.start();
  queue = new Queue(queueNames.notifications, {
    connection: { url: config.REDIS_URL },
    prefix: config.BULLMQ_PREFIX,
  });
});

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await queue?.obliterate({ force: true });
  await queue?.close();
  await sink?.close();
  await database?.drop();
});

type Worker = { child: ChildProcess; exit: Promise<number | null>; output: () => string };

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      REDIS_URL: config.REDIS_URL,
      REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
      BULLMQ_PREFIX: config.BULLMQ_PREFIX,
      SMTP_URL: sink.url,
      WORKER_QUEUES: 'notifications',
      // A job cut off by a kill is retried once its lock expires: quickly, for the test.
      JOB_LOCK_MS: '1000',
      JOB_STALLED_CHECK_MS: '500',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, exit, output: () => output };
}

/** Four worker starts and a batch each: generous, for a CI host busy with the other files. */
const SLOW = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function enqueueBatch(label: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${label}-${i}`);
  await Promise.all(
    keys.map((key, i) =>
      enqueueEmail(queue, {
        template: 'registration-confirmed',
        locale: i % 2 ? 'ja' : 'en',
        to: [`participant${i}@example.org`],
        data: {
          name: `Participant ${i}`,
          symposium: 'Strategic Partnership Symposium 2026',
          date: '2026-11-20',
          checkInCode: `C${String(i).padStart(7, '0')}`,
          qrUrl: `https://symposium.example.org/registrations/self/t${i}/qr.png`,
          manageUrl: `https://symposium.example.org/registrations/self/t${i}`,
        },
        idempotencyKey: key,
      }),
    ),
  );
  return keys;
}

/**
 * Sends a batch while SIGKILLing the worker `kills` times at moments spread over the batch, then
 * lets a last worker finish. Returns what reached the SMTP server.
 */
async function sendThroughKills(label: string, count: number, kills: number, concurrency: number) {
  const keys = await enqueueBatch(label, count);
  const before = sink.received.length;
  const received = () => sink.received.slice(before);
  const env = { NOTIFICATIONS_CONCURRENCY: String(concurrency) };
  for (let kill = 1; kill <= kills; kill++) {
    const worker = startWorker(env);
    const threshold = received().length + Math.floor(count / (kills + 2));
    // Polled often: the kill should land while mail is flowing.
    await waitFor(() => received().length >= threshold, `mail ${threshold} of ${label}`, {
      intervalMs: 5,
    });
    await sleep(Math.random() * 8); // land anywhere in a message's send, not just after one
    worker.child.kill('SIGKILL');
    await worker.exit;
  }
  const last = startWorker(env);
  const rows = () =>
    database.db
      .selectFrom('notifications.delivery')
      .select(['id', 'status', 'idempotencyKey'])
      .where('idempotencyKey', 'like', `${label}-%`)
      .execute();
  await waitFor(
    async () => (await rows()).filter((r) => r.status === 'sent').length === count,
    `every delivery of ${label} sent`,
    { timeoutMs: 60_000 },
  );
  last.child.kill('SIGTERM');
  expect(await last.exit).toBe(0);

  const deliveries = await rows();
  expect(deliveries.map((d) => d.idempotencyKey).sort()).toEqual([...keys].sort());
  const ids = received().map((m) => m.messageId);
  const distinct = new Set(ids);
  return { deliveries, ids, distinct, repeats: ids.length - distinct.size };
}

describe('a worker killed while it sends', () => {
  beforeEach(() => {
    sink.delayMs = 8;
  });

  it(
    'loses no message and repeats one only when killed between acceptance and record',
    async () => {
      const kills = 3;
      const { deliveries, distinct, repeats } = await sendThroughKills(
        'one-at-a-time',
        150,
        kills,
        1,
      );
      // None lost: every delivery's Message-ID reached the server, and no other did.
      expect([...distinct].sort()).toEqual(deliveries.map((d) => messageIdOf(d.id)).sort());
      // A repeat is the same Message-ID again (counted above); at most the one message in flight.
      console.log(`SIGKILL ×${kills} at concurrency 1: ${repeats} message(s) sent twice`);
      expect(repeats).toBeLessThanOrEqual(kills);
    },
    SLOW,
  );

  it(
    'at concurrency 5 repeats at most the five messages in flight per kill',
    async () => {
      const kills = 3;
      const concurrency = 5;
      const { deliveries, distinct, repeats } = await sendThroughKills(
        'five-at-a-time',
        400,
        kills,
        concurrency,
      );
      expect([...distinct].sort()).toEqual(deliveries.map((d) => messageIdOf(d.id)).sort());
      console.log(
        `SIGKILL ×${kills} at concurrency ${concurrency}: ${repeats} message(s) sent twice`,
      );
      expect(repeats).toBeLessThanOrEqual(kills * concurrency);
    },
    SLOW,
  );
});

describe('a worker asked to stop', () => {
  it(
    'lets the jobs it is running finish, records them, and exits 0',
    async () => {
      sink.delayMs = 1_500;
      const worker = startWorker({ NOTIFICATIONS_CONCURRENCY: '5' });
      const keys = await enqueueBatch('graceful', 3);
      await waitFor(async () => (await queue.getActiveCount()) === 3, 'three running jobs', {
        intervalMs: 5,
      });
      const before = sink.received.length;
      const asked = Date.now();
      worker.child.kill('SIGTERM');
      expect(await worker.exit).toBe(0);
      const took = Date.now() - asked;

      expect(sink.received.length - before).toBe(3);
      const rows = await database.db
        .selectFrom('notifications.delivery')
        .select(['status', 'attempts'])
        .where('idempotencyKey', 'in', keys)
        .execute();
      expect(rows).toEqual(Array(3).fill({ status: 'sent', attempts: 1 }));
      // Completed, not cut off: none is left active to be retried after a stall.
      expect(await queue.getActiveCount()).toBe(0);
      const completed = (await queue.getCompleted(0, 1_000)).filter((job) =>
        keys.includes((job.data as { idempotencyKey: string }).idempotencyKey),
      );
      expect(completed.map((job) => job.returnvalue)).toEqual(['sent', 'sent', 'sent']);
      expect(worker.output()).toMatch(/SIGTERM: shutting down/);
      expect(took).toBeLessThan(10_000); // within SHUTDOWN_TIMEOUT_MS, not cut off by it
    },
    SLOW,
  );
});
