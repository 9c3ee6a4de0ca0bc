import { z } from 'zod';
import { isoDateSchema, isoDateTimeSchema, pageOf, pageQuerySchema, uuid } from '../shared/common';
import { activityLinkSchema, activityStatusSchema, activityTypeSchema } from './activity';
import { partnerStatusSchema, regionSchema } from './partner';

/** A partner as the programme page shows it: no dates of review, no people. */
export const publicPartnerSchema = z
  .object({
    id: uuid(),
    nameEn: z.string(),
    nameJa: z.string().nullable(),
    country: z.string(),
    region: regionSchema.nullable(),
    website: z.string().nullable(),
    status: partnerStatusSchema,
    memberInstitutions: z.array(z.string()),
    summaryEn: z.string().nullable(),
    summaryJa: z.string().nullable(),
  })
  .meta({ id: 'PublicPartner' });
export type PublicPartner = z.infer<typeof publicPartnerSchema>;

/** The programme page's partner lists, each by English name; ended partnerships are not shown. */
export const publicPartnerListSchema = z.object({
  primary: z.array(publicPartnerSchema),
  strategic: z.array(publicPartnerSchema),
  prospective: z.array(publicPartnerSchema),
});
export type PublicPartnerList = z.infer<typeof publicPartnerListSchema>;

/** An approved public activity: no leads (people's names), no review details. */
export const publicActivitySchema = z
  .object({
    id: uuid(),
    partner: z.object({
      id: uuid(),
      nameEn: z.string(),
      nameJa: z.string().nullable(),
      country: z.string(),
    }),
    type: activityTypeSchema,
    titleEn: z.string(),
    titleJa: z.string().nullable(),
    summaryEn: z.string().nullable(),
    summaryJa: z.string().nullable(),
    departments: z.array(z.string()),
    startsOn: isoDateSchema.nullable(),
    endsOn: isoDateSchema.nullable(),
    status: activityStatusSchema,
    links: z.array(activityLinkSchema),
    publishedAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: 'PublicActivity' });
export type PublicActivity = z.infer<typeof publicActivitySchema>;

export const publicActivityPageSchema = pageOf(publicActivitySchema);
export type PublicActivityPage = z.infer<typeof publicActivityPageSchema>;

export const publicActivityQuerySchema = pageQuerySchema
  .extend({
    limit: z.coerce.number().int().min(1).max(50).default(20),
    /** One partner's activities (its page on the programme site). */
    partnerId: uuid().optional(),
  })
  .strict();
export type PublicActivityQuery = z.infer<typeof publicActivityQuerySchema>;
