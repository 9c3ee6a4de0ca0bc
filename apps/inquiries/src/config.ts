import { serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';
import { type Closure, parseClosures } from './common/business-hours';
import { parseSlaTargets, type SlaTargets } from './common/sla-targets';

export const configSchema = serviceConfigSchema(3003).extend({
  /**
   * The university's own closure days, on top of weekends and national holidays: comma-separated
   * `MM-DD` / `MM-DD..MM-DD` (every year; may wrap the year end) or `YYYY-MM-DD` /
   * `YYYY-MM-DD..YYYY-MM-DD` (once). Default: the year-end break.
   */
  INQUIRY_CLOSURE_DAYS: z
    .union([
      z.string().transform((value, ctx): Closure[] => {
        const parsed = parseClosures(value);
        if (!('error' in parsed)) return parsed;
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }),
      // Already parsed (a config parsed again).
      z.array(
        z.object({
          kind: z.enum(['date', 'yearly']),
          from: z.string(),
          to: z.string(),
        }),
      ),
    ])
    .prefault('12-29..01-03'),
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
});
export type InquiriesConfig = z.infer<typeof configSchema>;
