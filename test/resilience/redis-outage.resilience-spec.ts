import {
  createTestDatabase,
  inquiriesClient,
  registryClient,
  SmtpSink,
  staffToken,
  symposiumClient,
  type TestDatabase,
  waitFor,
} from '@sp/testing';
import { sql } from 'kysely';
import { type Counts, mailLedger, printCounts, waitForDrain } from './lib/ledger';
import { RedisServer } from './lib/redis-server';
import { serviceApps, Stack, stackEnv } from './lib/stack';
import { outageMs, quick } from './lib/suite';
import { openSymposium } from './lib/fixtures';

/**
 * Redis away for 20 s (frozen with SIGSTOP: connections stay open and nothing answers, the
 * harder case for a client than a refused connection) under a steady mix of writes on every
 * service: every write is accepted while it is away (the outbox holds what must be enqueued),
 * and once it is back every mail reaches the SMTP server once and every registry event is
 * applied once by each consumer.
 */
const OUTAGE_MS = outageMs(20_000);
const REQUEST_LIMIT_MS = OUTAGE_MS + 30_000;
/**
 * A write made while Redis is away is answered about as fast as any other (generous on a shared
 * machine), never held until Redis is back: a request path waits on Redis for a moment at most.
 */
const ANSWER_WITHIN_MS = 10_000;

let database: TestDatabase;
let redis: RedisServer;
let sink: SmtpSink;
let stack: Stack;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await RedisServer.start();
  sink = await SmtpSink.start();
  stack = new Stack(stackEnv(database.url, redis.url, { DATABASE_POOL_MAX: '5' }));
  await Promise.all([
    ...serviceApps.map((app) => stack.start(app)),
    stack.start('worker', { SMTP_URL: sink.url }),
  ]);
}, 400_000);

afterAll(async () => {
  redis?.thaw();
  await stack?.stop();
  await sink?.close();
  await redis?.close();
  await database?.drop();
}, 60_000);

type Kind = 'inquiry' | 'partner-patch' | 'registration' | 'activity';
type Outcome = {
  kind: Kind;
  status: number | 'hung' | 'refused';
  started: number;
  ended: number;
  ms: number;
};

