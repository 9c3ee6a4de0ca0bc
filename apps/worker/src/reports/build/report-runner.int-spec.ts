import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, waitFor } from '@sp/testing';
import { parseReport, rowsOf } from '../../../test/reports/report-run';
import { reportData } from '../../../test/reports/report-data';
import { configSchema } from '../../config';
import type { BuildJob } from './report-build';
import { ChildReportRunner } from './report-runner';

/**
 * The real builder process (the built `report-child.js`) over a real database, with the
 * worker's default reuse: one process builds report after report, each from its own snapshot.
 */
let database: TestDatabase;
let storageDir: string;
let runner: ChildReportRunner;
const defaults = configSchema.parse({});

beforeAll(async () => {
  database = await createTestDatabase();
  storageDir = await mkdtemp(join(tmpdir(), 'sp-report-runner-'));
  runner = new ChildReportRunner({
    databaseUrl: database.url,
    storageDir,
    closures: [],
    progressMs: 250,
    maxOldSpaceMb: defaults.REPORT_BUILDER_MAX_OLD_SPACE_MB,
    reuse: {
      idleMs: defaults.REPORT_BUILDER_IDLE_MS,
      maxPeakMb: defaults.REPORT_BUILDER_REUSE_MAX_MB,
      maxIdle: defaults.REPORTS_CONCURRENCY,
    },
  });
});

afterAll(async () => {
  runner?.close();
  await database?.drop();
  await rm(storageDir, { recursive: true, force: true });
});

let builds = 0;
const statistics = async (month: string) => {
  const job: BuildJob = {
    kind: 'inquiry-statistics',
    params: { from: month, to: month },
    format: 'csv',
    key: `reports/runner/${++builds}.csv`,
    now: new Date().toISOString(),
    audience: 'staff',
  };
  const result = await runner.run(job, { estimate: () => undefined, rows: () => undefined });
  expect(result.memory?.peakBytes).toBeLessThan(defaults.REPORT_BUILDER_REUSE_MAX_MB * 2 ** 20);
  const report = parseReport(await readFile(join(storageDir, job.key), 'utf8'));
  const received = rowsOf({ ...report, rowsCounted: 0 }, 'by-month')
    .filter((r) => r['Category'] === 'mobility')
    .map((r) => r['Received']);
  return { pid: result.memory?.pid, received };
};

it('builds one report after another in the same process, each from what the database holds then', async () => {
  // This process as big as a worker under load: a builder's peak must be its own, not its
  // parent's size at the fork (getrusage's maxRSS), or no builder is ever reused.
  const ballast = Buffer.alloc(256 * 2 ** 20, 1);
  const data = reportData(database.db);
  await data.inquiry({ category: 'mobility', createdAt: new Date('2026-05-11T01:00:00Z') });
  const may = await statistics('2026-05');
  expect(may.received).toEqual(['1']);

  await data.inquiry({ category: 'mobility', createdAt: new Date('2026-05-12T01:00:00Z') });
  await data.inquiry({ category: 'mobility', createdAt: new Date('2026-06-01T01:00:00Z') });
  const [mayAgain, june] = [await statistics('2026-05'), await statistics('2026-06')];
  expect([mayAgain.received, june.received]).toEqual([['2'], ['1']]);
  expect([mayAgain.pid, june.pid]).toEqual([may.pid, may.pid]);
  expect(ballast.length).toBeGreaterThan(0);

  runner.close();
  await waitFor(() => {
    try {
      process.kill(may.pid ?? -1, 0);
      return false;
    } catch {
      return true;
    }
  }, 'the idle builder to end at close');
});
