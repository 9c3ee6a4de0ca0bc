import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enqueue, queueNames } from '@sp/queue';
import type { WorkerSchemas } from '@sp/client';
import {
  staffToken,
  testConfig,
  unchecked,
  useTestAppWithPartners,
  waitFor,
  waitForLockWait,
  workerClient,
} from '@sp/testing';
import type { ReportRun } from '@sp/types';
import { Queue, QueueEvents, UnrecoverableError } from 'bullmq';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { ReportsBuilder } from '../src/reports/reports.builder';
import { ReportsRepository } from '../src/reports/reports.repository';
import { ReportsService } from '../src/reports/reports.service';
import { isFinalFailure } from '../src/runtime/job-failure';
import { Gate, MISSING_PARTNER, PROFILE_ROWS, registerFixtureKinds } from './report-fixtures';

const PARTNER_A = '0a000000-0000-4000-8000-00000000000a';
const PARTNER_B = '0b000000-0000-4000-8000-00000000000b';

const gate = new Gate();
const { app: ctx, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['reports:read'], partnerB: ['reports:read'] },
});
let queue: Queue;

beforeAll(() => {
  const config = testConfig();
  queue = new Queue(queueNames.reports, {
    connection: { url: config.REDIS_URL },
    prefix: config.BULLMQ_PREFIX,
  });
});
afterAll(async () => {
  gate.open();
  await queue?.close();
});

beforeAll(() => registerFixtureKinds(ctx.running.app, gate));

type Answer = { status: number; headers: Headers; body: unknown };
type RequestBody = WorkerSchemas['schemas']['ReportRequestDto'];

const api = (token: string) => workerClient(ctx, token);
const answer = (r: { data?: unknown; error?: unknown; response: Response }): Answer => ({
  status: r.response.status,
  headers: r.response.headers,
  body: r.data ?? r.error,
});
/** `POST /reports` through the generated client. */
const ask = async (token: string, body: RequestBody): Promise<Answer> =>
  answer(await api(token).POST('/reports', { body }));
const getRun = async (id: string, token: string): Promise<Answer> =>
  answer(await api(token).GET('/reports/{id}', { params: { path: { id } } }));
const getFile = async (id: string, token: string): Promise<Answer> =>
  answer(
    await api(token).GET('/reports/{id}/file', {
      params: { path: { id } },
      parseAs: 'arrayBuffer',
    }),
  );
const remove = async (id: string, token: string): Promise<Answer> =>
  answer(await api(token).DELETE('/reports/{id}', { params: { path: { id } } }));

const staff = () => staffToken('staff');
const run = async (id: string, token?: string) =>
  (await getRun(id, token ?? (await staff()))).body as ReportRun;
