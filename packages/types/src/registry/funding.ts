import { z } from 'zod';
import { isoDateTimeSchema, pageOf, pageQuerySchema, queryList, uuid } from '../shared/common';
import {
  currencyCodeSchema,
  currencyMinorUnits,
  fitsCurrency,
  moneyAmountSchema,
} from '../shared/money';
import { fiscalYearSchema } from './mobility';

export const fundingStatuses = ['applied', 'awarded', 'rejected'] as const;
export const fundingStatusSchema = z.enum(fundingStatuses);
export type FundingStatus = z.infer<typeof fundingStatusSchema>;

const fundingFields = {
  activityId: uuid().nullable(),
  /** Who funds it, e.g. "JSPS". */
  source: z.string().trim().min(1).max(300),
  /** The programme of that funder, e.g. "Core-to-Core Program". */
  scheme: z.string().trim().min(1).max(300).nullable(),
  /** Exact decimal string with no more decimals than the currency has ("1500000" JPY, "12.50" USD). */
  amount: moneyAmountSchema,
  currency: currencyCodeSchema,
  fiscalYear: z.number().int().min(1990).max(2200),
  status: fundingStatusSchema,
  note: z.string().trim().max(2000).nullable(),
};

const amountFitsCurrency = (v: { amount?: string; currency?: string }, ctx: z.RefinementCtx) => {
  if (v.amount !== undefined && v.currency !== undefined && !fitsCurrency(v.amount, v.currency)) {
    ctx.addIssue({
      code: 'custom',
      path: ['amount'],
      message: `has more decimals than ${v.currency} has (${currencyMinorUnits(v.currency)})`,
    });
  }
};

export const fundingCreateSchema = z
  .object({
    partnerId: uuid(),
    activityId: fundingFields.activityId.optional(),
    source: fundingFields.source,
    scheme: fundingFields.scheme.optional(),
    amount: fundingFields.amount,
    currency: fundingFields.currency,
    fiscalYear: fundingFields.fiscalYear,
    status: fundingFields.status.default('applied'),
    note: fundingFields.note.optional(),
  })
  .strict()
  .superRefine(amountFitsCurrency);
export type FundingCreate = z.infer<typeof fundingCreateSchema>;

/** `amount` alone is checked against the stored currency by the service. */
export const fundingUpdateSchema = z
  .object(fundingFields)
  .partial()
  .strict()
  .superRefine(amountFitsCurrency)
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field must be given' });
export type FundingUpdate = z.infer<typeof fundingUpdateSchema>;

export const fundingListQuerySchema = pageQuerySchema
  .extend({
    partnerId: queryList(uuid()).optional(),
    activityId: uuid().optional(),
    fiscalYear: fiscalYearSchema.optional(),
    status: queryList(fundingStatusSchema).optional(),
  })
  .strict();
export type FundingListQuery = z.infer<typeof fundingListQuerySchema>;

export const fundingSchema = z
  .object({
    id: uuid(),
    partnerId: uuid(),
    partnerNameEn: z.string(),
    activityId: uuid().nullable(),
    source: z.string(),
    scheme: z.string().nullable(),
    /** Exact, written with the currency's minor units ("1500000" JPY, "12.50" USD). */
    amount: z.string(),
    currency: z.string(),
    fiscalYear: z.number().int(),
    status: fundingStatusSchema,
    note: z.string().nullable(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    version: z.number().int().positive(),
  })
  .meta({ id: 'Funding' });
export type Funding = z.infer<typeof fundingSchema>;

export const fundingPageSchema = pageOf(fundingSchema);
export type FundingPage = z.infer<typeof fundingPageSchema>;

export const fundingSnapshotSchema = z.object({
  id: uuid(),
  partnerId: uuid(),
  activityId: uuid().nullable(),
  source: z.string(),
  amount: z.string(),
  currency: z.string(),
  fiscalYear: z.number().int(),
  status: fundingStatusSchema,
  updatedAt: isoDateTimeSchema,
  version: z.number().int().positive(),
});
export type FundingSnapshot = z.infer<typeof fundingSnapshotSchema>;
