import { z } from 'zod';
import { isoDateSchema, isoDateTimeSchema, queryList, uuid } from '../shared/common';
import { partialDateSchema } from '../shared/partial-date';

export const agreementKinds = [
  'comprehensive',
  'strategic-partnership',
  'student-exchange',
  'research',
  'other',
] as const;
export const agreementKindSchema = z.enum(agreementKinds);
export type AgreementKind = z.infer<typeof agreementKindSchema>;

/**
 * Derived from the dates on the Tokyo day asked about: before its start `not-started`; after
 * its expiry `expired`; within AGREEMENT_EXPIRING_WINDOW_DAYS of its expiry `expiring`;
 * otherwise (an open-ended one too) `active`.
 */
export const agreementStatuses = ['not-started', 'active', 'expiring', 'expired'] as const;
export const agreementStatusSchema = z.enum(agreementStatuses);
export type AgreementStatus = z.infer<typeof agreementStatusSchema>;

/** Days before expiry at which the partner's UTokyo coordinator is reminded. */
export const agreementReminderThresholds = [180, 90, 30] as const;
export type AgreementReminderThreshold = (typeof agreementReminderThresholds)[number];

const text = (max: number) => z.string().trim().min(1).max(max);
const documentUrl = z
  .url({ protocol: /^https?$/ })
  .max(1000)
  .meta({ description: 'Where the signed document is kept (http or https).' });

const agreementFields = {
  kind: agreementKindSchema,
  title: text(300),
  /** Who signed, e.g. "President of the University of Tokyo". */
  signatories: z.array(text(300)).max(20),
  /** When it was signed, at the precision known (`2016`, `2023-01`, `2017-09-25`). */
  signedOn: partialDateSchema.nullable(),
  /** First day in force; before it the agreement is `not-started`. */
  startsOn: isoDateSchema.nullable(),
  /** Last day in force; null for an open-ended agreement. */
  expiresOn: isoDateSchema.nullable(),
  /** Renews itself unless a party gives notice (reminders still go out). */
  autoRenewal: z.boolean(),
  documentUrl: documentUrl.nullable(),
  note: z.string().trim().max(2000).nullable(),
};

const expiryAfterStart = (v: { startsOn?: string | null; expiresOn?: string | null }) =>
  !v.startsOn || !v.expiresOn || v.expiresOn >= v.startsOn;
const expiryAfterStartIssue = {
  message: 'cannot be before startsOn',
  path: ['expiresOn'],
};

export const agreementCreateSchema = z
  .object({
    ...agreementFields,
    signatories: agreementFields.signatories.default([]),
    signedOn: agreementFields.signedOn.optional(),
    startsOn: agreementFields.startsOn.optional(),
    expiresOn: agreementFields.expiresOn.optional(),
    autoRenewal: agreementFields.autoRenewal.default(false),
    documentUrl: agreementFields.documentUrl.optional(),
    note: agreementFields.note.optional(),
  })
  .strict()
  .refine(expiryAfterStart, expiryAfterStartIssue);
export type AgreementCreate = z.infer<typeof agreementCreateSchema>;

/** Corrects the given fields; a new term is a renewal (`POST /agreements/{id}/renewals`). */
export const agreementUpdateSchema = z
  .object(agreementFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field must be given' })
  .refine(expiryAfterStart, expiryAfterStartIssue);
export type AgreementUpdate = z.infer<typeof agreementUpdateSchema>;

export const agreementRenewalCreateSchema = z
  .object({
    /** The new last day in force (after the current one); null makes it open-ended. */
    expiresOn: isoDateSchema.nullable(),
    /** When it was renewed, at the precision known; today (Tokyo) if not given. */
    renewedOn: partialDateSchema.optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
export type AgreementRenewalCreate = z.infer<typeof agreementRenewalCreateSchema>;

export const agreementRenewalSchema = z
  .object({
    renewedOn: partialDateSchema,
    previousExpiresOn: isoDateSchema.nullable(),
    newExpiresOn: isoDateSchema.nullable(),
    note: z.string().nullable(),
    /** The member of staff who recorded it; absent for partner tokens (UTokyo personal data). */
    recordedBy: z.string().nullable().optional(),
    recordedAt: isoDateTimeSchema,
  })
  .meta({ id: 'AgreementRenewal' });
export type AgreementRenewal = z.infer<typeof agreementRenewalSchema>;

export const agreementSchema = z
  .object({
    id: uuid(),
    partnerId: uuid(),
    ...agreementFields,
    status: agreementStatusSchema,
    /** In the order they were recorded, oldest first: a chain of expiries. */
    renewals: z.array(agreementRenewalSchema),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    /** Raised by every committed change; the ETag is `"<version>"`, sent back as `If-Match`. */
    version: z.number().int().positive(),
  })
  .meta({ id: 'Agreement' });
export type Agreement = z.infer<typeof agreementSchema>;

/**
 * One agreement as a whole response (`GET /agreements/{id}`): the same fields, named by its
 * DTO in the OpenAPI document (`Agreement` is the one nested in lists and partner details).
 */
export const agreementDetailSchema = agreementSchema.extend({});

export const agreementListQuerySchema = z
  .object({
    status: queryList(agreementStatusSchema).optional(),
    kind: queryList(agreementKindSchema).optional(),
  })
  .strict();
export type AgreementListQuery = z.infer<typeof agreementListQuerySchema>;

/** Agreements across partners (`GET /agreements`), e.g. every one `expiring` this quarter. */
export const agreementSearchQuerySchema = agreementListQuerySchema
  .extend({ partnerId: queryList(uuid()).optional() })
  .strict();
export type AgreementSearchQuery = z.infer<typeof agreementSearchQuerySchema>;

/** A partner's agreements, oldest signing first (an undated one last). */
export const agreementListSchema = z.object({ items: z.array(agreementSchema) });
export type AgreementList = z.infer<typeof agreementListSchema>;

/** What `agreement.*` events carry (topic `registry-records`). */
export const agreementSnapshotSchema = z.object({
  id: uuid(),
  partnerId: uuid(),
  kind: agreementKindSchema,
  title: z.string(),
  startsOn: isoDateSchema.nullable(),
  expiresOn: isoDateSchema.nullable(),
  autoRenewal: z.boolean(),
  updatedAt: isoDateTimeSchema,
  version: z.number().int().positive(),
});
export type AgreementSnapshot = z.infer<typeof agreementSnapshotSchema>;

/** Registry records' events (topic `registry-records`, no consumer yet). Never rename one. */
export const agreementEvents = {
  'agreement.created': agreementSnapshotSchema,
  'agreement.updated': agreementSnapshotSchema,
  'agreement.renewed': agreementSnapshotSchema.extend({
    previousExpiresOn: isoDateSchema.nullable(),
  }),
} as const;