const settled = async (id: string) => {
  await waitFor(async () => {
    const r = await run(id);
    return r.state === 'succeeded' || r.state === 'failed';
  }, `run ${id} to finish`);
  return run(id);
};
const runCount = async () =>
  Number(
    (
      await ctx.database.db
        .selectFrom('reports.run')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
/** The runs' folders in the store (`reports/<run>`). */
const folders = () => readdir(join(storeRoot(), 'reports')).catch(() => [] as string[]);
const filesOf = async (runId: string) =>
  readdir(join(storeRoot(), 'reports', runId)).catch(() => [] as string[]);
/** The app's STORAGE_DIR (its default, under the directory Jest runs in). */
const storeRoot = () => join(process.cwd(), 'var', 'storage');

describe('asking for a report and fetching it', () => {
  it('answers 202 with the run, shows progress rising while it builds, and serves the file with its checksum', async () => {
    gate.close();
    const asked = await ask(await staff(), {
      kind: 'partner-profile',
      format: 'csv',
      params: { partnerId: PARTNER_A },
    });
    expect(asked.status).toBe(202);
    const created = asked.body as ReportRun;
    expect(asked.headers.get('location')).toBe(`/reports/${created.id}`);
    expect(created).toMatchObject({
      state: 'queued',
      kind: 'partner-profile',
      partnerId: PARTNER_A,
    });

    // Held at the gate after 2,000 rows: the run shows them while it builds.
    await waitFor(async () => (await run(created.id)).rowsWritten > 0, 'progress to show');
    const midway = await run(created.id);
    expect(midway).toMatchObject({ state: 'running', rowsEstimated: PROFILE_ROWS });
    expect(midway.percent).toBeGreaterThan(0);
    expect(midway.percent).toBeLessThan(100);
    await getFile(created.id, await staff()).then((r) => {
      expect(r.status).toBe(409);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    });

    // The same request while it runs is the same run, whatever the order of its parameters.
    const again = await ask(await staffToken('admin'), {
      params: { partnerId: PARTNER_A },
      format: 'csv',
      kind: 'partner-profile',
    });
    expect(again.status).toBe(202);
    expect((again.body as ReportRun).id).toBe(created.id);

    gate.open();
    const done = await settled(created.id);
    expect(done).toMatchObject({ state: 'succeeded', percent: 100, rowsWritten: PROFILE_ROWS });
    expect(done.rowsWritten).toBeGreaterThan(midway.rowsWritten);
    const file = await fetch(`${ctx.running.url}/reports/${created.id}/file`, {
      headers: { authorization: `Bearer ${await staffToken('viewer')}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="partner-profile-0a000000.csv"; filename*=UTF-8''partner-profile-0a000000.csv`,
    );
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(done.file).toEqual({
      fileName: 'partner-profile-0a000000.csv',
      contentType: 'text/csv; charset=utf-8',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const records: string[][] = parse(bytes.toString('utf8').slice(1), {
      relax_column_count: true,
    });
    const rows = records.filter((r) => r[0] === 'rows');
    expect(rows).toHaveLength(PROFILE_ROWS);
    expect(rows.at(-1)).toEqual(['rows', String(PROFILE_ROWS), `row ${PROFILE_ROWS}`]);

    // A new request once it has finished is a new run.
    const later = await ask(await staff(), {
      kind: 'partner-profile',
      format: 'csv',
      params: { partnerId: PARTNER_A },
    });
    expect((later.body as ReportRun).id).not.toBe(created.id);
    await settled((later.body as ReportRun).id);
  });

  it('refuses bad parameters with a 400 problem naming the field, and writes nothing', async () => {
    const before = await runCount();
    const bad = [
      { kind: 'fiscal-year', format: 'csv', params: { fiscalYear: 'last' } },
      { kind: 'inquiry-statistics', format: 'csv', params: { from: '2026-05', to: '2026-01' } },
      { kind: 'partner-profile', format: 'csv', params: { partnerId: 'x', extra: 1 } },
      { kind: 'no-such-kind', format: 'csv', params: {} },
      { kind: 'fiscal-year', format: 'docx', params: { fiscalYear: 2025 } },
    ];
    for (const body of bad) {
      const answer = await ask(await staff(), unchecked(body));
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ type: '/problems/validation-error' });
    }
    const first = await ask(await staff(), unchecked(bad[0]));
    expect((first.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'params.fiscalYear',
    ]);
    expect(await runCount()).toBe(before);
  });
});

describe('partners', () => {
  it('lets a partner build and fetch its own profile, and finds nothing of another partner', async () => {
    const partnerA = tokens().partnerA!;
    const partnerB = tokens().partnerB!;
    const own = await ask(partnerA, {
      kind: 'partner-profile',
      format: 'csv',
      params: { partnerId: PARTNER_A },
    });
    expect(own.status).toBe(202);
    const id = (own.body as ReportRun).id;
    expect((own.body as ReportRun).requestedBy).toEqual({ kind: 'partner', id: PARTNER_A });
    await settled(id);
    expect((await getRun(id, partnerA)).status).toBe(200);
    expect((await getFile(id, partnerA)).status).toBe(200);
    // Partner B: A's run does not exist, nor its file.
    expect((await getRun(id, partnerB)).status).toBe(404);
    expect((await getFile(id, partnerB)).status).toBe(404);
    // Nor may B ask for A's profile (404: as another partner's rows everywhere), nor for a
    // programme-wide report (403).
    const others = await ask(partnerB, {
      kind: 'partner-profile',
      format: 'csv',
      params: { partnerId: PARTNER_A },
    });
    expect(others.status).toBe(404);
    const wide = await ask(partnerB, {
      kind: 'fiscal-year',
      format: 'csv',
      params: { fiscalYear: 2025 },
    });
    expect(wide.status).toBe(403);
    // A programme-wide run staff asked for is not found for a partner either.
    const staffRun = await ask(await staff(), {
      kind: 'fiscal-year',
      format: 'csv',
      params: { fiscalYear: 2024 },
    });
    expect((await getRun((staffRun.body as ReportRun).id, partnerA)).status).toBe(404);
    await settled((staffRun.body as ReportRun).id);
  });
});

describe('staff', () => {
  it('lists runs by kind and state, page by page, and deletes a run with its file', async () => {
    const ids: string[] = [];
    for (const fiscalYear of [2010, 2011, 2012]) {
      const r = await ask(await staff(), {
        kind: 'fiscal-year',
        format: 'csv',
        params: { fiscalYear },
      });
      ids.push((r.body as ReportRun).id);
    }
    for (const id of ids) await settled(id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = answer(
        await api(await staffToken('viewer')).GET('/reports', {
          params: {
            query: {
              kind: 'fiscal-year',
              state: 'succeeded',
              limit: 2,
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      );
      expect(page.status).toBe(200);
      const body = page.body as { items: ReportRun[]; nextCursor: string | null };
      expect(body.items.every((r) => r.kind === 'fiscal-year' && r.state === 'succeeded')).toBe(
        true,
      );
      seen.push(...body.items.map((r) => r.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(seen.indexOf(ids[2]!)).toBeLessThan(seen.indexOf(ids[0]!)); // newest first

    const victim = ids[0]!;
    expect(await filesOf(victim)).toHaveLength(1);
    expect((await remove(victim, await staffToken('viewer'))).status).toBe(403);
    expect((await remove(victim, await staff())).status).toBe(204);
    expect(await filesOf(victim)).toEqual([]);
    // Its folder too: the store keeps no empty folder per deleted run.
    expect(await folders()).not.toContain(victim);
    expect((await getRun(victim, await staff())).status).toBe(404);
    expect((await remove(victim, await staff())).status).toBe(404);
  });
});

describe('failures', () => {
  it('fails a build that throws mid-way, saying why, and leaves no file behind', async () => {
    gate.open();
    const asked = await ask(await staff(), {
      kind: 'partner-profile',
      format: 'csv',
      params: { partnerId: MISSING_PARTNER },
    });
    const done = await settled((asked.body as ReportRun).id);
    expect(done).toMatchObject({
      state: 'failed',
      error: `no such partner ${MISSING_PARTNER}`,
      file: null,
    });
    expect(done.rowsWritten).toBeLessThan(PROFILE_ROWS);
    // The run's folder holds no file, nor a part-file (those sit beside their key, hidden),
    // and is gone itself.
    expect(await filesOf(done.id)).toEqual([]);
    expect(await folders()).not.toContain(done.id);
    const file = await getFile(done.id, await staff());
    expect(file.status).toBe(404);
  });

  it('fails a run the queue gave up on, and the attempt still writing it leaves no file', async () => {
    gate.close();
    const asked = await ask(await staff(), {
      kind: 'partner-profile',
      format: 'csv',
      params: { partnerId: PARTNER_B },
    });
    const id = (asked.body as ReportRun).id;
    await waitFor(async () => (await run(id)).rowsWritten > 0, 'the build to start');
    // What the processor does when BullMQ fails the build's job for good (a worker died under
    // it more often than REPORTS_MAX_STALLS): before, the run stayed `running` for ever.
    const builder = ctx.running.app.get(ReportsBuilder);
    const reason = 'the build was given up: job stalled more than allowable limit';
    expect(await builder.abandon(id, reason)).toBe(true);
    expect(await run(id)).toMatchObject({ state: 'failed', error: reason, file: null });
    // The attempt that was writing finishes, finds the run no longer its own, removes its file.
    gate.open();
    await waitFor(async () => (await queue.getActiveCount()) === 0, 'the attempt to end');
    expect(await filesOf(id)).toEqual([]);
    expect(await run(id)).toMatchObject({ state: 'failed', error: reason });
    // A run that has finished is not failed again.
    expect(await builder.abandon(id, 'again')).toBe(false);
  });

  it('knows which failed jobs the queue will not run again', () => {
    const job = (attemptsMade: number) =>
      ({ attemptsMade, opts: { attempts: 3 } }) as Parameters<typeof isFinalFailure>[0];
    expect(isFinalFailure(job(1), new Error('retry me'))).toBe(false);
    expect(isFinalFailure(job(3), new Error('no attempt left'))).toBe(true);
    expect(isFinalFailure(job(1), new UnrecoverableError('stalled too often'))).toBe(true);
  });

  it("reads as sp_report_reader, which may not read a service's base tables", async () => {
    const asked = await ask(await staff(), {
      kind: 'symposium',
      format: 'csv',
      params: { symposiumId: '0c000000-0000-4000-8000-00000000000c' },
    });
    const done = await settled((asked.body as ReportRun).id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/permission denied for (schema|table) (registry|partner)/);
    expect(await filesOf(done.id)).toEqual([]);
  });
});

describe('redelivered and interrupted builds', () => {
  const build = async (runId: string) => {
    const config = testConfig();
    const events = new QueueEvents(queueNames.reports, {
      connection: { url: config.REDIS_URL },
      prefix: config.BULLMQ_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await enqueue(queue, 'report.build', { runId });
      return (await job.waitUntilFinished(events, 30_000)) as { outcome: string };
    } finally {
      await events.close();
    }
  };

  it('does nothing for a run that has succeeded already', async () => {
    const asked = await ask(await staff(), {
      kind: 'fiscal-year',
      format: 'csv',
      params: { fiscalYear: 2020 },
    });
    const done = await settled((asked.body as ReportRun).id);
    const [name] = await filesOf(done.id);
    const bytes = await readFile(join(storeRoot(), 'reports', done.id, name!));
    expect(await build(done.id)).toMatchObject({ outcome: 'already-finished' });
    expect(await run(done.id)).toEqual(done);
    expect(await filesOf(done.id)).toEqual([name]);
    expect(await readFile(join(storeRoot(), 'reports', done.id, name!))).toEqual(bytes);
  });

  /** A finished run put back to queued, with no artifact and no file, for a build by hand. */
  const requeued = async (fiscalYear: number) => {
    const asked = await ask(await staff(), {
      kind: 'fiscal-year',
      format: 'csv',
      params: { fiscalYear },
    });
    const id = (asked.body as ReportRun).id;
    await settled(id);
    await ctx.database.db.deleteFrom('reports.artifact').where('runId', '=', id).execute();
    await ctx.database.db
      .updateTable('reports.run')
      .set({ state: 'queued', buildKey: null, error: null, percent: 0, finishedAt: null })
      .where('id', '=', id)
      .execute();
    await rm(join(storeRoot(), 'reports', id), { recursive: true, force: true });
    return id;
  };
  /** The repository's `succeed` losing its answer, after doing its work or instead of it. */
  const succeedThen = async <T>(
    fault: { commit: boolean; findFails?: boolean },
    work: () => Promise<T>,
  ): Promise<T> => {
    const repo = ctx.running.app.get(ReportsRepository);
    const { succeed, find } = repo;
    repo.succeed = async (...args) => {
      if (fault.commit) await succeed.apply(repo, args);
      // The database gone with the answer: nothing more is read from it.
      if (fault.findFails)
        repo.find = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
      throw new Error('Connection terminated unexpectedly');
    };
    try {
      return await work();
    } finally {
      Object.assign(repo, { succeed, find });
    }
  };

  it('keeps the file of a run whose success was committed but whose answer was lost (helper-49)', async () => {
    const id = await requeued(2022);
    const builder = ctx.running.app.get(ReportsBuilder);
    const outcome = await succeedThen({ commit: true }, () => builder.build(id));
    expect(outcome).toMatchObject({ outcome: 'succeeded', rows: 30 });
    expect(await run(id)).toMatchObject({ state: 'succeeded', rowsWritten: 30 });
    expect(await filesOf(id)).toHaveLength(1);
    const file = await getFile(id, await staff());
    expect(file.status).toBe(200);
  });

  it('keeps the file when it cannot tell whether the success was committed, for the retry to decide', async () => {
    const id = await requeued(2023);
    const builder = ctx.running.app.get(ReportsBuilder);
    await expect(
      succeedThen({ commit: true, findFails: true }, () => builder.build(id)),
    ).rejects.toThrow('Connection terminated unexpectedly');
    expect(await filesOf(id)).toHaveLength(1);
    // The retry finds the run finished, and keeps the file.
    expect(await builder.build(id)).toMatchObject({ outcome: 'already-finished' });
    expect((await getFile(id, await staff())).status).toBe(200);
  });

  it('keeps the file when its success commits only after the attempt stopped waiting for it (helper-52)', async () => {
    const id = await requeued(2025);
    const builder = ctx.running.app.get(ReportsBuilder);
    const repo = ctx.running.app.get(ReportsRepository);
    const { succeed } = repo;
    // The run's row locked by another session from the moment the build records its success:
    // its COMMIT waits, and the attempt gives up waiting for the answer (the pool's read timeout).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding: Promise<void> | undefined;
    let committing: Promise<unknown> | undefined;
    const lockWaiters = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(ctx.database.db)
      ).rows[0]!.n;
    repo.succeed = async (...args) => {
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      holding = ctx.database.db.transaction().execute(async (trx) => {
        await trx.selectFrom('reports.run').select('id').where('id', '=', id).forUpdate().execute();
        locked();
        await released;
      });
      await isLocked;
      committing = succeed.apply(repo, args);
      await waitFor(
        async () => (await lockWaiters()) >= 1,
        'the success to be recorded, waiting for the lock',
      );
      throw new Error('Query read timeout');
    };
    try {
      const building = builder.build(id);
      // Both the commit and the attempt's failure wait behind the lock.
      await waitFor(
        async () => (await lockWaiters()) >= 2,
        'the commit and the failure to wait for the lock',
      );
      release();
      await holding;
      await committing;
      expect(await building).toMatchObject({ outcome: 'succeeded', rows: 30 });
    } finally {
      repo.succeed = succeed;
      release();
    }
    expect(await run(id)).toMatchObject({ state: 'succeeded', rowsWritten: 30 });
    expect(await filesOf(id)).toHaveLength(1);
    expect((await getFile(id, await staff())).status).toBe(200);
  });

  it('fails the run and removes the file when the success was not committed', async () => {
    const id = await requeued(2024);
    const builder = ctx.running.app.get(ReportsBuilder);
    const outcome = await succeedThen({ commit: false }, () => builder.build(id));
    expect(outcome).toMatchObject({ outcome: 'failed' });
    expect(await run(id)).toMatchObject({ state: 'failed', file: null });
    expect(await filesOf(id)).toEqual([]);
  });

  it('rebuilds a run a killed worker left running, removing what that worker wrote', async () => {
    const asked = await ask(await staff(), {
      kind: 'fiscal-year',
      format: 'csv',
      params: { fiscalYear: 2021 },
    });
    const id = (asked.body as ReportRun).id;
    await settled(id);
    // As a worker that died mid-build leaves it: running, writing to a key of its own.
    const dead = `reports/${id}/dead-attempt.csv`;
    await mkdir(join(storeRoot(), 'reports', id), { recursive: true });
    await writeFile(join(storeRoot(), dead), 'half a file');
    await ctx.database.db.deleteFrom('reports.artifact').where('runId', '=', id).execute();
    await ctx.database.db
      .updateTable('reports.run')
      .set({ state: 'running', buildKey: dead, percent: 40, finishedAt: null })
      .where('id', '=', id)
      .execute();
    for (const f of await filesOf(id))
      if (!dead.endsWith(f)) await rm(join(storeRoot(), 'reports', id, f));

    expect(await build(id)).toMatchObject({ outcome: 'succeeded', rows: 30 });
    const rebuilt = await run(id);
    expect(rebuilt).toMatchObject({ state: 'succeeded', percent: 100, rowsWritten: 30 });
    const files = await filesOf(id);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe('dead-attempt.csv');
  });
});

describe('retention', () => {
  it('prunes runs past their expiry with their files, and keeps the others', async () => {
    const old = await ask(await staff(), {
      kind: 'inquiry-statistics',
      format: 'csv',
      params: { from: '2020-01', to: '2020-02' },
    });
    const fresh = await ask(await staff(), {
      kind: 'inquiry-statistics',
      format: 'csv',
      params: { from: '2020-03', to: '2020-04' },
    });
    const oldId = (old.body as ReportRun).id;
    const freshId = (fresh.body as ReportRun).id;
    await settled(oldId);
    await settled(freshId);
    expect(await filesOf(oldId)).toHaveLength(1);
    await ctx.database.db
      .updateTable('reports.run')
      .set({ expiresAt: sql<Date>`now() - interval '1 day'` })
      .where('id', '=', oldId)
      .execute();
    await enqueue(queue, 'reports.retention', {});
    await waitFor(
      async () =>
        !(await ctx.database.db
          .selectFrom('reports.run')
          .select('id')
          .where('id', '=', oldId)
          .executeTakeFirst()),
      'the expired run to be pruned',
    );
    expect(await filesOf(oldId)).toEqual([]);
    expect(await folders()).not.toContain(oldId);
    expect((await run(freshId)).state).toBe('succeeded');
    expect(await filesOf(freshId)).toHaveLength(1);
  });

  it('fails runs no build is working on now, so the same request builds again (helper-49)', async () => {
    const request = {
      kind: 'inquiry-statistics' as const,
      format: 'csv' as const,
      params: { from: '2021-01', to: '2021-02' },
    };
    const stuck = (await ask(await staff(), request)).body as ReportRun;
    await settled(stuck.id);
    const queued = (
      await ask(await staff(), { ...request, params: { from: '2021-03', to: '2021-04' } })
    ).body as ReportRun;
    await settled(queued.id);
    // As a worker that died left them: one running without progress for two hours, one
    // queued for seven, their jobs long gone.
    await ctx.database.db
      .updateTable('reports.run')
      .set({
        state: 'running',
        progressAt: sql<Date>`now() - interval '2 hours'`,
        finishedAt: null,
      })
      .where('id', '=', stuck.id)
      .execute();
    await ctx.database.db
      .updateTable('reports.run')
      .set({ state: 'queued', createdAt: sql<Date>`now() - interval '7 hours'`, finishedAt: null })
      .where('id', '=', queued.id)
      .execute();
    // And one building now whose expiry has passed: not pruned while its build may still add
    // its file (that file would be left behind).
    const building = (
      await ask(await staff(), { ...request, params: { from: '2021-05', to: '2021-06' } })
    ).body as ReportRun;
    await settled(building.id);
    await ctx.database.db
      .updateTable('reports.run')
      .set({
        state: 'running',
        progressAt: sql<Date>`now()`,
        finishedAt: null,
        expiresAt: sql<Date>`now() - interval '1 day'`,
      })
      .where('id', '=', building.id)
      .execute();
    // The identical request is answered with the dead run.
    expect(((await ask(await staff(), request)).body as ReportRun).id).toBe(stuck.id);

    await enqueue(queue, 'reports.retention', {});
    await waitFor(async () => (await run(stuck.id)).state === 'failed', 'the stuck run to fail');
    await waitFor(async () => (await run(queued.id)).state === 'failed', 'the queued run to fail');
    expect((await run(stuck.id)).error).toMatch(/no build made progress/);
    await ctx.running.app.get(ReportsService).prune();
    expect((await run(building.id)).state).toBe('running');
    await ctx.database.db.deleteFrom('reports.run').where('id', '=', building.id).execute();
    const again = (await ask(await staff(), request)).body as ReportRun;
    expect(again.id).not.toBe(stuck.id);
    expect((await settled(again.id)).state).toBe('succeeded');
  });

  it('deletes the file of a run whose build commits while the delete waits (helper-49: the file was left for good)', async () => {
    const done = (
      await ask(await staff(), {
        kind: 'inquiry-statistics',
        format: 'csv',
        params: { from: '2022-01', to: '2022-02' },
      })
    ).body as ReportRun;
    await settled(done.id);
    const artifact = await ctx.database.db
      .selectFrom('reports.artifact')
      .selectAll()
      .where('runId', '=', done.id)
      .executeTakeFirstOrThrow();
    // Back to the moment before its build recorded success: running, writing that file.
    await ctx.database.db.deleteFrom('reports.artifact').where('runId', '=', done.id).execute();
    await ctx.database.db
      .updateTable('reports.run')
      .set({ state: 'running', buildKey: artifact.storageKey, finishedAt: null })
      .where('id', '=', done.id)
      .execute();

    const repo = ctx.running.app.get(ReportsRepository);
    let deleting: Promise<string[] | undefined> | undefined;
    await ctx.database.db.transaction().execute(async (build) => {
      await build
        .updateTable('reports.run')
        .set({ state: 'succeeded', buildKey: null, finishedAt: sql<Date>`now()` })
        .where('id', '=', done.id)
        .execute();
      await build.insertInto('reports.artifact').values(artifact).execute();
      deleting = repo.delete(done.id);
      await waitForLockWait(build, ctx.database.db, deleting, 'the delete to wait for the build');
    });
    expect(await deleting!).toEqual([artifact.storageKey]);
  });
});
