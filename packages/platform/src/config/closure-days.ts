import { z } from 'zod';
import { type Closure, parseClosures } from '../time/business-hours';

/**
 * The setting `INQUIRY_CLOSURE_DAYS`: the university's own closure days, on top of weekends and
 * national holidays: comma-separated `MM-DD` / `MM-DD..MM-DD` (every year; may wrap the year
 * end) or `YYYY-MM-DD` / `YYYY-MM-DD..YYYY-MM-DD` (once). Default: the year-end break. One
 * schema for both readers of business hours: the inquiries service (SLA due times) and the
 * worker (inquiry statistics), so the two read the setting alike.
 */
export const closureDaysSchema = z
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
  .prefault('12-29..01-03');
