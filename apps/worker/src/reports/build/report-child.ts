/**
 * The report builder's child process (`REPORT_BUILDER=child`): the worker forks this file once
 * per build (see `report-runner.ts`), sends it one `ChildRequest` over IPC, and gets progress
 * and the outcome back as `ChildMessage`s. It loads the kinds, the format writers, pg and the
 * file store, and no Nest. It ends itself when the worker goes away (the IPC channel closes), so
 * a killed worker leaves no build writing a file that nobody will record.
 */
import type { Closure } from '@sp/platform/core';
import { LocalDiskFileStore } from '@sp/platform/core';
import { formatWriters } from '../formats/index';
import { createReportKinds } from '../kinds/index';
import { buildReport, reasonOf, type BuildJob, type BuildResult } from './report-build';
import { openReportSession } from './report-session';

export type ChildRequest = {
  job: BuildJob;
  databaseUrl: string;
  storageDir: string;
  closures: readonly Closure[];
  /** How often, at most, the child reports the running row count. */
  progressMs: number;
};

export type ChildMessage =
  | { type: 'estimate'; rows: number }
  | { type: 'rows'; written: number }
  | { type: 'done'; result: BuildResult }
  | { type: 'failed'; reason: string };

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function run(request: ChildRequest): Promise<void> {
  // Every module is loaded by now: what the process holds before it reads a row.
  const loadedBytes = process.memoryUsage().rss;
  const session = await openReportSession(request.databaseUrl, {
    applicationName: `sp-report-builder`,
  });
  let lastRows = 0;
  try {
    const result = await buildReport(
      {
        kinds: createReportKinds({ closures: request.closures }),
        writers: formatWriters,
        store: new LocalDiskFileStore(request.storageDir),
        session,
      },
      request.job,
      {
        estimate: (rows) => void send({ type: 'estimate', rows }),
        rows: (written) => {
          if (Date.now() - lastRows < request.progressMs) return;
          lastRows = Date.now();
          void send({ type: 'rows', written });
        },
      },
    );
    // maxRSS is in kilobytes (Linux): the process's peak, which is what its memory limit meets.
    const usage = process.resourceUsage();
    const memory = {
      loadedBytes,
      peakBytes: usage.maxRSS * 1024,
      cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    };
    await send({ type: 'done', result: { ...result, memory } });
  } finally {
    await session.close();
  }
}

if (require.main === module) {
  // The worker went away (killed, or gave up on this build): stop at once.
  process.on('disconnect', () => process.exit(1));
  process.once('message', (request: ChildRequest) => {
    run(request)
      .catch((error: unknown) => send({ type: 'failed', reason: reasonOf(error) }))
      .finally(() => process.disconnect());
  });
}
