import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueue, type JobName, jobs, queueNames, schedules } from '@sp/queue';
import {
  createTestDatabase,
  inquiriesClient,
  registryClient,
  SmtpSink,
  staffToken,
  symposiumClient,
  type TestDatabase,
  waitFor,
  workerClient,
} from '@sp/testing';
import { type Job, Queue } from 'bullmq';
import { sql } from 'kysely';
import {
  type Counts,
  mailLedger,
  notificationsInFlight,
  printCounts,
  unsentOutboxRows,
} from './lib/ledger';
import { RedisServer } from './lib/redis-server';
import { type AppName, Stack, stackEnv } from './lib/stack';
import { quick } from './lib/suite';
import { openSymposium } from './lib/fixtures';

/**
 * Two instances of each HTTP service and two workers (each also serving the reports API) on
 * one database and one Redis, under a steady mix of writes on every one of them, spread
 * round-robin over each service's instances in rotation, as a load balancer would. Each
 * instance is restarted in turn (taken out of rotation, signalled, replaced, put back once
 * ready): SIGTERM for all but one, which is SIGKILLed.
 *
 * The guarantees: every request in flight at a SIGTERM (sent before it) is answered, and the
 * process exits 0 within its shutdown timeout; the only failed requests are ones in flight on
 * the SIGKILLed instance (a reset connection); every accepted write is in the database exactly once, and every mail
 * reaches the SMTP server exactly once; the schedules, fired again and again on both workers
 * and both registries while they restart, make one run (and one mail) per period, and each
 * queue still holds each of its schedulers once with one next run; the public inquiry form's
 * rate limit holds across both inquiries instances and a restart of one of them.
 */
const apps = ['partner-registry', 'symposium', 'inquiries', 'worker'] as const;
const replicas = ['a', 'b'] as const;
/** The one instance restarted by SIGKILL (the others get SIGTERM). */
const SIGKILLED = 'inquiries-a';
/** Answers each replacement gives (per kind of write it takes) before the next restart. */
const SERVED_AFTER_RESTART = quick ? 3 : 25;
/** Requests of each kind sent to an instance just before its signal (in flight at it). */
const BURST = 3;
/** Each kind of write is sent at most once per this many ms (the steady load's pace). */
const LOAD_GAP_MS = quick ? 200 : 50;
/**
 * Report requests are rarer: each is a build two workers must work off before the end. While
 * each build started a builder process of its own (half a second of CPU), one per 250 ms was
 * more than a two-core host could build beside the load: the full variant's run alone took
 * 408 s, and one in a fresh-clone `npm test` left 669 of ≈ 1,000 runs unbuilt. Builders now
 * take build after build (`REPORT_BUILDER_IDLE_MS`); the same run took 113 s. The short variant
 * sends one a second.
 */
const REPORT_GAP_MS = quick ? 1_000 : 250;
/** The public inquiry form's limit per address and minute, for the hammering client. */
const RATE_LIMIT = 8;
/** The hammering client stops this long after it began: all of it falls in one window. */
const HAMMER_FOR_MS = 40_000;
const REPORT_RECIPIENTS = ['office@example.org', 'director@example.org'];
/** Agreements expiring in so many days, per partner: one reminder each (30, 90, 180). */
const EXPIRY_DAYS = [20, 80, 170];
const REMINDER_PARTNERS = 3;

const instanceName = (app: AppName, replica: string) => `${app}-${replica}`;
const appOf = (instance: string): AppName =>
  apps.find((app) => instance.startsWith(`${app}-`)) ??
  ((): never => {
    throw new Error(`no app for ${instance}`);
  })();

let database: TestDatabase;
let redis: RedisServer;
let sink: SmtpSink;
let stack: Stack;
let storageDir: string;

