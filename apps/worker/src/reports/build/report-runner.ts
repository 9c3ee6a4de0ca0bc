import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Closure, FileStore } from '@sp/platform/core';
import type { ReportFormat } from '@sp/types';
import type { FormatWriter } from '../document';
import type { ReportKinds } from '../kind';
import {
  buildReport,
  reasonOf,
  ReportBuildError,
  type BuildJob,
  type BuildListener,
  type BuildResult,
} from './report-build';
import type { ChildMessage, ChildRequest } from './report-child';
import { BUILD_TIMEOUT_MS, openReportSession } from './report-session';

/** Runs one build somewhere: in a child process, or in this one. */
export type ReportRunner = {
  /**
   * A build stopped by `stop` fails with the abort's reason; the in-process runner (tests'
   * fixture kinds) does not stop, and its run, found gone, ends as before.
   */
  run(job: BuildJob, listener: BuildListener, stop?: AbortSignal): Promise<BuildResult>;
  /** Lets go of what it keeps between builds (at shutdown). */
  close(): void;
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
  /** Unset: a process per build. */
  reuse?: BuilderReuse;
};

/**
 * Which builders take another build: one that built well, with its peak resident memory under
 * `maxPeakMb` (about 105 MB is loaded modules and a small report adds a few; a big one leaves its
 * heap grown), waits `idleMs` for the next build with its flags; at most `maxIdle` wait (the
 * oldest go first).
 */
export type BuilderReuse = { idleMs: number; maxPeakMb: number; maxIdle: number };

/** Builds per builder at most, so whatever a build leaves behind is bounded. */
export const BUILDS_PER_BUILDER = 100;

/** One builder process, and what it has done. */
type Builder = {
  child: ChildProcess;
  /** Its flags: a build takes only a builder started with the flags of its format. */
  flags: string;
  builds: number;
  idleTimer?: NodeJS.Timeout;
};

type Outcome = { ok: true; result: BuildResult } | { ok: false; reason: string };

/**
 * Builds each report in a Node process of its own (`report-child.ts`), started with heap limits
 * of its own: the build's garbage and peak stay out of the worker, a build that runs out of
 * memory fails alone, and the worker's event loop stays free to renew job locks. Starting one
 * costs about half a second of CPU (loading the kinds, writers, pg and zod), more than a small
 * report's build, so with `reuse` a builder that built well is kept a while and takes the next
 * build with its flags; a builder that failed, was killed or grew is let go. The child ends
 * itself if this process dies or lets it go; this process kills the child once a build
 * outlives its time limit. A child that cannot be started (EAGAIN under a pids limit) fails the
 * build, not the worker.
 */
export class ChildReportRunner implements ReportRunner {
  private readonly idle: Builder[] = [];
  /** Builds under way. */
  private busy = 0;
  private closed = false;

  constructor(private readonly options: ChildRunnerOptions) {}

  run(job: BuildJob, listener: BuildListener, stop?: AbortSignal): Promise<BuildResult> {
    const entry = this.options.entry ?? childEntry();
    if (!existsSync(entry)) {
      return Promise.reject(
        new ReportBuildError(`the report builder is not built (${entry}): run npm run build`),
      );
    }
    const execArgv = [
      `--max-old-space-size=${this.options.maxOldSpaceMb}`,
      `--max-semi-space-size=${this.options.semiSpaceMb ?? SEMI_SPACE_MB[job.format]}`,
    ];
    const flags = execArgv.join(' ');
    const fresh = () => this.buildOn(this.start(entry, execArgv, flags), job, listener, stop);
    const idle = this.takeIdle(flags);
    // A kept builder that died before it heard of this build (killed while it waited) is
    // replaced once: the build is not failed for it.
    return idle ? this.buildOn(idle, job, listener, stop, fresh) : fresh();
  }

  /** Lets every idle builder go; builders at work go when their build ends. */
  close(): void {
    this.closed = true;
    for (const builder of this.idle.splice(0)) this.letGo(builder);
  }

