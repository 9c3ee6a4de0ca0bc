import {
  auditRow,
  type Caller,
  callers,
  type ClientTarget,
  expectProblem,
  factories,
  type MatrixRow,
  platformRows,
  runMatrix,
  staffToken,
  startApp,
  symposiumClient,
  testConfig,
  useTestAppWithPartners,
  waitFor,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

const { app: ctx, tokens: callerTokensOf } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['symposium:register'], partnerB: ['registry:read'] },
});
const make = factories(ctx);
const PARTNER_A = '0a000000-0000-4000-8000-00000000000a';

/** Staff-only writes: staff and admins may, viewers and partners may not. */
const staffWrite = (status: number) => ({
  anonymous: 401,
  viewer: 403,
  staff: status,
  admin: status,
  others: 403,
});
/** Staff reads: any staff role. */
const staffRead = { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 };

/** One row per caller, for writes a caller's success uses up (a status step, a deletion). */
const perCaller = async <T>(make: (caller: Caller) => Promise<T>): Promise<Record<Caller, T>> =>
  Object.fromEntries(
    await Promise.all(callers.map(async (c) => [c, await make(c)] as const)),
  ) as Record<Caller, T>;

it('gives every caller exactly what it may, on every route', async () => {
  const first = await make.symposium({ status: 'announced' });
  const document = await make.symposiumDocument(first.id);
  const session = await make.symposiumSession(first.id);
  // A published programme for the public routes.
  const staffApi = symposiumClient(ctx, callerTokensOf().staff);
  expect(
    (
      await staffApi.POST('/symposiums/{id}/programme/publish', {
        params: { path: { id: first.id } },
      })
    ).response.status,
  ).toBe(200);
  // A published document with an uploaded file, for the download route.
  const withFile = await make.symposiumDocument(first.id, { title: 'With file' });
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')]), 'r.pdf');
  const uploaded = await fetch(
    `${ctx.running.url}/symposiums/${first.id}/documents/${withFile.id}/file`,
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${callerTokensOf().staff}`, 'if-match': '*' },
      body: form,
    },
  );
  expect(uploaded.status).toBe(200);
  const planned = await perCaller(() => make.symposium({ status: 'planned' }));
  const documents = await perCaller(() => make.symposiumDocument(first.id));
  const sessions = await perCaller(() => make.symposiumSession(first.id));
  const ifMatchAny = { 'if-match': '*' };
  const open = await make.symposium({ status: 'registration-open' });
  await make.registrationSettings(open.id, { capacity: 1000 });
  // A registration per caller that may cancel one (partner A's made by partner A's token).
  const ofStaff = await make.registration(open.id);
  const ofPartnerA = await make.registration(open.id, { partnerId: PARTNER_A });
  const toCancel: Partial<Record<string, string>> = {
    staff: (await make.registration(open.id)).id,
    admin: (await make.registration(open.id)).id,
    partnerA: (await make.registration(open.id, { partnerId: PARTNER_A })).id,
  };
  const toCheckIn: Partial<Record<string, string>> = {
    staff: (await make.registration(open.id)).id,
    admin: (await make.registration(open.id)).id,
  };
  // The secret link of a registration made through the API (its token is in its mail).
  const viaApi = await symposiumClient(ctx, await staffToken('staff')).POST(
    '/symposiums/{id}/registrations',
    { params: { path: { id: open.id } }, body: { name: 'Linked', email: 'linked@example.org' } },
  );
  const mail = await ctx.database.db
    .selectFrom('symposium.outbox')
    .select('payload')
    .where('name', '=', 'email.send')
    .execute();
  const manageUrl = mail
    .map((m) => m.payload as { to: string[]; data: Record<string, string> })
    .find((p) => p.to.includes('linked@example.org'))!.data['manageUrl']!;
  const token = manageUrl.split('/registrations/self/')[1]!;
  expect(viaApi.response.status).toBe(201);
  let n = 0;
  const person = (caller: string) => ({
    name: `Matrix ${caller}`,
    email: `matrix-${caller}-${++n}@example.org`,
  });
  const settingsBody = {
    capacity: 1000,
    opensAt: '2026-01-01T00:00:00Z',
    closesAt: '2099-01-01T00:00:00Z',
  };
  const registrationRows: MatrixRow[] = [
    {
      route: 'GET /symposiums/:id/registration-settings',
      request: () => ({ path: `/symposiums/${open.id}/registration-settings` }),
      expect: { others: 200 },
    },
    {
      route: 'PUT /symposiums/:id/registration-settings',
      request: () => ({ path: `/symposiums/${open.id}/registration-settings`, body: settingsBody }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      // Public, rate limited (10 a minute): the matrix's nine callers stay within it.
      route: 'POST /symposiums/:id/sign-ups',
      request: (caller) => ({ path: `/symposiums/${open.id}/sign-ups`, body: person(caller) }),
      expect: { others: 201 },
    },
    {
      route: 'POST /symposiums/:id/registrations',
      request: (caller) => ({ path: `/symposiums/${open.id}/registrations`, body: person(caller) }),
      expect: { anonymous: 401, staff: 201, admin: 201, partnerA: 201, others: 403 },
    },
    {
      route: 'GET /symposiums/:id/registrations',
      request: () => ({ path: `/symposiums/${open.id}/registrations` }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, partnerA: 200, others: 403 },
    },
    {
      route: 'GET /symposiums/:id/registrations/export',
      request: () => ({ path: `/symposiums/${open.id}/registrations/export` }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /symposiums/:id/check-ins',
      request: (caller) => ({
        path: `/symposiums/${open.id}/check-ins`,
        body: { registrationId: toCheckIn[caller] ?? ofStaff.id },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      // Partner A reads its own delegate; the staff's registration is not found for it.
      route: 'GET /registrations/:id',
      request: (caller) => ({
        path: `/registrations/${caller === 'partnerA' ? ofPartnerA.id : ofStaff.id}`,
      }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, partnerA: 200, others: 403 },
    },
    {
      route: 'DELETE /registrations/:id',
      request: (caller) => ({ path: `/registrations/${toCancel[caller] ?? ofStaff.id}` }),
      expect: { anonymous: 401, staff: 200, admin: 200, partnerA: 200, others: 403 },
    },
    {
      route: 'GET /registrations/self/:token',
      request: () => ({ path: `/registrations/self/${token}` }),
      expect: { others: 200 },
    },
    {
      route: 'GET /registrations/self/:token/qr.png',
      request: () => ({ path: `/registrations/self/${token}/qr.png` }),
      expect: { others: 200 },
    },
    {
      // The link is the credential, whoever else the caller is; a second cancel changes nothing.
      route: 'DELETE /registrations/self/:token',
      request: () => ({ path: `/registrations/self/${token}` }),
      expect: { others: 200 },
    },
  ];
  const rows: MatrixRow[] = [
    ...platformRows,
    { route: 'GET /symposiums', request: () => ({ path: '/symposiums' }), expect: { others: 200 } },
    {
      route: 'GET /symposiums/archive',
      request: () => ({ path: '/symposiums/archive' }),
      expect: { others: 200 },
    },
    {
      route: 'GET /symposiums/:id',
      request: () => ({ path: `/symposiums/${first.id}` }),
      expect: { others: 200 },
    },
    {
      route: 'GET /symposiums/:id/record',
      request: () => ({ path: `/symposiums/${first.id}/record` }),
      expect: staffRead,
    },
    {
      route: 'POST /symposiums',
      request: (caller) => ({
        path: '/symposiums',
        body: {
          title: { en: `Matrix symposium ${caller}` },
          heldOn: `2098-01-${String(callers.indexOf(caller) + 1).padStart(2, '0')}`,
        },
      }),
      expect: staffWrite(201),
    },
    {
      route: 'PATCH /symposiums/:id',
      request: () => ({ path: `/symposiums/${first.id}`, body: { expectedAttendance: 120 } }),
      expect: staffWrite(200),
    },
    {
      route: 'PUT /symposiums/:id/status',
      request: (caller) => ({
        path: `/symposiums/${planned[caller].id}/status`,
        body: { status: 'announced' },
      }),
      expect: staffWrite(200),
    },
    {
      route: 'POST /symposiums/:id/documents',
      request: (caller) => ({
        path: `/symposiums/${first.id}/documents`,
        body: {
          kind: 'slides',
          language: 'en',
          title: { en: `Slides ${caller}` },
          url: 'https://example.org/slides.pdf',
        },
      }),
      expect: staffWrite(201),
    },
    {
      route: 'PATCH /symposiums/:id/documents/:documentId',
      request: () => ({
        path: `/symposiums/${first.id}/documents/${document.id}`,
        body: { publishedIn: 'Topics' },
      }),
      expect: staffWrite(200),
    },
    {
      route: 'DELETE /symposiums/:id/documents/:documentId',
      request: (caller) => ({
        path: `/symposiums/${first.id}/documents/${documents[caller].id}`,
        headers: ifMatchAny,
      }),
      expect: staffWrite(204),
    },
    {
      // Staff send no file part here: the policy lets them in, the body check answers 400.
      route: 'PUT /symposiums/:id/documents/:documentId/file',
      request: () => ({
        path: `/symposiums/${first.id}/documents/${document.id}/file`,
        form: { note: 'no file' },
      }),
      expect: staffWrite(400),
    },
    {
      route: 'GET /symposiums/:id/documents/:documentId/file',
      request: () => ({ path: `/symposiums/${first.id}/documents/${withFile.id}/file` }),
      expect: { others: 200 },
    },
    {
      route: 'GET /symposiums/:id/programme',
      request: () => ({ path: `/symposiums/${first.id}/programme` }),
      expect: { others: 200 },
    },
    {
      route: 'GET /symposiums/:id/programme.ics',
      request: () => ({ path: `/symposiums/${first.id}/programme.ics` }),
      expect: { others: 200 },
    },
    {
      route: 'GET /symposiums/:id/programme/draft',
      request: () => ({ path: `/symposiums/${first.id}/programme/draft` }),
      expect: staffRead,
    },
    {
      route: 'POST /symposiums/:id/programme/publish',
      request: () => ({ path: `/symposiums/${first.id}/programme/publish` }),
      expect: staffWrite(200),
    },
    {
      route: 'POST /symposiums/:id/sessions',
      request: (caller) => ({
        path: `/symposiums/${first.id}/sessions`,
        body: {
          kind: 'talk',
          title: { en: `Talk ${caller}` },
          startsAt: '2098-03-15T10:00:00+09:00',
          endsAt: '2098-03-15T11:00:00+09:00',
        },
      }),
      expect: staffWrite(201),
    },
    {
      route: 'PATCH /symposiums/:id/sessions/:sessionId',
      request: () => ({
        path: `/symposiums/${first.id}/sessions/${session.id}`,
        body: { room: 'Matrix Room' },
      }),
      expect: staffWrite(200),
    },
    {
      route: 'DELETE /symposiums/:id/sessions/:sessionId',
      request: (caller) => ({
        path: `/symposiums/${first.id}/sessions/${sessions[caller].id}`,
        headers: ifMatchAny,
      }),
      expect: staffWrite(204),
    },
    auditRow('symposium', first.id),
    ...registrationRows,
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
  const symposium = await make.symposium({ edition: 6, status: 'held' });
  await make.symposiumDocument(symposium.id, {
    kind: 'report',
    language: 'en',
    title: 'Draft report',
    published: false,
  });
  const titles = async (token?: string) =>
    (
      await symposiumClient(ctx, token).GET('/symposiums/{id}', {
        params: { path: { id: symposium.id } },
      })
    ).data!.documents.map((d) => d.title.text);
  expect(await titles()).toEqual([]);
  expect(await titles(callerTokensOf().partnerA)).toEqual([]);
  expect(await titles(callerTokensOf().viewer)).toEqual(['Draft report']);
});

describe('rate limits on public routes', () => {
  // Until its Redis connection is up an instance lets requests through uncounted.
  const redisUp = (app: ClientTarget) =>
    waitFor(
      async () =>
        (await symposiumClient(app).GET('/health/ready')).data?.checks['redis']?.status === 'up',
      'the app to reach Redis',
    );
  const status = async (app: ClientTarget) =>
    (await symposiumClient(app).GET('/symposiums')).response.status;

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
      for (const app of [one, two]) await redisUp(app);
      const statuses: number[] = [];
      for (const app of [one, two, one, two, one]) statuses.push(await status(app));
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const over = await symposiumClient(two).GET('/symposiums');
      expectProblem(over, 429, 'too-many-requests');
      const retryAfter = Number(over.response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Another route has its own budget; health probes have none.
      const unknown = await symposiumClient(one).GET('/symposiums/{id}', {
        params: { path: { id: `${'0'.repeat(8)}-0000-4000-8000-000000000000` } },
      });
      expect(unknown.response.status).toBe(404);
      for (let i = 0; i < 8; i++)
        expect((await symposiumClient(one).GET('/health/live')).response.status).toBe(200);
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
      for (let i = 0; i < 3; i++) expect(await status(app)).toBe(200);
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
