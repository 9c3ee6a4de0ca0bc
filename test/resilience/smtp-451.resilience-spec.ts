import { createTestDatabase, SmtpSink, type TestDatabase, waitFor } from '@sp/testing';
import { mailLedger, printCounts, waitForDrain } from './lib/ledger';
import { writeMails } from './lib/mail-load';
import { RedisServer } from './lib/redis-server';
import { Stack, stackEnv } from './lib/stack';
import { messageCount, outageMs } from './lib/suite';

/**
 * The mail server answers every message with 451 (try again later) for 30 s, then accepts:
 * the worker retries with backoff (the `email.send` job's attempts and backoff in
 * packages/queue) long enough to outlast it, and every mail arrives once, none lost.
 */
const REFUSING_MS = outageMs(30_000);
const MAILS = messageCount(300);

let database: TestDatabase;
let redis: RedisServer;
let sink: SmtpSink;
let stack: Stack;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await RedisServer.start();
  sink = await SmtpSink.start();
  stack = new Stack(stackEnv(database.url, redis.url));
  await Promise.all([
    stack.start('partner-registry'),
    stack.start('worker', { SMTP_URL: sink.url }),
  ]);
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  await sink?.close();
  await redis?.close();
  await database?.drop();
}, 60_000);

it(`delivers every mail once after the SMTP server answered 451 for ${REFUSING_MS / 1000} s`, async () => {
  // The server refuses for REFUSING_MS from the first message it is offered.
  let refusingUntil = Infinity;
  let refused = 0;
  sink.answer = () => {
    if (refusingUntil === Infinity) refusingUntil = Date.now() + REFUSING_MS;
    if (Date.now() >= refusingUntil) return 250;
    refused++;
    return 451;
  };

  // Half at once, the rest while the server is still refusing.
  const first = await writeMails(database.db, 'smtp451', MAILS / 2);
  await waitFor(() => refused >= 10, 'the first refusals', { timeoutMs: 60_000 });
  const second = await writeMails(database.db, 'smtp451', MAILS / 2, MAILS / 2);
  const keys = new Set([...first, ...second]);
  expect(Date.now()).toBeLessThan(refusingUntil);

  await waitForDrain(
    database.db,
    { redisUrl: redis.url, prefix: stack.env['BULLMQ_PREFIX']! },
    { timeoutMs: REFUSING_MS + 240_000, problems: () => stack.problems() },
  );
  const mails = await mailLedger(database.db, sink, { keys: (k) => keys.has(k) });
  printCounts(`SMTP answering 451 for ${REFUSING_MS / 1000} s (${refused} refusals)`, {
    'mails (email.send)': mails,
  });

  expect(refused).toBeGreaterThan(MAILS / 2);
  expect(mails.submitted).toBe(MAILS);
  expect({ lost: mails.missingKeys, repeated: mails.repeatedKeys }).toEqual({
    lost: [],
    repeated: [],
  });
  const deliveries = await database.db
    .selectFrom('notifications.delivery')
    .select(['status', 'attempts'])
    .execute();
  expect(deliveries.filter((d) => d.status !== 'sent')).toEqual([]);
  // The first half was refused at least once each: their mail arrived on a later attempt.
  expect(deliveries.filter((d) => d.attempts > 1).length).toBeGreaterThanOrEqual(MAILS / 2);
  expect(stack.dead()).toEqual([]);
}, 600_000);
