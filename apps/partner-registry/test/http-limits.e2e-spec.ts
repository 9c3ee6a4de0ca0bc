import { connect, type Socket } from 'node:net';
import {
  expectProblem,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
  waitFor,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

/**
 * What a client can do to the service before any route runs: send half a request and stall,
 * send a URL or headers too large, send a URL that is not one, send text with NUL bytes. Each
 * is answered with a problem (or closed in time), never a hang, a 500 or an echo.
 */

const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 1_500;

const ctx = useTestApp(appModule, description, {
  env: {
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  },
});

type RawExchange = { socket: Socket; received: () => string; closed: Promise<number> };

/** Opens a raw connection and writes `data` as is; records what comes back and when it closes. */
function raw(data: string): RawExchange {
  const { port } = new URL(ctx.running.url);
  const started = Date.now();
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  socket.write(data);
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => resolve(Date.now() - started)),
  );
  return { socket, received: () => received, closed };
}

/** The status line and the JSON body of a raw HTTP/1.1 answer. */
function parse(answer: string): {
  status: number;
  contentType: string;
  requestId: string;
  body: unknown;
} {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const contentType = /^content-type: *(.+)$/im.exec(head)?.[1]?.trim() ?? '';
  const requestId = /^x-request-id: *(.+)$/im.exec(head)?.[1]?.trim() ?? '';
  return { status, contentType, requestId, body: body ? (JSON.parse(body) as unknown) : undefined };
}

/** Every answer names its request id, in the header and the body alike. */
function expectRequestId(answer: { requestId: string; body: unknown }): void {
  expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.body).toMatchObject({ requestId: answer.requestId });
}

describe('slow clients', () => {
  it('closes 200 half-sent requests within the configured timeouts, serving others meanwhile', async () => {
    const stalled: RawExchange[] = [];
    for (let i = 0; i < 100; i++) {
      // Headers complete, body promised (100 bytes) but never finished.
      stalled.push(
        raw(
          'POST /oauth/token HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
            'content-length: 100\r\n\r\n{"grant',
        ),
      );
      // Headers never finished.
      stalled.push(raw('GET /partners HTTP/1.1\r\nhost: x\r\nx-slow: '));
    }
    const viewer = registryClient(ctx, await staffToken('viewer'));
    // Normal requests go through while the stalled ones hold their sockets.
    for (let i = 0; i < 5; i++) expect((await viewer.GET('/partners')).response.status).toBe(200);
    const closedAfter = await Promise.all(stalled.map((s) => s.closed));
    // Closed by the server: the timeouts plus Node's check interval, with room for a busy host.
    expect(Math.max(...closedAfter)).toBeLessThan(REQUEST_TIMEOUT_MS + 8_000);
    for (const s of stalled) {
      const answer = parse(s.received());
      expectRequestId(answer);
      expect(answer).toMatchObject({
        status: 408,
        contentType: expect.stringMatching(/^application\/problem\+json/),
        body: { type: '/problems/request-timeout', status: 408 },
      });
    }
  }, 30_000);
});

describe('errors raised before a route runs are problems', () => {
  it('answers a URL that is not percent-encoded with a 400 problem', async () => {
    const res = raw('GET /% HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await res.closed;
    expect(parse(res.received())).toMatchObject({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { type: '/problems/bad-request', status: 400 },
    });
  });

  it('answers an over-long path segment with a 414 problem that does not echo the URL', async () => {
    const segment = 'a'.repeat(5_000);
    const res = await registryClient(ctx).GET('/partners/{id}', {
      params: { path: { id: segment } },
    });
    expectProblem(res, 414, 'uri-too-long');
    expect(JSON.stringify(res.error)).not.toContain('aaaaaaaaaa');
  });

  it('answers headers larger than the server takes with a 431 problem', async () => {
    const res = raw(`GET /partners HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(40_000)}\r\n\r\n`);
    await res.closed;
    expectRequestId(parse(res.received()));
    expect(parse(res.received())).toMatchObject({
      status: 431,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { type: '/problems/header-fields-too-large', status: 431 },
    });
  });

  it('answers malformed HTTP with a 400 problem', async () => {
    const res = raw('NOT HTTP AT ALL\r\n\r\n');
    await res.closed;
    expect(parse(res.received())).toMatchObject({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { type: '/problems/bad-request' },
    });
  });
});

describe('NUL bytes in text', () => {
  const partnerCount = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('registry.partner')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses them in a body with a 400 naming the field, and writes nothing', async () => {
    const before = await partnerCount();
    const res = await registryClient(ctx, await staffToken('staff')).POST('/partners', {
      body: unchecked({
        nameEn: 'x\u0000y',
        country: 'JP',
        memberInstitutions: ['ok', 'bad\u0000'],
      }),
    });
    expectProblem(res, 400, 'validation-error', ['body:memberInstitutions.1', 'body:nameEn']);
    expect(await partnerCount()).toBe(before);
  });

  it('refuses them in a query parameter and inside a forged cursor', async () => {
    const admin = registryClient(ctx, await staffToken('admin'));
    const audit = await admin.GET('/audit', {
      params: { query: { entity: 'a\u0000b', entityId: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(audit.response.url).toContain('entity=a%00b');
    expectProblem(audit, 400, 'validation-error', ['query:entity']);

    const cursor = Buffer.from(
      JSON.stringify({ s: 'nameEn', v: 'a\u0000', i: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url');
    const page = await admin.GET('/partners', { params: { query: { sort: 'nameEn', cursor } } });
    expectProblem(page, 400, 'validation-error', ['query:cursor']);
  });
});

it('leaves the service healthy after all of the above', async () => {
  await waitFor(
    async () => (await registryClient(ctx).GET('/health/ready')).response.status === 200,
    'ready',
  );
});
