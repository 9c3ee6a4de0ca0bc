import { z } from 'zod';

/**
 * A UUID, in lower case whatever case it was given in. `z.uuid()` takes either case, but Postgres
 * writes every UUID in lower case, and an id is also used as text: an audit row's `entity_id`, a
 * file's storage key, an event's payload, a `Set` that removes repeated ids. In upper case it
 * matched none of them (found by the fuzz suite: a 500 on an upload, a 409 on a faculty lead's
 * partners). Every id in a contract is this one; ESLint refuses `z.uuid()` elsewhere.
 * Lower-casing is a zod overwrite: the JSON Schema (and so the OpenAPI documents) is unchanged.
 */
// eslint-disable-next-line no-restricted-syntax -- the one place that defines it
export const uuid = () => z.uuid().toLowerCase();

export const uuidSchema = uuid();
export const idParamsSchema = z.object({ id: uuid() });
export type IdParams = z.infer<typeof idParamsSchema>;

/**
 * What a one-line field may not hold: control characters (line breaks, tabs, NUL), line and
 * paragraph separators, and the bidi overrides and isolates that reorder what a reader sees.
 */
const BREAKING = '[\\p{Cc}\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]';
const NOT_ONE_LINE = new RegExp(BREAKING, 'u');
/** Each run of those characters, with the white space around it. */
const BREAKS = new RegExp(`\\s*${BREAKING}+\\s*`, 'gu');

/** `text` on one line: each run of what `singleLine` refuses becomes a space. */
export const toOneLine = (text: string): string => text.replace(BREAKS, ' ');

/** One line of text (a subject, an organisation), trimmed, 1 to `max` characters. */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !NOT_ONE_LINE.test(text), {
      message: 'must be one line, without line breaks or control characters',
      // One problem per field: a name with paragraphs is not also told it holds a link.
      abort: true,
    });

/** A web address as mail programs make links of it: a scheme, `www.`, or a host and a path. */
const LINK_LIKE = /:\/\/|\bwww\.|[a-z0-9-]\.[a-z]{2,}\//i;

/**
 * A person's name as the public gives it: one line and no web address. Mail the university
 * sends to an address no one has proven (an inquiry's acknowledgement, a registration's
 * confirmation) greets them by it, so a name with paragraphs or a link would put a stranger's
 * words, and a link to their site, into the university's own mail.
 */
export const personName = (max: number) =>
  singleLine(max).refine((name) => !LINK_LIKE.test(name), {
    message: 'must be a name, not a web address',
  });

/** A calendar date, `YYYY-MM-DD`. */
export const isoDateSchema = z.iso.date();
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

export const languageSchema = z.enum(['en', 'ja']);
export type Language = z.infer<typeof languageSchema>;

/** ISO 3166-1 alpha-2, upper case. */
export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. "GB"');

export const campusSchema = z.enum(['hongo', 'komaba', 'kashiwa']);
export type Campus = z.infer<typeof campusSchema>;

/** Opaque keyset cursor and page size shared by every list endpoint. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    /** Pass as `cursor` to get the next page; `null` on the last page. */
    nextCursor: z.string().nullable(),
  });

/**
 * A list in a query string: `a,b`, or the key repeated (`?x=a&x=b`). Items are trimmed and
 * de-duplicated, then each is checked by `item`.
 */
export const queryList = <T extends z.ZodType>(item: T, max = 50) =>
  z.preprocess((v: unknown): unknown[] => {
    const given: unknown[] = Array.isArray(v) ? (v as unknown[]) : [v];
    const parts = given.flatMap((s) => (typeof s === 'string' ? s.split(',') : [s]));
    return [...new Set(parts.map((s) => (typeof s === 'string' ? s.trim() : s)))];
  }, z.array(item).min(1).max(max));
