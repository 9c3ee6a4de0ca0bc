import { z } from 'zod';
import {
  isoDateSchema,
  isoDateTimeSchema,
  pageOf,
  pageQuerySchema,
  queryList,
  uuid,
} from '../shared/common';
import { reporters } from './activity';

export const mobilityDirections = ['inbound', 'outbound'] as const;
export const mobilityDirectionSchema = z.enum(mobilityDirections);
export type MobilityDirection = z.infer<typeof mobilityDirectionSchema>;

export const mobilityPersonTypes = [
  'undergraduate',
  'graduate',
  'researcher',
  'administrative-staff',
] as const;
export const mobilityPersonTypeSchema = z.enum(mobilityPersonTypes);
export type MobilityPersonType = z.infer<typeof mobilityPersonTypeSchema>;

/** A partner's report is `submitted`; staff approve or return it. Staff's own are approved. */
export const mobilityReviewStatuses = ['submitted', 'approved', 'returned'] as const;
export const mobilityReviewStatusSchema = z.enum(mobilityReviewStatuses);
export type MobilityReviewStatus = z.infer<typeof mobilityReviewStatusSchema>;

/** A Japanese fiscal year, named by the calendar year it starts in (2025 = 2025-04 to 2026-03). */
export const fiscalYearSchema = z.coerce.number().int().min(1990).max(2200);

export const mobilityCreateSchema = z
  .object({
    /** Staff name the partner; a partner's token reports for its own partner (may be left out). */
    partnerId: uuid().optional(),
    fiscalYear: z.number().int().min(1990).max(2200),
    direction: mobilityDirectionSchema,
    personType: mobilityPersonTypeSchema,
    /** The exchange programme, e.g. "USTEP" or "Summer school". */
    programme: z.string().trim().min(1).max(200),
    count: z.number().int().min(0).max(1000000),
    note: z.string().trim().max(2000).nullish(),
  })
  .strict();
export type MobilityCreate = z.infer<typeof mobilityCreateSchema>;

export const mobilityUpdateSchema = z
  .object({
    fiscalYear: z.number().int().min(1990).max(2200),
    direction: mobilityDirectionSchema,
    personType: mobilityPersonTypeSchema,
    programme: z.string().trim().min(1).max(200),
    count: z.number().int().min(0).max(1000000),
    note: z.string().trim().max(2000).nullable(),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field must be given' });
export type MobilityUpdate = z.infer<typeof mobilityUpdateSchema>;

export const mobilityListQuerySchema = pageQuerySchema
  .extend({
    partnerId: queryList(uuid()).optional(),
    fiscalYear: fiscalYearSchema.optional(),
    direction: mobilityDirectionSchema.optional(),
    personType: queryList(mobilityPersonTypeSchema).optional(),
    reviewStatus: queryList(mobilityReviewStatusSchema).optional(),
  })
  .strict();
export type MobilityListQuery = z.infer<typeof mobilityListQuerySchema>;

export const mobilityRecordSchema = z
  .object({
    id: uuid(),
    partnerId: uuid(),
    partnerNameEn: z.string(),
    fiscalYear: z.number().int(),
    direction: mobilityDirectionSchema,
    personType: mobilityPersonTypeSchema,
    programme: z.string(),
    count: z.number().int(),
    note: z.string().nullable(),
    reviewStatus: mobilityReviewStatusSchema,
    /** Staff's comment with the last approval or return, for the partner to read. */
    reviewComment: z.string().nullable(),
    reviewedAt: isoDateTimeSchema.nullable(),
    reportedBy: z.enum(reporters),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    version: z.number().int().positive(),
  })
  .meta({ id: 'MobilityRecord' });
export type MobilityRecord = z.infer<typeof mobilityRecordSchema>;

export const mobilityPageSchema = pageOf(mobilityRecordSchema);
export type MobilityPage = z.infer<typeof mobilityPageSchema>;

export const mobilityTotalsQuerySchema = z
  .object({
    /** Default: the fiscal year today (Tokyo) is in. */
    fiscalYear: fiscalYearSchema.optional(),
    partnerId: queryList(uuid()).optional(),
  })
  .strict();
export type MobilityTotalsQuery = z.infer<typeof mobilityTotalsQuerySchema>;

const directionCounts = z.object({
  inbound: z.number().int(),
  outbound: z.number().int(),
  total: z.number().int(),
});

export const mobilityPartnerTotalsSchema = z
  .object({
    partnerId: uuid(),
    partnerNameEn: z.string(),
    /** Approved counts. */
    inbound: z.number().int(),
    outbound: z.number().int(),
    total: z.number().int(),
    byPersonType: z.object({
      undergraduate: directionCounts,
      graduate: directionCounts,
      researcher: directionCounts,
      'administrative-staff': directionCounts,
    }),
    /** People in reports still waiting for review (submitted or returned): not in the totals. */
    pending: z.number().int(),
  })
  .meta({ id: 'MobilityPartnerTotals' });
export type MobilityPartnerTotals = z.infer<typeof mobilityPartnerTotalsSchema>;

export const mobilityTotalsSchema = z.object({
  fiscalYear: z.number().int(),
  /** The fiscal year's first and last day. */
  from: isoDateSchema,
  to: isoDateSchema,
  partners: z.array(mobilityPartnerTotalsSchema),
  inbound: z.number().int(),
  outbound: z.number().int(),
  total: z.number().int(),
});
export type MobilityTotals = z.infer<typeof mobilityTotalsSchema>;

export const mobilitySnapshotSchema = z.object({
  id: uuid(),
  partnerId: uuid(),
  fiscalYear: z.number().int(),
  direction: mobilityDirectionSchema,
  personType: mobilityPersonTypeSchema,
  programme: z.string(),
  count: z.number().int(),
  reviewStatus: mobilityReviewStatusSchema,
  updatedAt: isoDateTimeSchema,
  version: z.number().int().positive(),
});
export type MobilitySnapshot = z.infer<typeof mobilitySnapshotSchema>;
