import { randomUUID } from 'node:crypto';
import { enqueueEmail, queueNames } from '@sp/queue';
import { staffToken, testConfig, useTestAppWithSmtp, waitFor } from '@sp/testing';
import type { EmailSend } from '@sp/types';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import type { WorkerConfig } from '../src/config';
import { DeliveriesRepository } from '../src/notifications/deliveries.repository';
import { NotificationsProcessor } from '../src/notifications/notifications.processor';
import { DeliveryRetention } from '../src/notifications/retention';

let queue: Queue;
let events: QueueEvents;

// Short locks, so a lost lock is noticed (and the job run again) within a second.
const env: Partial<Record<keyof WorkerConfig, string>> = {
  JOB_LOCK_MS: '1000',
  JOB_STALLED_CHECK_MS: '500',
};
const ctx = useTestAppWithSmtp(appModule, description, { env });
const sink = () => ctx.sink;

afterAll(async () => {
  await events?.close();
  await queue?.close();
});

beforeAll(async () => {
  const config = testConfig();
  queue = new Queue(queueNames.notifications, {
    connection: { url: config.REDIS_URL },
    prefix: config.BULLMQ_PREFIX,
  });
  events = new QueueEvents(queueNames.notifications, {
    connection: { url: config.REDIS_URL },
    prefix: config.BULLMQ_PREFIX,
  });
  await events.waitUntilReady();
});

beforeEach(() => {
  sink().answer = () => 250;
  sink().answerOf = undefined;
  sink().delayOf = undefined;
});

const email = (overrides: Partial<EmailSend> = {}): EmailSend => ({
  template: 'inquiry-received',
  locale: 'en',
  to: ['applicant@example.org'],
  data: { name: 'Ada', reference: 'INQ-2026-000123', statusUrl: 'https://example.org/s/abc' },
  idempotencyKey: randomUUID(),
  ...overrides,
});

const settle = async (job: Job) => {
  try {
    return { result: (await job.waitUntilFinished(events, 30_000)) as unknown, failed: undefined };
  } catch (error) {
    return { result: undefined, failed: (error as Error).message };
  }
};

const delivery = (key: string) =>
  ctx.database.db
    .selectFrom('notifications.delivery')
    .selectAll()
    .where('idempotencyKey', '=', key)
    .executeTakeFirstOrThrow();

