import { z } from 'zod';
import {
  bilingualInput,
  bilingualTextSchema,
  localizedTextSchema,
  requiredBilingualInput,
} from '../shared/bilingual';
import { isoDateTimeSchema, languageSchema, uuid } from '../shared/common';

export const sessionKinds = ['keynote', 'talk', 'panel-discussion', 'break', 'networking'] as const;
export const sessionKindSchema = z.enum(sessionKinds);
export type SessionKind = z.infer<typeof sessionKindSchema>;

/** What a person does in a session. */
export const sessionRoles = ['chair', 'moderator', 'speaker', 'panelist'] as const;
export const sessionRoleSchema = z.enum(sessionRoles);
export type SessionRole = z.infer<typeof sessionRoleSchema>;

export const sessionPersonInputSchema = z
  .object({
    role: sessionRoleSchema,
    name: requiredBilingualInput(200),
    affiliation: bilingualInput(300).optional(),
    /** A partner of the local partner snapshot the person speaks for. */
    partnerId: uuid().nullable().optional(),
  })
  .strict();
export type SessionPersonInput = z.infer<typeof sessionPersonInputSchema>;

const sessionFields = {
  kind: sessionKindSchema,
  title: requiredBilingualInput(300),
  description: bilingualInput(5000),
  startsAt: isoDateTimeSchema,
  endsAt: isoDateTimeSchema,
  /** Two sessions in one room never overlap (a session may start when the previous one ends). */
  room: z.string().trim().min(1).max(100).nullable(),
  /** Chair or moderator, speakers and panellists, in the order shown. */
  people: z.array(sessionPersonInputSchema).max(50),
};

export const sessionCreateSchema = z
  .object({
    ...sessionFields,
    description: sessionFields.description.optional(),
    room: sessionFields.room.optional(),
    people: sessionFields.people.optional(),
  })
  .strict();
export type SessionCreate = z.infer<typeof sessionCreateSchema>;

/** The fields to change; `people`, when given, replaces the list. */
export const sessionUpdateSchema = z
  .object({ ...sessionFields, title: bilingualInput(300) })
  .partial()
  .strict();
export type SessionUpdate = z.infer<typeof sessionUpdateSchema>;

export const sessionIdParamsSchema = z.object({ id: uuid(), sessionId: uuid() });

const partnerRefRecord = z.object({
  id: uuid(),
  name: bilingualTextSchema,
  country: z.string(),
});

export const sessionPersonRecordSchema = z.object({
  role: sessionRoleSchema,
  name: bilingualTextSchema,
  affiliation: bilingualTextSchema,
  partner: partnerRefRecord.nullable(),
});
export type SessionPersonRecord = z.infer<typeof sessionPersonRecordSchema>;

/** A session as stored (staff): both languages, and its version for If-Match. */
export const sessionRecordSchema = z
  .object({
    id: uuid(),
    symposiumId: uuid(),
    kind: sessionKindSchema,
    title: bilingualTextSchema,
    description: bilingualTextSchema,
    startsAt: isoDateTimeSchema,
    endsAt: isoDateTimeSchema,
    room: z.string().nullable(),
    people: z.array(sessionPersonRecordSchema),
    version: z.number().int(),
  })
  .meta({ id: 'SessionRecord' });
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** The programme being edited, and when it was last published (null: never). */
export const programmeDraftSchema = z.object({
  symposiumId: uuid(),
  timeZone: z.string(),
  publishedAt: isoDateTimeSchema.nullable(),
  sessions: z.array(sessionRecordSchema),
});
export type ProgrammeDraft = z.infer<typeof programmeDraftSchema>;

export const sessionPersonSchema = z.object({
  role: sessionRoleSchema,
  name: localizedTextSchema,
  affiliation: localizedTextSchema.nullable(),
  partner: z.object({ id: uuid(), name: localizedTextSchema, country: z.string() }).nullable(),
});

export const programmeSessionSchema = z
  .object({
    id: uuid(),
    kind: sessionKindSchema,
    title: localizedTextSchema,
    description: localizedTextSchema.nullable(),
    startsAt: isoDateTimeSchema,
    endsAt: isoDateTimeSchema,
    room: z.string().nullable(),
    people: z.array(sessionPersonSchema),
  })
  .meta({ id: 'ProgrammeSession' });
export type ProgrammeSession = z.infer<typeof programmeSessionSchema>;

/** The published programme, in the language served. */
export const programmeSchema = z.object({
  symposiumId: uuid(),
  title: localizedTextSchema,
  timeZone: z.string(),
  publishedAt: isoDateTimeSchema,
  language: languageSchema,
  sessions: z.array(programmeSessionSchema),
});
export type Programme = z.infer<typeof programmeSchema>;
