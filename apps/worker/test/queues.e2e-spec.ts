import { enqueue, enqueueEmail, jobs, queueNames, schedules } from '@sp/queue';
import { type RunningApp, staffToken, startApp, testConfig, useTestAppWithSmtp } from '@sp/testing';
import { Queue, QueueEvents } from 'bullmq';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { DashboardAudit } from '../src/runtime/dashboard-audit';
import { WorkerSchedules } from '../src/runtime/worker-schedules';

const config = testConfig();
const connection = { url: config.REDIS_URL };
const notifications = new Queue(queueNames.notifications, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});
const reports = new Queue(queueNames.reports, { connection, prefix: config.BULLMQ_PREFIX });

// Before the app starts: a schedule an older release registered and this one no longer has,
// and one that moved to the service that owns its data (the SLA sweep, to `inquiries-jobs`).
beforeAll(async () => {
  await notifications.upsertJobScheduler('retired.nightly-job', { pattern: '0 3 * * *' });
  await notifications.upsertJobScheduler(
    'inquiries.sla-sweep',
    { pattern: '*/15 * * * *', tz: 'Asia/Tokyo' },
    { name: 'inquiries.sla-sweep', data: {} },
  );
});

const ctx = useTestAppWithSmtp(appModule, description);

afterAll(async () => {
  await notifications.close();
  await reports.close();
});

const schedulers = () => ctx.running.app.get(WorkerSchedules);

