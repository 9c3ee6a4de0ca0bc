import { join } from 'node:path';
import {
  createTestDatabase,
  dropRedisKeys,
  inquiriesClient,
  registryClient,
  type ServiceProcess,
  staffToken,
  startServiceProcess,
  symposiumClient,
  TcpProxy,
  TEST_DEV_KEY_FILE,
  type TestDatabase,
  testConfig,
  waitFor,
} from '@sp/testing';
import { sql } from 'kysely';

/**
 * A database failover, as the services see it: under a steady load of reads and writes their
 * connections are terminated twice, and in between the database is unreachable for a while.
 * Every service process stays up, readiness goes 503 and comes back, every request ends in time
 * with a 2xx or a 503 problem, and no write is half done.
 */

const REQUEST_LIMIT_MS = 15_000;
const apps = ['partner-registry', 'symposium', 'inquiries', 'worker'] as const;
const config = testConfig();
let database: TestDatabase;
let proxy: TcpProxy;
const services = new Map<(typeof apps)[number], ServiceProcess>();

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await TcpProxy.start(5432);
  const url = new URL(database.url);
  url.port = String(proxy.port);
  const env = {
    DATABASE_URL: url.toString(),
    DATABASE_POOL_MAX: '5',
    DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    AUTH_DEV_KEY_FILE: TEST_DEV_KEY_FILE,
    REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
    BULLMQ_PREFIX: config.BULLMQ_PREFIX,
    LOG_LEVEL: 'info',
    // The public symposium list is read in a loop here; the limiter is not under test.
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
  };
  for (const app of apps) {
    services.set(
      app,
      await startServiceProcess(join(__dirname, '..', 'apps', app, 'dist', 'main.js'), env),
    );
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.stop()));
  await proxy?.close();
  await database?.drop();
  await dropRedisKeys();
}, 60_000);

const service = (app: (typeof apps)[number]): ServiceProcess => {
  const found = services.get(app);
  if (!found) throw new Error(`${app} did not start`);
  return found;
};

type Outcome = { status: number | 'hung' | 'refused'; type?: string };

/** What a client call (given the signal that ends it after REQUEST_LIMIT_MS) came to. */
async function outcomeOf(
  request: (init: { signal: AbortSignal }) => Promise<{ response: Response; error?: unknown }>,
): Promise<Outcome> {
  try {
    const { response, error } = await request({ signal: AbortSignal.timeout(REQUEST_LIMIT_MS) });
    return { status: response.status, type: (error as { type?: string } | undefined)?.type };
  } catch (error) {
    return { status: (error as Error).name === 'TimeoutError' ? 'hung' : 'refused' };
  }
}

/** Every service has the platform's readiness route; the registry's client calls any of them. */
const readiness = async (app: (typeof apps)[number]) =>
  (await outcomeOf((init) => registryClient(service(app).url).GET('/health/ready', init))).status;

/** Every service process is still running (an unhandled pg 'error' event would have killed it). */
const expectAllAlive = () =>
  expect(apps.filter((app) => !service(app).alive()).map((app) => `${app} exited`)).toEqual([]);

const terminateBackends = () =>
  sql`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`.execute(database.db);

it('survives terminated connections and an outage under load, losing and halving nothing', async () => {
  const registry = registryClient(service('partner-registry').url, await staffToken('staff'));
  const symposium = symposiumClient(service('symposium').url);
  const inquiries = inquiriesClient(service('inquiries').url, await staffToken('admin'));
  const outcomes: Outcome[] = [];
  const created: string[] = [];
  let stop = false;
  let written = 0;

  const reader = async () => {
    while (!stop) {
      outcomes.push(
        await outcomeOf((init) =>
          registry.GET('/partners', { params: { query: { limit: 50 } }, ...init }),
        ),
      );
      outcomes.push(await outcomeOf((init) => symposium.GET('/symposiums', init)));
      outcomes.push(
        await outcomeOf((init) =>
          inquiries.GET('/audit', {
            params: {
              query: { entity: 'partner', entityId: '00000000-0000-4000-8000-000000000000' },
            },
            ...init,
          }),
        ),
      );
    }
  };
  const writer = async (n: number) => {
    for (let i = 0; !stop; i++) {
      const nameEn = `Failover University ${n}-${i}`;
      const outcome = await outcomeOf((init) =>
        registry.POST('/partners', {
          body: { nameEn, country: 'DE', status: 'prospective', memberInstitutions: [] },
          ...init,
        }),
      );
      outcomes.push(outcome);
      if (outcome.status === 201) created.push(nameEn);
      written++;
    }
  };
  const load = Promise.all([
    ...Array.from({ length: 6 }, reader),
    ...Array.from({ length: 4 }, (_, n) => writer(n)),
  ]);

  const progress = async (what: string) => {
    const from = written;
    await waitFor(() => written >= from + 20, what, { timeoutMs: 30_000 });
  };
  try {
    await progress('writes before the first failover');
    await terminateBackends();
    await progress('writes after the first failover');
    expectAllAlive();

    // The database away: every service says it is not ready, then ready again once it is back.
    await proxy.down();
    for (const app of apps)
      await waitFor(async () => (await readiness(app)) === 503, `${app} not ready`, {
        timeoutMs: 20_000,
      });
    await proxy.up();
    for (const app of apps)
      await waitFor(async () => (await readiness(app)) === 200, `${app} ready again`, {
        timeoutMs: 20_000,
      });

    await progress('writes after the outage');
    await terminateBackends();
    await progress('writes after the second failover');
    expectAllAlive();
  } finally {
    stop = true;
    await load;
  }

  expectAllAlive();
  for (const app of apps) expect(service(app).stderr()).not.toMatch(/unhandled|uncaught|Error:/i);
  // Every request answered in time, with success or a 503 problem: never a hang or a 500.
  const unexpected = outcomes.filter(
    (o) =>
      !(
        o.status === 200 ||
        o.status === 201 ||
        (o.status === 503 && o.type === '/problems/service-unavailable')
      ),
  );
  expect(unexpected).toEqual([]);
  expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0);

  // No half-done write: every partner that exists has its audit entry and its outbox event,
  // and every 201 is a partner that exists.
  const partners = await database.db
    .selectFrom('registry.partner')
    .select(['id', 'nameEn'])
    .where('nameEn', 'like', 'Failover University %')
    .execute();
  expect(partners.map((p) => p.nameEn)).toEqual(expect.arrayContaining(created));
  const ids = partners.map((p) => p.id);
  const audited = await database.db
    .selectFrom('registry.auditLog')
    .select('entityId')
    .where('entity', '=', 'partner')
    .where('entityId', 'in', ids)
    .execute();
  const announced = await database.db
    .selectFrom('registry.outbox')
    .select(sql<string>`payload->>'id'`.as('id'))
    .where('name', '=', 'partner.created')
    .execute();
  expect(new Set(audited.map((a) => a.entityId))).toEqual(new Set(ids));
  expect(new Set(announced.map((a) => a.id).filter((id) => ids.includes(id)))).toEqual(
    new Set(ids),
  );
}, 180_000);
