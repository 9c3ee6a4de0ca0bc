import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  AppError,
  boundPartnerId,
  CursorCodec,
  FILE_STORE,
  type FileStore,
  type Principal,
} from '@sp/platform';
import type {
  ReportFormat,
  ReportKind,
  ReportRequest,
  ReportRun,
  ReportRunList,
  ReportRunQuery,
} from '@sp/types';
import { PinoLogger } from 'nestjs-pino';
import { z } from 'zod';
import { uuid } from '@sp/types';
import type { WorkerConfig } from '../config';
import type { FormatWriter } from './document';
import type { AnyReportKind, ReportKinds } from './kind';
import { fiscalYearJustEnded, fiscalYearOf, previousMonth } from './report-periods';
import { checkMayRequest, paramsKeyOf } from './report-request';
import { toReportRun } from './reports.mapper';
import { type NewRun, ReportsRepository, type RunRow } from './reports.repository';
import { FORMAT_WRITERS, REPORT_KINDS } from './reports.tokens';
import { BUILD_TIMEOUT_MS } from './build/report-session';
import { runFolder } from './build/report-build';

const DAY_MS = 24 * 3600 * 1000;
/** Expired runs looked at per pruning round (their files are deleted one by one). */
const PRUNE_ROUND = 200;
/** A running run without progress for this long has no build left (see `abandonStale`). */
const STALE_RUNNING_MS = BUILD_TIMEOUT_MS + 30 * 60_000;
/** A queued run this old was never taken: its job is gone. */
const STALE_QUEUED_MS = 6 * 60 * 60_000;

export type Requester = { kind: 'staff' | 'partner' | 'schedule'; id: string | null };

