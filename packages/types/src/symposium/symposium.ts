import { z } from 'zod';
import { campusSchema, isoDateSchema, languageSchema } from '../shared/common';

export const symposiumStatuses = [
  'planned',
  'announced',
  'registration-open',
  'closed',
  'held',
  'report-published',
] as const;
export const symposiumStatusSchema = z.enum(symposiumStatuses);
export type SymposiumStatus = z.infer<typeof symposiumStatusSchema>;

export const symposiumFormatSchema = z.enum(['in-person', 'online', 'hybrid']);
export type SymposiumFormat = z.infer<typeof symposiumFormatSchema>;

export const documentKinds = [
  'report',
  'announcement',
  'panel-summary',
  'video',
  'programme',
  'other',
] as const;
export const documentKindSchema = z.enum(documentKinds);
export type DocumentKind = z.infer<typeof documentKindSchema>;

export const symposiumDocumentSchema = z
  .object({
    id: z.uuid(),
    kind: documentKindSchema,
    language: languageSchema,
    title: z.string(),
    url: z.string().nullable(),
    /** Where it appeared, e.g. "Topics (March 2019)". */
    publishedIn: z.string().nullable(),
    published: z.boolean(),
  })
  .meta({ id: 'SymposiumDocument' });
export type SymposiumDocument = z.infer<typeof symposiumDocumentSchema>;

export const symposiumSchema = z
  .object({
    id: z.uuid(),
    /** Ordinal of the UTokyo Strategic Partnership Symposium; null for one outside the numbered series. */
    edition: z.number().int().nullable(),
    titleEn: z.string(),
    titleJa: z.string().nullable(),
    heldOn: isoDateSchema,
    campus: campusSchema.nullable(),
    venue: z.string().nullable(),
    format: symposiumFormatSchema.nullable(),
    streamUrl: z.string().nullable(),
    status: symposiumStatusSchema,
    /** Participant count as published ("about 70", "over 100"): the number and how it was qualified. */
    participants: z.number().int().nullable(),
    participantsQualifier: z.enum(['about', 'over', 'exactly']).nullable(),
    organiser: z.string().nullable(),
    note: z.string().nullable(),
    documents: z.array(symposiumDocumentSchema),
  })
  .meta({ id: 'Symposium' });
export type Symposium = z.infer<typeof symposiumSchema>;

export const symposiumListQuerySchema = z
  .object({
    order: z.enum(['asc', 'desc']).default('asc'),
    status: symposiumStatusSchema.optional(),
  })
  .strict();
export type SymposiumListQuery = z.infer<typeof symposiumListQuerySchema>;

export const symposiumListSchema = z.object({ items: z.array(symposiumSchema) });
export type SymposiumList = z.infer<typeof symposiumListSchema>;
