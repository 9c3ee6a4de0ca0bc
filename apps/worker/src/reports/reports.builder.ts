import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppError, FILE_STORE, type FileStore } from '@sp/platform';
import type { EmailSend, ReportFormat } from '@sp/types';
import { PinoLogger } from 'nestjs-pino';
import type { WorkerConfig } from '../config';
import { fileNameOf, reasonOf, ReportBuildError, runFolder } from './build/report-build';
import { ChildReportRunner, InlineReportRunner, type ReportRunner } from './build/report-runner';
import type { FormatWriter } from './document';
import type { ReportKinds } from './kind';
import { audienceOf } from './report-request';
import { ReportsRepository, type RunRow, type RunWithArtifact } from './reports.repository';
import { FORMAT_WRITERS, REPORT_KINDS } from './reports.tokens';

/** What a build came to. */
export type BuildOutcome =
  | { outcome: 'succeeded'; runId: string; rows: number; size: number; sha256: string }
  | { outcome: 'failed'; runId: string; reason: string }
  /** Nothing to do: the run has finished already (a redelivered job) or was deleted. */
  | { outcome: 'already-finished'; runId: string };

/** Told of progress as the build goes (the job's progress). */
export type ProgressListener = (progress: { percent: number; rowsWritten: number }) => void;

/**
 * Builds one run: takes it (a queued run, or one left running by a worker that died), reads
 * the published views in one read-only snapshot as `sp_report_reader`, streams the format
 * writer's bytes through a SHA-256 and byte counter into the file store, and records the
 * artifact only when the whole file is stored. The file is written under a key of this attempt
 * (`reports/<run>/<attempt>.<ext>`) that the run row names while it builds and that nothing
 * serves until the artifact is recorded; a failed attempt deletes it, and the next attempt at a
 * run whose builder died deletes what that one left. So no half-written file is ever served or
 * left behind.
 */
@Injectable()
export class ReportsBuilder implements OnApplicationShutdown {
  private runner: ReportRunner;