  private start(entry: string, execArgv: string[], flags: string): Builder {
    // Builders idle and at work stay within the worker's concurrency: a kept builder of other
    // flags goes before a new one starts.
    this.keepIdle((this.options.reuse?.maxIdle ?? 0) - this.busy - 1);
    const child = fork(entry, [], {
      execArgv,
      ...(this.options.execPath ? { execPath: this.options.execPath } : {}),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const builder: Builder = { child, flags, builds: 0 };
    // For the child's whole life, so an error while it waits idle is never unhandled; a build
    // listens for its own too.
    child.on('error', () => undefined);
    child.once('close', () => this.forget(builder));
    return builder;
  }

  private buildOn(
    builder: Builder,
    job: BuildJob,
    listener: BuildListener,
    stop?: AbortSignal,
    replace?: () => Promise<BuildResult>,
  ): Promise<BuildResult> {
    const { child } = builder;
    builder.builds++;
    this.busy++;
    return new Promise<BuildResult>((resolve, reject) => {
      let outcome: Outcome | undefined;
      /** Whether the child has said anything of this build, and whether it failed to start it. */
      let heard = false;
      let unstarted = false;
      const timeoutMs = this.options.timeoutMs ?? BUILD_TIMEOUT_MS + 60_000;
      const watchdog = setTimeout(() => {
        outcome ??= {
          ok: false,
          reason: `the report builder ran past ${timeoutMs} ms and was stopped`,
        };
        child.kill('SIGKILL');
      }, timeoutMs);
      watchdog.unref();
      // Stopped: the child is killed (its 'close' settles the build), so it writes no more.
      const onStop = () => {
        outcome ??= { ok: false, reason: reasonOf(stop?.reason) };
        child.kill('SIGKILL');
      };
      const detach = () => {
        clearTimeout(watchdog);
        stop?.removeEventListener('abort', onStop);
        child.off('message', onMessage);
        child.off('error', onError);
        child.off('close', onClose);
        this.busy--;
      };
      const settle = (settled: Outcome) => {
        detach();
        if (settled.ok) {
          listener.rows(settled.result.rows);
          resolve(settled.result);
          this.release(builder, settled.result);
        } else {
          reject(new ReportBuildError(settled.reason));
          this.letGo(builder);
        }
      };
      const onMessage = (message: ChildMessage) => {
        heard = true;
        switch (message.type) {
          case 'estimate':
            listener.estimate(message.rows);
            break;
          case 'rows':
            listener.rows(message.written);
            break;
          case 'done':
            if (!outcome) settle((outcome = { ok: true, result: message.result }));
            break;
          case 'failed':
            if (!outcome) settle((outcome = { ok: false, reason: message.reason }));
            break;
        }
      };
      // Every error, not the first only: a child that never started also fails the send below.
      const onError = (error: Error) => {
        unstarted = !outcome;
        outcome ??= { ok: false, reason: `the report builder could not start: ${error.message}` };
      };
      // 'close', not 'exit': a child that never started emits only 'close'.
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
        if (replace && !heard && (!outcome || unstarted)) {
          detach();
          // On a later tick: a fork that throws (ENOMEM) rejects the build, not this listener.
          return resolve(Promise.resolve().then(replace));
        }
        settle(
          outcome ?? {
            ok: false,
            reason:
              `the report builder stopped (${signal ?? `exit code ${code}`}) before it finished` +
              (code === 134 || signal === 'SIGABRT' ? ': out of memory' : ''),
          },
        );
      };
      child.on('message', onMessage);
      child.on('error', onError);
      child.once('close', onClose);
      if (stop?.aborted) return onStop();
      stop?.addEventListener('abort', onStop, { once: true });
      const request: ChildRequest = {
        job,
        databaseUrl: this.options.databaseUrl,
        storageDir: this.options.storageDir,
        closures: this.options.closures,
        progressMs: this.options.progressMs,
      };
      child.send(request, (error) => {
        if (error) onError(error);
      });
    });
  }

  /** After a good build: kept for the next one while it is small, young and wanted. */
  private release(builder: Builder, result: BuildResult): void {
    const { reuse } = this.options;
    const reusable =
      reuse !== undefined &&
      reuse.idleMs > 0 &&
      !this.closed &&
      builder.child.connected &&
      builder.builds < BUILDS_PER_BUILDER &&
      result.memory !== undefined &&
      result.memory.peakBytes <= reuse.maxPeakMb * 2 ** 20;
    if (!reusable) return this.letGo(builder);
    const { idleMs, maxIdle } = reuse;
    this.keepIdle(maxIdle - 1);
    // An idle builder keeps neither this process nor its event loop alive.
    builder.child.unref();
    builder.child.channel?.unref();
    builder.idleTimer = setTimeout(() => {
      this.forget(builder);
      this.letGo(builder);
    }, idleMs);
    builder.idleTimer.unref();
    this.idle.push(builder);
  }

  /** Lets the oldest idle builders go until at most `count` wait. */
  private keepIdle(count: number): void {
    for (const oldest of this.idle.splice(0, Math.max(0, this.idle.length - Math.max(0, count))))
      this.letGo(oldest);
  }

  private takeIdle(flags: string): Builder | undefined {
    const builder = this.idle.find((b) => b.flags === flags && b.child.connected);
    if (!builder) return undefined;
    this.forget(builder);
    builder.child.ref();
    builder.child.channel?.ref();
    return builder;
  }

  /** Out of the idle list (it exited, or its wait ended). */
  private forget(builder: Builder): void {
    clearTimeout(builder.idleTimer);
    const at = this.idle.indexOf(builder);
    if (at >= 0) this.idle.splice(at, 1);
  }

  /** The child ends itself once its channel closes (see `report-child.ts`). */
  private letGo(builder: Builder): void {
    clearTimeout(builder.idleTimer);
    if (builder.child.connected) builder.child.disconnect();
    else if (builder.child.exitCode === null && builder.child.signalCode === null)
      builder.child.kill('SIGKILL');
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

  close(): void {
    // Nothing is kept between builds.
  }

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
