import { z } from 'zod';
import { queryList, uuid } from '../shared/common';

/** What `GET /search` finds. People (contacts, faculty leads) only for staff callers. */
export const searchKinds = ['partner', 'activity', 'contact', 'faculty-lead'] as const;
export const searchKindSchema = z.enum(searchKinds);
export type SearchKind = z.infer<typeof searchKindSchema>;

export const searchQuerySchema = z
  .object({
    /** Words in English or Japanese; every word must match (English words in any inflection). */
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((q) => /[\p{L}\p{N}]/u.test(q), { message: 'must contain a letter or a digit' }),
    /** Only these kinds of result. */
    kind: queryList(searchKindSchema).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();
export type SearchQuery = z.infer<typeof searchQuerySchema>;

/** A span of the snippet that matched the query: `[start, end)` in UTF-16 code units. */
export const searchHighlightSchema = z
  .object({ start: z.number().int().nonnegative(), end: z.number().int().positive() })
  .meta({ id: 'SearchHighlight' });

export const searchResultSchema = z
  .object({
    kind: searchKindSchema,
    id: uuid(),
    /** The English title (a partner's or person's English name, an activity's English title). */
    title: z.string(),
    titleJa: z.string().nullable(),
    /** The partner it belongs to (null for a faculty lead). */
    partnerId: uuid().nullable(),
    /** Plain text around the best match; `highlights` marks the matching spans in it. */
    snippet: z.string(),
    highlights: z.array(searchHighlightSchema),
    /** Relevance; higher is better. Comparable within one answer only. */
    score: z.number(),
    /** Where the caller reads the thing itself. */
    href: z.string(),
  })
  .meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof searchResultSchema>;

export const searchPageSchema = z.object({
  items: z.array(searchResultSchema),
  /** Pass as `cursor` (with the same `q` and `kind`) for the next results; `null` at the end. */
  nextCursor: z.string().nullable(),
});
export type SearchPage = z.infer<typeof searchPageSchema>;