  constructor(
    private readonly runs: ReportsRepository,
    @Inject(REPORT_KINDS) private readonly kinds: Partial<ReportKinds>,
    @Inject(FORMAT_WRITERS) private readonly writers: Partial<Record<ReportFormat, FormatWriter>>,
    @Inject(FILE_STORE) private readonly store: FileStore,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ReportsBuilder.name);
    this.runner =
      config.REPORT_BUILDER === 'inline'
        ? this.inlineRunner()
        : new ChildReportRunner({
            databaseUrl: config.DATABASE_URL,
            storageDir: config.STORAGE_DIR,
            closures: config.INQUIRY_CLOSURE_DAYS,
            progressMs: Math.min(config.REPORT_PROGRESS_MS, 250),
            maxOldSpaceMb: config.REPORT_BUILDER_MAX_OLD_SPACE_MB,
            semiSpaceMb: config.REPORT_BUILDER_SEMI_SPACE_MB,
            reuse: {
              idleMs: config.REPORT_BUILDER_IDLE_MS,
              maxPeakMb: config.REPORT_BUILDER_REUSE_MAX_MB,
              maxIdle: config.REPORTS_CONCURRENCY,
            },
          });
  }

  /**
   * Builds in this process from now on, with the kinds registered here: for tests that register
   * fixture kinds (which a child process would not have).
   */
  buildInThisProcess(): void {
    this.runner.close();
    this.runner = this.inlineRunner();
  }

  /** Idle builder processes end with the worker (they would at its exit anyway). */
  onApplicationShutdown(): void {
    this.runner.close();
  }

  private inlineRunner(): ReportRunner {
    return new InlineReportRunner(this.kinds, this.writers, this.store, this.config.DATABASE_URL);
  }

  async build(
    runId: string,
    onProgress: ProgressListener = () => undefined,
  ): Promise<BuildOutcome> {
    const writer0 = await this.peekWriter(runId);
    const buildKey = `${runFolder(runId)}/${randomUUID()}.${writer0 ?? 'bin'}`;
    const claimed = await this.runs.claim(runId, buildKey);
    if (!claimed) return { outcome: 'already-finished', runId };
    const { run, previousKey } = claimed;
    if (previousKey) await this.deleteQuietly(previousKey);
    let result: Awaited<ReturnType<ReportsBuilder['write']>>;
    try {
      result = await this.write(run, buildKey, onProgress);
    } catch (error) {
      const after = await this.failAttempt(run.id, buildKey, error);
      // Only this attempt's own success names its file: not recorded, so never found here.
      return 'outcome' in after ? after : { outcome: 'already-finished', runId };
    }
    let recorded: RunRow | undefined;
    try {
      recorded = await this.runs.succeed(
        run.id,
        buildKey,
        {
          size: result.size,
          sha256: result.sha256,
          contentType: result.writer.contentType,
          fileName: result.fileName,
        },
        result.rows,
        (done) => this.mailsFor(done, result.fileName),
      );
    } catch (error) {
      // The commit may be on its way still, or made with only its answer lost.
      const after = await this.failAttempt(run.id, buildKey, error);
      if ('outcome' in after) return after;
      recorded = after;
    }
    if (!recorded) {
      // Deleted meanwhile, or another attempt took the run over: this file is nobody's.
      await this.deleteQuietly(buildKey);
      return { outcome: 'already-finished', runId };
    }
    this.logger.info(
      {
        runId,
        kind: run.kind,
        format: run.format,
        rows: result.rows,
        bytes: result.size,
        builderPeakMb: result.memory && Math.round(result.memory.peakBytes / 2 ** 20),
        builderPid: result.memory?.pid,
      },
      'report built',
    );
    return {
      outcome: 'succeeded',
      runId,
      rows: result.rows,
      size: result.size,
      sha256: result.sha256,
    };
  }

  /**
   * This attempt failed. The run records why if the attempt still holds it: the row lock orders
   * that after a commit of the attempt's success still on its way (a slow COMMIT whose client
   * gave up), and a run found succeeded with this attempt's file is returned (its file kept).
   * Otherwise the file is deleted: the build failed, or the run was deleted or taken over
   * meanwhile (nothing to record: `already-finished`). When the database cannot say (it is
   * away), the error stands and the file stays for the job's retry to settle, which finds the
   * run finished, or takes it over and deletes this file as its predecessor's.
   */
  private async failAttempt(
    runId: string,
    buildKey: string,
    error: unknown,
  ): Promise<BuildOutcome | RunWithArtifact> {
    const reason = reasonOf(error);
    const settled = await this.runs
      .fail(runId, buildKey, reason)
      .then(async (failed) => (failed ? ('failed' as const) : await this.runs.find(runId, null)))
      .catch(() => {
        throw error;
      });
    if (settled !== 'failed' && settled?.artifact?.storageKey === buildKey) return settled;
    await this.deleteQuietly(buildKey);
    if (settled !== 'failed') return { outcome: 'already-finished', runId };
    // Failed, with no attempt at work on it: its folder holds nothing more.
    await this.store
      .removeEmptyFolder(runFolder(runId))
      .catch((err: unknown) =>
        this.logger.warn({ err, runId }, "could not remove a report run's folder"),
      );
    this.logger.warn({ err: error, runId }, `report run failed: ${reason}`);
    return { outcome: 'failed', runId, reason };
  }

  /**
   * The queue gave up on a run's job (see `ReportsRepository.abandon`): the run fails with the
   * reason, and the file its last attempt was writing is removed. Without this a run whose
   * worker kept dying stayed `running` for good.
   */
  async abandon(runId: string, reason: string): Promise<boolean> {
    const abandoned = await this.runs.abandon(runId, reason);
    if (!abandoned) return false;
    if (abandoned.previousKey) await this.deleteQuietly(abandoned.previousKey);
    this.logger.warn({ runId }, `report run failed: ${reason}`);
    return true;
  }

  private async write(run: RunRow, buildKey: string, onProgress: ProgressListener) {
    const writer = this.writers[run.format];
    if (!writer) throw new AppError('not-found', `this worker does not write ${run.format} files`);
    const fileName = fileNameOf(this.kinds, this.writers, run);
    // A run deleted, failed or taken over while this attempt builds is no longer its own: the
    // build is stopped at its next progress write, rather than built to the end for nobody.
    const taken = new AbortController();
    const progress = new ProgressWriter(
      async (values) => {
        if (!(await this.runs.progress(run.id, buildKey, values)))
          taken.abort(new ReportBuildError('the run was deleted or taken over while it built'));
      },
      this.config.REPORT_PROGRESS_MS,
      onProgress,
      (error) => this.logger.warn({ err: error, runId: run.id }, 'could not record progress'),
    );
    let estimating: Promise<void> = Promise.resolve();
    const result = await this.runner.run(
      {
        kind: run.kind,
        params: run.params,
        format: run.format,
        key: buildKey,
        now: new Date().toISOString(),
        audience: audienceOf(run),
      },
      {
        estimate: (rows) => {
          estimating = progress.estimate(rows);
        },
        rows: (n) => progress.rows(n),
      },
      taken.signal,
    );
    await estimating;
    await progress.flush();
    return { ...result, writer, fileName };
  }

  /** The extension of the run's format, for the attempt's key (before the run is taken). */
  private async peekWriter(runId: string): Promise<string | undefined> {
    const run = await this.runs.find(runId, null);
    return run ? this.writers[run.format]?.extension : undefined;
  }

  /** A scheduled run mails its link to REPORT_RECIPIENTS (one mail per run and recipient). */
  private mailsFor(run: RunRow, fileName: string): EmailSend[] {
    if (run.periodKey === null) return [];
    const base = (
      this.config.PUBLIC_URL ?? `http://${this.config.HOST}:${this.config.PORT}`
    ).replace(/\/$/, '');
    return this.config.REPORT_RECIPIENTS.map((to) => ({
      template: 'report-ready',
      locale: this.config.REPORT_MAIL_LOCALE,
      to: [to],
      data: { title: `${fileName} (${run.periodKey})`, url: `${base}/reports/${run.id}/file` },
      idempotencyKey: `report-ready:${run.id}:${to.toLowerCase()}`,
    }));
  }

  private async deleteQuietly(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (error) {
      this.logger.warn({ err: error, key }, 'could not delete a report file');
    }
  }
}

