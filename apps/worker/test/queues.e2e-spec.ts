import { enqueue, enqueueEmail, queueNames, schedules } from '@sp/queue';
import { staffToken, testConfig, useTestAppWithSmtp } from '@sp/testing';
import { Queue, QueueEvents } from 'bullmq';
import { appModule, description } from '../src/app.module';
import { Schedulers } from '../src/queues/schedulers';

const config = testConfig();
const connection = { url: config.REDIS_URL };
const notifications = new Queue(queueNames.notifications, {
  connection,
  prefix: config.BULLMQ_PREFIX,
});
const reports = new Queue(queueNames.reports, { connection, prefix: config.BULLMQ_PREFIX });

// Before the app starts: a schedule an older release registered and this one no longer has.
beforeAll(async () => {
  await notifications.upsertJobScheduler('retired.nightly-job', { pattern: '0 3 * * *' });
});

const ctx = useTestAppWithSmtp(appModule, description);

afterAll(async () => {
  await notifications.close();
  await reports.close();
});

const schedulers = () => ctx.running.app.get(Schedulers);

describe('job schedules', () => {
  it('puts every schedule in place at start, on the queue of its job, and drops retired ones', async () => {
    expect((await schedulers().ready).sort()).toEqual(schedules.map((s) => s.job).sort());
    const onNotifications = await notifications.getJobSchedulers();
    expect(onNotifications.map((s) => [s.key, s.pattern, s.tz]).sort()).toEqual([
      ['agreements.expiry-reminders', '0 9 * * *', 'Asia/Tokyo'],
      ['inquiries.sla-sweep', '*/15 * * * *', 'Asia/Tokyo'],
    ]);
    expect((await reports.getJobSchedulers()).map((s) => [s.key, s.pattern]).sort()).toEqual([
      ['reports.fiscal-year', '0 6 1 4 *'],
      ['reports.monthly-digest', '0 8 1 * *'],
    ]);
    // Each schedule has its next run waiting as a delayed job.
    const delayed = await notifications.getDelayed();
    expect(delayed.map((j) => j.name).sort()).toEqual([
      'agreements.expiry-reminders',
      'inquiries.sla-sweep',
    ]);
    expect(Math.min(...delayed.map((j) => j.delay))).toBeLessThanOrEqual(15 * 60_000);
  });

  it('upserts idempotently: a second start changes nothing', async () => {
    const before = await notifications.getJobSchedulers();
    schedulers().onApplicationBootstrap();
    await schedulers().ready;
    expect(await notifications.getJobSchedulers()).toEqual(before);
    expect(await notifications.getDelayed()).toHaveLength(2);
  });

  it('runs a scheduled job to completion as a no-op until its owning issue fills it', async () => {
    const events = new QueueEvents(queueNames.reports, {
      connection,
      prefix: config.BULLMQ_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await enqueue(reports, 'reports.monthly-digest', {});
      expect(await job.waitUntilFinished(events, 10_000)).toMatchObject({
        outcome: 'nothing-to-do',
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
    expect(value('queue_jobs{', 'queue="notifications",state="delayed"')).toBe(2);
    expect(value('queue_jobs{', 'queue="notifications",state="completed"')).toBeGreaterThanOrEqual(
      1,
    );
    expect(value('queue_jobs{', 'queue="registry-events.symposium",state="waiting"')).toBe(0);
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

    const session = cookie.split(';')[0]!;
    expect((await get('/queues/api/queues', { cookie: session })).status).toBe(200);
    const signOut = await fetch(`${ctx.running.url}/queues/session`, {
      method: 'DELETE',
      headers: { cookie: session },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toMatch(/sp_dashboard=;.*Expires=Thu, 01 Jan 1970/);
  });
});
