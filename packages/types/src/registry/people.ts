import { z } from 'zod';
import { isoDateTimeSchema, pageOf, pageQuerySchema, uuid } from '../shared/common';

// People of the registry: partner-side contacts and UTokyo faculty leads. Personal data: staff
// read all of it; a partner's token reads and maintains only its own partner's contacts; no
// public route carries any of it.

const text = (max: number) => z.string().trim().min(1).max(max);

/** A language a person works in: an ISO 639 code, optionally with a region (`en`, `pt-BR`). */
export const languageTagSchema = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be an ISO 639 language code such as "en" or "pt-BR"');

const email = z.email().max(320).toLowerCase();
/** A phone number as dialled internationally: `+`, digits, spaces, dashes, brackets. */
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{5,40}$/, 'must be a phone number such as "+41 44 632 11 11"');

export const contactCreateSchema = z
  .object({
    nameEn: text(200),
    nameJa: text(200).nullish(),
    /** The person's role at the partner, e.g. "Head of International Office". */
    role: text(200).nullish(),
    email,
    phone: phone.nullish(),
    languages: z.array(languageTagSchema).max(10).default([]),
    note: z.string().trim().max(2000).nullish(),
  })
  .strict();
export type ContactCreate = z.infer<typeof contactCreateSchema>;

export const contactUpdateSchema = z
  .object({
    nameEn: text(200),
    nameJa: text(200).nullable(),
    role: text(200).nullable(),
    email,
    phone: phone.nullable(),
    languages: z.array(languageTagSchema).max(10),
    note: z.string().trim().max(2000).nullable(),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field must be given' });
export type ContactUpdate = z.infer<typeof contactUpdateSchema>;

export const contactSchema = z.object({
  id: uuid(),
  partnerId: uuid(),
  nameEn: z.string(),
  nameJa: z.string().nullable(),
  role: z.string().nullable(),
  email: z.string(),
  phone: z.string().nullable(),
  languages: z.array(z.string()),
  note: z.string().nullable(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  /** Raised by every committed change; the ETag is `"<version>"`, sent back as `If-Match`. */
  version: z.number().int().positive(),
});
export type Contact = z.infer<typeof contactSchema>;

export const contactListQuerySchema = pageQuerySchema.strict();
export type ContactListQuery = z.infer<typeof contactListQuerySchema>;
export const contactPageSchema = pageOf(contactSchema);
export type ContactPage = z.infer<typeof contactPageSchema>;

/** The partners a faculty lead leads with: a set, replaced as a whole on update. */
const partnerIds = z
  .array(uuid())
  .max(50)
  .transform((ids) => [...new Set(ids)]);

export const facultyLeadCreateSchema = z
  .object({
    nameEn: text(200),
    nameJa: text(200).nullish(),
    /** The UTokyo department, graduate school or institute, e.g. "Graduate School of Engineering". */
    department: text(200),
    email,
    phone: phone.nullish(),
    partnerIds: partnerIds.default([]),
  })
  .strict();
export type FacultyLeadCreate = z.infer<typeof facultyLeadCreateSchema>;

export const facultyLeadUpdateSchema = z
  .object({
    nameEn: text(200),
    nameJa: text(200).nullable(),
    department: text(200),
    email,
    phone: phone.nullable(),
    partnerIds,
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field must be given' });
export type FacultyLeadUpdate = z.infer<typeof facultyLeadUpdateSchema>;

export const leadPartnerSchema = z
  .object({ id: uuid(), nameEn: z.string(), nameJa: z.string().nullable() })
  .meta({ id: 'LeadPartner' });

export const facultyLeadSchema = z.object({
  id: uuid(),
  nameEn: z.string(),
  nameJa: z.string().nullable(),
  department: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  /** The partners this person leads with, by English name. */
  partners: z.array(leadPartnerSchema),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  version: z.number().int().positive(),
});
export type FacultyLead = z.infer<typeof facultyLeadSchema>;

export const facultyLeadListQuerySchema = pageQuerySchema
  .extend({
    /** Only the leads of this partner. */
    partnerId: uuid().optional(),
    /** Only this department (exact, case-insensitive). */
    department: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type FacultyLeadListQuery = z.infer<typeof facultyLeadListQuerySchema>;
export const facultyLeadPageSchema = pageOf(facultyLeadSchema);
export type FacultyLeadPage = z.infer<typeof facultyLeadPageSchema>;

// Events on the `registry-records` topic. Payloads carry ids and what changed, not the
// personal data itself: the outbox is kept for its retention period and read by operators.
export const contactEventSchema = z.object({
  id: uuid(),
  partnerId: uuid(),
  version: z.number().int().nonnegative(),
  /** The fields the change touched (names only). */
  fields: z.array(z.string()),
});
export const facultyLeadEventSchema = z.object({
  id: uuid(),
  partnerIds: z.array(uuid()),
  version: z.number().int().nonnegative(),
  fields: z.array(z.string()),
});

/** Events about people (topic `registry-records`). Names are `domain.event`; never rename one. */
export const peopleEvents = {
  'contact.created': contactEventSchema,
  'contact.updated': contactEventSchema,
  'contact.deleted': contactEventSchema,
  'faculty-lead.created': facultyLeadEventSchema,
  'faculty-lead.updated': facultyLeadEventSchema,
} as const;
