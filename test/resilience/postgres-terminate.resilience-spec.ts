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
import { openSymposium } from './lib/fixtures';

/**
 * Every service's and the worker's Postgres connections terminated (`pg_terminate_backend`)
 * again and again under a write load on every service, while the worker sends their mail.
 *
 * The guarantee: a write is answered 2xx only once it has committed whole (its row, audit entry
 * and outbox rows), and then it is never lost; a write whose connection is cut is answered
 * `503 service-unavailable` (the client may retry) and only a request in flight at a
 * termination gets one. (Whether a write cut during its COMMIT committed cannot be known by
 * the service: such a 503 may have committed, whole.) Every mail of a committed write arrives
 * once; no process dies.
 */
const TERMINATIONS = 5;
/** A 503 counts as "in flight at a termination" if it started before one and ended after it. */
const SLACK_MS = 1_000;

let database: TestDatabase;
let redis: RedisServer;
let sink: SmtpSink;
let stack: Stack;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await RedisServer.start();
  sink = await SmtpSink.start();
  stack = new Stack(
    stackEnv(database.url, redis.url, {
      DATABASE_POOL_MAX: '5',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
      // A claim cut off with its connection lapses in seconds, not the default minute.
      JOB_LOCK_MS: '3000',
      JOB_STALLED_CHECK_MS: '1000',
    }),
  );
  await Promise.all([
    ...serviceApps.map((app) => stack.start(app)),
    stack.start('worker', { SMTP_URL: sink.url }),
  ]);
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  await sink?.close();
  await redis?.close();
  await database?.drop();
}, 60_000);

type Kind = 'inquiry' | 'partner' | 'registration' | 'activity';
type Outcome = {
  kind: Kind;
  status: number | 'hung' | 'refused';
  type?: string;
  /** The id (or inquiry reference) of what a 2xx created. */
  created?: string;
  started: number;
  ended: number;
};

