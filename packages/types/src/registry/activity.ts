import { z } from 'zod';
import {
  isoDateSchema,
  isoDateTimeSchema,
  pageOf,
  pageQuerySchema,
  queryList,
  uuid,
} from '../shared/common';

/** What was done with a partner. */
export const activityTypes = [
  'joint-research',
  'education-programme',
  'mobility-programme',
  'joint-symposium',
  'funding-bid',
  'other',
] as const;
export const activityTypeSchema = z.enum(activityTypes);
export type ActivityType = z.infer<typeof activityTypeSchema>;

/** Where the work itself stands. */
export const activityStatuses = ['planned', 'ongoing', 'completed', 'cancelled'] as const;
export const activityStatusSchema = z.enum(activityStatuses);
export type ActivityStatus = z.infer<typeof activityStatusSchema>;

/**
 * Where the record stands in review. Staff's own records are `approved` at once; a partner's
 * start as `draft`, are `submitted`, then `approved` or `returned` (with a comment) by staff;
 * a returned or draft one may be edited and submitted again. A partner's edit of an approved
 * record takes it back to `draft`: nothing a partner writes is public before staff approve it.
 */
export const activityReviewStatuses = ['draft', 'submitted', 'approved', 'returned'] as const;
export const activityReviewStatusSchema = z.enum(activityReviewStatuses);
export type ActivityReviewStatus = z.infer<typeof activityReviewStatusSchema>;

/** Who wrote a record: UTokyo staff, or the partner through its API client. */
export const reporters = ['staff', 'partner'] as const;
export type Reporter = (typeof reporters)[number];

const text = (max: number) => z.string().trim().min(1).max(max);
const httpUrl = z.url({ protocol: /^https?$/ }).max(1000);

export const activityLinkSchema = z
  .object({ label: text(200), url: httpUrl })
  .strict()
  .meta({ id: 'ActivityLink' });
export type ActivityLink = z.infer<typeof activityLinkSchema>;

export const activityPaperSchema = z
  .object({
    title: text(500),
    url: httpUrl.nullish().transform((v) => v ?? null),
    year: z
      .number()
      .int()
      .min(1900)
      .max(2200)
      .nullish()
      .transform((v) => v ?? null),
  })
  .strict()
  .meta({ id: 'ActivityPaper' });

export const activityEventSchema = z
  .object({
    title: text(300),
    date: isoDateSchema.nullish().transform((v) => v ?? null),
    url: httpUrl.nullish().transform((v) => v ?? null),
  })
  .strict()
  .meta({ id: 'ActivityEvent' });

/** What came of it: papers, events, and how many students took part. */
export const activityOutputsSchema = z
  .object({
    papers: z.array(activityPaperSchema).max(200).default([]),
    events: z.array(activityEventSchema).max(200).default([]),
    studentsInvolved: z
      .number()
      .int()
      .min(0)
      .max(100000)
      .nullish()
      .transform((v) => v ?? null),
  })
  .strict()
  .meta({ id: 'ActivityOutputs' });
export type ActivityOutputs = z.output<typeof activityOutputsSchema>;

const activityFields = {
  type: activityTypeSchema,
  titleEn: text(300),
  titleJa: text(300).nullable(),
  summaryEn: z.string().trim().max(10000).nullable(),
  summaryJa: z.string().trim().max(10000).nullable(),
  /** UTokyo departments (and the partner's) involved. */
  departments: z.array(text(200)).max(30),
  /** Leads by name or person id (people are kept by the people module). */
  leads: z.array(text(200)).max(30),
  startsOn: isoDateSchema.nullable(),
  /** Not before `startsOn`. */
  endsOn: isoDateSchema.nullable(),
  status: activityStatusSchema,
  /** Shown on the programme page once approved. */
  isPublic: z.boolean(),
  links: z.array(activityLinkSchema).max(30),
  outputs: activityOutputsSchema,
};