it('sends one mail for one idempotency key, however often it is enqueued', async () => {
  const job = email();
  const before = sink().received.length;
  const first = await enqueueEmail(queue, job);
  const second = await enqueueEmail(queue, job);
  // The two jobs run concurrently: whichever takes the delivery's lock first sends.
  const results = [(await settle(first)).result, (await settle(second)).result];
  expect(results.sort()).toEqual(['already-sent', 'sent']);
  const mails = sink().received.slice(before);
  expect(mails).toHaveLength(1);
  const row = await delivery(job.idempotencyKey);
  expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  expect(mails[0]!.messageId).toBe(`<${row.id}@notifications.strategic-partnerships>`);
  expect(mails[0]!.parsed.subject).toBe('We received your inquiry INQ-2026-000123');
  // An acknowledgement is automatic: responders (out of office) leave it unanswered.
  expect(mails[0]!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  expect(mails[0]!.parsed.headers.get('x-auto-response-suppress')).toBe('All');
});

it("sends a producer's own Message-ID and threading headers when the job carries them", async () => {
  const job = email({
    template: 'inquiry-reply',
    data: { name: 'Ada', reference: 'INQ-2026-000123', body: 'Our answer.' },
    messageId: '<reply.1@inquiries.example>',
    inReplyTo: '<reply-from-ada@example.org>',
    references: ['<ack.1@inquiries.example>', '<reply-from-ada@example.org>'],
    replyTo: 'inquiries@example.ac.jp',
  });
  const before = sink().received.length;
  expect((await settle(await enqueueEmail(queue, job))).result).toBe('sent');
  const [mail] = sink().received.slice(before);
  expect(mail?.messageId).toBe('<reply.1@inquiries.example>');
  expect(mail?.parsed.inReplyTo).toBe('<reply-from-ada@example.org>');
  expect(mail?.parsed.references).toEqual([
    '<ack.1@inquiries.example>',
    '<reply-from-ada@example.org>',
  ]);
  expect(mail?.parsed.replyTo?.value[0]?.address).toBe('inquiries@example.ac.jp');
  // A staff reply is a person's: its reader's responder may answer it.
  expect(mail?.parsed.headers.has('auto-submitted')).toBe(false);
});

it('retries a 451 with backoff and delivers on the third attempt', async () => {
  const offeredBefore = sink().offered;
  sink().answer = (n) => (n - offeredBefore <= 2 ? 451 : 250);
  const job = email();
  const result = await settle(
    await enqueueEmail(queue, job, { backoff: { type: 'fixed', delay: 200 } }),
  );
  expect(result.result).toBe('sent');
  expect(await delivery(job.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 3 });
  expect(sink().offered - offeredBefore).toBe(3);
});

it('fails a 550 at once, without retrying, and lists it for admins', async () => {
  const offeredBefore = sink().offered;
  sink().answer = () => 550;
  const job = email({ to: ['nobody@example.org'] });
  const queued = await enqueueEmail(queue, job);
  const result = await settle(queued);
  expect(result.failed).toMatch(/refused the message for good/);
  expect(sink().offered - offeredBefore).toBe(1);
  expect((await queue.getJob(queued.id!))?.attemptsMade).toBe(1);
  expect(await delivery(job.idempotencyKey)).toMatchObject({
    status: 'failed',
    attempts: 1,
    lastError: expect.stringMatching(/550/),
  });

  const admin = await fetch(`${ctx.running.url}/notifications/deliveries?status=failed`, {
    headers: { authorization: `Bearer ${await staffToken('admin')}` },
  });
  expect(admin.status).toBe(200);
  const body = (await admin.json()) as {
    items: { idempotencyKey: string; status: string; jobId: string | null }[];
  };
  expect(body.items.find((d) => d.idempotencyKey === job.idempotencyKey)).toMatchObject({
    jobId: queued.id,
    lastError: expect.stringMatching(/550/),
  });
  expect(body.items.every((d) => d.status === 'failed')).toBe(true);
  const staff = await fetch(`${ctx.running.url}/notifications/deliveries?status=failed`, {
    headers: { authorization: `Bearer ${await staffToken('staff')}` },
  });
  expect(staff.status).toBe(403);
});

it('sends a failed mail again only when an admin retries the job that failed it', async () => {
  sink().answer = () => 550;
  const job = email({ to: ['moved@example.org'] });
  const failed = await enqueueEmail(queue, job);
  expect((await settle(failed)).failed).toMatch(/for good/);

  // Once the address works again, another job with the same key still sends nothing…
  sink().answer = () => 250;
  const before = sink().received.length;
  expect((await settle(await enqueueEmail(queue, job))).result).toBe('already-failed');
  expect(sink().received.length).toBe(before);

  // …but the failed job retried (as the dashboard's "retry" does) tries once more.
  await (await queue.getJob(failed.id!))!.retry();
  expect((await settle(failed)).result).toBe('sent');
  const row = await delivery(job.idempotencyKey);
  expect(row).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  const mails = sink().received.slice(before);
  expect(mails.map((m) => m.messageId)).toEqual([
    `<${row.id}@notifications.strategic-partnerships>`,
  ]);
});

it('waits while another job holds the delivery, and takes over a claim that has expired', async () => {
  const held = email();
  const stale = email();
  for (const [job, until] of [
    [held, "now() + interval '1 minute'"],
    [stale, "now() - interval '1 second'"],
  ] as const)
    await sql`insert into notifications.delivery
        (idempotency_key, template, locale, recipients, status, attempts, job_id, claimed_until)
      values (${job.idempotencyKey}, ${job.template}, ${job.locale}, ${job.to}, 'sending', 1,
              'another-job', ${sql.raw(until)})`.execute(ctx.database.db);
  const before = sink().received.length;

  // The stale claim (its job died and was never retried) is taken over and sent.
  expect((await settle(await enqueueEmail(queue, stale))).result).toBe('sent');
  expect(await delivery(stale.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 2 });

  // The live one is left alone: the job waits (delayed, no attempt used) …
  const waiting = await enqueueEmail(queue, held);
  await waitFor(async () => (await waiting.getState()) === 'delayed', 'the job to wait', {
    timeoutMs: 10_000,
  });
  expect(sink().received.length - before).toBe(1);
  // … until the holder records its mail as sent; then it finds it sent.
  await ctx.database.db
    .updateTable('notifications.delivery')
    .set({ status: 'sent', claimedUntil: null, sentAt: new Date() })
    .where('idempotencyKey', '=', held.idempotencyKey)
    .execute();
  expect((await settle(waiting)).result).toBe('already-sent');
  // One attempt, the run that found it sent: the wait used none.
  expect((await queue.getJob(waiting.id!))?.attemptsMade).toBe(1);
  expect(sink().received.length - before).toBe(1);
});

it('lets admins find deliveries by address (whatever its case) and key, and page through them', async () => {
  // Mail goes to the address as it was written; the filter finds it however it is asked for.
  const to = 'Exchange.Office@Example.ac.kr';
  const jobs = [0, 1, 2, 3, 4].map((i) => email({ to: [to, `cc${i}@example.org`] }));
  for (const job of jobs)
    expect((await settle(await enqueueEmail(queue, job))).result).toBe('sent');
  const admin = { authorization: `Bearer ${await staffToken('admin')}` };
  const page = async (query: string) => {
    const res = await fetch(`${ctx.running.url}/notifications/deliveries?${query}`, {
      headers: admin,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { items: { idempotencyKey: string }[]; nextCursor: string | null };
  };

  // Newest first, two at a time, every one exactly once.
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const body = await page(`to=${to.toLowerCase()}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(body.items.length).toBeLessThanOrEqual(2);
    seen.push(...body.items.map((d) => d.idempotencyKey));
    cursor = body.nextCursor;
  } while (cursor);
  expect(seen).toEqual(jobs.map((j) => j.idempotencyKey).reverse());
  const upper = await page(`to=${to.toUpperCase()}&limit=200`);
  expect(upper.items.map((d) => d.idempotencyKey)).toEqual(seen);
  expect((await page(`to=${to}&limit=200`)).items).toHaveLength(jobs.length);

  const one = await page(`idempotencyKey=${jobs[2]!.idempotencyKey}`);
  expect(one.items.map((d) => d.idempotencyKey)).toEqual([jobs[2]!.idempotencyKey]);
  expect(one.nextCursor).toBeNull();

  for (const bad of ['cursor=not-a-cursor', 'to=not-an-address', 'status=lost']) {
    const res = await fetch(`${ctx.running.url}/notifications/deliveries?${bad}`, {
      headers: admin,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  }
  const forged = Buffer.from(
    JSON.stringify({ at: "2026-01-01'; drop", id: jobs[0]!.idempotencyKey }),
  ).toString('base64url');
  expect(
    (
      await fetch(`${ctx.running.url}/notifications/deliveries?cursor=${forged}`, {
        headers: admin,
      })
    ).status,
  ).toBe(400);
});

it('renders the Japanese template in correct UTF-8', async () => {
  const before = sink().received.length;
  const job = email({
    locale: 'ja',
    data: { name: '山田 花子', reference: 'INQ-2026-000124', statusUrl: 'https://example.org/s/x' },
  });
  expect((await settle(await enqueueEmail(queue, job))).result).toBe('sent');
  const mail = sink().received.slice(before)[0]!;
  expect(mail.parsed.subject).toBe('お問い合わせを受け付けました（INQ-2026-000124）');
  expect(mail.parsed.text).toContain('山田 花子 様');
  expect(mail.parsed.text).toContain('国際化推進グループ');
  expect(mail.parsed.html).toContain('<p>山田 花子 様</p>');
});

it('refuses a bad payload at enqueue, and fails one that slipped through without retrying it', async () => {
  expect(() => enqueueEmail(queue, email({ to: ['not-an-address'] }))).toThrow();
  const raw = await queue.add('email.send', { template: 'no-such-template' }, { attempts: 5 });
  const result = await settle(raw);
  expect(result.failed).toMatch(/breaks its contract/);
  expect((await queue.getJob(raw.id!))?.attemptsMade).toBe(1);
});

/** Takes a running job's lock away, as a Redis hiccup or a blocked event loop would. */
const loseLock = async (job: Job) =>
  (await queue.getBackend().client).del(`${queue.toKey(job.id!)}:lock`);

const mailsOf = (key: string) => async () => {
  const row = await delivery(key);
  return sink().received.filter(
    (m) => m.messageId === `<${row.id}@notifications.strategic-partnerships>`,
  );
};

it('does not let a run after a lost lock send the mail its first run is still sending', async () => {
  const first = sink().ended + 1;
  sink().delayOf = (m) => (m === first ? 3_000 : 0); // the first run's mail is slow
  const offered = sink().offered;
  const job = email();
  const queued = await enqueueEmail(queue, job);
  await waitFor(
    async () => sink().ended >= first && (await delivery(job.idempotencyKey)).status === 'sending',
    'the first run to be sending',
  );
  expect(await loseLock(queued)).toBe(1);
  // Settled: the job finished, and every message that reached the server has its answer.
  await waitFor(
    async () =>
      (await queued.getState()) === 'completed' &&
      sink().offered - offered === sink().ended - first + 1,
    'the job and every mail to settle',
  );
  expect(await mailsOf(job.idempotencyKey)()).toHaveLength(1);
  expect(sink().ended - first + 1).toBe(1);
  expect(await delivery(job.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 1 });
  expect((await queue.getJob(queued.id!))?.returnvalue).toBe('already-sent');
});

it('does not let a stale run mark a mail another run sent as failed', async () => {
  // The first run's mail is slow and refused for good; a run after its lost lock is quick.
  const first = sink().ended + 1;
  sink().delayOf = (m) => (m === first ? 3_000 : 0);
  sink().answerOf = (m) => (m === first ? 550 : 250);
  const job = email();
  const queued = await enqueueEmail(queue, job);
  const worker = ctx.running.app.get(NotificationsProcessor).worker;
  // The first run ends (after recording its error) by trying to finish a job it no longer
  // holds. BullMQ's words for that depend on where the second run is by then: the lock is
  // gone, or it is the second run's, or the job is already completed (a loaded machine).
  const stale = new RegExp(
    `^(Missing lock for job ${queued.id}\\.|Lock mismatch for job ${queued.id}\\.|Job ${queued.id} is not in the active state)`,
  );
  let staleRunEnded = false;
  const onError = (error: Error) => {
    if (stale.test(error.message)) staleRunEnded = true;
  };
  worker.on('error', onError);
  try {
    await waitFor(
      async () =>
        sink().ended >= first && (await delivery(job.idempotencyKey)).status === 'sending',
      'the first run to be sending',
    );
    expect(await loseLock(queued)).toBe(1);
    await waitFor(
      async () => staleRunEnded && (await queued.getState()) === 'completed',
      'the first run to end and the job to complete',
      { timeoutMs: 15_000 },
    );
  } finally {
    worker.off('error', onError);
  }
  expect(await mailsOf(job.idempotencyKey)()).toHaveLength(1);
  expect(await delivery(job.idempotencyKey)).toMatchObject({ status: 'sent', lastError: null });
});

it('records a sent mail despite a failing first record, without sending it again', async () => {
  // The database refuses the first two "sent" records of these keys (a failover, say).
  await sql`create sequence if not exists notifications.flaky_record`.execute(ctx.database.db);
  await sql`
    create or replace function notifications.flaky_record() returns trigger language plpgsql as $$
    begin
      if new.status = 'sent' and new.idempotency_key like 'flaky-record-%'
         and nextval('notifications.flaky_record') <= 2 then
        raise exception 'the database is failing over';
      end if;
      return new;
    end $$`.execute(ctx.database.db);
  await sql`create trigger flaky_record before update on notifications.delivery
    for each row execute function notifications.flaky_record()`.execute(ctx.database.db);
  try {
    const job = email({ idempotencyKey: `flaky-record-${randomUUID()}` });
    const offered = sink().offered;
    const result = await settle(
      await enqueueEmail(queue, job, { backoff: { type: 'fixed', delay: 100 } }),
    );
    expect(result.result).toBe('sent');
    expect(sink().offered - offered).toBe(1);
    expect(await mailsOf(job.idempotencyKey)()).toHaveLength(1);
    expect(await delivery(job.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 1 });
  } finally {
    await sql`drop trigger flaky_record on notifications.delivery`.execute(ctx.database.db);
  }
});

it('fails a job whose template lacks data for good, and mails nothing', async () => {
  const job = email({ data: { name: 'Ada', reference: 'INQ-2026-000125' } }); // no statusUrl
  const offered = sink().offered;
  const queued = await enqueueEmail(queue, job);
  const result = await settle(queued);
  expect(result.failed).toMatch(/inquiry-received needs data the job lacks: statusUrl/);
  expect((await queue.getJob(queued.id!))?.attemptsMade).toBe(1);
  expect(sink().offered - offered).toBe(0);
  expect(await delivery(job.idempotencyKey)).toMatchObject({
    status: 'failed',
    lastError: expect.stringMatching(/statusUrl/),
  });
});

it('prunes sent and failed deliveries past retention, and keeps the rest', async () => {
  const tag = randomUUID();
  const insert = (status: string, age: string, n: number) =>
    sql`insert into notifications.delivery
        (idempotency_key, template, locale, recipients, status, created_at)
      select ${tag} || '-' || ${status} || '-' || ${age} || '-' || i, 'inquiry-received', 'en',
             array['old@example.org'], ${status}, now() - ${age}::interval
      from generate_series(1, ${n}) as i`.execute(ctx.database.db);
  await insert('sent', '91 days', 25);
  await insert('failed', '91 days', 3);
  await insert('sending', '91 days', 1); // unfinished: never pruned
  await insert('sent', '89 days', 2); // within DELIVERY_RETENTION_DAYS (90)
  expect(await ctx.running.app.get(DeliveryRetention).prune()).toBe(28);
  const left = await ctx.database.db
    .selectFrom('notifications.delivery')
    .select(['status', 'idempotencyKey'])
    .where('idempotencyKey', 'like', `${tag}-%`)
    .orderBy('idempotencyKey')
    .execute();
  expect(left.map((r) => r.idempotencyKey)).toEqual([
    `${tag}-sending-91 days-1`,
    `${tag}-sent-89 days-1`,
    `${tag}-sent-89 days-2`,
  ]);
});

it('has indexes that serve the deliveries list and the pruning', async () => {
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes
    where indexname in ('delivery_created_at_id_idx', 'delivery_recipients_idx',
                        'processed_message_processed_at_idx')
    order by schemaname, indexname`.execute(ctx.database.db);
  expect(indexes.rows.map((r) => r.indexdef)).toEqual([
    expect.stringMatching(/ON inquiries\.processed_message USING btree \(processed_at\)/),
    expect.stringMatching(/ON notifications\.delivery USING btree \(created_at DESC, id DESC\)/),
    expect.stringMatching(
      /ON notifications\.delivery USING gin \(notifications\.lower_all\(recipients\)\)/,
    ),
    expect.stringMatching(/ON symposium\.processed_message USING btree \(processed_at\)/),
  ]);
  // The list's queries use them (with sequential scans ruled out: the table is small here).
  const plan = (query: ReturnType<typeof sql>) =>
    ctx.database.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const rows = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(trx);
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  expect(
    await plan(sql`select * from notifications.delivery
      where (created_at, id) < (now(), gen_random_uuid()) order by created_at desc, id desc limit 21`),
  ).toMatch(/Index Scan using delivery_created_at_id_idx/);
  expect(
    await plan(sql`select * from notifications.delivery
      where notifications.lower_all(recipients) @> array[lower('Old@Example.org')]::text[]`),
  ).toMatch(/delivery_recipients_idx/);
});

describe('a mail job the queue gives up on without a run recording it', () => {
  it('leaves its delivery failed when no run holds it, and alone when one does (helper-49)', async () => {
    const repo = ctx.running.app.get(DeliveriesRepository);
    const delivery = (key: string, claimedUntil: Date | null, status: 'sending' | 'sent') =>
      ctx.database.db
        .insertInto('notifications.delivery')
        .values({
          idempotencyKey: key,
          template: 'report-ready',
          locale: 'en',
          recipients: ['stalled@example.org'],
          status,
          claimedUntil,
          claimToken: claimedUntil ? 'job-1:token' : null,
        })
        .execute();
    const statusOf = async (key: string) =>
      await ctx.database.db
        .selectFrom('notifications.delivery')
        .select(['status', 'lastError'])
        .where('idempotencyKey', '=', key)
        .executeTakeFirstOrThrow();
    await delivery('given-up-lapsed', new Date(Date.now() - 60_000), 'sending');
    await delivery('given-up-held', new Date(Date.now() + 60_000), 'sending');
    await delivery('given-up-sent', null, 'sent');
    expect(await repo.giveUp('given-up-lapsed', 'the job was given up: stalled')).toBe(true);
    expect(await repo.giveUp('given-up-held', 'the job was given up: stalled')).toBe(false);
    expect(await repo.giveUp('given-up-sent', 'the job was given up: stalled')).toBe(false);
    expect(await statusOf('given-up-lapsed')).toEqual({
      status: 'failed',
      lastError: 'the job was given up: stalled',
    });
    expect((await statusOf('given-up-held')).status).toBe('sending');
    expect((await statusOf('given-up-sent')).status).toBe('sent');
  });
});
