import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildJob } from './report-build';
import { ChildReportRunner } from './report-runner';

/** The child runner's failures that are not the build's: a child that hangs, or never starts. */
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
const runner = (entry: string, extra: { execPath?: string; timeoutMs?: number } = {}) =>
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