/**
 * Report runs: asking for one (written with its `report.build` message in one transaction,
 * or the live run of the same request), reading, listing, deleting, the file; the scheduled
 * runs, once per period; pruning after REPORT_RETENTION_DAYS.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly runs: ReportsRepository,
    @Inject(REPORT_KINDS) private readonly kinds: Partial<ReportKinds>,
    @Inject(FORMAT_WRITERS) private readonly writers: Partial<Record<ReportFormat, FormatWriter>>,
    @Inject(FILE_STORE) private readonly store: FileStore,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ReportsService.name);
  }

  /**
   * Asks for a run as `principal`. Returns the live run of the same request if there is one
   * (`created: false`), else a new queued run whose build is on its way through the outbox.
   */
  async request(
    body: ReportRequest,
    principal: Principal,
  ): Promise<{ run: ReportRun; created: boolean }> {
    const kind = this.kindOf(body.kind);
    if (!this.writers[body.format])
      throw new AppError('validation-error', `invalid body: format`, {
        errors: [
          {
            in: 'body',
            field: 'format',
            message: `this worker does not write ${body.format} yet`,
            code: 'invalid_value',
          },
        ],
      });
    const partnerId = (kind.partnerOf as (p: unknown) => string | null)(body.params);
    checkMayRequest(principal, partnerId);
    const requester: Requester =
      principal.kind === 'staff'
        ? { kind: 'staff', id: principal.sub }
        : principal.kind === 'partner'
          ? { kind: 'partner', id: principal.partnerId }
          : { kind: 'schedule', id: null };
    const { row, created } = await this.insertOrFindLive(body, partnerId, requester, null);
    const run = await this.runs.find(row.id, null);
    if (!run) throw AppError.notFound('report run', row.id); // deleted in between
    return { run: toReportRun(run), created };
  }

  async get(id: string): Promise<ReportRun> {
    const run = await this.runs.find(id, boundPartnerId());
    if (!run) throw AppError.notFound('report run', id);
    return toReportRun(run);
  }

  async list(query: ReportRunQuery): Promise<ReportRunList> {
    const after = query.cursor === undefined ? undefined : cursors.decode(query.cursor);
    const rows = await this.runs.list(query, after);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toReportRun),
      nextCursor:
        rows.length > query.limit && last
          ? cursors.encode({ at: last.cursorAt, id: last.id })
          : null,
    };
  }

  /** The run's file, once it has succeeded: 409 while it is queued or running, 404 if it failed. */
  async openFile(
    id: string,
  ): Promise<{ stream: Readable; fileName: string; contentType: string; size: number }> {
    const run = await this.runs.find(id, boundPartnerId());
    if (!run) throw AppError.notFound('report run', id);
    if (run.state === 'queued' || run.state === 'running')
      throw new AppError(
        'conflict',
        `report run ${id} is ${run.state} (${run.percent} %): its file is not ready yet`,
      );
    if (!run.artifact)
      throw new AppError('not-found', `report run ${id} has no file: it failed (${run.error})`);
    return {
      stream: await this.store.get(run.artifact.storageKey),
      fileName: run.artifact.fileName,
      contentType: run.artifact.contentType,
      size: Number(run.artifact.size),
    };
  }

  /** Deletes a run and its file (a build still running finds it gone and discards its own). */
  async remove(id: string): Promise<void> {
    const keys = await this.runs.delete(id);
    if (!keys) throw AppError.notFound('report run', id);
    await this.deleteFiles(keys, [id]);
  }

  /** The fiscal-year report of the year just ended (1 April), once per year. */
  async scheduleFiscalYear(now: Date): Promise<RunRow[]> {
    const fiscalYear = fiscalYearJustEnded(now);
    return [
      await this.schedule(`fiscal-year:${fiscalYear}`, {
        kind: 'fiscal-year',
        format: this.config.REPORT_SCHEDULED_FORMAT,
        params: { fiscalYear },
      }),
    ];
  }

  /**
   * The monthly digest of the month before (on the 1st), once per month: that month's inquiry
   * statistics and the activity figures of its fiscal year so far.
   */
  async scheduleDigest(now: Date): Promise<RunRow[]> {
    const month = previousMonth(now);
    const period = `digest:${month}`;
    const format = this.config.REPORT_SCHEDULED_FORMAT;
    return [
      await this.schedule(period, {
        kind: 'inquiry-statistics',
        format,
        params: { from: month, to: month },
      }),
      await this.schedule(period, {
        kind: 'fiscal-year',
        format,
        params: { fiscalYear: fiscalYearOf(month) },
      }),
    ];
  }

  /**
   * Deletes runs past their expiry with their files, a round at a time: files first, so a
   * crash in between leaves a row whose files are gone (deleted again next time), never a
   * file no row knows.
   */
  async prune(now: Date = new Date()): Promise<number> {
    await this.abandonStale(now);
    let total = 0;
    for (;;) {
      const expired = await this.runs.expired(now, PRUNE_ROUND);
      if (expired.length === 0) return total;
      await this.deleteFiles(
        expired.flatMap((r) => r.keys),
        expired.map((r) => r.id),
      );
      total += await this.runs.deleteExpired(
        expired.map((r) => r.id),
        now,
      );
      if (expired.length < PRUNE_ROUND) return total;
    }
  }

  /**
   * Fails runs no build is working on now (see `ReportsRepository.abandonStale`): running
   * with no progress for longer than a build may take plus a margin, or queued for six hours.
   * Run by the daily retention job and when a worker starts (after a crash, say).
   */
  async abandonStale(now: Date = new Date()): Promise<number> {
    const stale = await this.runs.abandonStale(now, STALE_RUNNING_MS, STALE_QUEUED_MS);
    await this.deleteFiles(
      stale.flatMap((r) => (r.previousKey ? [r.previousKey] : [])),
      stale.map((r) => r.id),
    );
    return stale.length;
  }

  private async schedule(periodKey: string, request: ReportRequest): Promise<RunRow> {
    const { row } = await this.insertOrFindLive(
      request,
      null,
      { kind: 'schedule', id: null },
      periodKey,
    );
    if (row.periodKey !== periodKey)
      throw new Error(`${periodKey}: found run ${row.id} of another period; retrying`);
    return row;
  }

  private async insertOrFindLive(
    request: ReportRequest,
    partnerId: string | null,
    requester: Requester,
    periodKey: string | null,
  ): Promise<{ row: RunRow; created: boolean }> {
    const run: NewRun = {
      kind: request.kind,
      format: request.format,
      params: request.params,
      // A scheduled run is its period's (the period's index dedupes it), never one asked for
      // by hand: a live manual run of the same parameters must not keep the period from its own.
      // A partner's run is built for the partner (without staff-only data), so it is never
      // shared with staff's run of the same parameters, nor staff's with it.
      paramsKey: periodKey
        ? `${periodKey}|${paramsKeyOf(request)}`
        : requester.kind === 'partner'
          ? `partner|${paramsKeyOf(request)}`
          : paramsKeyOf(request),
      partnerId,
      requesterKind: requester.kind,
      requesterId: requester.id,
      periodKey,
      expiresAt: new Date(Date.now() + this.config.REPORT_RETENTION_DAYS * DAY_MS),
    };
    // Two tries: a live run found by its key may finish between our insert and our read.
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.runs.transaction(async (trx) => {
        const inserted = await this.runs.insertQueued(trx, run);
        if (inserted) return { row: inserted, created: true };
        if (periodKey) {
          const scheduled = await this.runs.findByPeriod(periodKey, request.kind, trx);
          if (scheduled) return { row: scheduled, created: false };
        }
        const liveRun = await this.runs.findLiveByKey(trx, run.paramsKey);
        return liveRun ? { row: liveRun, created: false } : undefined;
      });
      if (found) return found;
    }
    throw new AppError('service-unavailable', 'the report could not be queued; try again');
  }

  private kindOf(kind: ReportKind): AnyReportKind {
    const definition = this.kinds[kind];
    if (!definition)
      throw new AppError('validation-error', 'invalid body: kind', {
        errors: [
          {
            in: 'body',
            field: 'kind',
            message: `this worker does not build ${kind} reports yet`,
            code: 'invalid_value',
          },
        ],
      });
    return definition;
  }

  /**
   * Deletes the files, then the folders (`reports/<run>`) of these runs, which no build is
   * writing to (deleted, expired, or failed as stale) and which are empty now.
   */
  private async deleteFiles(keys: string[], runIds: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.store.delete(key);
      } catch (error) {
        this.logger.warn({ err: error, key }, 'could not delete a report file');
      }
    }
    for (const runId of runIds) {
      try {
        await this.store.removeEmptyFolder(runFolder(runId));
      } catch (error) {
        this.logger.warn({ err: error, runId }, "could not remove a report run's folder");
      }
    }
  }
}

/** `created_at::text` as Postgres writes it, e.g. `2026-11-25 00:48:39.569123+00`. */
const pgTimestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const cursors = new CursorCodec(
  z.object({ at: z.string().regex(pgTimestamp), id: uuid() }).strict(),
);