describe('job schedules', () => {
  it('puts the schedules of its own queues in place at start, and drops retired and moved ones', async () => {
    const workers = schedules.filter(
      (s) =>
        jobs[s.job].queue === queueNames.notifications || jobs[s.job].queue === queueNames.reports,
    );
    expect((await schedulers().ready).sort()).toEqual(workers.map((s) => s.job).sort());
    expect((await schedulers().ready).sort()).toEqual([
      'reports.fiscal-year',
      'reports.monthly-digest',
      'reports.retention',
    ]);
    // The SLA sweep and the expiry reminders run in their services now, not here.
    expect(await notifications.getJobSchedulers()).toEqual([]);
    expect(await notifications.getDelayed()).toEqual([]);
    expect((await reports.getJobSchedulers()).map((s) => [s.key, s.pattern, s.tz]).sort()).toEqual([
      ['reports.fiscal-year', '0 6 1 4 *', 'Asia/Tokyo'],
      ['reports.monthly-digest', '0 8 1 * *', 'Asia/Tokyo'],
      ['reports.retention', '30 3 * * *', 'Asia/Tokyo'],
    ]);
    // Each schedule has its next run waiting as a delayed job.
    const delayed = await reports.getDelayed();
    expect(delayed.map((j) => j.name).sort()).toEqual([
      'reports.fiscal-year',
      'reports.monthly-digest',
      'reports.retention',
    ]);
  });

  it('upserts idempotently: a second start changes nothing', async () => {
    const before = await reports.getJobSchedulers();
    schedulers().onApplicationBootstrap();
    await schedulers().ready;
    expect(await reports.getJobSchedulers()).toEqual(before);
    expect(await reports.getDelayed()).toHaveLength(3);
  });

  it('runs a scheduled job to completion: the digest makes its runs for the month before', async () => {
    const events = new QueueEvents(queueNames.reports, {
      connection,
      prefix: config.BULLMQ_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await enqueue(reports, 'reports.monthly-digest', {});
      expect(await job.waitUntilFinished(events, 10_000)).toMatchObject({
        outcome: 'scheduled',
        runs: [{ kind: 'inquiry-statistics' }, { kind: 'fiscal-year' }],
      });
    } finally {
      await events.close();
    }
  });

  it('refuses a job on the wrong queue at enqueue', () => {
    expect(() => enqueue(reports, 'email.send', {} as never)).toThrow(/belongs on queue/);
  });
});

describe('queue metrics', () => {
  it('reports depth per queue and state, and time per job name and outcome', async () => {
    const events = new QueueEvents(queueNames.notifications, {
      connection,
      prefix: config.BULLMQ_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await enqueueEmail(notifications, {
        template: 'report-ready',
        locale: 'en',
        to: ['staff@example.org'],
        data: { name: 'Ada', title: 'Monthly digest', url: 'https://example.org/r/1' },
        idempotencyKey: 'metrics-test-1',
      });
      expect(await job.waitUntilFinished(events, 10_000)).toBe('sent');
    } finally {
      await events.close();
    }
    const text = await (await fetch(`${ctx.running.url}/metrics`)).text();
    const value = (name: string, labels: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(name) && line.includes(labels))
          ?.split(' ')
          .at(-1),
      );
    expect(value('queue_jobs{', 'queue="reports",state="delayed"')).toBe(3);
    expect(value('queue_jobs{', 'queue="notifications",state="delayed"')).toBe(0);
    expect(value('queue_jobs{', 'queue="notifications",state="completed"')).toBeGreaterThanOrEqual(
      1,
    );
    expect(value('queue_jobs{', 'queue="registry-events.symposium",state="waiting"')).toBe(0);
    // The services' own job queues are watched here too, though their services work them.
    expect(value('queue_jobs{', 'queue="registry-jobs",state="waiting"')).toBe(0);
    expect(
      value(
        'queue_job_duration_seconds_count{',
        'queue="notifications",job="email.send",outcome="completed"',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(
        'queue_jobs_processed_total{',
        'queue="notifications",job="email.send",outcome="completed"',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/queue_job_wait_seconds_bucket\{.*queue="notifications",job="email.send"/);
  });
});

describe('queue metrics, counted right', () => {
  const metric = async (name: string, labels: string) => {
    const text = await (await fetch(`${ctx.running.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(labels));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  it('times a delayed job from when it was due, counts a retried attempt as retried, and names no unknown job (helper-50)', async () => {
    const events = new QueueEvents(queueNames.reports, {
      connection,
      prefix: config.BULLMQ_PREFIX,
    });
    const mailEvents = new QueueEvents(queueNames.notifications, {
      connection,
      prefix: config.BULLMQ_PREFIX,
    });
    try {
      await events.waitUntilReady();
      await mailEvents.waitUntilReady();
      // Due 1.5 s after it was added: it waited a few milliseconds, not 1.5 s.
      const delayed = await enqueue(reports, 'reports.retention', {}, { delay: 1_500 });
      await delayed.waitUntilFinished(events, 15_000);
      expect(await metric('queue_job_wait_seconds_sum{', 'job="reports.retention"')).toBeLessThan(
        1,
      );

      // Refused once by the SMTP server, then sent: one retried attempt, no failed job.
      let answered = 0;
      ctx.sink.answer = () => (++answered === 1 ? 451 : 250);
      try {
        const mail = await enqueueEmail(
          notifications,
          {
            template: 'report-ready',
            locale: 'en',
            to: ['retry@example.org'],
            data: { name: 'Ada', title: 'Digest', url: 'https://example.org/r/2' },
            idempotencyKey: 'metrics-retry-1',
          },
          { backoff: { type: 'fixed', delay: 10 } },
        );
        expect(await mail.waitUntilFinished(mailEvents, 15_000)).toBe('sent');
      } finally {
        ctx.sink.answer = () => 250;
      }
      expect(
        await metric('queue_jobs_processed_total{', 'job="email.send",outcome="retried"'),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await metric('queue_jobs_processed_total{', 'job="email.send",outcome="failed"'),
      ).toBeUndefined();

      // A name no contract has (added through the dashboard, say) is `unknown`.
      const made = await reports.add('made-up-name-x1', {});
      await expect(made.waitUntilFinished(events, 10_000)).rejects.toThrow(/has no job/);
      expect(await metric('queue_jobs_processed_total{', 'job="made-up-name-x1"')).toBeUndefined();
      expect(
        await metric('queue_jobs_processed_total{', 'job="unknown",outcome="failed"'),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await events.close();
      await mailEvents.close();
    }
  });
});

describe('queue dashboard', () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${ctx.running.url}${path}`, { headers, redirect: 'manual' });

  it('sends a browser without a token to the sign-in page, and answers others with a 401 problem', async () => {
    const page = await get('/queues', { accept: 'text/html' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/queues/login');
    const login = await get('/queues/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('npm run -s token -- --role admin');

    const api = await get('/queues/api/queues');
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(api.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await api.json()).toMatchObject({
      status: 401,
      type: expect.stringMatching(/unauthorized/),
    });
  });

  it('lets admins in, and no one else', async () => {
    for (const role of ['viewer', 'staff'] as const) {
      const res = await get('/queues/api/queues', {
        authorization: `Bearer ${await staffToken(role)}`,
      });
      expect(res.status).toBe(403);
    }
    const bad = await get('/queues/api/queues', { authorization: 'Bearer not.a.jwt' });
    expect(bad.status).toBe(401);

    const admin = { authorization: `Bearer ${await staffToken('admin')}` };
    const ui = await get('/queues', { ...admin, accept: 'text/html' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root">');
    const api = await get('/queues/api/queues', admin);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(Object.values(queueNames).sort());
  });

  it('logs which admin did what through it', async () => {
    const res = await fetch(`${ctx.running.url}/queues/api/queues/reports/pause`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await staffToken('admin', 'grace')}` },
    });
    expect(res.status).toBe(200);
    expect(await reports.isPaused()).toBe(true);
    await reports.resume();
    expect(
      ctx.running.logs.lines.find((line) => line.msg === 'queue dashboard action'),
    ).toMatchObject({
      admin: 'grace',
      method: 'PUT',
      url: '/queues/api/queues/reports/pause',
      statusCode: 200,
    });
  });

  it('signs a browser in with a cookie only /queues receives, and out again', async () => {
    // Signing out needs the session it ends.
    const noSession = await fetch(`${ctx.running.url}/queues/session`, { method: 'DELETE' });
    expect(noSession.status).toBe(401);
    expect(noSession.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(noSession.headers.get('set-cookie')).toBeNull();

    const refused = await fetch(`${ctx.running.url}/queues/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: await staffToken('staff') }),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signIn = await fetch(`${ctx.running.url}/queues/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: await staffToken('admin') }),
    });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sp_dashboard=[^;]+;/);
    expect(cookie).toMatch(/Path=\/queues/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=\d+/);
    // Served over plain http with no https PUBLIC_URL: a Secure cookie would never come back.
    expect(cookie).not.toMatch(/Secure/);

    const session = cookie.split(';')[0]!;
    expect((await get('/queues/api/queues', { cookie: session })).status).toBe(200);
    const signOut = await fetch(`${ctx.running.url}/queues/session`, {
      method: 'DELETE',
      headers: { cookie: session, origin: ctx.running.url },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toMatch(/sp_dashboard=;.*Expires=Thu, 01 Jan 1970/);
  });
});

/** Signs in as an admin through the sign-in API and returns the session cookie (`name=value`). */
async function signIn(baseUrl: string, sub = 'ada'): Promise<string> {
  const res = await fetch(`${baseUrl}/queues/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: await staffToken('admin', sub) }),
  });
  expect(res.status).toBe(204);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('queue dashboard, as a browser meets it', () => {
  it('refuses changes another site’s page makes with the admin’s cookie', async () => {
    const session = await signIn(ctx.running.url);
    const send = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${ctx.running.url}${path}`, {
        method,
        headers: {
          cookie: session,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const queued = () => reports.getJobCountByTypes('waiting', 'delayed', 'prioritized');
    const before = await queued();
    const writes = [
      ['PUT', '/queues/api/queues/reports/pause', undefined],
      ['POST', '/queues/api/queues/reports/add', { name: 'reports.monthly-digest', data: {} }],
      ['PUT', '/queues/api/queues/reports/clean/completed', undefined],
      ['DELETE', '/queues/session', undefined],
    ] as const;
    for (const [method, path, body] of writes) {
      for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, {}] as Record<
        string,
        string
      >[]) {
        const res = await send(method, path, headers, body);
        expect({ method, path, headers, status: res.status }).toEqual({
          method,
          path,
          headers,
          status: 403,
        });
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(res.headers.get('set-cookie')).toBeNull();
      }
    }
    expect(await reports.isPaused()).toBe(false);
    expect(await queued()).toBe(before);

    // The dashboard's own page: allowed.
    const own = await send('PUT', '/queues/api/queues/reports/pause', { origin: ctx.running.url });
    expect(own.status).toBe(200);
    expect(await reports.isPaused()).toBe(true);
    await reports.resume();
  });

  it('writes each change to the audit log with the admin who made it, before and after', async () => {
    // A job that fails for good (no such job on the queue), retried from the dashboard.
    const events = new QueueEvents(queueNames.reports, {
      connection,
      prefix: config.BULLMQ_PREFIX,
    });
    let jobId: string;
    try {
      await events.waitUntilReady();
      const job = await reports.add('no-such-job', {});
      jobId = job.id!;
      await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/has no job/);
    } finally {
      await events.close();
    }
    const session = await signIn(ctx.running.url, 'grace');
    const retry = await fetch(`${ctx.running.url}/queues/api/queues/reports/${jobId}/retry`, {
      method: 'PUT',
      headers: { cookie: session, origin: ctx.running.url },
    });
    expect(retry.status).toBeLessThan(300);

    const admin = { authorization: `Bearer ${await staffToken('admin')}` };
    const audit = await fetch(
      `${ctx.running.url}/audit?entity=job&entityId=${encodeURIComponent(`reports/${jobId}`)}`,
      { headers: admin },
    );
    expect(audit.status).toBe(200);
    const { items } = (await audit.json()) as {
      items: { actor: unknown; action: string; before: { state: string }; after: unknown }[];
    };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      actor: { kind: 'staff', id: 'grace' },
      action: 'retry',
      before: { name: 'no-such-job', state: 'failed', attemptsMade: 1 },
      after: { name: 'no-such-job', state: expect.any(String) },
    });
    expect(items[0]!.before.state).toBe('failed');

    // A queue-wide change, made with a bearer token by a script.
    const pause = await fetch(`${ctx.running.url}/queues/api/queues/reports/pause`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await staffToken('admin', 'linus')}` },
    });
    expect(pause.status).toBe(200);
    await reports.resume();
    const queueLog = async () =>
      (
        (await (
          await fetch(`${ctx.running.url}/audit?entity=queue&entityId=reports`, { headers: admin })
        ).json()) as { items: { actor: unknown }[] }
      ).items;
    const logged = await queueLog();
    expect(logged[0]).toMatchObject({
      actor: { kind: 'staff', id: 'linus' },
      action: 'pause',
      before: { paused: false, counts: expect.any(Object) },
      after: { paused: true },
    });

    // A refused change is not logged as made.
    const broken = await fetch(`${ctx.running.url}/queues/api/queues/reports/concurrency`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect(broken.status).toBe(400);
    expect(await queueLog()).toHaveLength(logged.length);
  });

  it('keeps capability links out of the audit log and the dashboard, and refuses editing such a job', async () => {
    const secret = 'SECRET_TOKEN_abc123';
    const events = new QueueEvents(queueNames.reports, {
      connection,
      prefix: config.BULLMQ_PREFIX,
    });
    let jobId: string;
    try {
      await events.waitUntilReady();
      // Shaped as a mail job's data: the inquirer's address and the status link.
      const job = await reports.add('no-such-job', {
        to: ['maria.lopez@example.es'],
        data: { name: 'María', statusUrl: `https://inquiries.example/inquiries/status/${secret}` },
      });
      jobId = job.id!;
      await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/has no job/);
    } finally {
      await events.close();
    }
    const admin = { authorization: `Bearer ${await staffToken('admin')}` };
    const shown = await fetch(`${ctx.running.url}/queues/api/queues/reports/${jobId}`, {
      headers: admin,
    });
    expect(shown.status).toBe(200);
    const shownText = await shown.text();
    expect(shownText).toContain('maria.lopez@example.es');
    expect(shownText).not.toContain(secret);

    const edit = await fetch(`${ctx.running.url}/queues/api/queues/reports/${jobId}/update-data`, {
      method: 'PATCH',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ jobData: { to: ['x@example.org'], data: { statusUrl: '[hidden]' } } }),
    });
    expect(edit.status).toBe(403);
    expect(
      ((await reports.getJob(jobId))!.data as { data: { statusUrl: string } }).data.statusUrl,
    ).toContain(secret);

    const retry = await fetch(`${ctx.running.url}/queues/api/queues/reports/${jobId}/retry`, {
      method: 'PUT',
      headers: admin,
    });
    expect(retry.status).toBeLessThan(300);
    const audit = await fetch(
      `${ctx.running.url}/audit?entity=job&entityId=${encodeURIComponent(`reports/${jobId}`)}`,
      { headers: admin },
    );
    const auditText = await audit.text();
    expect(auditText).toContain('"action":"retry"');
    expect(auditText).toContain('example.es');
    expect(auditText).not.toContain(secret);
    expect(auditText).not.toContain('maria.lopez@');
  });

  it('answers its own errors as problems with a stable type', async () => {
    const admin = { authorization: `Bearer ${await staffToken('admin')}` };
    const cases = [
      // Unknown queue, unknown job: bull-board's 404s.
      ['GET', '/queues/api/queues/no-such-queue/1', undefined, 404, 'not-found', /queue not found/],
      [
        'GET',
        '/queues/api/queues/reports/no-such-job',
        undefined,
        404,
        'not-found',
        /job not found/,
      ],
      [
        'PUT',
        '/queues/api/queues/reports/no-such-job/retry',
        undefined,
        404,
        'not-found',
        /job not found/,
      ],
      // A body that is not JSON: Fastify's error, through bull-board's error handler.
      ['PUT', '/queues/api/queues/reports/concurrency', '{"x":', 400, 'bad-request', /JSON/],
      // A value bull-board's validation refuses.
      [
        'PUT',
        '/queues/api/queues/reports/concurrency',
        '{"concurrency":-1}',
        400,
        'validation-error',
        /concurrency/,
      ],
    ] as const;
    for (const [method, path, body, status, code, detail] of cases) {
      const res = await fetch(`${ctx.running.url}${path}`, {
        method,
        headers: { ...admin, ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      });
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({
        type: `/problems/${code}`,
        status,
        title: expect.any(String),
        instance: path,
        requestId: res.headers.get('x-request-id'),
      });
      expect(problem.detail).toMatch(detail);
    }
  });

  it('serves its pages under the CSP, loading no third-party font', async () => {
    const admin = { authorization: `Bearer ${await staffToken('admin')}` };
    for (const path of ['/queues', '/queues/login', '/queues/api/queues']) {
      const res = await fetch(`${ctx.running.url}${path}`, {
        headers: { ...admin, accept: 'text/html' },
      });
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/font-src 'self'(;|$)/);
      expect(csp).not.toMatch(/https:|googleapis|gstatic/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await res.text();
      expect(text).not.toMatch(/fonts\.googleapis|fonts\.gstatic/);
      // No inline script runs under the CSP: each one must come from a file.
      for (const [, attributes, code] of text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g))
        expect(
          attributes!.includes('src=') ||
            /type="application\/json"/.test(attributes!) ||
            !code!.trim(),
        ).toBe(true);
    }
    const script = await fetch(`${ctx.running.url}/queues/login.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});

describe('queue dashboard changes that fail', () => {
  it('a change whose audit row cannot be written answers 500 saying it was made, not a 503 to retry (helper-50)', async () => {
    const admin = { authorization: `Bearer ${await staffToken('admin', 'ida')}` };
    await sql`alter table notifications.audit_log rename to audit_log_away`.execute(
      ctx.database.db,
    );
    let res: Response;
    try {
      res = await fetch(`${ctx.running.url}/queues/api/queues/reports/pause`, {
        method: 'PUT',
        headers: admin,
      });
    } finally {
      await sql`alter table notifications.audit_log_away rename to audit_log`.execute(
        ctx.database.db,
      );
    }
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/the change was made/);
    expect(await reports.isPaused()).toBe(true);
    await reports.resume();
  });

  it('a change whose handler failed is logged as an error with the state it left (helper-50: bull-board skips the after hook)', async () => {
    const audit = ctx.running.app.get(DashboardAudit);
    const params = { queueName: 'reports' };
    // As bull-board's before hook calls it with the request it parsed; then no after.
    await audit.begin({
      method: 'put',
      route: '/api/queues/:queueName/pause',
      request: { params },
    });
    await audit.recordFailure(params, 500);
    const rows = await ctx.database.db
      .selectFrom('notifications.auditLog')
      .select(['action', 'after'])
      .where('entity', '=', 'queue')
      .where('entityId', '=', 'reports')
      .where(sql<boolean>`after->>'outcome' = 'error'`)
      .execute();
    expect(rows).toEqual([
      {
        action: 'pause',
        after: { outcome: 'error', status: 500, state: expect.objectContaining({ paused: false }) },
      },
    ]);
    // Its response already gone, the same request is not logged twice.
    await audit.recordFailure(params, 500);
    expect(
      await ctx.database.db
        .selectFrom('notifications.auditLog')
        .select('id')
        .where(sql<boolean>`after->>'outcome' = 'error'`)
        .execute(),
    ).toHaveLength(1);
  });
});

describe('queue dashboard sessions that age out', () => {
  it('ends the cookie when the verifier stops taking its token, and a stale one still signs out (helper-50)', async () => {
    // Issued 59m50s ago, expiring in two hours: taken for ten more seconds (the maximum age).
    const res = await fetch(`${ctx.running.url}/queues/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: await staffToken('admin', 'ada', 7200, 3590) }),
    });
    expect(res.status).toBe(204);
    const maxAge = Number(/Max-Age=(\d+)/i.exec(res.headers.get('set-cookie') ?? '')?.[1]);
    expect(maxAge).toBeLessThanOrEqual(10);

    // A cookie whose token has aged out: a browser is sent to sign in, and the cookie cleared.
    const stale = `sp_dashboard=${await staffToken('admin', 'ada', 7200, 3700)}`;
    const page = await fetch(`${ctx.running.url}/queues`, {
      headers: { cookie: stale, accept: 'text/html' },
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/queues/login');
    expect(page.headers.get('set-cookie')).toMatch(/sp_dashboard=;.*Expires=Thu, 01 Jan 1970/i);
    const out = await fetch(`${ctx.running.url}/queues/session`, {
      method: 'DELETE',
      headers: { cookie: stale, origin: ctx.running.url },
    });
    expect(out.status).toBe(204);
  });

  it('decides once whether a request uses its cookie: a Basic header does not excuse the Origin (helper-50)', async () => {
    const session = await signIn(ctx.running.url);
    const res = await fetch(`${ctx.running.url}/queues/api/queues/reports/pause`, {
      method: 'PUT',
      headers: { cookie: session, authorization: 'Basic Zm9vOmJhcg==' },
    });
    expect(res.status).toBe(403);
    expect(await reports.isPaused()).toBe(false);
  });
});

describe('queue dashboard behind an https public URL', () => {
  let https: RunningApp | undefined;
  beforeAll(async () => {
    const env = {
      ...testConfig({
        DATABASE_URL: ctx.database.url,
        // Its own queues: this app must not take the other one's jobs.
        BULLMQ_PREFIX: `${config.BULLMQ_PREFIX}-https`,
      }),
      PUBLIC_URL: 'https://ops.example.org',
    };
    https = await startApp(appModule, env, description);
  });
  afterAll(async () => {
    await https?.close();
  });

  it('keeps the session cookie Secure though the socket is plain http, and takes changes from that origin only', async () => {
    const signIn = await fetch(`${https!.url}/queues/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: await staffToken('admin') }),
    });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/; Secure/);
    const session = cookie.split(';')[0]!;
    const pause = (origin: string) =>
      fetch(`${https!.url}/queues/api/queues/reports/pause`, {
        method: 'PUT',
        headers: { cookie: session, origin },
      });
    // The address the socket was reached at is not the public origin.
    expect((await pause(https!.url)).status).toBe(403);
    expect((await pause('https://ops.example.org')).status).toBe(200);
    const signOut = await fetch(`${https!.url}/queues/session`, {
      method: 'DELETE',
      headers: { cookie: session, origin: 'https://ops.example.org' },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toMatch(/Secure/);
  });
});

describe('queue dashboard behind a proxy that ends TLS', () => {
  let proxied: RunningApp | undefined;
  beforeAll(async () => {
    proxied = await startApp(
      appModule,
      testConfig({
        DATABASE_URL: ctx.database.url,
        BULLMQ_PREFIX: `${config.BULLMQ_PREFIX}-proxied`,
        TRUST_PROXY_HOPS: '1',
      }),
      description,
    );
  });
  afterAll(async () => {
    await proxied?.close();
  });

  it('takes the scheme and host the proxy forwards for the cookie and the Origin check', async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'queues.example.org' };
    const signIn = await fetch(`${proxied!.url}/queues/session`, {
      method: 'POST',
      headers: { ...forwarded, 'content-type': 'application/json' },
      body: JSON.stringify({ token: await staffToken('admin') }),
    });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/; Secure/);
    const pause = (origin: string) =>
      fetch(`${proxied!.url}/queues/api/queues/reports/pause`, {
        method: 'PUT',
        headers: { ...forwarded, cookie: cookie.split(';')[0]!, origin },
      });
    expect((await pause('http://queues.example.org')).status).toBe(403);
    expect((await pause('https://queues.example.org')).status).toBe(200);
  });
});
