/**
 * The report builder's child process (`REPORT_BUILDER=child`): the worker forks this file (see
 * `report-runner.ts`), sends it a `ChildRequest` over IPC per build, and gets progress and the
 * outcome back as `ChildMessage`s; a builder that built well takes the next build too. It loads
 * the kinds, the format writers, pg and the file store, and no Nest. It ends itself when the
 * worker goes away or lets it go (the IPC channel closes), so a killed worker leaves no build
 * writing a file that nobody will record.
 */
import { readFileSync } from 'node:fs';
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

/**
 * The process's peak resident memory, which is what its memory limit meets. On Linux, VmHWM:
 * getrusage's maxRSS starts at the forking process's size (the worker's 200 MB, more than a
 * small build's builder ever holds), which exec does not reset; elsewhere, maxRSS.
 */
function peakResidentBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Builds one request over a session of its own. The memory it reports is the process's: its
 * resident size before this build, and its peak so far (a reused builder's includes its earlier
 * builds', each kept under the runner's reuse limit); the CPU time is this build's.
 */
async function run(request: ChildRequest): Promise<BuildResult> {
  const loadedBytes = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
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
    const cpu = process.cpuUsage(cpuBefore);
    const memory = {
      loadedBytes,
      peakBytes: peakResidentBytes(),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      pid: process.pid,
    };
    return { ...result, memory };
  } finally {
    await session.close();
  }
}

if (require.main === module) {
  // The worker went away (killed, or done with this builder): stop at once.
  process.on('disconnect', () => process.exit(1));
  // One build at a time, in the order asked (the runner asks only an idle builder).
  let last = Promise.resolve();
  process.on('message', (request: ChildRequest) => {
    last = last.then(() =>
      run(request).then(
        (result) => send({ type: 'done', result }),
        (error: unknown) => send({ type: 'failed', reason: reasonOf(error) }),
      ),
    );
  });
}
