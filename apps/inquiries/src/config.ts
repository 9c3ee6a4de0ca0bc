import { closureDaysSchema, requiredInProduction, serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';
import { parseSlaTargets, type SlaTargets } from './common/sla-targets';

const MB = 1024 * 1024;

/** Where the status page is when the service runs on this machine (not in production). */
const DEV_STATUS_PAGE_URL = 'http://127.0.0.1:3003/inquiries/status/';

/** Content types an attachment may have, checked against the file's bytes (not its name). */
export const defaultAttachmentTypes = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

export const configSchema = serviceConfigSchema(3003)
  .extend({
    /** Where attachments are stored (the local-disk file store; created on first write). */
    STORAGE_DIR: z.string().min(1).default('./var/storage'),
    /** Bytes one attachment may have. */
    ATTACHMENT_MAX_FILE_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(100 * MB)
      .default(5 * MB),
    /** Attachments one submission, follow-up or mail may carry. */
    ATTACHMENT_MAX_FILES: z.coerce.number().int().min(0).max(50).default(5),
    /** Bytes all attachments of one submission, follow-up or mail may have together. */
    ATTACHMENT_MAX_TOTAL_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(500 * MB)
      .default(15 * MB),
    /**
     * Messages the inquirer may add to one inquiry after it was sent (status page and mail);
     * past it they are asked to send a new inquiry, and mail waits in the review list.
     */
    INQUIRY_MAX_FOLLOW_UPS: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Bytes the attachments of one inquiry's messages may have together. */
    INQUIRY_MAX_ATTACHMENT_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000 * MB)
      .default(100 * MB),
    /** Allowed attachment content types (comma-separated), each recognised from the file's bytes. */
    ATTACHMENT_TYPES: z
      .union([
        // Already parsed (the app module parses the config main parsed once more).
        z.array(z.string()),
        z.string().transform((v) =>
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ])
      .default(defaultAttachmentTypes),
    /**
     * Submissions written at once (each holds a database connection; the year's reference
     * counter lets one commit at a time anyway). A burst beyond it waits in memory instead of
     * timing out waiting for a connection. Keep it below DATABASE_POOL_MAX.
     */
    INQUIRY_SUBMIT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
    /**
     * Base of the inquirer's secret status link; the token is appended. Required in production:
     * the acknowledgement mail is the only place the link is given, and the development default
     * (this machine) would be no link at all.
     */
    STATUS_PAGE_URL: z.url().optional(),
    /** The university's own closure days (see `closureDaysSchema`): SLAs skip them. */
    INQUIRY_CLOSURE_DAYS: closureDaysSchema,
    /**
     * SLA targets in business hours, per category: `category=firstResponse/resolution`, comma-
     * separated; `default` covers the categories not named (and must be given).
     */
    INQUIRY_SLA_HOURS: z
      .union([
        z.string().transform((value, ctx): SlaTargets => {
          const parsed = parseSlaTargets(value);
          if (!('error' in parsed)) return parsed;
          ctx.addIssue({ code: 'custom', message: parsed.error });
          return z.NEVER;
        }),
        z.object({
          default: z.object({ firstResponse: z.number(), resolution: z.number() }),
          byCategory: z.record(
            z.string(),
            z.object({ firstResponse: z.number(), resolution: z.number() }),
          ),
        }),
      ])
      .prefault('default=8/40,partnership-proposal=16/80,media=4/16'),
    /** Where breach alerts go when an inquiry has no assignee (the group's shared mailbox). */
    INQUIRY_GROUP_EMAIL: z.email().default('international-projects@example.ac.jp'),
    /** The language of the desk's own alerts (SLA breaches). */
    INQUIRY_STAFF_LANGUAGE: z.enum(['en', 'ja']).default('ja'),
    /** Domain of the Message-IDs of our mails about inquiries (replies name them). */
    INQUIRY_MAIL_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+$/)
      .default('inquiries.strategic-partnerships'),
    /** Reply-To of our mails about inquiries: the mailbox the inbound listener receives for. */
    INQUIRY_REPLY_TO: z.email().optional(),
    /** Port of the inbound SMTP listener (replies by mail); unset: no listener. 0: a free port of the system's choosing. */
    INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Address the inbound SMTP listener binds to. */
    INBOUND_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    /** Clients the inbound SMTP listener serves at once (each may hold one mail in memory); more get 421 and retry. */
    INBOUND_SMTP_MAX_CLIENTS: z.coerce.number().int().min(1).max(1000).default(10),
    /** Bytes one inbound mail may have (larger: refused with SMTP 552). */
    INBOUND_MAIL_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(200 * MB)
      .default(25 * MB),
  })
  .superRefine(
    requiredInProduction(
      'STATUS_PAGE_URL',
      'the acknowledgement mail links to it (the default is this machine)',
    ),
  )
  .transform((c) => ({ ...c, STATUS_PAGE_URL: c.STATUS_PAGE_URL ?? DEV_STATUS_PAGE_URL }));
export type InquiriesConfig = z.infer<typeof configSchema>;
