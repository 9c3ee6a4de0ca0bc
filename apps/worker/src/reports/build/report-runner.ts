import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Closure, FileStore } from '@sp/platform/core';
import type { ReportFormat } from '@sp/types';
import type { FormatWriter } from '../document';
import type { ReportKinds } from '../kind';
import {
  buildReport,
  ReportBuildError,
  type BuildJob,
  type BuildListener,
  type BuildResult,
} from './report-build';
import type { ChildMessage, ChildRequest } from './report-child';
import { BUILD_TIMEOUT_MS, openReportSession } from './report-session';

/** Runs one build somewhere: in a child process, or in this one. */
export type ReportRunner = {
  run(job: BuildJob, listener: BuildListener): Promise<BuildResult>;
};

/**
 * The child's entry: next to this file once built; from TypeScript source (Jest), the built
 * copy in the worker's `dist/` (`npm test` builds before it tests).
 */
export function childEntry(): string {
  return __filename.endsWith('.ts')
    ? join(__dirname, '../../../dist/reports/build/report-child.js')
    : join(__dirname, 'report-child.js');
}

/**
 * The builder's young generation per format (MB), measured with bench/report-build.mjs: CSV
 * (COPY's byte buffers) peaked at 148 MB on 1M + 1M rows with 4 and 204 MB with 32, at the same
 * CPU; XLSX on 200k + 200k rows: 143 MB with 8, 161 MB with 16 (the least CPU per row), 188 MB
 * with 32; PDF, whose detail rows are only counted, as XLSX.
 */
export const SEMI_SPACE_MB: Record<ReportFormat, number> = { csv: 4, xlsx: 16, pdf: 16 };

export type ChildRunnerOptions = {
  databaseUrl: string;
  storageDir: string;
  closures: readonly Closure[];
  progressMs: number;
  maxOldSpaceMb: number;
  /** For every format; unset, `SEMI_SPACE_MB` of the build's format. */
  semiSpaceMb?: number;
  /** Defaults to `childEntry()`. */
  entry?: string;
  /** The Node binary to start it with; defaults to this process's. */
  execPath?: string;
  /**
   * The child is killed once it has run this long: its session's statement timeout cannot end
   * a COPY blocked on a client that no longer reads (a full disk), and nothing else would.
   * Defaults to the build's time limit plus a minute.
   */
  timeoutMs?: number;
};

/**
 * Builds each report in a Node process of its own (`report-child.ts`), started with heap limits
 * of its own: the build's garbage and peak stay out of the worker, a build that runs out of
 * memory fails alone, and the worker's event loop stays free to renew job locks. The child ends
 * itself if this process dies; this process kills the child once it outlives its time limit.
 * A child that cannot be started (EAGAIN under a pids limit) fails the build, not the worker.
 */
export class ChildReportRunner implements ReportRunner {
  constructor(private readonly options: ChildRunnerOptions) {}

  run(job: BuildJob, listener: BuildListener): Promise<BuildResult> {
    const entry = this.options.entry ?? childEntry();
    if (!existsSync(entry)) {
      return Promise.reject(
        new ReportBuildError(`the report builder is not built (${entry}): run npm run build`),
      );
    }
    return new Promise<BuildResult>((resolve, reject) => {
      const child = fork(entry, [], {
        execArgv: [
          `--max-old-space-size=${this.options.maxOldSpaceMb}`,
          `--max-semi-space-size=${this.options.semiSpaceMb ?? SEMI_SPACE_MB[job.format]}`,
        ],
        ...(this.options.execPath ? { execPath: this.options.execPath } : {}),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let outcome: { ok: true; result: BuildResult } | { ok: false; reason: string } | undefined;
      const timeoutMs = this.options.timeoutMs ?? BUILD_TIMEOUT_MS + 60_000;
      const watchdog = setTimeout(() => {
        outcome ??= {
          ok: false,
          reason: `the report builder ran past ${timeoutMs} ms and was stopped`,
        };
        child.kill('SIGKILL');
      }, timeoutMs);
      watchdog.unref();
      child.on('message', (message: ChildMessage) => {
        switch (message.type) {
          case 'estimate':
            listener.estimate(message.rows);
            break;
          case 'rows':
            listener.rows(message.written);
            break;
          case 'done':
            outcome = { ok: true, result: message.result };
            break;
          case 'failed':
            outcome = { ok: false, reason: message.reason };
            break;
        }
      });
      // Every error, not the first only: a child that never started also fails the send below.
      child.on('error', (error) => {
        outcome ??= { ok: false, reason: `the report builder could not start: ${error.message}` };
      });
      // 'close', not 'exit': a child that never started emits only 'close'.
      child.once('close', (code, signal) => {
        clearTimeout(watchdog);
        if (outcome?.ok) {
          listener.rows(outcome.result.rows);
          resolve(outcome.result);
        } else if (outcome) reject(new ReportBuildError(outcome.reason));
        else
          reject(
            new ReportBuildError(
              `the report builder stopped (${signal ?? `exit code ${code}`}) before it finished` +
                (code === 134 || signal === 'SIGABRT' ? ': out of memory' : ''),
            ),
          );
      });
      const request: ChildRequest = {
        job,
        databaseUrl: this.options.databaseUrl,
        storageDir: this.options.storageDir,
        closures: this.options.closures,
        progressMs: this.options.progressMs,
      };
      child.send(request, (error) => {
        if (error)
          outcome ??= { ok: false, reason: `the report builder could not start: ${error.message}` };
      });
    });
  }
}

/**
 * Builds in this process, with the kinds and writers it is given (tests register fixture kinds
 * that exist only here). The same `buildReport`, over a connection of its own.
 */
export class InlineReportRunner implements ReportRunner {
  constructor(
    private readonly kinds: Partial<ReportKinds>,
    private readonly writers: Partial<Record<ReportFormat, FormatWriter>>,
    private readonly store: FileStore,
    private readonly databaseUrl: string,
  ) {}

  async run(job: BuildJob, listener: BuildListener): Promise<BuildResult> {
    const session = await openReportSession(this.databaseUrl, {
      applicationName: 'sp-report-builder',
    });
    try {
      return await buildReport(
        { kinds: this.kinds, writers: this.writers, store: this.store, session },
        job,
        listener,
      );
    } finally {
      await session.close();
    }
  }
}