it(`keeps every 2xx write and refuses cut ones cleanly across ${TERMINATIONS} terminations of every connection`, async () => {
  const staff = await staffToken('admin');
  const registry = registryClient(stack.url('partner-registry'), staff);
  const symposium = symposiumClient(stack.url('symposium'), staff);
  const inquiries = inquiriesClient(stack.url('inquiries'));
  const db = database.db;

  const { data: partner } = await registry.POST('/partners', {
    body: {
      nameEn: 'Terminated University',
      country: 'FR',
      status: 'prospective',
      memberInstitutions: [],
    },
  });
  if (!partner) throw new Error('the partner fixture was refused');
  const symposiumId = await openSymposium(db, 'Terminated Symposium', '2099-06-01');

  const outcomes: Outcome[] = [];
  const kills: number[] = [];
  let stop = false;
  let n = 0;
  const request = async (
    kind: Kind,
    call: (init: {
      signal: AbortSignal;
    }) => Promise<{ response: Response; data?: unknown; error?: unknown }>,
    createdOf: (data: never) => string,
  ) => {
    const started = Date.now();
    try {
      const { response, data, error } = await call({ signal: AbortSignal.timeout(30_000) });
      outcomes.push({
        kind,
        status: response.status,
        type: (error as { type?: string } | undefined)?.type,
        created: response.ok ? createdOf(data as never) : undefined,
        started,
        ended: Date.now(),
      });
    } catch (error) {
      const status = (error as Error).name === 'TimeoutError' ? 'hung' : 'refused';
      outcomes.push({ kind, status, started, ended: Date.now() });
    }
  };
  const writes: ((i: number) => Promise<void>)[] = [
    (i) =>
      request(
        'inquiry',
        (init) =>
          inquiries.POST('/inquiries', {
            body: {
              name: `Inquirer ${i}`,
              email: `inquirer${i}@example.org`,
              language: 'en',
              category: 'other',
              fields: {},
              subject: `Question ${i}`,
              message: `Question number ${i}`,
            },
            ...init,
          }),
        (d: { reference: string }) => d.reference,
      ),
    (i) =>
      request(
        'partner',
        (init) =>
          registry.POST('/partners', {
            body: {
              nameEn: `Cut University ${i}`,
              country: 'DE',
              status: 'prospective',
              memberInstitutions: [],
            },
            ...init,
          }),
        (d: { id: string }) => d.id,
      ),
    (i) =>
      request(
        'registration',
        (init) =>
          symposium.POST('/symposiums/{id}/registrations', {
            params: { path: { id: symposiumId } },
            body: { name: `Person ${i}`, email: `person${i}@example.org` },
            ...init,
          }),
        (d: { id: string }) => d.id,
      ),
    (i) =>
      request(
        'activity',
        (init) =>
          registry.POST('/activities', {
            body: {
              partnerId: partner.id,
              type: 'joint-research',
              titleEn: `Cut research ${i}`,
              departments: [],
              leads: [],
              status: 'ongoing',
              isPublic: false,
              links: [],
              outputs: { papers: [], events: [] },
            },
            ...init,
          }),
        (d: { id: string }) => d.id,
      ),
  ];
  // Two loops per kind of write.
  const load = Promise.all(
    [...writes, ...writes].map(async (write) => {
      while (!stop) await write(n++);
    }),
  );
  const progress = async (what: string) => {
    const from = outcomes.length;
    await waitFor(() => outcomes.length >= from + 30, what, { timeoutMs: 60_000 });
  };
  try {
    for (let k = 0; k < TERMINATIONS; k++) {
      await progress(`writes before termination ${k + 1}`);
      kills.push(Date.now());
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid()`.execute(db);
    }
    await progress('writes after the last termination');
  } finally {
    stop = true;
    await load;
  }
  expect(stack.dead()).toEqual([]);

  // Answered: 2xx, or a 503 problem for a request in flight at a termination. Nothing else.
  const ok = outcomes.filter((o) => o.status === 200 || o.status === 201);
  const refused = outcomes.filter((o) => !ok.includes(o));
  expect(
    refused.filter((o) => o.status !== 503 || o.type !== '/problems/service-unavailable'),
  ).toEqual([]);
  const inFlightAtKill = (o: Outcome) =>
    kills.some((t) => o.started <= t + SLACK_MS && o.ended >= t);
  expect(refused.filter((o) => !inFlightAtKill(o))).toEqual([]);

  // Every 2xx write is there, whole: the row, and its outbox messages.
  const createdOf = (kind: Kind) => ok.filter((o) => o.kind === kind).map((o) => o.created!);
  const present = async (kind: Kind): Promise<Set<string>> => {
    const ids = createdOf(kind);
    if (ids.length === 0) return new Set();
    const rows =
      kind === 'inquiry'
        ? await db
            .selectFrom('inquiries.inquiry')
            .select('reference as id')
            .where('reference', 'in', ids)
            .execute()
        : kind === 'partner'
          ? await db.selectFrom('registry.partner').select('id').where('id', 'in', ids).execute()
          : kind === 'registration'
            ? await db
                .selectFrom('symposium.registration')
                .select('id')
                .where('id', 'in', ids)
                .execute()
            : await db
                .selectFrom('registry.activity')
                .select('id')
                .where('id', 'in', ids)
                .execute();
    return new Set(rows.map((r) => r.id));
  };
  const writeCounts: Record<string, Counts> = {};
  for (const kind of ['inquiry', 'partner', 'registration', 'activity'] as const) {
    const found = await present(kind);
    const mine = outcomes.filter((o) => o.kind === kind);
    writeCounts[`${kind} writes`] = {
      submitted: mine.length,
      accepted: createdOf(kind).length,
      delivered: found.size,
      duplicates: 0,
      lost: createdOf(kind).filter((id) => !found.has(id)).length,
    };
    expect([kind, writeCounts[`${kind} writes`]!.lost]).toEqual([kind, 0]);
  }
  // Whole or not at all: every inquiry and registration that exists has its mail in the outbox,
  // every partner its created event.
  const [inquiryRows, registrationRows, partnerRows] = await Promise.all([
    db
      .selectFrom('inquiries.inquiry')
      .select(sql<string>`'inquiry-received:' || id`.as('key'))
      .execute(),
    db
      .selectFrom('symposium.registration')
      .select(sql<string>`'registration-' || status || ':' || id`.as('key'))
      .where('symposiumId', '=', symposiumId)
      .execute(),
    db.selectFrom('registry.partner').select('id').execute(),
  ]);
  const mailKeys = new Set<string>();
  for (const schema of ['inquiries', 'symposium'] as const)
    for (const r of await db
      .selectFrom(`${schema}.outbox`)
      .select(sql<string>`payload->>'idempotencyKey'`.as('key'))
      .where('name', '=', 'email.send')
      .execute())
      mailKeys.add(r.key);
  expect(
    [...inquiryRows, ...registrationRows].map((r) => r.key).filter((k) => !mailKeys.has(k)),
  ).toEqual([]);
  const announced = new Set(
    (
      await db
        .selectFrom('registry.outbox')
        .select(sql<string>`payload->>'id'`.as('id'))
        .where('name', '=', 'partner.created')
        .execute()
    ).map((r) => r.id),
  );
  expect(partnerRows.filter((p) => !announced.has(p.id))).toEqual([]);

  // Every mail of a committed write arrives once, the worker's connections cut too.
  await waitForDrain(
    db,
    { redisUrl: redis.url, prefix: stack.env['BULLMQ_PREFIX']! },
    { timeoutMs: 180_000, problems: () => stack.problems() },
  );
  const mails = await mailLedger(db, sink);
  printCounts(
    `Postgres connections terminated ${TERMINATIONS} times (${refused.length} of ${outcomes.length} writes refused with 503)`,
    { ...writeCounts, 'mails (email.send)': mails },
  );
  expect({ lost: mails.missingKeys, repeated: mails.repeatedKeys }).toEqual({
    lost: [],
    repeated: [],
  });
  for (const app of stack.processes.keys())
    expect([app, stack.get(app).stderr()]).not.toEqual([
      app,
      expect.stringMatching(/unhandled|uncaught/i),
    ]);
}, 600_000);
