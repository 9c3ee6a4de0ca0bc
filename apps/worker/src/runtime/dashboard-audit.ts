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

/**
 * Writes every change made through the queue dashboard to the worker's audit log, like every
 * admin write is: who (the admin signed in; the request context carries them), when, what
 * (job, scheduler or queue, and the action) and the state before and after it. Hooked into
 * bull-board's handlers, so it sees the route and its parameters as bull-board parsed them,
 * and only writes that succeeded are logged.
 */
@Injectable()
export class DashboardAudit {
  private readonly before = new WeakMap<HookContext, unknown>();

  constructor(
    private readonly audit: AuditLog,
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(ALL_QUEUES) private readonly queues: Queue[],
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(DashboardAudit.name);
  }

  readonly hooks: BoardHooks = {
    before: async (context) => {
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
        this.before.set(context, await this.snapshot(action));
      } catch (error) {
        // bull-board answers a failing `before` with a bare 500 and drops the error: log it.
        this.logger.error(
          { err: error },
          'could not read the state a dashboard change starts from',
        );
        throw error;
      }
    },
    after: async (context, result) => {
      if (!isWrite(context) || (result.status ?? 200) >= 400) return result;
      const action = actionOf(context);
      const body: unknown = context.request.body;
      const input =
        body && typeof body === 'object' && Object.keys(body).length
          ? redactJobData(body, { maskEmails: true })
          : undefined;
      const after = await this.snapshot(action);
      try {
        await this.db.transaction().execute((trx) =>
          this.audit.record(trx, {
            entity: action.entity,
            entityId: action.entityId,
            action: action.action,
            before: this.before.get(context) ?? null,
            after: input === undefined ? after : { ...(after ?? {}), input },
          }),
        );
      } catch (error) {
        // The queue has changed already; say so loudly, and answer with an error.
        this.logger.error(
          { err: error, action },
          'a queue dashboard change was made but could not be written to the audit log',
        );
        throw error;
      }
      return result;
    },
  };

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

const isWrite = (context: HookContext) => context.method.toUpperCase() !== 'GET';

const actionOf = (context: HookContext) =>
  dashboardAction(context.method, context.route, context.request.params);
