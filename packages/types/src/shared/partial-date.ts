import { z } from 'zod';

/** How much of a date is known: a year ("in 2016"), a month ("January 2023") or the day. */
export const datePrecisions = ['year', 'month', 'day'] as const;
export const datePrecisionSchema = z.enum(datePrecisions);
export type DatePrecision = z.infer<typeof datePrecisionSchema>;

const lengths: Record<DatePrecision, number> = { year: 4, month: 7, day: 10 };

/**
 * A date known to the year, the month or the day: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, shown at
 * the precision it was recorded with. Stored as its first day plus the precision, and ordered
 * by that first day.
 */
export const partialDateSchema = z
  .string()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD')
  .refine((s) => splitPartialDate(s) !== undefined, 'is not a date in the calendar')
  .meta({ id: 'PartialDate', examples: ['2016', '2023-01', '2017-09-25'] });
export type PartialDate = z.infer<typeof partialDateSchema>;

/**
 * A partial date's first day (`YYYY-MM-DD`) and precision; undefined when it is no date
 * (`2023-13`, `2023-02-30`).
 */
export function splitPartialDate(
  value: string,
): { firstDay: string; precision: DatePrecision } | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!match) return undefined;
  const [, y, m, d] = match;
  const year = Number(y);
  const month = m === undefined ? 1 : Number(m);
  const day = d === undefined ? 1 : Number(d);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1000 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  const precision: DatePrecision = d !== undefined ? 'day' : m !== undefined ? 'month' : 'year';
  return { firstDay: `${y}-${m ?? '01'}-${d ?? '01'}`, precision };
}

/** A stored first day shown at its precision: (`2016-01-01`, `year`) → `2016`. */
export const joinPartialDate = (firstDay: string, precision: DatePrecision): PartialDate =>
  firstDay.slice(0, lengths[precision]);
