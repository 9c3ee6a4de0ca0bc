import {
  auditRow,
  type MatrixRow,
  platformRows,
  runMatrix,
  startApp,
  testConfig,
  useTestAppWithPartners,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

const { app: ctx, tokens: callerTokensOf } = useTestAppWithPartners(appModule, description, {
  seed: true,
  scopes: { partnerA: ['symposium:register'], partnerB: ['registry:read'] },
});

it('gives every caller exactly what it may, on every route', async () => {
  const {
    rows: [first],
  } = {
    rows: await ctx.database.db.selectFrom('symposium.symposium').select('id').limit(1).execute(),
  };
  const rows: MatrixRow[] = [
    ...platformRows,
    { route: 'GET /symposiums', request: () => ({ path: '/symposiums' }), expect: { others: 200 } },
    {
      route: 'GET /symposiums/:id',
      request: () => ({ path: `/symposiums/${first!.id}` }),
      expect: { others: 200 },
    },
    auditRow('symposium', first!.id),
    {
      // Admins replay registry events not applied yet (an admin write, audited).
      route: 'POST /registry-events/replay',
      request: () => ({ path: '/registry-events/replay' }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
  ];
  const { mismatches } = await runMatrix(ctx.running.app, ctx.running.url, callerTokensOf(), rows);
  expect(mismatches).toEqual([]);
});

it('shows unpublished documents to staff only', async () => {
  const symposium = await ctx.database.db
    .selectFrom('symposium.symposium')
    .select('id')
    .where('edition', '=', 6)
    .executeTakeFirstOrThrow();
  await ctx.database.db
    .insertInto('symposium.document')
    .values({
      symposiumId: symposium.id,
      kind: 'report',
      language: 'en',
      title: 'Draft report',
      published: false,
    })
    .execute();
  const titles = async (token?: string) => {
    const res = await fetch(`${ctx.running.url}/symposiums/${symposium.id}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return ((await res.json()) as { documents: { title: string }[] }).documents.map((d) => d.title);
  };
  expect(await titles()).toEqual([]);
  expect(await titles(callerTokensOf().partnerA)).toEqual([]);
  expect(await titles(callerTokensOf().viewer)).toEqual(['Draft report']);
});

describe('rate limits on public routes', () => {
  const redisUp = async (url: string) => {
    for (let i = 0; i < 100; i++) {
      const health = (await (await fetch(`${url}/health/ready`)).json()) as {
        checks: { redis: { status: string } };
      };
      if (health.checks.redis.status === 'up') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('redis never came up');
  };

  it('hold across two instances sharing Redis, answering 429 with Retry-After', async () => {
    const config = testConfig({
      DATABASE_URL: ctx.database.url,
      RATE_LIMIT_PUBLIC_PER_MINUTE: '5',
      REDIS_KEY_PREFIX: `sp-test:rl:${Date.now()}:`,
    });
    const [one, two] = [
      await startApp(appModule, config, description),
      await startApp(appModule, config, description),
    ];
    try {
      // Until its Redis connection is up an instance lets requests through uncounted.
      for (const app of [one, two]) await redisUp(app.url);
      const statuses: number[] = [];
      for (const app of [one, two, one, two, one])
        statuses.push((await fetch(`${app.url}/symposiums`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const over = await fetch(`${two.url}/symposiums`);
      expect(over.status).toBe(429);
      const retryAfter = Number(over.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await over.json()).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
      // Another route has its own budget; health probes have none.
      expect(
        (await fetch(`${one.url}/symposiums/${'0'.repeat(8)}-0000-4000-8000-000000000000`)).status,
      ).toBe(404);
      for (let i = 0; i < 8; i++) expect((await fetch(`${one.url}/health/live`)).status).toBe(200);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('let requests through, and say so, while Redis is unreachable', async () => {
    const app = await startApp(
      appModule,
      testConfig({
        DATABASE_URL: ctx.database.url,
        RATE_LIMIT_PUBLIC_PER_MINUTE: '1',
        REDIS_URL: 'redis://127.0.0.1:1',
        // Its registry-event worker would only retry against the dead port (and a BullMQ worker
        // that never connected cannot be closed cleanly: see the closing notes).
        QUEUES_ENABLED: 'false',
      }),
      description,
    );
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/symposiums`)).status).toBe(200);
      // nestjs-pino keeps one root logger per process: the file's first app's sink gets the line.
      const lines = [...app.logs.lines, ...ctx.running.logs.lines];
      expect(
        lines.some((l) => l.msg === 'rate limiter cannot reach Redis; letting requests through'),
      ).toBe(true);
    } finally {
      await app.close();
    }
  });
});
