import {
  createTestDatabase,
  dropRedisKeys,
  TcpProxy,
  type TestDatabase,
  testConfig,
  waitFor,
} from '@sp/testing';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { closeRedis, createRedis, OutboxRelay, queueNames, writeOutbox } from '@sp/queue';

/**
 * The relay's LISTEN connection: a row wakes the relay at once (the poll here is an hour away,
 * so only a notification can move it), and a lost connection comes back on its own, also
 * after failed reconnects.
 */

const config = testConfig();
let database: TestDatabase;
let proxy: TcpProxy;
const redis = createRedis(config.REDIS_URL, 'producer');
const notifications = new Queue(queueNames.notifications, {
  connection: { url: config.REDIS_URL },
  prefix: config.BULLMQ_PREFIX,
});
const warnings: string[] = [];
let relay: OutboxRelay;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await TcpProxy.start(5432);
  const listenUrl = new URL(database.url);
  listenUrl.port = String(proxy.port);
  relay = new OutboxRelay({
    db: database.db,
    databaseUrl: listenUrl.toString(),
    schema: 'registry',
    redis,
    prefix: config.BULLMQ_PREFIX,
    logger: { warn: (_context, message) => warnings.push(message) },
    pollMs: 3_600_000,
    listenRetryMs: 50,
  });
  await relay.start();
});

afterAll(async () => {
  await relay?.stop();
  await proxy?.close();
  await notifications.close();
  await closeRedis(redis);
  await database?.drop();
  await dropRedisKeys();
});

const send = (key: string) =>
  database.db.transaction().execute((trx) =>
    writeOutbox(trx, 'registry', {
      name: 'email.send',
      payload: {
        template: 'report-ready',
        locale: 'en',
        to: ['staff@example.org'],
        data: { name: 'Ada', report: key, url: 'https://example.org/r/1' },
        idempotencyKey: key,
      },
    }),
  );

const queuedKeys = async () =>
  (await notifications.getJobs(['waiting', 'delayed', 'prioritized'])).map(
    (job) => (job.data as { idempotencyKey: string }).idempotencyKey,
  );

/** Rows reach the queue only through a notification: the next poll is an hour away. */
async function expectWokenBy(key: string): Promise<void> {
  await send(key);
  await waitFor(async () => (await queuedKeys()).includes(key), `${key} relayed on NOTIFY`, {
    timeoutMs: 5_000,
  });
}

const listenerBackends = async () =>
  (
    await sql<{ pid: number }>`select pid from pg_stat_activity
      where datname = current_database() and query ilike 'listen %'`.execute(database.db)
  ).rows.map((r) => r.pid);

it('is woken by NOTIFY, without waiting for the poll', async () => {
  await waitFor(async () => (await listenerBackends()).length === 1, 'the listener connected');
  await expectWokenBy('woken-1');
});

it('comes back by itself when the server terminates its connection', async () => {
  const [pid] = await listenerBackends();
  expect(pid).toBeDefined();
  await sql`select pg_terminate_backend(${pid})`.execute(database.db);
  await waitFor(async () => {
    const pids = await listenerBackends();
    return pids.length === 1 && pids[0] !== pid;
  }, 'a new listener connection');
  await expectWokenBy('woken-after-terminate');
});

it('keeps trying while the server is unreachable, and listens again once it is back', async () => {
  const before = warnings.length;
  await proxy.down();
  // Several failed reconnects in a row: a relay that gives up after one would stay polling only.
  await waitFor(() => warnings.length - before >= 3, 'three failed reconnects', {
    timeoutMs: 10_000,
  });
  expect(await listenerBackends()).toEqual([]);
  await proxy.up();
  await waitFor(async () => (await listenerBackends()).length === 1, 'the listener back', {
    timeoutMs: 10_000,
  });
  // The server shows the LISTEN before the relay has its answer and says so: wait for that.
  await waitFor(
    () => warnings.at(-1) === 'outbox listener is connected again',
    'the relay to say it listens again',
    { timeoutMs: 10_000 },
  );
  await expectWokenBy('woken-after-outage');
});
