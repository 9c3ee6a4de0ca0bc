/**
 * The public-route rate limiter against a real app and Redis: HEAD shares GET's budget, and the
 * limit holds in every minute-long span, not per clock minute. The limiter's clock is driven by
 * the test (the requests themselves are real), so a burst can straddle a minute's edge.
 */
import type { SymposiumClient } from '@sp/client';
import {
  asHead,
  createTestDatabase,
  dropRedisKeys,
  type RunningApp,
  startApp,
  symposiumClient,
  type TestDatabase,
  testConfig,
  waitFor,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

const LIMIT = 5;
/** A whole minute in epoch milliseconds: the edge a fixed window would reset at. */
const EDGE = 29_000_000 * 60_000;

let database: TestDatabase;
let running: RunningApp;
let api: SymposiumClient;
let now = EDGE;

beforeAll(async () => {
  database = await createTestDatabase();
  running = await startApp(
    (options) => appModule({ ...options, rateLimitClock: () => now }),
    testConfig({
      DATABASE_URL: database.url,
      RATE_LIMIT_PUBLIC_PER_MINUTE: String(LIMIT),
      REDIS_KEY_PREFIX: `sp-test:rl-sliding:${process.pid}:${Date.now()}:`,
      QUEUES_ENABLED: 'false',
    }),
    description,
  );
  api = symposiumClient(running);
  // Until its Redis connection is up the limiter lets requests through uncounted.
  await waitFor(
    async () => (await api.GET('/health/ready')).data?.checks['redis']?.status === 'up',
    'the app to reach Redis',
  );
});

afterAll(async () => {
  await running?.close();
  await database?.drop();
  await dropRedisKeys();
});

/** An unknown symposium: its own route budget, and a 404 once admitted. */
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** One GET or HEAD of the list, or of one symposium: the status and Retry-After it got. */
const send = async (method: 'GET' | 'HEAD', id?: string) => {
  const as = method === 'HEAD' ? asHead : {};
  const { response } = id
    ? await api.GET('/symposiums/{id}', { params: { path: { id } }, ...as })
    : await api.GET('/symposiums', as);
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
};

const statuses = async (method: 'GET' | 'HEAD', id: string | undefined, times: number) => {
  const result: number[] = [];
  for (let i = 0; i < times; i++) result.push((await send(method, id)).status);
  return result;
};

it('counts HEAD in the GET budget of the same route', async () => {
  now = EDGE + 10 * 60_000;
  // Each HEAD is one of the route's requests...
  expect(await statuses('HEAD', undefined, 2)).toEqual([200, 200]);
  expect(await statuses('GET', undefined, 4)).toEqual([200, 200, 200, 429]);
  // ...and once GET's budget is spent, HEAD has none of its own.
  const head = await send('HEAD');
  expect(head.status).toBe(429);
  expect(Number(head.retryAfter)).toBe(60);
});

it('admits at most the limit in any minute, across a clock minute edge, with a true Retry-After', async () => {
  // Another route, so another budget: an unknown symposium (404 once admitted).
  now = EDGE - 30_000;
  expect(await statuses('GET', UNKNOWN, 1)).toEqual([404]);
  now = EDGE - 100;
  expect(await statuses('GET', UNKNOWN, LIMIT - 1)).toEqual(Array(LIMIT - 1).fill(404));

  // 0.1 s later, past the minute's edge: a fixed window would start afresh and admit LIMIT more.
  now = EDGE + 100;
  const overEdge = await send('GET', UNKNOWN);
  expect(overEdge.status).toBe(429);
  // The oldest request (EDGE - 30 s) leaves the window at EDGE + 30 s: 29.9 s from now.
  expect(overEdge.retryAfter).toBe('30');

  // Refused requests are not counted: once the oldest has left, exactly one more gets in.
  now = EDGE + 30_001;
  expect(await statuses('GET', UNKNOWN, 2)).toEqual([404, 429]);
  // The next to leave is one of the four from EDGE - 0.1 s, at EDGE + 59.9 s.
  expect((await send('HEAD', UNKNOWN)).retryAfter).toBe('30');

  now = EDGE + 59_901;
  expect(await statuses('GET', UNKNOWN, LIMIT)).toEqual([404, 404, 404, 404, 429]);
});

it('admits exactly the limit from a concurrent burst (the check and the count are one step)', async () => {
  now = EDGE + 20 * 60_000;
  const burst = await Promise.all(
    Array.from({ length: 4 * LIMIT }, (_, i) => send(i % 2 ? 'HEAD' : 'GET')),
  );
  expect(burst.filter((r) => r.status === 200)).toHaveLength(LIMIT);
  expect(burst.filter((r) => r.status === 429)).toHaveLength(3 * LIMIT);
});
