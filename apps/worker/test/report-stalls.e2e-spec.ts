import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  createTestDatabase,
  dropRedisKeys,
  type ServiceProcess,
  staffToken,
  startServiceProcess,
  TEST_DEV_KEY_FILE,
  type TestDatabase,
  testConfig,
  waitFor,
} from '@sp/testing';

/**
 * Report builds whose worker is SIGKILLed as soon as it has taken them, again and again, left to
 * BullMQ's own stall handling (real worker processes, as `npm start` runs them): a build lives
 * through more deaths than a mail may (`REPORTS_MAX_STALLS` is its own budget, not
 * `JOB_MAX_STALLS`), and a build the queue gives up on reads `failed`, saying why, with no
 * artifact. (That a given-up build's half-written file is deleted is reports.e2e-spec's: these
 * kills land before the builder has written anything.)
 */
const main = join(__dirname, '..', 'dist', 'main.js');
const config = testConfig();

let database: TestDatabase;
let storageDir: string;
const running = new Set<ServiceProcess>();

beforeAll(async () => {
  database = await createTestDatabase();
  storageDir = await mkdtemp(join(tmpdir(), 'sp-report-stalls-'));
});

afterAll(async () => {
  for (const worker of running) worker.child.kill('SIGKILL');
  await database?.drop();
  await dropRedisKeys(config.REDIS_URL);
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

/**
 * A worker's settings: this test's queue prefix, and dead workers' jobs retried within seconds
 * (a lock of 2 s, as the SIGKILL suite's: a live worker on a busy host still renews it in time,
 * so no stall is counted but the kills').
 */
const workerEnv = (label: string, extra: Record<string, string>): Record<string, string> => ({
  DATABASE_URL: database.url,
  REDIS_URL: config.REDIS_URL,
  REDIS_KEY_PREFIX: `${config.REDIS_KEY_PREFIX}${label}:`,
  BULLMQ_PREFIX: `${config.REDIS_KEY_PREFIX}${label}:bull`,
  AUTH_DEV_KEY_FILE: TEST_DEV_KEY_FILE,
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
  STORAGE_DIR: storageDir,
  MAIL_DIR: join(storageDir, 'mail'),
  JOB_LOCK_MS: '2000',
  JOB_STALLED_CHECK_MS: '1000',
  ...extra,
});

const startWorker = async (env: Record<string, string>): Promise<ServiceProcess> => {
  // Generous: a CI host busy with the other files starts a Nest app slowly.
  const worker = await startServiceProcess(main, env, { timeoutMs: 120_000 });
  running.add(worker);
  return worker;
};

const kill = async (worker: ServiceProcess): Promise<void> => {
  worker.child.kill('SIGKILL');
  await worker.exit;
  running.delete(worker);
};

const runOf = async (id: string) =>
  database.db
    .selectFrom('reports.run as r')
    .leftJoin('reports.artifact as a', 'a.runId', 'r.id')
    .select(['r.state', 'r.attempts', 'r.error', 'r.buildKey', 'a.storageKey'])
    .where('r.id', '=', id)
    .executeTakeFirstOrThrow();

const filesOf = async (id: string): Promise<string[]> =>
  (await readdir(join(storageDir, 'reports', id)).catch(() => [])).sort();

/** Asks the worker for a fiscal-year CSV; returns the run's id. */
const askFiscalYear = async (worker: ServiceProcess, fiscalYear: number): Promise<string> => {
  const res = await fetch(`${worker.url}/reports`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await staffToken('staff')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ kind: 'fiscal-year', format: 'csv', params: { fiscalYear } }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
};

/**
 * Waits until `worker` has taken the run's build for the `attempt`-th time (or the run has
 * finished without it) and kills it at once, while its builder (a process of its own) is still
 * starting: the run stays `running` (were the build done first, the caller's check of the state
 * would fail, not pass). Returns the run as the dead worker left it.
 */
const killMidBuild = async (worker: ServiceProcess, id: string, attempt: number) => {
  await waitFor(
    async () => {
      const run = await runOf(id);
      return run.attempts >= attempt || run.state === 'succeeded' || run.state === 'failed';
    },
    `attempt ${attempt} of run ${id}`,
    { intervalMs: 5, timeoutMs: 60_000 },
  );
  await kill(worker);
  return runOf(id);
};

const settled = async (id: string) => {
  await waitFor(
    async () => ['succeeded', 'failed'].includes((await runOf(id)).state),
    `run ${id} to finish`,
    { timeoutMs: 60_000 },
  );
  return runOf(id);
};

it('builds a report whose workers died under it more often than a mail may live through', async () => {
  // A mail's job is failed on its second stall; the report's budget is REPORTS_MAX_STALLS (20).
  const env = workerEnv('outlives', { JOB_MAX_STALLS: '1' });
  const KILLS = 3;
  const first = await startWorker(env);
  const id = await askFiscalYear(first, 2010);
  expect(await killMidBuild(first, id, 1)).toMatchObject({ state: 'running', attempts: 1 });
  for (let attempt = 2; attempt <= KILLS; attempt++) {
    const worker = await startWorker(env);
    expect(await killMidBuild(worker, id, attempt)).toMatchObject({
      state: 'running',
      attempts: attempt,
    });
  }

  const last = await startWorker(env);
  const done = await settled(id);
  await last.stop();
  expect(done).toMatchObject({ state: 'succeeded', attempts: KILLS + 1, error: null });
  // One file in the run's folder: its artifact's.
  expect(await filesOf(id)).toEqual([basename(done.storageKey ?? '')]);
}, 600_000);

it('records a build the queue gave up on as failed, saying why, and leaves no file', async () => {
  const env = workerEnv('gives-up', { REPORTS_MAX_STALLS: '1' });
  const first = await startWorker(env);
  const id = await askFiscalYear(first, 2011);
  expect(await killMidBuild(first, id, 1)).toMatchObject({ state: 'running', attempts: 1 });
  const second = await startWorker(env);
  expect(await killMidBuild(second, id, 2)).toMatchObject({ state: 'running', attempts: 2 });

  // Its second stall is one more than the budget: the next worker's stall check fails the job,
  // and that worker fails the run (it does not take the build again).
  const last = await startWorker(env);
  const done = await settled(id);
  await last.stop();
  expect(done).toEqual({
    state: 'failed',
    attempts: 2,
    error: 'the build was given up: job stalled more than allowable limit',
    buildKey: null,
    storageKey: null,
  });
  expect(await filesOf(id)).toEqual([]);
}, 600_000);
