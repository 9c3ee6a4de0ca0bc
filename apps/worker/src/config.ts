import { closureDaysSchema, requiredInProduction, serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';

const queues = ['notifications', 'reports'] as const;

/** The sender outside production. */
const DEV_MAIL_FROM =
  'International Projects Promotion Group <noreply@strategic-partnerships.example>';

export const configSchema = serviceConfigSchema(3004)
  .extend({
    /** The queues this process works (comma list); one image scales as separate deployments. */
    WORKER_QUEUES: z
      .union([
        z.array(z.enum(queues)),
        z.string().transform((v, ctx) => {
          const names = v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const bad = names.filter((n) => !(queues as readonly string[]).includes(n));
          if (bad.length)
            ctx.addIssue({
              code: 'custom',
              message: `unknown queue(s) ${bad.join(', ')}; known: ${queues.join(', ')}`,
            });
          return names as (typeof queues)[number][];
        }),
      ])
      .default([...queues]),
    /**
     * Where people open this service, e.g. `https://ops.example.ac.jp` (TLS may end at a proxy).
     * An https URL makes the queue dashboard's session cookie Secure, and only pages of this
     * origin may change anything through the dashboard. Unset: the origin each request was made
     * to (X-Forwarded-Proto and -Host count only through TRUST_PROXY_HOPS).
     */
    PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^/?#\s]+\/?$/, 'expected http(s)://host[:port], without a path')
      .optional(),
    /** Where mail goes; unset, each message is written as an .eml file under MAIL_DIR. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'expected smtp:// or smtps://')
      .optional(),
    /** Connect, greeting and socket-idle timeout of each SMTP exchange. */
    SMTP_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
    MAIL_DIR: z.string().min(1).default('var/mail'),
    /**
     * Sent and failed deliveries are kept this many days (the admin list, and the idempotency
     * key's memory: a job with the key of a pruned delivery would send again), then pruned in
     * batches. Above the 14 days BullMQ keeps a failed job an admin might retry.
     */
    DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(15).max(3650).default(90),
    /**
     * The sender of every mail, e.g. `International Projects Promotion Group <ippg@…>`. Required
     * in production: the development default is a placeholder domain receivers refuse.
     */
    MAIL_FROM: z.string().min(3).optional(),
    NOTIFICATIONS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    REPORTS_CONCURRENCY: z.coerce.number().int().min(1).max(20).default(2),
    /** Where report files are stored (under `reports/`). */
    STORAGE_DIR: z.string().min(1).default('./var/storage'),
    /** Report runs and their files are kept this many days, then pruned in batches (daily). */
    REPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /**
     * Who is mailed a link when a scheduled report (fiscal year, monthly digest) is ready: a
     * comma list of addresses; empty, no mail is sent.
     */
    REPORT_RECIPIENTS: z
      .union([
        z.array(z.email()),
        z
          .string()
          .transform((v) =>
            v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
          .pipe(z.array(z.email())),
      ])
      .default([]),
    /** The language of those mails. */
    REPORT_MAIL_LOCALE: z.enum(['en', 'ja']).default('en'),
    /** The format of scheduled reports. */
    REPORT_SCHEDULED_FORMAT: z.enum(['csv', 'xlsx', 'pdf']).default('xlsx'),
    /**
     * Where a report is built: `child` (default), in a Node process of its own per build, started
     * with the heap limits below and only the modules a build needs, so a big report neither grows
     * the worker's memory nor stalls its event loop (which renews the queue's job locks); `inline`,
     * in the worker process (tests that register fixture kinds, which exist only in-process).
     */
    REPORT_BUILDER: z.enum(['child', 'inline']).default('child'),
    /** The builder process's old-generation heap limit (MB): a build over it fails, not the worker. */
    REPORT_BUILDER_MAX_OLD_SPACE_MB: z.coerce.number().int().min(64).max(16_384).default(256),
    /**
     * The builder process's young-generation semi-space (MB), for every format; unset, each format
     * has its own (`report-runner.ts`: a small one for CSV, whose garbage is byte buffers; a larger
     * one for XLSX, whose many short-lived cell objects otherwise cost a scavenge every few rows).
     */
    REPORT_BUILDER_SEMI_SPACE_MB: z.coerce.number().int().min(1).max(64).optional(),
    /**
     * How long a builder process that built well waits for the next build before it ends (a
     * process costs about half a second of CPU to start, more than a small report's build); 0 starts
     * a process per build. A builder that failed, or whose memory passed
     * REPORT_BUILDER_REUSE_MAX_MB, ends after its build.
     */
    REPORT_BUILDER_IDLE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    /** A builder whose peak resident memory passed this (MB) ends after its build. */
    REPORT_BUILDER_REUSE_MAX_MB: z.coerce.number().int().min(64).max(16_384).default(192),
    /** How often, at most, a building run's progress (rows, percent) is written to its row. */
    REPORT_PROGRESS_MS: z.coerce.number().int().min(50).max(60_000).default(500),
    /**
     * The university's closure days, as the inquiries service reads them (set both alike): inquiry
     * statistics measure first response and resolution in the desk's business hours.
     */
    INQUIRY_CLOSURE_DAYS: closureDaysSchema,
    /**
     * How long a running job's lock lasts (renewed at half of it while the job runs). A job whose
     * process died is retried once its lock has expired and a stalled check has seen it.
     */
    JOB_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    JOB_STALLED_CHECK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
    /**
     * Times a job may be cut off by a dying process before it is failed. Above BullMQ's default
     * of 1: a worker killed twice during one job must not lose that job's mail.
     */
    JOB_MAX_STALLS: z.coerce.number().int().min(1).max(100).default(5),
    /**
     * JOB_MAX_STALLS for the `reports` queue's jobs (builds, and the schedules' and retention's
     * short ones). A build runs in a child process (`REPORT_BUILDER=child`, the default), so a
     * report cannot take the worker down (a build out of memory fails alone): its job stalls only
     * when the worker dies of something else, and a build of seconds or minutes is cut off by many
     * more of those than a mail of milliseconds. Still bounded, so a worker in a crash loop ends
     * the run (failed, saying why) rather than rebuilding it for ever. With `inline` builds, a
     * build that kills its worker is retried this often: lower it there.
     */
    REPORTS_MAX_STALLS: z.coerce.number().int().min(1).max(100).default(20),
  })
  .superRefine(
    requiredInProduction(
      'MAIL_FROM',
      'every mail is sent from it (the default is a placeholder domain receivers refuse)',
    ),
  )
  .superRefine(
    // The ready-report mail links to this service; built from HOST it would be 0.0.0.0.
    requiredInProduction(
      'PUBLIC_URL',
      'the mail about a ready report (REPORT_RECIPIENTS is set) links to it',
      (config) => config.REPORT_RECIPIENTS.length > 0,
    ),
  )
  .transform((config) => ({ ...config, MAIL_FROM: config.MAIL_FROM ?? DEV_MAIL_FROM }));
export type WorkerConfig = z.infer<typeof configSchema>;
