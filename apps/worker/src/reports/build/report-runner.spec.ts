import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sp/testing';
import { type BuildJob, ReportBuildError } from './report-build';
import { type BuilderReuse, ChildReportRunner } from './report-runner';

/**
 * The child runner's own work: failures that are not the build's (a child that hangs, or never
 * starts), and which builder processes take another build.
 */
const dir = mkdtempSync(join(tmpdir(), 'sp-report-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job: BuildJob = {
  kind: 'fiscal-year',
  params: { fiscalYear: 2025 },
  format: 'csv',
  key: 'reports/test/1.csv',
  now: '2026-06-01T00:00:00.000Z',
  audience: 'staff',
};
const listener = { estimate: () => undefined, rows: () => undefined };
const runner = (
  entry: string,
  extra: { execPath?: string; timeoutMs?: number; reuse?: BuilderReuse } = {},
) =>
  new ChildReportRunner({
    databaseUrl: 'postgres://unused',
    storageDir: dir,
    closures: [],
    progressMs: 1000,
    maxOldSpaceMb: 64,
    entry,
    ...extra,
  });

it('kills a builder that outlives its time limit, and fails the build (helper-49: a COPY stuck for good)', async () => {
  const entry = join(dir, 'hangs.js');
  writeFileSync(
    entry,
    "process.on('message', () => undefined); setInterval(() => undefined, 1000);\n",
  );
  const started = Date.now();
  await expect(runner(entry, { timeoutMs: 500 }).run(job, listener)).rejects.toThrow(
    /ran past 500 ms and was stopped/,
  );
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('fails the build, not the worker, when the builder cannot be started (helper-49: EPIPE uncaught)', async () => {
  const entry = join(dir, 'never-runs.js');
  writeFileSync(entry, '\n');
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', record);
  try {
    await expect(
      runner(entry, { execPath: join(dir, 'no-such-node'), timeoutMs: 5_000 }).run(job, listener),
    ).rejects.toThrow(/could not start/);
    // A second error event would surface on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', record);
  }
});

/**
 * A builder that speaks the child's protocol without a database: it builds each request as its
 * params say (a peak of `peakMb`, a failure, or a build that never ends).
 */
const fakeBuilder = join(dir, 'fake-builder.js');
writeFileSync(
  fakeBuilder,
  `process.on('disconnect', () => process.exit(1));
process.on('message', ({ job }) => {
  if (job.params.hang) return process.send({ type: 'estimate', rows: process.pid });
  if (job.params.fail) return process.send({ type: 'failed', reason: 'the kind said no' });
  const peakBytes = (job.params.peakMb ?? 100) * 2 ** 20;
  const memory = { loadedBytes: 1, peakBytes, cpuMs: 1, pid: process.pid };
  process.send({ type: 'done', result: { rows: 1, size: 1, sha256: '', memory } });
});
`,
);
const reuse: BuilderReuse = { idleMs: 60_000, maxPeakMb: 192, maxIdle: 2 };
const buildWith = (
  builders: ChildReportRunner,
  params: Record<string, unknown> = {},
  format: BuildJob['format'] = 'csv',
) => builders.run({ ...job, params, format }, listener).then((result) => result.memory?.pid ?? -1);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const gone = (pid: number) => waitFor(() => !alive(pid), `builder ${pid} to end`);

describe('builder processes', () => {
  let builders: ChildReportRunner;
  afterEach(() => builders.close());

  it('without reuse, starts a process per build, and each ends after its build', async () => {
    builders = runner(fakeBuilder);
    const first = await buildWith(builders);
    const second = await buildWith(builders);
    expect(second).not.toBe(first);
    await gone(first);
    await gone(second);
  });

  it('lets a builder that built well take the next build with its flags, and no other', async () => {
    builders = runner(fakeBuilder, { reuse });
    const first = await buildWith(builders);
    expect(await buildWith(builders)).toBe(first);
    expect(await buildWith(builders, { peakMb: 150 })).toBe(first);
    // XLSX runs with another young generation: a process of its own.
    const xlsx = await buildWith(builders, {}, 'xlsx');
    expect(xlsx).not.toBe(first);
    expect(await buildWith(builders)).toBe(first);
    expect(await buildWith(builders, {}, 'xlsx')).toBe(xlsx);
  });

  it('lets go of a builder whose memory grew past the limit, or whose build failed', async () => {
    builders = runner(fakeBuilder, { reuse });
    const grown = await buildWith(builders, { peakMb: 300 });
    await gone(grown);
    const next = await buildWith(builders);
    expect(next).not.toBe(grown);
    await expect(buildWith(builders, { fail: true })).rejects.toThrow('the kind said no');
    await gone(next);
    expect(await buildWith(builders)).not.toBe(next);
  });

  it('ends an idle builder after its wait, and every idle one at close', async () => {
    builders = runner(fakeBuilder, { reuse: { ...reuse, idleMs: 200 } });
    await gone(await buildWith(builders));
    const kept = runner(fakeBuilder, { reuse });
    const pids = await Promise.all([buildWith(kept), buildWith(kept, {}, 'xlsx')]);
    expect(pids.every(alive)).toBe(true);
    kept.close();
    await Promise.all(pids.map(gone));
  });

  it('replaces a kept builder that died while it waited, rather than failing the build (helper-52)', async () => {
    builders = runner(fakeBuilder, { reuse });
    const kept = await buildWith(builders);
    // Killed (the OOM killer, say) in the same tick as the next build takes it.
    process.kill(kept, 'SIGKILL');
    const next = await buildWith(builders);
    expect(next).not.toBe(kept);
    expect(alive(next)).toBe(true);
  });

  it('keeps builders idle and at work within maxIdle: a new one lets a kept one of other flags go (helper-52)', async () => {
    builders = runner(fakeBuilder, { reuse });
    const csv = await buildWith(builders);
    const pids: number[] = [];
    const stops = [new AbortController(), new AbortController()];
    const hanging = stops.map((stop) =>
      builders
        .run(
          { ...job, format: 'xlsx', params: { hang: true } },
          { estimate: (pid) => void pids.push(pid), rows: () => undefined },
          stop.signal,
        )
        .catch(() => undefined),
    );
    await waitFor(() => pids.length === 2, 'both XLSX builds to start');
    // Two at work, so the kept CSV builder went when the second started.
    await gone(csv);
    stops.forEach((stop) => stop.abort(new ReportBuildError('done with it')));
    await Promise.all(hanging);
  });

  it('keeps at most maxIdle builders waiting, letting the oldest go', async () => {
    builders = runner(fakeBuilder, { reuse: { ...reuse, maxIdle: 1 } });
    const csv = await buildWith(builders);
    const xlsx = await buildWith(builders, {}, 'xlsx');
    await gone(csv);
    expect(alive(xlsx)).toBe(true);
    expect(await buildWith(builders, {}, 'xlsx')).toBe(xlsx);
  });
});

it('kills the builder of a build that is stopped (its run deleted or taken over), and fails the build', async () => {
  const builders = runner(fakeBuilder, { reuse });
  const stop = new AbortController();
  let pid = 0;
  const building = builders.run(
    { ...job, params: { hang: true } },
    { estimate: (n) => (pid = n), rows: () => undefined },
    stop.signal,
  );
  await waitFor(() => pid > 0, 'the build to start');
  stop.abort(new ReportBuildError('the run was deleted or taken over while it built'));
  await expect(building).rejects.toThrow('the run was deleted or taken over while it built');
  await gone(pid);
  const before = new AbortController();
  before.abort(new ReportBuildError('no longer wanted'));
  await expect(builders.run(job, listener, before.signal)).rejects.toThrow('no longer wanted');
  builders.close();
});
