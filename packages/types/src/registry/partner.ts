import { z } from 'zod';
import {
  countryCodeSchema,
  isoDateSchema,
  isoDateTimeSchema,
  pageOf,
  pageQuerySchema,
  queryList,
} from '../shared/common';

/** The programme's ladder; `ended` closes a partnership. */
export const partnerStatuses = ['prospective', 'strategic', 'primary', 'ended'] as const;
export const partnerStatusSchema = z.enum(partnerStatuses);
export type PartnerStatus = z.infer<typeof partnerStatusSchema>;

export const regions = [
  'asia',
  'oceania',
  'europe',
  'north-america',
  'latin-america',
  'middle-east',
  'africa',
] as const;
export const regionSchema = z.enum(regions);
export type Region = z.infer<typeof regionSchema>;

export const agreementKinds = [
  'memorandum',
  'strategic-partnership',
  'exchange',
  'joint-degree',
  'other',
] as const;
export const agreementKindSchema = z.enum(agreementKinds);

const text = (max: number) => z.string().trim().min(1).max(max);

export const partnerCreateSchema = z
  .object({
    nameEn: text(200),
    nameJa: text(200).nullish(),
    country: countryCodeSchema,
    region: regionSchema.nullish(),
    website: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .nullish(),
    status: partnerStatusSchema.default('prospective'),
    /** For a partner that is a consortium (e.g. the Stockholm Trio): its member institutions. */
    memberInstitutions: z.array(text(200)).max(20).default([]),
    summaryEn: z.string().trim().max(5000).nullish(),
    summaryJa: z.string().trim().max(5000).nullish(),
  })
  .strict();
export type PartnerCreate = z.infer<typeof partnerCreateSchema>;

export const partnerUpdateSchema = z
  .object({
    nameEn: text(200),
    nameJa: text(200).nullable(),
    country: countryCodeSchema,
    region: regionSchema.nullable(),
    website: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .nullable(),
    status: partnerStatusSchema,
    memberInstitutions: z.array(text(200)).max(20),
    summaryEn: z.string().trim().max(5000).nullable(),
    summaryJa: z.string().trim().max(5000).nullable(),
    /** With a status change: the date it took effect (default today) and why. */
    statusChangedOn: isoDateSchema,
    statusNote: z.string().trim().max(1000),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'at least one field must be given' })
  .refine(
    (v) =>
      v.status !== undefined || (v.statusChangedOn === undefined && v.statusNote === undefined),
    {
      message: 'statusChangedOn and statusNote go with a status change',
      path: ['status'],
    },
  );
export type PartnerUpdate = z.infer<typeof partnerUpdateSchema>;

export const partnerSorts = [
  'nameEn',
  '-nameEn',
  'country',
  '-country',
  'createdAt',
  '-createdAt',
] as const;
export type PartnerSort = (typeof partnerSorts)[number];

export const partnerListQuerySchema = pageQuerySchema
  .extend({
    status: queryList(partnerStatusSchema).optional(),
    country: queryList(z.string().toUpperCase().pipe(countryCodeSchema)).optional(),
    sort: z.enum(partnerSorts).default('nameEn'),
  })
  .strict();
export type PartnerListQuery = z.infer<typeof partnerListQuerySchema>;

export const partnerSchema = z
  .object({
    id: z.uuid(),
    nameEn: z.string(),
    nameJa: z.string().nullable(),
    country: z.string(),
    region: regionSchema.nullable(),
    website: z.string().nullable(),
    status: partnerStatusSchema,
    statusSince: isoDateSchema,
    memberInstitutions: z.array(z.string()),
    summaryEn: z.string().nullable(),
    summaryJa: z.string().nullable(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    /** Raised by every committed change; the ETag is `"<version>"`, sent back as `If-Match`. */
    version: z.number().int().positive(),
  })
  .meta({ id: 'Partner' });
export type Partner = z.infer<typeof partnerSchema>;

export const agreementSchema = z
  .object({
    id: z.uuid(),
    kind: agreementKindSchema,
    title: z.string(),
    signedOn: isoDateSchema.nullable(),
    /** Year only, where the public record gives no day. */
    signedYear: z.number().int().nullable(),
    renewedOn: isoDateSchema.nullable(),
    expiresOn: isoDateSchema.nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'Agreement' });
export type Agreement = z.infer<typeof agreementSchema>;

export const partnerStatusChangeSchema = z
  .object({
    from: partnerStatusSchema.nullable(),
    to: partnerStatusSchema,
    changedOn: isoDateSchema,
    note: z.string().nullable(),
    recordedAt: isoDateTimeSchema,
  })
  .meta({ id: 'PartnerStatusChange' });
export type PartnerStatusChange = z.infer<typeof partnerStatusChangeSchema>;

export const partnerDetailSchema = partnerSchema.extend({
  agreements: z.array(agreementSchema),
  statusHistory: z.array(partnerStatusChangeSchema),
});
export type PartnerDetail = z.infer<typeof partnerDetailSchema>;

export const partnerPageSchema = pageOf(partnerSchema);
export type PartnerPage = z.infer<typeof partnerPageSchema>;
