import { Inject, Injectable } from '@nestjs/common';
import type { DB, ReportArtifactTable, ReportRunTable } from '@sp/db';
import { KYSELY } from '@sp/platform';
import { pruneInBatches, writeOutbox } from '@sp/queue';
import type { EmailSend, ReportRunQuery, ReportRunState } from '@sp/types';
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely';

export type RunRow = Selectable<ReportRunTable>;
export type ArtifactRow = Selectable<ReportArtifactTable>;
export type RunWithArtifact = RunRow & { artifact: ArtifactRow | null };
/** Where a page of runs ended: the last row's exact `created_at` and id. */
export type RunCursor = { at: string; id: string };
export type NewRun = Omit<Insertable<ReportRunTable>, 'params'> & { params: unknown };

const live: ReportRunState[] = ['queued', 'running'];

/** A live run's state and build key, locked for the rest of the transaction; undefined if none. */
async function lockLive(trx: Transaction<DB>, id: string) {
  const current = await trx
    .selectFrom('reports.run')
    .select(['state', 'buildKey'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return current && live.includes(current.state) ? current : undefined;
}

/** What a failed run's row says: why, and that no attempt holds it now. */
const failedFor = (reason: string) => ({
  state: 'failed' as const,
  error: reason.slice(0, 2000),
  buildKey: null,
  finishedAt: sql<Date>`now()`,
});

/**
 * The reports tables: runs, their artifacts and the reports outbox. Reads a partner may make
 * start from a base query bounded to that partner (`partnerId`): another partner's run is not
 * found.
 */
@Injectable()
export class ReportsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /**
   * Inserts a run unless one with its params key is live (or, for a scheduled one, its period
   * and kind exist): undefined then. Writes its `report.build` message in the same transaction.
   */
  async insertQueued(trx: Transaction<DB>, run: NewRun): Promise<RunRow | undefined> {
    const row = await trx
      .insertInto('reports.run')
      .values({ ...run, params: JSON.stringify(run.params) })
      // Either unique index: the live request's, or the period's.
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row)
      await writeOutbox(trx, 'reports', { name: 'report.build', payload: { runId: row.id } });
    return row;
  }

  findLiveByKey(trx: Transaction<DB>, paramsKey: string): Promise<RunRow | undefined> {
    return trx
      .selectFrom('reports.run')
      .selectAll()
      .where('paramsKey', '=', paramsKey)
      .where('state', 'in', live)
      .executeTakeFirst();
  }

  findByPeriod(
    periodKey: string,
    kind: RunRow['kind'],
    trx: Transaction<DB> | Kysely<DB> = this.db,
  ): Promise<RunRow | undefined> {
    return trx
      .selectFrom('reports.run')
      .selectAll()
      .where('periodKey', '=', periodKey)
      .where('kind', '=', kind)
      .executeTakeFirst();
  }

  /**
   * A run and its artifact; `partnerId` (a partner's token) bounds it to runs about that partner
   * that a partner asked for: staff's run about it holds what only staff may read.
   */
  async find(id: string, partnerId: string | null): Promise<RunWithArtifact | undefined> {
    let q = this.withArtifact().where('r.id', '=', id);
    if (partnerId !== null)
      q = q.where('r.partnerId', '=', partnerId).where('r.requesterKind', '=', 'partner');
    return q.executeTakeFirst();
  }

  /** A page of runs, newest first, after `after`; one row more than asked when there are more. */
  list(
    query: ReportRunQuery,
    after?: RunCursor,
  ): Promise<(RunWithArtifact & { cursorAt: string })[]> {
    let q = this.withArtifact()
      .select(sql<string>`r.created_at::text`.as('cursorAt'))
      .orderBy('r.createdAt', 'desc')
      .orderBy('r.id', 'desc')
      .limit(query.limit + 1);
    if (query.kind) q = q.where('r.kind', '=', query.kind);
    if (query.state) q = q.where('r.state', '=', query.state);
    if (after)
      q = q.where(
        sql<boolean>`(r.created_at, r.id) < (${after.at}::timestamptz, ${after.id}::uuid)`,
      );
    return q.execute();
  }

  /** Deletes a run (its artifact row goes with it); returns the storage keys it held. */
  async delete(id: string): Promise<string[] | undefined> {
    return this.transaction(async (trx) => {
      const keys = await this.keysOf(trx, [id]);
      const deleted = await trx.deleteFrom('reports.run').where('id', '=', id).executeTakeFirst();
      return deleted.numDeletedRows > 0n ? keys : undefined;
    });
  }

  /**
   * Takes a run for an attempt to build it (`running`, writing to `buildKey`). A queued run is
   * taken; so is a running one, whose attempt died (its job ran again after a stall): its build
   * key is returned, so the half-written file of that attempt can be removed. A finished or
   * deleted run is not taken (undefined).
   */
  async claim(
    id: string,
    buildKey: string,
  ): Promise<{ run: RunRow; previousKey: string | null } | undefined> {
    return this.transaction(async (trx) => {
      const current = await lockLive(trx, id);
      if (!current) return undefined;
      const run = await trx
        .updateTable('reports.run')
        .set({
          state: 'running',
          buildKey,
          attempts: sql<number>`attempts + 1`,
          startedAt: sql<Date>`now()`,
          progressAt: sql<Date>`now()`,
          percent: 0,
          rowsWritten: 0,
          rowsEstimated: null,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { run, previousKey: current.buildKey };
    });
  }

  /**
   * Progress of the attempt writing `buildKey`. False, and nothing written, when the attempt no
   * longer holds the run (deleted, failed, or taken over).
   */
  async progress(
    id: string,
    buildKey: string,
    values: { rowsWritten?: number; rowsEstimated?: number; percent?: number },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('reports.run')
      .set({ ...values, progressAt: sql<Date>`now()` })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('buildKey', '=', buildKey)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Records the attempt's success: the run succeeds with its artifact (and the mail it must
   * cause, through the outbox) in one transaction, if that attempt still holds it. Returns the
   * run, or undefined when it does not (the caller removes its file).
   */
  succeed(
    id: string,
    buildKey: string,
    artifact: Omit<Insertable<ReportArtifactTable>, 'runId' | 'storageKey'>,
    rowsWritten: number,
    mails: (run: RunRow) => EmailSend[],
  ): Promise<RunRow | undefined> {
    return this.transaction(async (trx) => {
      const run = await trx
        .updateTable('reports.run')
        .set({
          state: 'succeeded',
          percent: 100,
          rowsWritten,
          buildKey: null,
          finishedAt: sql<Date>`now()`,
          progressAt: sql<Date>`now()`,
        })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .where('buildKey', '=', buildKey)
        .returningAll()
        .executeTakeFirst();
      if (!run) return undefined;
      await trx
        .insertInto('reports.artifact')
        .values({ ...artifact, runId: id, storageKey: buildKey })
        .execute();
      const messages = mails(run);
      if (messages.length)
        await writeOutbox(
          trx,
          'reports',
          ...messages.map((payload) => ({ name: 'email.send' as const, payload })),
        );
      return run;
    });
  }

  /** Records the attempt's failure and why, if that attempt still holds the run. */
  async fail(id: string, buildKey: string | null, reason: string): Promise<boolean> {
    let q = this.db
      .updateTable('reports.run')
      .set(failedFor(reason))
      .where('id', '=', id)
      .where('state', 'in', live);
    q = buildKey === null ? q.where('buildKey', 'is', null) : q.where('buildKey', '=', buildKey);
    const result = await q.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Fails a run the queue has given up on (its job failed for good: a worker died under it more
   * often than REPORTS_MAX_STALLS, or its last attempt threw), whichever attempt holds it. Returns
   * the build key the last attempt was writing (its half-written file is nobody's), or
   * undefined when the run had finished or was deleted meanwhile.
   */
  async abandon(id: string, reason: string): Promise<{ previousKey: string | null } | undefined> {
    return this.transaction(async (trx) => {
      const current = await lockLive(trx, id);
      if (!current) return undefined;
      await trx.updateTable('reports.run').set(failedFor(reason)).where('id', '=', id).execute();
      return { previousKey: current.buildKey };
    });
  }

  /** Up to `limit` runs past their expiry, with the storage keys they hold. */
  async expired(now: Date, limit: number): Promise<{ id: string; keys: string[] }[]> {
    const rows = await this.db
      .selectFrom('reports.run as r')
      .leftJoin('reports.artifact as a', 'a.runId', 'r.id')
      .select(['r.id', 'r.buildKey', 'a.storageKey'])
      .where('r.expiresAt', '<', now)
      // A live run's build may add its file at every moment: pruned now, that file would be
      // left behind. It is pruned once it has finished (or been given up, `abandonStale`).
      .where('r.state', 'not in', live)
      .orderBy('r.expiresAt')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      keys: [r.storageKey, r.buildKey].filter((k): k is string => k !== null),
    }));
  }

  /**
   * Fails live runs no build can still be working on: running with no progress for
   * `runningMs`, or queued since `queuedMs` ago. Their job was given up while the database was
   * away, or its worker died between the queue's failure and the run's; without this the run
   * stayed live for good and answered every identical request. Returns their partial files.
   */
  async abandonStale(
    now: Date,
    runningMs: number,
    queuedMs: number,
  ): Promise<{ id: string; previousKey: string | null }[]> {
    return this.transaction(async (trx) => {
      const stale = await trx
        .selectFrom('reports.run')
        .select(['id', 'buildKey'])
        .where((eb) =>
          eb.or([
            eb.and([
              eb('state', '=', 'running'),
              eb('progressAt', '<', new Date(now.getTime() - runningMs)),
            ]),
            eb.and([
              eb('state', '=', 'queued'),
              eb('createdAt', '<', new Date(now.getTime() - queuedMs)),
            ]),
          ]),
        )
        .forUpdate()
        .skipLocked()
        .execute();
      if (stale.length === 0) return [];
      await trx
        .updateTable('reports.run')
        .set(failedFor('no build made progress on this run for too long; ask for it again'))
        .where(
          'id',
          'in',
          stale.map((r) => r.id),
        )
        .execute();
      return stale.map((r) => ({ id: r.id, previousKey: r.buildKey }));
    });
  }

  /** Deletes the given runs if still past expiry (artifacts go with them); returns how many. */
  deleteExpired(ids: string[], now: Date): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return pruneInBatches(this.db, {
      table: 'reports.run',
      where: sql<boolean>`id = some(${ids}::uuid[]) and expires_at < ${now}`,
      batchSize: ids.length,
      maxBatches: 1,
    });
  }

  /**
   * The storage keys of these runs, locked first and read after: one statement that joined
   * and locked at once waited on a build's commit, then re-read the run row alone, so the
   * artifact that commit had just added was missed and its file was left on disk for good
   * (found by helper-49). After the lock, a new statement sees what was committed.
   */
  private async keysOf(trx: Transaction<DB>, ids: string[]): Promise<string[]> {
    await trx.selectFrom('reports.run').select('id').where('id', 'in', ids).forUpdate().execute();
    const rows = await trx
      .selectFrom('reports.run as r')
      .leftJoin('reports.artifact as a', 'a.runId', 'r.id')
      .select(['r.buildKey', 'a.storageKey'])
      .where('r.id', 'in', ids)
      .execute();
    return rows.flatMap((r) => [r.storageKey, r.buildKey].filter((k): k is string => k !== null));
  }

  private withArtifact() {
    return this.db
      .selectFrom('reports.run as r')
      .leftJoin('reports.artifact as a', 'a.runId', 'r.id')
      .selectAll('r')
      .select((eb) =>
        eb
          .case()
          .when('a.runId', 'is not', null)
          .then(
            sql<ArtifactRow>`json_build_object('runId', a.run_id, 'storageKey', a.storage_key,
              'size', a.size::text, 'sha256', a.sha256, 'contentType', a.content_type,
              'fileName', a.file_name, 'createdAt', a.created_at)`,
          )
          .else(null)
          .end()
          .as('artifact'),
      );
  }
}
