import { z } from 'zod';
import {
  bilingualInput,
  bilingualTextSchema,
  localizedTextSchema,
  requiredBilingualInput,
} from '../shared/bilingual';
import {
  campusSchema,
  isoDateSchema,
  isoDateTimeSchema,
  languageSchema,
  uuid,
} from '../shared/common';

/** In order: each status's usual successor is the next one (the rule in apps/symposium says which moves are allowed). */
export const symposiumStatuses = [
  'planned',
  'announced',
  'registration-open',
  'registration-closed',
  'held',
  'report-published',
] as const;
export const symposiumStatusSchema = z.enum(symposiumStatuses);
export type SymposiumStatus = z.infer<typeof symposiumStatusSchema>;

export const symposiumFormats = ['in-person', 'online', 'hybrid'] as const;
export const symposiumFormatSchema = z.enum(symposiumFormats);
export type SymposiumFormat = z.infer<typeof symposiumFormatSchema>;

export const documentKinds = [
  'report',
  'announcement',
  'panel-summary',
  'slides',
  'video',
  'programme',
  'other',
] as const;
export const documentKindSchema = z.enum(documentKinds);
export type DocumentKind = z.infer<typeof documentKindSchema>;

export const participantsQualifierSchema = z.enum(['about', 'over', 'exactly']);
export type ParticipantsQualifier = z.infer<typeof participantsQualifierSchema>;

/** A wall-clock time, `HH:MM` (24 h), in the symposium's time zone. */
export const clockTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:MM (24 h)');

/** The IANA name the runtime resolves `tz` to (`asia/tokyo` → `Asia/Tokyo`), or undefined. */
export const resolvedZone = (tz: string): string | undefined => {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
};

/**
 * An IANA time zone name, e.g. `Asia/Tokyo`, stored as the runtime spells it. Abbreviations
 * are refused: the runtime took `JST` for Asia/Tokyo but `IST` for India and `BST` for
 * Bangladesh, Postgres (which computes reminder times) `IST` for Israel and `BST` for Britain,
 * and the calendar file had no VTIMEZONE for them (found by helper-41's review).
 */
export const timeZoneSchema = z
  .string()
  .trim()
  .refine((tz) => (tz.includes('/') || /^(utc|gmt)$/i.test(tz)) && resolvedZone(tz) !== undefined, {
    message: 'must be an IANA time zone name, e.g. Asia/Tokyo (not an abbreviation such as JST)',
  })
  .overwrite((tz) => resolvedZone(tz) ?? tz);

const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

/** An uploaded file of a document: what the content was checked to be, and where to fetch it. */
export const documentFileSchema = z.object({
  contentType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  fileName: z.string().nullable(),
  /** Path of the download (served as an attachment). */
  href: z.string(),
});
export type DocumentFile = z.infer<typeof documentFileSchema>;

/** A document as readers see it: the title in their language (or marked as a fallback). */
export const symposiumDocumentSchema = z
  .object({
    id: uuid(),
    kind: documentKindSchema,
    /** The language the document itself is written in. */
    language: languageSchema,
    title: localizedTextSchema,
    url: z.string().nullable(),
    file: documentFileSchema.nullable(),
    /** Where it appeared, e.g. "Topics (March 2019)". */
    publishedIn: z.string().nullable(),
    published: z.boolean(),
  })
  .meta({ id: 'SymposiumDocument' });
export type SymposiumDocument = z.infer<typeof symposiumDocumentSchema>;

/** A document as stored (staff): both titles. */
export const symposiumDocumentRecordSchema = symposiumDocumentSchema
  .extend({
    symposiumId: uuid(),
    title: bilingualTextSchema,
    position: z.number().int(),
    version: z.number().int(),
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: 'SymposiumDocumentRecord' });
export type SymposiumDocumentRecord = z.infer<typeof symposiumDocumentRecordSchema>;

