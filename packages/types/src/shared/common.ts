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
