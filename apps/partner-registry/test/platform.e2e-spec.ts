import { Controller, Get, type DynamicModule } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { type PlatformOptions, Public } from '@sp/platform';
import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  registryClient,
  staffToken,
  startApp,
  testConfig,
  unchecked,
  useTestApp,
  waitFor,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** The platform's behaviour, seen through the registry service as a client sees it. */

let slowStarted = 0;
/** Lets the slow request finish: the test decides when, instead of a fixed delay. */
let releaseSlow: () => void = () => undefined;

@Controller('test')
@Public({ rateLimit: false })
class TestController {
  constructor(private readonly logger: PinoLogger) {}

  @Get('logs')
  logs(): { logged: boolean } {
    this.logger.info('a line from inside the request');
    return { logged: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2'); // must never reach the client
  }

  @Get('slow')
  async slow(): Promise<{ done: boolean }> {
    slowStarted++;
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    return { done: true };
  }
}

const withTestRoutes = (options: Omit<PlatformOptions, 'service'>): DynamicModule => ({
  module: class PlatformTestModule {},
  imports: [appModule(options)],
  controllers: [TestController],
});

const ctx = useTestApp(withTestRoutes, description);
let token = '';
let api: RegistryClient;
beforeAll(async () => {
  token = await staffToken('viewer');
  api = registryClient(ctx, token);
});

describe('request ids', () => {
  it('echoes the caller’s x-request-id and logs every line of the request with it', async () => {
    const { response } = await api.GET('/partners', {
      headers: { 'x-request-id': 'trace-abc.123' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
    // The completion line is written as the response finishes: wait for it, not a fixed time.
    const completedLine = () =>
      ctx.running.logs.lines.find(
        (l) => l.requestId === 'trace-abc.123' && l.msg === 'request completed',
      ) as { req?: unknown; res?: unknown } | undefined;
    await waitFor(() => completedLine() !== undefined, 'the completion line');
    // The request as sent (its full path, not the "/" middleware sees), and nothing else of it.
    expect(completedLine()).toMatchObject({
      req: { id: 'trace-abc.123', method: 'GET', url: '/partners' },
      res: { statusCode: 200 },
    });
    expect(Object.keys(completedLine()?.req ?? {})).toEqual(['id', 'method', 'url']);
    expect(Object.keys(completedLine()?.res ?? {})).toEqual(['statusCode']);
    // Health probes and metric scrapes are not logged: they would drown everything else. A
    // request logged after the probe proves the probe's line would have been written by then.
    await api.GET('/health/ready', { headers: { 'x-request-id': 'probe-1' } });
    await api.GET('/partners', { headers: { 'x-request-id': 'after-probe-1' } });
    await waitFor(
      () => ctx.running.logs.lines.some((l) => l.requestId === 'after-probe-1'),
      'the line of the request after the probe',
    );
    expect(ctx.running.logs.lines.filter((l) => l.requestId === 'probe-1')).toEqual([]);
  });

  it('puts the id on lines logged while the request is handled, and on none outside it', async () => {
    const res = await fetch(`${ctx.running.url}/test/logs`, {
      headers: { 'x-request-id': 'inside-1' },
    });
    expect(res.status).toBe(200);
    const inside = () =>
      ctx.running.logs.lines.find((l) => l.msg === 'a line from inside the request');
    await waitFor(() => inside() !== undefined, 'the line logged by the handler');
    expect(inside()).toMatchObject({ requestId: 'inside-1', service: 'partner-registry' });
    // Lines written outside a request (Nest's start-up lines) carry none.
    const startupContexts = [
      'InstanceLoader',
      'RoutesResolver',
      'RouterExplorer',
      'NestApplication',
    ];
    const startup = ctx.running.logs.lines.filter((l) =>
      startupContexts.includes(String(l.context)),
    );
    expect(startup.length).toBeGreaterThan(0);
    expect(startup.filter((l) => 'requestId' in l)).toEqual([]);
  });

  it('logs a request the client gave up on as aborted', async () => {
    const started = slowStarted;
    const abort = new AbortController();
    const inFlight = fetch(`${ctx.running.url}/test/slow`, {
      headers: { 'x-request-id': 'abort-1' },
      signal: abort.signal,
    }).catch((error: unknown) => error);
    await waitFor(() => slowStarted > started, 'the slow request to arrive');
    abort.abort();
    expect(await inFlight).toMatchObject({ name: 'AbortError' });
    const aborted = () =>
      ctx.running.logs.lines.find((l) => l.requestId === 'abort-1' && l.msg === 'request aborted');
    await waitFor(() => aborted() !== undefined, 'the aborted line');
    expect(aborted()).toMatchObject({ req: { id: 'abort-1', method: 'GET', url: '/test/slow' } });
    releaseSlow();
  });

  it('makes one up when none (or a malformed one) is sent', async () => {
    for (const headers of [{}, { 'x-request-id': 'bad id with spaces' }] as Record<
      string,
      string
    >[]) {
      const { response } = await api.GET('/partners', { headers });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('problem+json', () => {
  it('answers an unknown route with 404', async () => {
    const response = await fetch(`${ctx.running.url}/no/such/route`);
    const problem = expectProblem(
      { response, error: await response.json() },
      404,
      'route-not-found',
    );
    expect(problem.instance).toBe('/no/such/route');
  });

  it('answers an unexpected error with a bare 500 and logs the stack', async () => {
    const res = await fetch(`${ctx.running.url}/test/boom`, {
      headers: { 'x-request-id': 'boom-1' },
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      type: '/problems/internal-error',
      status: 500,
      requestId: 'boom-1',
    });
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/\.ts:\d+|at \w+/);
    const logged = ctx.running.logs.lines.find(
      (l) => l.requestId === 'boom-1' && l.msg === 'unexpected error',
    );
    expect(JSON.stringify(logged)).toContain('hunter2'); // the stack stays in the logs
  });

  it('answers a body over the limit with 413', async () => {
    const res = await registryClient(ctx, await staffToken('staff')).POST('/partners', {
      body: unchecked({ nameEn: 'x'.repeat(2_000_000), country: 'JP' }),
    });
    expectProblem(res, 413, 'payload-too-large');
  });
});

describe('health and metrics', () => {
  it('is live and ready while Postgres answers, reporting Redis too', async () => {
    expect((await api.GET('/health/live')).response.status).toBe(200);
    const ready = await api.GET('/health/ready');
    expect(ready.response.status).toBe(200);
    expect(ready.data).toMatchObject({
      status: 'ok',
      service: 'partner-registry',
      checks: {
        postgres: { status: 'up', required: true },
        redis: { status: 'up', required: false },
      },
    });
  });

  it('exposes Prometheus metrics with request durations by route template', async () => {
    await api.GET('/partners/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    const res = await fetch(`${ctx.running.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{[^}]*route="\/partners\/:id"[^}]*status_code="404"/,
    );
    expect(text).toMatch(/dependency_up\{[^}]*dependency="postgres"[^}]*\} 1/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document built from the zod contracts, and a docs page', async () => {
    const doc = (await (await fetch(`${ctx.running.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/partners', '/partners/{id}', '/health/ready']),
    );
    expect(Object.keys(doc.paths['/partners'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.components.schemas['PartnerCreateDto']?.properties).toHaveProperty('country');
    expect(doc.components.schemas['Partner']?.properties).toHaveProperty('statusSince');
    const docs = await fetch(`${ctx.running.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('when dependencies are away', () => {
  it('is not ready, and answers 503 (not 500), while Postgres is unreachable', async () => {
    const down = await startApp(
      appModule,
      testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' }),
      description,
    );
    try {
      const downApi = registryClient(down, token);
      expect((await downApi.GET('/health/live')).response.status).toBe(200);
      const ready = await downApi.GET('/health/ready');
      expect(ready.response.status).toBe(503);
      expect(ready.error).toMatchObject({
        status: 'error',
        checks: { postgres: { status: 'down', required: true } },
      });
      const list = await downApi.GET('/partners');
      expectProblem(list, 503, 'service-unavailable');
      expect(list.response.headers.get('retry-after')).toBe('5');
    } finally {
      await down.close();
    }
  });

  it('stays ready while Redis is unreachable, reporting it down', async () => {
    const noRedis = await startApp(
      appModule,
      testConfig({ DATABASE_URL: ctx.database.url, REDIS_URL: 'redis://127.0.0.1:1' }),
      description,
    );
    try {
      const ready = await registryClient(noRedis).GET('/health/ready');
      expect(ready.response.status).toBe(200);
      expect(ready.data).toMatchObject({
        checks: { redis: { status: 'down', required: false } },
      });
      const metrics = await (await fetch(`${noRedis.url}/metrics`)).text();
      expect(metrics).toMatch(/dependency_up\{[^}]*dependency="redis"[^}]*\} 0/);
    } finally {
      await noRedis.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes the request in flight, then refuses new connections', async () => {
    const app = await startApp(
      withTestRoutes,
      testConfig({ DATABASE_URL: ctx.database.url }),
      description,
    );
    // Counted from here: an earlier test in this file started the slow route already.
    const started = slowStarted;
    const inFlight = fetch(`${app.url}/test/slow`);
    // Close only once the request is being handled (its handler has started).
    await waitFor(() => slowStarted > started, 'the slow request to arrive');
    const closing = app.close();
    // The request is let finish only once the server has stopped taking new connections.
    await waitFor(
      () =>
        fetch(`${app.url}/health/live`).then(
          () => false,
          () => true,
        ),
      'the server to refuse new connections',
    );
    releaseSlow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    await expect(fetch(`${app.url}/health/live`)).rejects.toThrow();
  });
});