/**
 * Writes a build's progress to its run at most every `everyMs` (one write in flight at a time,
 * the latest values winning), and tells the job.
 */
class ProgressWriter {
  private estimated = 0;
  private latest = 0;
  private lastWrite = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly save: (values: {
      rowsWritten?: number;
      rowsEstimated?: number;
      percent?: number;
    }) => Promise<void>,
    private readonly everyMs: number,
    private readonly tell: ProgressListener,
    private readonly warn: (error: unknown) => void,
  ) {}

  async estimate(rows: number): Promise<void> {
    this.estimated = Math.max(0, Math.round(rows));
    await this.save({ rowsEstimated: this.estimated }).catch(this.warn);
  }

  rows(n: number): void {
    this.latest = n;
    if (this.inFlight || Date.now() - this.lastWrite < this.everyMs) return;
    this.lastWrite = Date.now();
    this.inFlight = this.writeNow().finally(() => (this.inFlight = undefined));
  }

  async flush(): Promise<void> {
    await this.inFlight;
  }

  private percent(): number {
    // Never 100 before the file is stored: the run's success says that.
    return this.estimated > 0 ? Math.min(99, Math.floor((this.latest * 100) / this.estimated)) : 0;
  }

  private async writeNow(): Promise<void> {
    const values = { rowsWritten: this.latest, percent: this.percent() };
    this.tell(values);
    await this.save(values).catch(this.warn);
  }
}
