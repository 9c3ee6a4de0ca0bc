import type { createBullBoard } from '@bull-board/api';
import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AuditLog, KYSELY } from '@sp/platform';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import { PinoLogger } from 'nestjs-pino';
import { type DashboardAction, dashboardAction } from './dashboard-action';
import { hasHiddenValues, redactJobData } from './job-data-redaction';
import { ALL_QUEUES } from './tokens';

export type BoardHooks = NonNullable<
  NonNullable<Parameters<typeof createBullBoard>[0]['options']>['handlerHooks']
>;
type HookContext = Parameters<NonNullable<BoardHooks['before']>>[0];
/** What of bull-board's hook context the audit reads: the route and its parameters. */
export type WriteContext = Pick<HookContext, 'method' | 'route'> & {
  request: Pick<HookContext['request'], 'params'>;
};

/**
 * Writes every change made through the queue dashboard to the worker's audit log, like every
 * admin write is: who (the admin signed in; the request context carries them), when, what
 * (job, scheduler or queue, and the action) and the state before and after it. Hooked into
 * bull-board's handlers, so it sees the route and its parameters as bull-board parsed them,
 * and only writes that succeeded are logged.
 */
@Injectable()
export class DashboardAudit {
  /**
   * Each write's state before, until its audit row is written; keyed by the request's
   * `params`, the one object bull-board's hook context and Fastify's request share, so a
   * write whose handler threw (no `after`) is still recorded when its response goes out.
   */
  private readonly pending = new WeakMap<object, { action: DashboardAction; before: unknown }>();

  constructor(
    private readonly audit: AuditLog,
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(ALL_QUEUES) private readonly queues: Queue[],
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(DashboardAudit.name);
  }

  readonly hooks: BoardHooks = {
    before: (context) => this.begin(context),
    after: async (context, result) => {
      const pending = this.pending.get(context.request.params);
      if (!isWrite(context) || !pending || (result.status ?? 200) >= 400) return result;
      this.pending.delete(context.request.params);
      const body: unknown = context.request.body;
      const input =
        body && typeof body === 'object' && Object.keys(body).length
          ? redactJobData(body, { maskEmails: true })
          : undefined;
      const after = await this.snapshot(pending.action);
      try {
        await this.write(
          pending.action,
          pending.before,
          input === undefined ? after : { ...(after ?? {}), input },
        );
      } catch (error) {
        // The queue has changed already: say so, and not with a 503 that invites a retry
        // (a second `add` would add a second job).
        this.logger.error(
          { err: error, action: pending.action },
          'a queue dashboard change was made but could not be written to the audit log',
        );
        return {
          status: 500,
          body: {
            error:
              'the change was made, but could not be written to the audit log; do not repeat it',
          },
        };
      }
      return result;
    },
  };

  /**
   * bull-board's `before`: refuses editing a job whose data the dashboard shows redacted, and
   * keeps the state a write starts from until its response.
   */
  async begin(
    context: WriteContext,
  ): Promise<{ allow: false; status: 403; message: string } | undefined> {
    if (!isWrite(context)) return;
    try {
      const action = actionOf(context);
      // The dashboard shows such a job's data with its links hidden; saved back, the
      // placeholders would replace the links in the mail.
      if (action.action === 'update-data' && (await this.hidesValues(action)))
        return {
          allow: false,
          status: 403,
          message: 'this job carries secret links: its data cannot be edited here',
        };
      this.pending.set(context.request.params, { action, before: await this.snapshot(action) });
    } catch (error) {
      // bull-board answers a failing `before` with a bare 500 and drops the error: log it.
      this.logger.error({ err: error }, 'could not read the state a dashboard change starts from');
      throw error;
    }
    return undefined;
  }

  /**
   * For the response of a write whose handler failed (bull-board calls no `after` then): a
   * change made part-way (a retry of some jobs, an obliterate in chunks) is recorded with
   * the state it left, as an error. Called from the dashboard's onResponse hook.
   */
  async recordFailure(params: unknown, status: number): Promise<void> {
    if (!params || typeof params !== 'object') return;
    const pending = this.pending.get(params);
    if (!pending) return;
    this.pending.delete(params);
    if (status < 500) return; // refused before it changed anything
    try {
      const after = await this.snapshot(pending.action);
      await this.write(pending.action, pending.before, { outcome: 'error', status, state: after });
    } catch (error) {
      this.logger.error(
        { err: error, action: pending.action },
        'a failed queue dashboard change could not be written to the audit log',
      );
    }
  }

  private write(action: DashboardAction, before: unknown, after: unknown): Promise<void> {
    return this.db.transaction().execute((trx) =>
      this.audit.record(trx, {
        entity: action.entity,
        entityId: action.entityId,
        action: action.action,
        before: before ?? null,
        after,
      }),
    );
  }

  private async hidesValues(action: DashboardAction): Promise<boolean> {
    const queue = this.queues.find((q) => q.name === action.queueName);
    const job = queue && action.jobId ? await queue.getJob(action.jobId) : undefined;
    return hasHiddenValues(job?.data);
  }

  /**
   * The state a write changes (job data without its secret links and with e-mail addresses
   * masked, since the audit log is kept for good): the job, the scheduler, or the queue's
   * pause flag and counts.
   */
  private async snapshot(action: DashboardAction): Promise<Record<string, unknown> | null> {
    const queue = this.queues.find((q) => q.name === action.queueName);
    if (action.entity === 'job') {
      const job = queue && action.jobId ? await queue.getJob(action.jobId) : undefined;
      if (!job) return null;
      return {
        name: job.name,
        state: await job.getState(),
        attemptsMade: job.attemptsMade,
        data: redactJobData(job.data, { maskEmails: true }),
        delay: job.delay,
        priority: job.priority,
      };
    }
    if (action.entity === 'job-scheduler') {
      const scheduler =
        queue && action.schedulerId ? await queue.getJobScheduler(action.schedulerId) : undefined;
      return scheduler ? { ...scheduler } : null;
    }
    if (action.entity === 'queue') {
      const one = async (q: Queue) => ({
        paused: await q.isPaused(),
        counts: await q.getJobCounts(),
      });
      if (queue) return one(queue);
      if (action.entityId !== '*') return null;
      const all = await Promise.all(this.queues.map(async (q) => [q.name, await one(q)] as const));
      return Object.fromEntries(all);
    }
    return null;
  }
}

const isWrite = (context: WriteContext) => context.method.toUpperCase() !== 'GET';

const actionOf = (context: WriteContext) =>
  dashboardAction(context.method, context.route, context.request.params);