it(`accepts every write while Redis is away for ${OUTAGE_MS / 1000} s, then delivers every mail and event once`, async () => {
  const staff = await staffToken('admin');
  const registry = registryClient(stack.url('partner-registry'), staff);
  const symposium = symposiumClient(stack.url('symposium'), staff);
  const inquiries = inquiriesClient(stack.url('inquiries'));

  const partners = await Promise.all(
    [1, 2, 3].map(async (i) => {
      const { data, response } = await registry.POST('/partners', {
        body: {
          nameEn: `Outage University ${i}`,
          country: 'DE',
          status: 'prospective',
          memberInstitutions: [],
        },
      });
      if (!data) throw new Error(`partner fixture answered ${response.status}`);
      return data;
    }),
  );
  const symposiumId = await openSymposium(database.db, 'Outage Symposium', '2099-05-01');

  const outcomes: Outcome[] = [];
  /** When Redis was frozen and thawed (a write that overlaps the span was made while it was away). */
  const outage = { from: Infinity, to: Infinity };
  let stop = false;
  let n = 0;

  const request = async (
    kind: Kind,
    call: (init: { signal: AbortSignal }) => Promise<{ response: Response }>,
  ) => {
    const started = Date.now();
    try {
      const { response } = await call({ signal: AbortSignal.timeout(REQUEST_LIMIT_MS) });
      outcomes.push({
        kind,
        status: response.status,
        started,
        ended: Date.now(),
        ms: Date.now() - started,
      });
    } catch (error) {
      const status = (error as Error).name === 'TimeoutError' ? 'hung' : 'refused';
      outcomes.push({ kind, status, started, ended: Date.now(), ms: Date.now() - started });
    }
  };
  const writes: ((i: number) => Promise<void>)[] = [
    (i) =>
      request('inquiry', (init) =>
        inquiries.POST('/inquiries', {
          body: {
            name: `Inquirer ${i}`,
            email: `inquirer${i}@example.org`,
            language: i % 2 ? 'ja' : 'en',
            category: 'symposium',
            fields: { role: 'attendee' },
            subject: `Question ${i}`,
            message: `Question number ${i}`,
          },
          ...init,
        }),
      ),
    (i) =>
      request('partner-patch', (init) =>
        registry.PATCH('/partners/{id}', {
          params: { path: { id: partners[i % partners.length]!.id }, header: { 'If-Match': '*' } },
          body: { summaryEn: `Summary ${i}` },
          ...init,
        }),
      ),
    (i) =>
      request('registration', (init) =>
        symposium.POST('/symposiums/{id}/registrations', {
          params: { path: { id: symposiumId } },
          body: { name: `Person ${i}`, email: `person${i}@example.org` },
          ...init,
        }),
      ),
    (i) =>
      request('activity', (init) =>
        registry.POST('/activities', {
          body: {
            partnerId: partners[i % partners.length]!.id,
            type: 'joint-research',
            titleEn: `Outage research ${i}`,
            departments: [],
            leads: [],
            status: 'ongoing',
            isPublic: false,
            links: [],
            outputs: { papers: [], events: [] },
          },
          ...init,
        }),
      ),
  ];
  // One loop per kind of write, so a write that waits on Redis holds up only its own kind.
  const load = Promise.all(
    writes.map(async (write) => {
      while (!stop) await write(n++);
    }),
  );
  const progress = async (what: string, more = 20) => {
    const from = outcomes.length;
    await waitFor(() => outcomes.length >= from + more, what, { timeoutMs: 60_000 });
  };

  try {
    await progress('writes before the outage');
    redis.freeze();
    outage.from = Date.now();
    // The outage itself is the one fixed wait; the writes go on meanwhile, and must be answered.
    await progress('writes while Redis is away');
    const ready = await registryClient(stack.url('inquiries')).GET('/health/ready');
    expect(ready.response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - outage.from)));
    outage.to = Date.now();
    redis.thaw();
    await progress('writes after the outage');
  } finally {
    stop = true;
    redis.thaw();
    await load;
  }
  expect(stack.dead()).toEqual([]);

  // Every request was answered, and every one of them accepted: never a 5xx, never a hang.
  const during = outcomes.filter((o) => o.started < outage.to && o.ended > outage.from);
  expect(during.length).toBeGreaterThan(0);
  expect(outcomes.filter((o) => typeof o.status !== 'number' || o.status >= 300)).toEqual([]);
  const slowest = (kind: Kind) =>
    Math.max(0, ...during.filter((o) => o.kind === kind).map((o) => o.ms));
  const slowestDuring = Object.fromEntries(
    (['inquiry', 'partner-patch', 'registration', 'activity'] as const).map((k) => [k, slowest(k)]),
  );
  console.log(
    `[resilience] slowest answer per kind of write during the outage (ms): ${JSON.stringify(slowestDuring)}`,
  );
  // Every kind of write went on during the outage, each answered in time.
  for (const kind of ['inquiry', 'partner-patch', 'registration', 'activity'] as const)
    expect([kind, during.filter((o) => o.kind === kind).length > 0]).toEqual([kind, true]);
  expect(during.filter((o) => o.ms > ANSWER_WITHIN_MS)).toEqual([]);

  // Everything enqueued once Redis is back: the outboxes drain, the worker sends every mail.
  const db = database.db;
  await waitForDrain(
    db,
    { redisUrl: redis.url, prefix: stack.env['BULLMQ_PREFIX']! },
    { timeoutMs: 180_000, problems: () => stack.problems() },
  );
  const mails = await mailLedger(db, sink);

  // Registry events: each partner.* row of the registry's outbox applied once by each consumer.
  const events = await db
    .selectFrom('registry.outbox')
    .select('id')
    .where('topic', '=', 'registry-events')
    .execute();
  const eventIds = events.map((e) => e.id);
  await waitFor(
    async () => {
      for (const schema of ['symposium', 'inquiries'] as const) {
        const { n: applied } = await db
          .selectFrom(`${schema}.processedMessage`)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('messageId', 'in', eventIds)
          .executeTakeFirstOrThrow();
        if (Number(applied) < eventIds.length) return false;
      }
      return true;
    },
    'every registry event applied by both consumers',
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const eventCounts = async (schema: 'symposium' | 'inquiries'): Promise<Counts> => {
    const applied = await db
      .selectFrom(`${schema}.processedMessage`)
      .select(['messageId', sql<string>`count(*)`.as('times')])
      .where('messageId', 'in', eventIds)
      .groupBy('messageId')
      .execute();
    // The snapshot keeps the newest version: what each consumer holds is what the registry has.
    const snapshots = await db
      .selectFrom(`${schema}.partner`)
      .select(['id', 'sourceVersion'])
      .where(
        'id',
        'in',
        partners.map((p) => p.id),
      )
      .execute();
    const versions = await db
      .selectFrom('registry.partner')
      .select(['id', 'version'])
      .where(
        'id',
        'in',
        partners.map((p) => p.id),
      )
      .execute();
    expect(new Map(snapshots.map((s) => [s.id, Number(s.sourceVersion)]))).toEqual(
      new Map(versions.map((v) => [v.id, Number(v.version)])),
    );
    return {
      submitted: eventIds.length,
      accepted: eventIds.length,
      delivered: applied.length,
      duplicates: applied.reduce((sum, a) => sum + Number(a.times) - 1, 0),
      lost: eventIds.length - applied.length,
    };
  };

  const ofKind = (kind: Kind) => outcomes.filter((o) => o.kind === kind);
  const writeCounts = (kind: Kind): Counts => ({
    submitted: ofKind(kind).length,
    accepted: ofKind(kind).filter((o) => typeof o.status === 'number' && o.status < 300).length,
    delivered: ofKind(kind).filter((o) => typeof o.status === 'number' && o.status < 300).length,
    duplicates: 0,
    lost: ofKind(kind).filter((o) => typeof o.status !== 'number' || o.status >= 300).length,
  });
  const counts = {
    'inquiry POSTs': writeCounts('inquiry'),
    'partner PATCHes': writeCounts('partner-patch'),
    registrations: writeCounts('registration'),
    'activity reports': writeCounts('activity'),
    'mails (email.send)': mails,
    'events → symposium': await eventCounts('symposium'),
    'events → inquiries': await eventCounts('inquiries'),
  };
  printCounts(
    `Redis frozen ${OUTAGE_MS / 1000} s (${during.length} of ${outcomes.length} writes during the outage)`,
    counts,
  );

  // One mail per inquiry and registration accepted; none lost, none twice.
  expect(mails.submitted).toBe(counts['inquiry POSTs'].accepted + counts['registrations'].accepted);
  expect({ lost: mails.missingKeys, repeated: mails.repeatedKeys }).toEqual({
    lost: [],
    repeated: [],
  });
  for (const consumer of ['events → symposium', 'events → inquiries'] as const)
    expect([consumer, counts[consumer].lost, counts[consumer].duplicates]).toEqual([
      consumer,
      0,
      0,
    ]);
  // Every delivery recorded as sent; activity records (no consumer) marked sent by the relay.
  const unsentDeliveries = await db
    .selectFrom('notifications.delivery')
    .select(['idempotencyKey', 'status'])
    .where('status', '!=', 'sent')
    .execute();
  expect(unsentDeliveries).toEqual([]);
  expect(quick || during.length >= 4).toBe(true);
}, 600_000);