/** Each app's own settings, on top of the stack's. */
const extraEnv = (app: AppName): Record<string, string> => {
  switch (app) {
    case 'inquiries':
      // The steady load names its client in X-Forwarded-For (a proxy hop is trusted), each
      // request a different address; the hammering client always the same one.
      return { TRUST_PROXY_HOPS: '1', RATE_LIMIT_PUBLIC_PER_MINUTE: String(RATE_LIMIT) };
    case 'worker':
      return {
        SMTP_URL: sink.url,
        STORAGE_DIR: storageDir,
        REPORT_RECIPIENTS: REPORT_RECIPIENTS.join(','),
        REPORT_SCHEDULED_FORMAT: 'csv',
      };
    default:
      return {};
  }
};

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await RedisServer.start();
  sink = await SmtpSink.start();
  storageDir = await mkdtemp(join(tmpdir(), 'sp-rolling-storage-'));
  stack = new Stack(
    stackEnv(database.url, redis.url, {
      DATABASE_POOL_MAX: '4',
      // A job cut off with a SIGKILLed process is retried within seconds (production: 30 s).
      JOB_LOCK_MS: '3000',
      JOB_STALLED_CHECK_MS: '1000',
    }),
  );
  await Promise.all(
    apps.flatMap((app) =>
      replicas.map((r) => stack.start(app, extraEnv(app), instanceName(app, r))),
    ),
  );
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  await sink?.close();
  await redis?.close();
  await database?.drop();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
}, 60_000);

type Target = { instance: string; generation: number; url: string };

/** Which instances of each app take requests, and whose turn it is: the load balancer. */
class Rotation {
  private readonly live = new Map<AppName, string[]>();
  /** Round-robin per kind of request, so each kind reaches every instance in rotation. */
  private readonly turns = new Map<string, number>();

  /** One instance, whether in rotation or not (the requests in flight at its signal). */
  target(instance: string): Target {
    return { instance, generation: this.generation.get(instance)!, url: stack.url(instance) };
  }

  /** Each instance's current process, counted from 0 (a replacement is the next one). */
  readonly generation = new Map<string, number>();

  constructor() {
    for (const app of apps)
      this.live.set(
        app,
        replicas.map((r) => instanceName(app, r)),
      );
    for (const names of this.live.values()) for (const n of names) this.generation.set(n, 0);
  }

  /** The next instance of `app` in rotation, with its process's generation and URL. */
  pick(app: AppName, kind: string): Target {
    const names = this.live.get(app)!;
    if (names.length === 0) throw new Error(`no instance of ${app} in rotation`);
    const turn = this.turns.get(kind) ?? 0;
    this.turns.set(kind, turn + 1);
    const instance = names[turn % names.length]!;
    return { instance, generation: this.generation.get(instance)!, url: stack.url(instance) };
  }

  out(instance: string): void {
    const names = this.live.get(appOf(instance))!;
    names.splice(names.indexOf(instance), 1);
  }

  in(instance: string): void {
    this.generation.set(instance, this.generation.get(instance)! + 1);
    this.live.get(appOf(instance))!.push(instance);
  }
}

type Kind = 'inquiry' | 'partner-patch' | 'activity' | 'registration' | 'report' | 'hammer';
type Outcome = {
  kind: Kind;
  instance: string;
  generation: number;
  /** What marks the write in the database (a subject, an e-mail, a title, a month). */
  marker: string;
  /** `refused`: never connected; `reset`: the connection dropped before the answer. */
  status: number | 'hung' | 'refused' | 'reset';
  started: number;
  ended: number;
};
type Signalled = { instance: string; generation: number; signal: NodeJS.Signals; at: number };

/**
 * Requests whose headers fetch (undici) has written to a socket, by origin: a request counts as
 * in flight on an instance once it has been sent, not merely once `fetch` was called.
 */
const sent = new Map<string, number>();
const sentTo = (url: string) => sent.get(new URL(url).origin) ?? 0;
const onSendHeaders = (message: unknown) => {
  const origin = (message as { request?: { origin?: string | URL } }).request?.origin;
  if (origin) {
    const key = new URL(String(origin)).origin;
    sent.set(key, (sent.get(key) ?? 0) + 1);
  }
};
beforeAll(() => subscribe('undici:client:sendHeaders', onSendHeaders));
afterAll(() => unsubscribe('undici:client:sendHeaders', onSendHeaders));

const ok = (o: Outcome) => typeof o.status === 'number' && o.status >= 200 && o.status < 300;
const countBy = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
};

