import { z } from 'zod';
import {
  isoDateTimeSchema,
  languageSchema,
  pageOf,
  pageQuerySchema,
  queryList,
  uuid,
} from '../shared/common';
import {
  attachmentSchema,
  inquiryAuthorKinds,
  inquiryCategorySchema,
  inquiryChannels,
  inquiryStateSchema,
  inquiryVisibilities,
} from './inquiry';

/** The SLA clocks: the first public staff reply, and resolution. */
export const slaKinds = ['first-response', 'resolution'] as const;
export const slaKindSchema = z.enum(slaKinds);
export type SlaKind = z.infer<typeof slaKindSchema>;

const flag = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
  .optional();

/** `GET /inquiries`: the desk's list, newest first, in keyset pages. */
export const inquiryListQuerySchema = pageQuerySchema
  .extend({
    state: queryList(inquiryStateSchema).optional(),
    category: queryList(inquiryCategorySchema).optional(),
    /** A staff member's subject; `none` for unassigned inquiries. */
    assignee: z.string().trim().min(1).max(200).optional(),
    partnerId: uuid().optional(),
    symposiumId: uuid().optional(),
    /** `true`: past a due time not met yet (first response or resolution); `false`: not. */
    overdue: flag,
    /** Words found in the subject, the reference, the inquirer's name or address, or any message. */
    q: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type InquiryListQuery = z.infer<typeof inquiryListQuerySchema>;

/** A partner linked to an inquiry, from the service's local snapshot of the registry. */
export const linkedPartnerSchema = z
  .object({ id: uuid(), nameEn: z.string(), country: z.string(), status: z.string() })
  .meta({ id: 'InquiryLinkedPartner' });

export const inquirySummarySchema = z
  .object({
    id: uuid(),
    reference: z.string(),
    state: inquiryStateSchema,
    category: inquiryCategorySchema,
    subject: z.string(),
    name: z.string(),
    email: z.string(),
    organisation: z.string().nullable(),
    country: z.string().nullable(),
    language: languageSchema,
    assignee: z.string().nullable(),
    assigneeEmail: z.string().nullable(),
    partnerId: uuid().nullable(),
    symposiumId: uuid().nullable(),
    /** Set when this inquiry was merged into another as a duplicate (it is closed then). */
    mergedIntoId: uuid().nullable(),
    firstResponseDueAt: isoDateTimeSchema.nullable(),
    resolutionDueAt: isoDateTimeSchema.nullable(),
    firstResponseAt: isoDateTimeSchema.nullable(),
    resolvedAt: isoDateTimeSchema.nullable(),
    /** Past a due time not met yet (at the time of the answer). */
    overdue: z.boolean(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    /** The ETag is `"<version>"`, sent back as `If-Match`. */
    version: z.number().int().positive(),
  })
  .meta({ id: 'InquirySummary' });
export type InquirySummary = z.infer<typeof inquirySummarySchema>;

export const inquiryPageSchema = pageOf(inquirySummarySchema);
export type InquiryPage = z.infer<typeof inquiryPageSchema>;

/** A message as the desk sees it: internal notes included, with who wrote it and how it came. */
export const deskMessageSchema = z
  .object({
    id: uuid(),
    authorKind: z.enum(inquiryAuthorKinds),
    authorId: z.string().nullable(),
    visibility: z.enum(inquiryVisibilities),
    channel: z.enum(inquiryChannels),
    body: z.string(),
    /** The mail's Message-ID (a reply we sent, or a mail we received). */
    messageId: z.string().nullable(),
    attachments: z.array(attachmentSchema),
    createdAt: isoDateTimeSchema,
  })
  .meta({ id: 'InquiryDeskMessage' });
export type DeskMessage = z.infer<typeof deskMessageSchema>;

export const slaBreachSchema = z
  .object({
    kind: slaKindSchema,
    dueAt: isoDateTimeSchema,
    detectedAt: isoDateTimeSchema,
    /** Whom the alert went to. */
    notified: z.string(),
  })
  .meta({ id: 'InquirySlaBreach' });
export type SlaBreach = z.infer<typeof slaBreachSchema>;

export const inquiryDetailSchema = inquirySummarySchema.extend({
  categoryFields: z.record(z.string(), z.unknown()),
  partner: linkedPartnerSchema.nullable(),
  /** The whole thread, oldest first, internal notes included. */
  messages: z.array(deskMessageSchema),
  breaches: z.array(slaBreachSchema),
  /** References of the duplicates merged into this inquiry. */
  merged: z.array(z.object({ id: uuid(), reference: z.string() })),
});
export type InquiryDetail = z.infer<typeof inquiryDetailSchema>;

/**
 * `PATCH /inquiries/{id}`: assign or reassign (`assignee: null` unassigns), move the state
 * (guarded), change the category (the due times follow), link a partner or a symposium
 * (`null` unlinks). Needs `If-Match`.
 */
export const inquiryUpdateSchema = z
  .object({
    state: inquiryStateSchema.optional(),
    category: inquiryCategorySchema.optional(),
    assignee: z.string().trim().min(1).max(200).nullable().optional(),
    /** Where the assignee's alerts go; without it they go to the group's mailbox. */
    assigneeEmail: z.email().max(320).nullable().optional(),
    partnerId: uuid().nullable().optional(),
    symposiumId: uuid().nullable().optional(),
  })
  .strict()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'name at least one field to change',
  });
export type InquiryUpdate = z.infer<typeof inquiryUpdateSchema>;

/**
 * `POST /inquiries/{id}/messages`: a public reply (mailed to the inquirer, in their language)
 * or an internal note (never mailed, never public). The text is `body`, or the canned
 * response's text in the inquirer's language; `state` moves the inquiry in the same step
 * (e.g. `waiting` after asking the inquirer something).
 */
export const deskMessageCreateSchema = z
  .object({
    visibility: z.enum(inquiryVisibilities),
    body: z.string().trim().min(1).max(20_000).optional(),
    cannedResponseId: uuid().optional(),
    state: inquiryStateSchema.optional(),
  })
  .strict()
  .superRefine((message, ctx) => {
    if ((message.body === undefined) === (message.cannedResponseId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: 'give either body or cannedResponseId',
      });
  });
export type DeskMessageCreate = z.infer<typeof deskMessageCreateSchema>;

/** `POST /inquiries/{id}/merge`: this inquiry is a duplicate of `into`. Needs `If-Match`. */
export const inquiryMergeSchema = z.object({ into: uuid() }).strict();
export type InquiryMerge = z.infer<typeof inquiryMergeSchema>;

export const cannedResponseSchema = z.object({
  id: uuid(),
  title: z.string(),
  bodyEn: z.string(),
  bodyJa: z.string(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  version: z.number().int().positive(),
});
export type CannedResponse = z.infer<typeof cannedResponseSchema>;

export const cannedResponseCreateSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    bodyEn: z.string().trim().min(1).max(20_000),
    bodyJa: z.string().trim().min(1).max(20_000),
  })
  .strict();
export type CannedResponseCreate = z.infer<typeof cannedResponseCreateSchema>;

export const cannedResponseUpdateSchema = cannedResponseCreateSchema
  .partial()
  .strict()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'name at least one field to change',
  });
export type CannedResponseUpdate = z.infer<typeof cannedResponseUpdateSchema>;

export const cannedResponseListSchema = z.object({ items: z.array(cannedResponseSchema) });
export type CannedResponseList = z.infer<typeof cannedResponseListSchema>;
