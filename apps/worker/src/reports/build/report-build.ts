import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError, type FileStore } from '@sp/platform/core';
import type { ReportFormat, ReportKind } from '@sp/types';
import type { FormatWriter, ReportDocument, WriteTools } from '../document';
import type { KindContext, ReportAudience, ReportKinds, ReportReader } from '../kind';

/** One build: which report, in which format, to which file-store key. */
export type BuildJob = {
  kind: ReportKind;
  /** The run's parameters (checked against the kind's schema when the run was asked for). */
  params: unknown;
  format: ReportFormat;
  key: string;
  /** The run's clock, as ISO text (the report's "generated at"). */
  now: string;
  /** Whom the file is for (a partner's own run leaves out what only staff may read). */
  audience: ReportAudience;
};

export type BuildResult = {
  rows: number;
  size: number;
  sha256: string;
  /**
   * The builder process's own use (a child's): resident memory before building and at its peak
   * (a reused builder's peak includes its earlier builds'), the CPU time the build took (user +
   * system), and which process it was.
   */
  memory?: { loadedBytes: number; peakBytes: number; cpuMs: number; pid: number };
};

/** Told as the build goes: the kind's estimate first, then the running count of rows written. */
export type BuildListener = {
  estimate(rows: number): void;
  rows(written: number): void;
};

/** What a build runs with; the child process and the in-process runner each assemble their own. */
export type BuildDeps = {
  kinds: Partial<ReportKinds>;
  writers: Partial<Record<ReportFormat, FormatWriter>>;
  store: FileStore;
  /** A reader in the build's snapshot, and a COPY source on the same connection if there is one. */
  session: { db: ReportReader; copy?: WriteTools['copy'] };
};

/** Passes bytes through, counting them and hashing them (SHA-256) on the way. */
class DigestStream extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Builds one report into the file store: the kind's estimate, its document, the format
 * writer's bytes through a SHA-256 and byte counter into `store.put(key)`. Rejects on the first
 * error (an unknown kind or format is an `AppError('not-found')`); the caller deletes the key.
 * No Nest here: this runs in the builder's child process as well as in the worker.
 */
export async function buildReport(
  deps: BuildDeps,
  job: BuildJob,
  listener: BuildListener,
): Promise<BuildResult> {
  const kind = deps.kinds[job.kind];
  if (!kind) throw new AppError('not-found', `this worker does not build ${job.kind} reports`);
  const writer = deps.writers[job.format];
  if (!writer) throw new AppError('not-found', `this worker does not write ${job.format} files`);
  // A kind's functions take the parameters of its own kind; the run's are those.
  const definition = kind as unknown as {
    estimateRows(db: ReportReader, params: unknown): Promise<number>;
    build(db: ReportReader, params: unknown, ctx: KindContext): Promise<ReportDocument>;
  };
  listener.estimate(await definition.estimateRows(deps.session.db, job.params));
  const doc = await definition.build(deps.session.db, job.params, {
    now: new Date(job.now),
    audience: job.audience,
  });
  const digest = new DigestStream();
  let written = 0;
  const writing = writer
    .write(
      doc,
      digest,
      (n) => {
        written = n;
        listener.rows(n);
      },
      { copy: deps.session.copy },
    )
    .catch((error: unknown) => {
      digest.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    });
  await Promise.all([writing, deps.store.put(job.key, digest)]);
  return { rows: written, size: digest.size, sha256: digest.digest() };
}

/** The store's folder of a run's files (`reports/<run>/<attempt>.<ext>`). */
export const runFolder = (runId: string): string => `reports/${runId}`;

/** The file name of a run's download (the kind's name and the writer's extension). */
export function fileNameOf(
  kinds: Partial<ReportKinds>,
  writers: Partial<Record<ReportFormat, FormatWriter>>,
  job: Pick<BuildJob, 'kind' | 'params' | 'format'>,
): string {
  const kind = kinds[job.kind] as { fileName(params: unknown): string } | undefined;
  const writer = writers[job.format];
  if (!kind || !writer) return `report-${job.kind}.${job.format}`;
  return `${kind.fileName(job.params)}.${writer.extension}`;
}

/** Why a build failed, in words for the run's `error`. */
export function reasonOf(error: unknown): string {
  if (error instanceof AppError || error instanceof ReportBuildError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `the report could not be built: ${message}`;
}

/** A build that failed in the builder process, with the reason it gave. */
export class ReportBuildError extends Error {
  override readonly name = 'ReportBuildError';
}