export const activityCreateSchema = z
  .object({
    /** Staff name the partner; a partner's token reports for its own partner (may be left out). */
    partnerId: uuid().optional(),
    type: activityFields.type,
    titleEn: activityFields.titleEn,
    titleJa: activityFields.titleJa.optional(),
    summaryEn: activityFields.summaryEn.optional(),
    summaryJa: activityFields.summaryJa.optional(),
    departments: activityFields.departments.default([]),
    leads: activityFields.leads.default([]),
    startsOn: activityFields.startsOn.optional(),
    endsOn: activityFields.endsOn.optional(),
    status: activityFields.status.default('planned'),
    isPublic: activityFields.isPublic.default(false),
    links: activityFields.links.default([]),
    outputs: activityOutputsSchema.default({ papers: [], events: [], studentsInvolved: null }),
  })
  .strict();
export type ActivityCreate = z.infer<typeof activityCreateSchema>;

export const activityUpdateSchema = z
  .object(activityFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field must be given' });
export type ActivityUpdate = z.infer<typeof activityUpdateSchema>;

/** Staff's answer to a submitted activity or mobility report; the partner reads the comment. */
export const reviewApproveSchema = z
  .object({ comment: z.string().trim().min(1).max(2000).optional() })
  .strict()
  // An approval needs no comment, so no body either.
  .default({});
export type ReviewApprove = z.infer<typeof reviewApproveSchema>;

export const reviewReturnSchema = z
  .object({
    /** Why it goes back, and what to change: required. */
    comment: z.string().trim().min(1).max(2000),
  })
  .strict();
export type ReviewReturn = z.infer<typeof reviewReturnSchema>;

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const activityListQuerySchema = pageQuerySchema
  .extend({
    partnerId: queryList(uuid()).optional(),
    type: queryList(activityTypeSchema).optional(),
    reviewStatus: queryList(activityReviewStatusSchema).optional(),
    isPublic: booleanQuery.optional(),
  })
  .strict();
export type ActivityListQuery = z.infer<typeof activityListQuerySchema>;

export const activitySchema = z
  .object({
    id: uuid(),
    partnerId: uuid(),
    partnerNameEn: z.string(),
    type: activityTypeSchema,
    titleEn: z.string(),
    titleJa: z.string().nullable(),
    summaryEn: z.string().nullable(),
    summaryJa: z.string().nullable(),
    departments: z.array(z.string()),
    leads: z.array(z.string()),
    startsOn: isoDateSchema.nullable(),
    endsOn: isoDateSchema.nullable(),
    status: activityStatusSchema,
    isPublic: z.boolean(),
    links: z.array(activityLinkSchema),
    outputs: activityOutputsSchema,
    reviewStatus: activityReviewStatusSchema,
    /** Staff's comment with the last approval or return, for the partner to read. */
    reviewComment: z.string().nullable(),
    reviewedAt: isoDateTimeSchema.nullable(),
    submittedAt: isoDateTimeSchema.nullable(),
    /** Since when it is on the public page; `null` while it is not. */
    publishedAt: isoDateTimeSchema.nullable(),
    reportedBy: z.enum(reporters),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    /** Raised by every committed change; the ETag is `"<version>"`, sent back as `If-Match`. */
    version: z.number().int().positive(),
  })
  .meta({ id: 'Activity' });
export type Activity = z.infer<typeof activitySchema>;

export const activityPageSchema = pageOf(activitySchema);
export type ActivityPage = z.infer<typeof activityPageSchema>;

/** What other services may hear of an activity (`activity.*` on `registry-records`). */
export const activitySnapshotSchema = z.object({
  id: uuid(),
  partnerId: uuid(),
  type: activityTypeSchema,
  titleEn: z.string(),
  titleJa: z.string().nullable(),
  status: activityStatusSchema,
  reviewStatus: activityReviewStatusSchema,
  isPublic: z.boolean(),
  publishedAt: isoDateTimeSchema.nullable(),
  reportedBy: z.enum(reporters),
  updatedAt: isoDateTimeSchema,
  version: z.number().int().positive(),
});
export type ActivitySnapshot = z.infer<typeof activitySnapshotSchema>;