export const symposiumDocumentCreateSchema = z
  .object({
    kind: documentKindSchema,
    language: languageSchema,
    title: requiredBilingualInput(300),
    /** A link (a report PDF, a video); leave out and upload a file instead. */
    url: httpUrl.nullable().optional(),
    publishedIn: z.string().trim().min(1).max(200).nullable().optional(),
    /** Default false: a draft. */
    published: z.boolean().optional(),
    /** Order among the symposium's documents (default 0, then by creation). */
    position: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
export type SymposiumDocumentCreate = z.infer<typeof symposiumDocumentCreateSchema>;

export const symposiumDocumentUpdateSchema = z
  .object({
    kind: documentKindSchema,
    language: languageSchema,
    /** Languages given replace the stored ones (`null` removes one); one must remain. */
    title: bilingualInput(300),
    url: httpUrl.nullable(),
    publishedIn: z.string().trim().min(1).max(200).nullable(),
    published: z.boolean(),
    position: z.number().int().min(0).max(1000),
  })
  .partial()
  .strict();
export type SymposiumDocumentUpdate = z.infer<typeof symposiumDocumentUpdateSchema>;

const symposiumCommon = {
  id: uuid(),
  /** Ordinal of the UTokyo Strategic Partnership Symposium; null for one outside the numbered series. */
  edition: z.number().int().nullable(),
  heldOn: isoDateSchema,
  /** Start and end, wall-clock times in `timeZone`; null when not (yet) known. */
  startsAt: clockTimeSchema.nullable(),
  endsAt: clockTimeSchema.nullable(),
  timeZone: z.string(),
  campus: campusSchema.nullable(),
  format: symposiumFormatSchema.nullable(),
  streamUrl: z.string().nullable(),
  expectedAttendance: z.number().int().nullable(),
  status: symposiumStatusSchema,
  /** Participant count as published ("about 70", "over 100"): the number and how it was qualified. */
  participants: z.number().int().nullable(),
  participantsQualifier: participantsQualifierSchema.nullable(),
  organiser: z.string().nullable(),
};

/** A symposium as readers see it: texts in the language served (`Content-Language`). */
export const symposiumSchema = z
  .object({
    ...symposiumCommon,
    title: localizedTextSchema,
    description: localizedTextSchema.nullable(),
    venue: localizedTextSchema.nullable(),
    note: localizedTextSchema.nullable(),
    documents: z.array(symposiumDocumentSchema),
  })
  .meta({ id: 'Symposium' });
export type Symposium = z.infer<typeof symposiumSchema>;

/** A symposium as stored, for staff editing it: both languages of every text, and its version. */
export const symposiumRecordSchema = z
  .object({
    ...symposiumCommon,
    title: bilingualTextSchema,
    description: bilingualTextSchema,
    venue: bilingualTextSchema,
    note: bilingualTextSchema,
    /** The statuses it may move to next. */
    nextStatuses: z.array(symposiumStatusSchema),
    version: z.number().int(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    documents: z.array(symposiumDocumentRecordSchema),
  })
  .meta({ id: 'SymposiumRecord' });
export type SymposiumRecord = z.infer<typeof symposiumRecordSchema>;

const symposiumFields = {
  edition: z.number().int().min(1).max(1000).nullable(),
  title: requiredBilingualInput(300),
  description: bilingualInput(10_000),
  heldOn: isoDateSchema,
  startsAt: clockTimeSchema.nullable(),
  endsAt: clockTimeSchema.nullable(),
  timeZone: timeZoneSchema,
  campus: campusSchema.nullable(),
  venue: bilingualInput(300),
  format: symposiumFormatSchema.nullable(),
  streamUrl: httpUrl.nullable(),
  expectedAttendance: z.number().int().min(0).max(100_000).nullable(),
  participants: z.number().int().min(0).max(100_000).nullable(),
  participantsQualifier: participantsQualifierSchema.nullable(),
  organiser: z.string().trim().min(1).max(300).nullable(),
  note: bilingualInput(2000),
};

/** A new symposium: it starts `planned`; the status moves only through `PUT /symposiums/{id}/status`. */
export const symposiumCreateSchema = z
  .object({
    ...symposiumFields,
    edition: symposiumFields.edition.optional(),
    description: symposiumFields.description.optional(),
    startsAt: symposiumFields.startsAt.optional(),
    endsAt: symposiumFields.endsAt.optional(),
    /** Default Asia/Tokyo. */
    timeZone: timeZoneSchema.optional(),
    campus: symposiumFields.campus.optional(),
    venue: symposiumFields.venue.optional(),
    format: symposiumFields.format.optional(),
    streamUrl: symposiumFields.streamUrl.optional(),
    expectedAttendance: symposiumFields.expectedAttendance.optional(),
    participants: symposiumFields.participants.optional(),
    participantsQualifier: symposiumFields.participantsQualifier.optional(),
    organiser: symposiumFields.organiser.optional(),
    note: symposiumFields.note.optional(),
  })
  .strict();
export type SymposiumCreate = z.infer<typeof symposiumCreateSchema>;

/** The fields to change. In a bilingual text, the languages given replace the stored ones (`null` removes one). */
export const symposiumUpdateSchema = z
  .object({ ...symposiumFields, title: bilingualInput(300) })
  .partial()
  .strict();
export type SymposiumUpdate = z.infer<typeof symposiumUpdateSchema>;

export const symposiumStatusChangeSchema = z.object({ status: symposiumStatusSchema }).strict();
export type SymposiumStatusChange = z.infer<typeof symposiumStatusChangeSchema>;

export const symposiumListQuerySchema = z
  .object({
    order: z.enum(['asc', 'desc']).default('asc'),
    status: symposiumStatusSchema.optional(),
    lang: languageSchema.optional(),
  })
  .strict();
export type SymposiumListQuery = z.infer<typeof symposiumListQuerySchema>;

export const symposiumReadQuerySchema = z.object({ lang: languageSchema.optional() }).strict();
export type SymposiumReadQuery = z.infer<typeof symposiumReadQuerySchema>;

export const symposiumListSchema = z.object({ items: z.array(symposiumSchema) });
export type SymposiumList = z.infer<typeof symposiumListSchema>;

/** One symposium of the public archive: what was held, with its published documents. */
export const archiveEntrySchema = symposiumSchema
  .pick({
    id: true,
    edition: true,
    title: true,
    heldOn: true,
    campus: true,
    venue: true,
    format: true,
    status: true,
    participants: true,
    participantsQualifier: true,
    documents: true,
  })
  .meta({ id: 'ArchiveEntry' });
export type ArchiveEntry = z.infer<typeof archiveEntrySchema>;

export const archiveSchema = z.object({ items: z.array(archiveEntrySchema) });
export type Archive = z.infer<typeof archiveSchema>;

/** What another service may hear of a symposium (topic `symposium-events`). */
export const symposiumSnapshotSchema = z.object({
  id: uuid(),
  edition: z.number().int().nullable(),
  title: bilingualTextSchema,
  heldOn: isoDateSchema,
  status: symposiumStatusSchema,
  version: z.number().int(),
});
export type SymposiumSnapshot = z.infer<typeof symposiumSnapshotSchema>;