it(`loses no request, write, mail or schedule while ${apps.length * replicas.length} instances restart in turn`, async () => {
  const db = database.db;
  const staff = await staffToken('admin');
  const rotation = new Rotation();
  const connection = { url: redis.url, maxRetriesPerRequest: 1 };
  const prefix = stack.env['BULLMQ_PREFIX']!;
  const queues = new Map(
    [
      queueNames.registryJobs,
      queueNames.symposiumJobs,
      queueNames.inquiriesJobs,
      queueNames.notifications,
      queueNames.reports,
    ].map((name) => [name, new Queue(name, { connection, prefix })]),
  );
  const queue = (name: (typeof jobs)[JobName]['queue']) => queues.get(name)!;

  try {
    // Fixtures: partners to update and report on, with coordinators whose agreements expire.
    const registry = registryClient(stack.url('partner-registry-a'), staff);
    const partners = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const { data, response } = await registry.POST('/partners', {
          body: {
            nameEn: `Rolling University ${i}`,
            country: 'DE',
            status: 'prospective',
            memberInstitutions: [],
          },
        });
        if (!data) throw new Error(`partner fixture answered ${response.status}`);
        return data;
      }),
    );
    for (let p = 0; p < REMINDER_PARTNERS; p++) {
      const { id } = await db
        .insertInto('registry.partner')
        .values({
          nameEn: `Expiring University ${p}`,
          country: 'FI',
          status: 'strategic',
          coordinatorName: `Coordinator ${p}`,
          coordinatorEmail: `coordinator${p}@example.org`,
          coordinatorLocale: 'en',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const days of EXPIRY_DAYS)
        await db
          .insertInto('registry.agreement')
          .values({
            partnerId: id,
            kind: 'comprehensive',
            title: `Expires in ${days} days`,
            expiresOn: sql<string>`(now() at time zone 'Asia/Tokyo')::date + ${days}::int`,
          })
          .execute();
    }
    const symposiumId = await openSymposium(db, 'Rolling Symposium', '2099-05-01');

    const outcomes: Outcome[] = [];
    const signals: Signalled[] = [];
    let stop = false;
    let n = 0;

    const request = async (
      kind: Kind,
      to: AppName | Target,
      marker: string,
      call: (url: string, init: { signal: AbortSignal }) => Promise<{ response: Response }>,
    ) => {
      const { instance, generation, url } = typeof to === 'string' ? rotation.pick(to, kind) : to;
      const started = Date.now();
      let status: Outcome['status'];
      try {
        ({
          response: { status },
        } = await call(url, { signal: AbortSignal.timeout(30_000) }));
      } catch (error) {
        status =
          (error as Error).name === 'TimeoutError'
            ? 'hung'
            : (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED'
              ? 'refused'
              : 'reset';
      }
      outcomes.push({ kind, instance, generation, marker, status, started, ended: Date.now() });
    };
    const inquiry = (
      i: number,
      marker: string,
      forwardedFor: string,
      to: AppName | Target = 'inquiries',
    ) =>
      request(i < 0 ? 'hammer' : 'inquiry', to, marker, (url, init) =>
        inquiriesClient(url).POST('/inquiries', {
          body: {
            name: `Inquirer ${marker}`,
            email: `${marker.replace(/\W+/g, '-')}@example.org`,
            language: i % 2 ? 'ja' : 'en',
            category: 'other',
            fields: {},
            subject: marker,
            message: `Question ${marker}`,
          },
          headers: { 'x-forwarded-for': forwardedFor },
          ...init,
        }),
      );
    /**
     * A month of its own per report request (no two are the same request), counted apart from
     * the other writes: the months a report takes end in 2200, and the shared write counter
     * passes 2,532 (1990 + 2532 / 12) within two minutes of load.
     */
    let reportsAsked = 0;
    const nextMonth = () => {
      const i = reportsAsked++;
      return `${1990 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
    };
    const writes: { app: AppName; write: (i: number, to: AppName | Target) => Promise<void> }[] = [
      {
        app: 'inquiries',
        write: (i, to) =>
          inquiry(
            i,
            `Rolling question ${i}`,
            `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
            to,
          ),
      },
      {
        app: 'partner-registry',
        write: (i, to) =>
          request('partner-patch', to, `Rolling summary ${i}`, (url, init) =>
            registryClient(url, staff).PATCH('/partners/{id}', {
              params: {
                path: { id: partners[i % partners.length]!.id },
                header: { 'If-Match': '*' },
              },
              body: { summaryEn: `Rolling summary ${i}` },
              ...init,
            }),
          ),
      },
      {
        app: 'partner-registry',
        write: (i, to) =>
          request('activity', to, `Rolling research ${i}`, (url, init) =>
            registryClient(url, staff).POST('/activities', {
              body: {
                partnerId: partners[i % partners.length]!.id,
                type: 'joint-research',
                titleEn: `Rolling research ${i}`,
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
      },
      {
        app: 'symposium',
        write: (i, to) =>
          request('registration', to, `rolling${i}@example.org`, (url, init) =>
            symposiumClient(url, staff).POST('/symposiums/{id}/registrations', {
              params: { path: { id: symposiumId } },
              body: { name: `Person ${i}`, email: `rolling${i}@example.org` },
              ...init,
            }),
          ),
      },
      {
        app: 'worker',
        write: (_i, to) => {
          const month = nextMonth();
          return request('report', to, month, (url, init) =>
            workerClient(url, staff).POST('/reports', {
              body: {
                kind: 'inquiry-statistics',
                format: 'csv',
                params: { from: month, to: month },
              },
              ...init,
            }),
          );
        },
      },
    ];
    // One loop per kind of write, each going round the instances of its service.
    const load = Promise.all(
      writes.map(async ({ app, write }) => {
        while (!stop) {
          const next = Date.now() + (app === 'worker' ? REPORT_GAP_MS : LOAD_GAP_MS);
          await write(n++, app);
          // The load's pace (a load generator's rate, not a wait for an outcome).
          if (Date.now() < next) await new Promise((r) => setTimeout(r, next - Date.now()));
        }
      }),
    );
    /** Requests sent to `instance` just before its signal, so some are in flight at it. */
    const inFlight: Promise<void>[] = [];
    const burstAt = (instance: string): number => {
      const to = rotation.target(instance);
      const before = inFlight.length;
      for (const { app, write } of writes)
        if (app === appOf(instance)) for (let b = 0; b < BURST; b++) inFlight.push(write(n++, to));
      return inFlight.length - before;
    };
    const kindsOf: Record<AppName, Kind[]> = {
      'partner-registry': ['partner-patch', 'activity'],
      symposium: ['registration'],
      inquiries: ['inquiry'],
      worker: ['report'],
    };
    const servedBy = (instance: string, generation: number, kind: Kind) =>
      outcomes.filter(
        (o) => o.instance === instance && o.generation === generation && o.kind === kind && ok(o),
      ).length;
    /** Every instance in rotation has answered `count` requests of each kind it takes since it started. */
    const everyInstanceServed = (count: number) =>
      waitFor(
        () =>
          [...rotation.generation].every(([instance, generation]) =>
            kindsOf[appOf(instance)].every((kind) => servedBy(instance, generation, kind) >= count),
          ),
        `every instance to answer ${count} requests of each kind`,
        { timeoutMs: 120_000 },
      );

    // The schedules, fired twice at each restart (a double-fired scheduler, whichever instance
    // takes each job, some while they shut down); the jobs are awaited at the end.
    const fired: Job[] = [];
    const fireSchedules = async () => {
      const fire = (name: JobName) => enqueue(queue(jobs[name].queue), name, {});
      for (let twice = 0; twice < 2; twice++)
        fired.push(
          await fire('reports.monthly-digest'),
          await fire('reports.fiscal-year'),
          await fire('agreements.expiry-reminders'),
        );
    };

    // The public form hammered from one address over both inquiries instances while one of
    // them is SIGKILLed and replaced: at most RATE_LIMIT of them are admitted.
    let hammerStop = false;
    let hammering: Promise<void> = Promise.resolve();
    let hammerFrom = 0;
    const startHammer = () => {
      hammerFrom = Date.now();
      hammering = (async () => {
        let h = 0;
        while (!hammerStop && Date.now() - hammerFrom < HAMMER_FOR_MS) {
          await inquiry(-1, `Hammered question ${h++}`, '203.0.113.7');
          // The hammering client's pace (a load generator's rate, not a wait for an outcome).
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
    };

    const t0 = Date.now();
    const restart = async (instance: string, signal: NodeJS.Signals) => {
      await fireSchedules();
      const app = appOf(instance);
      const old = stack.get(instance);
      rotation.out(instance);
      // Requests in flight at the signal: sent (their headers written) before it.
      const { url } = rotation.target(instance);
      const sentBefore = sentTo(url);
      const burst = burstAt(instance);
      await waitFor(
        () => sentTo(url) >= sentBefore + burst,
        `${burst} requests sent to ${instance}`,
      );
      const at = Date.now();
      signals.push({ instance, generation: rotation.generation.get(instance)!, signal, at });
      old.child.kill(signal);
      const exitedWith = await old.exit;
      // Graceful: in-flight requests done, pools closed, exit 0 within SHUTDOWN_TIMEOUT_MS. When
      // not, the failure quotes what the process last wrote (a shutdown that ran out of time
      // says so on stderr), which the exit code alone does not tell.
      const expected = signal === 'SIGTERM' ? 0 : signal;
      const said = exitedWith === expected ? '' : old.stderr().split('\n').slice(-5).join('\n');
      expect([instance, exitedWith, said]).toEqual([instance, expected, '']);
      const replacement = await stack.start(app, extraEnv(app), instance);
      await waitFor(
        async () =>
          (await fetch(`${replacement.url}/health/ready`).catch(() => undefined))?.status === 200,
        `${instance} ready again`,
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      rotation.in(instance);
      console.log(
        `[resilience] ${instance}: ${signal} at +${Math.round((at - t0) / 1000)} s, back in rotation after ${Date.now() - at} ms`,
      );
    };

    try {
      await everyInstanceServed(SERVED_AFTER_RESTART);
      for (const app of apps)
        for (const r of replicas) {
          const instance = instanceName(app, r);
          if (instance === SIGKILLED) startHammer();
          await restart(instance, instance === SIGKILLED ? 'SIGKILL' : 'SIGTERM');
          await everyInstanceServed(SERVED_AFTER_RESTART);
          if (instance === SIGKILLED) {
            // Until the replacement has answered the hammering client a limit's worth too.
            await waitFor(
              () =>
                outcomes.filter(
                  (o) => o.kind === 'hammer' && o.instance === SIGKILLED && o.generation > 0,
                ).length >= RATE_LIMIT || Date.now() - hammerFrom >= HAMMER_FOR_MS,
              `the hammering client to reach the replacement of ${SIGKILLED}`,
              { timeoutMs: HAMMER_FOR_MS },
            );
            hammerStop = true;
            await hammering;
          }
        }
    } finally {
      stop = true;
      hammerStop = true;
      await Promise.all([load, hammering, ...inFlight]);
    }
    expect(stack.dead()).toEqual([]);

    // Which requests failed, and whether each was in flight on an instance at its signal.
    const inFlightAt = (o: Outcome) =>
      signals.find(
        (s) =>
          s.instance === o.instance &&
          s.generation === o.generation &&
          o.started <= s.at &&
          o.ended >= s.at,
      );
    const failed = outcomes.filter((o) => !ok(o) && !(o.kind === 'hammer' && o.status === 429));
    // SIGTERM: every request in flight is answered (the server drains them before it closes).
    // SIGKILL: those in flight may be cut (the connection reset, or refused if not yet made).
    const excused = failed.filter(
      (o) =>
        inFlightAt(o)?.signal === 'SIGKILL' && (o.status === 'reset' || o.status === 'refused'),
    );

    // Everything asked for is done: outboxes relayed, mails sent, reports built, schedules run.
    // As long as it takes while the backlog shrinks (the full variant asks for hundreds of
    // reports, each built in a process of its own: minutes on a slow host); a backlog that has
    // not shrunk for STALLED_MS is stuck, and fails the test.
    const STALLED_MS = 60_000;
    let left = '';
    let leastLeft = Infinity;
    let shrunkAt = Date.now();
    await waitFor(
      async () => {
        const states = await Promise.all(fired.map((job) => job.getState()));
        const failedJob = fired.find((_, i) => states[i] === 'failed');
        if (failedJob)
          throw new Error(`${failedJob.name} ${failedJob.id} failed (see the worker's log)`);
        const { n: building } = await db
          .selectFrom('reports.run')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('state', 'not in', ['succeeded', 'failed'])
          .executeTakeFirstOrThrow();
        const pending = {
          'scheduled jobs': states.filter((s) => s !== 'completed').length,
          'report runs': Number(building),
          'outbox rows': await unsentOutboxRows(db),
          'notification jobs': await notificationsInFlight(redis.url, prefix),
        };
        left = JSON.stringify(pending);
        const total = Object.values(pending).reduce((sum, v) => sum + v, 0);
        if (total < leastLeft) [leastLeft, shrunkAt] = [total, Date.now()];
        if (Date.now() - shrunkAt > STALLED_MS)
          throw new Error(`nothing finished for ${STALLED_MS} ms`);
        return total === 0;
      },
      'the schedules, the reports, the outboxes and the notifications queue to finish',
      { timeoutMs: 420_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; left: ${left}`);
    });

    // Every accepted write is in the database once; a cut one at most once.
    const stored = {
      inquiry: countBy(
        (
          await db
            .selectFrom('inquiries.inquiry')
            .select('subject')
            .where('subject', 'like', 'Rolling question %')
            .execute()
        ).map((r) => r.subject),
      ),
      hammer: countBy(
        (
          await db
            .selectFrom('inquiries.inquiry')
            .select('subject')
            .where('subject', 'like', 'Hammered question %')
            .execute()
        ).map((r) => r.subject),
      ),
      'partner-patch': countBy(
        (
          await db
            .selectFrom('registry.auditLog')
            .select(sql<string>`after->>'summaryEn'`.as('summary'))
            .where('entity', '=', 'partner')
            .where(sql<string>`after->>'summaryEn'`, 'like', 'Rolling summary %')
            .execute()
        ).map((r) => r.summary),
      ),
      activity: countBy(
        (
          await db
            .selectFrom('registry.activity')
            .select('titleEn')
            .where('titleEn', 'like', 'Rolling research %')
            .execute()
        ).map((r) => r.titleEn),
      ),
      registration: countBy(
        (
          await db
            .selectFrom('symposium.registration')
            .select('email')
            .where('symposiumId', '=', symposiumId)
            .execute()
        ).map((r) => r.email),
      ),
      report: countBy(
        (
          await db
            .selectFrom('reports.run')
            .select(sql<string>`params->>'from'`.as('month'))
            .where('kind', '=', 'inquiry-statistics')
            .where('periodKey', 'is', null)
            .execute()
        ).map((r) => r.month),
      ),
    } satisfies Record<Kind, Map<string, number>>;
    const kinds = Object.keys(stored) as Kind[];
    const writeCounts = (kind: Kind): Counts => {
      const mine = outcomes.filter((o) => o.kind === kind);
      const accepted = mine.filter(ok);
      const times = (o: Outcome) => stored[kind].get(o.marker) ?? 0;
      return {
        submitted: mine.length,
        accepted: accepted.length,
        failedInFlight: excused.filter((o) => o.kind === kind).length,
        delivered: accepted.filter((o) => times(o) >= 1).length,
        duplicates: mine.reduce((sum, o) => sum + Math.max(0, times(o) - 1), 0),
        lost: accepted.filter((o) => times(o) === 0).length,
      };
    };
    const counts: Record<string, Counts> = {};
    for (const kind of kinds) counts[kind] = writeCounts(kind);
    // Nothing stored that nobody asked for.
    for (const kind of kinds) {
      const asked = new Set(outcomes.filter((o) => o.kind === kind).map((o) => o.marker));
      expect([kind, [...stored[kind].keys()].filter((m) => !asked.has(m))]).toEqual([kind, []]);
    }

    // The schedules: one run per period and kind, each built; the reminders once each.
    const periodRuns = await db
      .selectFrom('reports.run')
      .select(['id', 'periodKey', 'kind', 'state'])
      .where('periodKey', 'is not', null)
      .execute();
    expect(
      [...countBy(periodRuns.map((r) => `${r.periodKey} ${r.kind}`)).values()].every(
        (times) => times === 1,
      ),
    ).toBe(true);
    expect(periodRuns).toHaveLength(3); // the digest's two kinds and the fiscal year's report
    expect(periodRuns.filter((r) => r.state !== 'succeeded')).toEqual([]);
    const reminderKeys = await db
      .selectFrom('registry.outbox')
      .select(sql<string>`payload->>'idempotencyKey'`.as('key'))
      .where(sql<string>`payload->>'idempotencyKey'`, 'like', 'agreement-expiry:%')
      .execute();
    expect(reminderKeys).toHaveLength(REMINDER_PARTNERS * EXPIRY_DAYS.length);
    // Each queue still has each of its schedulers once, with one next run waiting.
    for (const [name, q] of queues) {
      const mine = schedules.filter((s) => jobs[s.job].queue === name).map((s) => s.job);
      const schedulers = await q.getJobSchedulers();
      expect([name, schedulers.map((s) => s.key).sort()]).toEqual([name, [...mine].sort()]);
      const next = (await q.getDelayed()).filter((j) => j.repeatJobKey);
      expect([name, next.map((j) => j.repeatJobKey).sort()]).toEqual([name, [...mine].sort()]);
    }

    // Every mail asked for (acknowledgements, confirmations, reminders, report links) once.
    const mails = await mailLedger(db, sink);
    const reportMails = await mailLedger(db, sink, { keys: (k) => k.startsWith('report-ready:') });
    const reminderMails = await mailLedger(db, sink, {
      keys: (k) => k.startsWith('agreement-expiry:'),
    });
    counts['mails (email.send)'] = mails;
    counts['  of which reminders'] = reminderMails;
    counts['  of which report links'] = reportMails;

    // The rate limit, across both instances and the replacement of one.
    const hammered = outcomes.filter((o) => o.kind === 'hammer');
    const admitted = hammered.filter(ok);
    const hammerFailed = excused.filter((o) => o.kind === 'hammer');
    const span =
      Math.max(...hammered.map((o) => o.ended)) - Math.min(...hammered.map((o) => o.started));
    console.log(
      `[resilience] rate limit ${RATE_LIMIT}/min: ${hammered.length} requests from one address in ${span} ms, ` +
        `${admitted.length} admitted, ${hammered.filter((o) => o.status === 429).length} refused (429), ` +
        `${hammerFailed.length} cut; answered by ${JSON.stringify(Object.fromEntries(countBy(hammered.map((o) => `${o.instance}#${o.generation}`))))}`,
    );

    const inFlightOn = (signal: NodeJS.Signals) =>
      outcomes.filter((o) => inFlightAt(o)?.signal === signal);
    const failedOn = (signal: NodeJS.Signals) => inFlightOn(signal).filter((o) => !ok(o)).length;
    printCounts(
      `${signals.length} instances restarted in turn, of ${outcomes.length} requests in flight at ` +
        `SIGTERM ${inFlightOn('SIGTERM').length} (failed ${failedOn('SIGTERM')}), ` +
        `at SIGKILL ${inFlightOn('SIGKILL').length} (failed-in-flight ${failedOn('SIGKILL')})`,
      counts,
    );

    expect(failed.filter((o) => !excused.includes(o))).toEqual([]);
    for (const [what, c] of Object.entries(counts))
      expect([what, c.lost, c.duplicates]).toEqual([what, 0, 0]);
    expect({ lost: mails.missingKeys, repeated: mails.repeatedKeys }).toEqual({
      lost: [],
      repeated: [],
    });
    expect(mails.submitted).toBeGreaterThanOrEqual(
      counts['inquiry']!.accepted + counts['hammer']!.accepted + counts['registration']!.accepted,
    );
    expect(reminderMails.delivered).toBe(REMINDER_PARTNERS * EXPIRY_DAYS.length);
    expect(reportMails.delivered).toBe(periodRuns.length * REPORT_RECIPIENTS.length);

    expect(admitted.length).toBeLessThanOrEqual(RATE_LIMIT);
    expect(admitted.length + hammerFailed.length).toBeGreaterThanOrEqual(RATE_LIMIT);
    expect(span).toBeLessThan(60_000); // all of it within one window of the limit
    // Refused by both instances, the replacement included: the count is not per process.
    const refusedBy = new Set(
      hammered.filter((o) => o.status === 429).map((o) => `${o.instance}#${o.generation}`),
    );
    expect([...refusedBy].sort()).toEqual(
      expect.arrayContaining(['inquiries-a#1', 'inquiries-b#0']),
    );
    // Every instance was restarted (and each replacement answered its share: see above).
    expect(signals).toHaveLength(apps.length * replicas.length);
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
  }
}, 900_000);
