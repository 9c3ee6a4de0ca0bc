import { z } from 'zod';
import {
  countryCodeSchema,
  isoDateTimeSchema,
  languageSchema,
  pageOf,
  pageQuerySchema,
  queryList,
  uuid,
} from '../shared/common';
import { partialDateSchema } from '../shared/partial-date';
import { agreementSchema } from './agreement';

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

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * A partner's English name, the case-insensitive unique key: in Unicode NFC, so 'Université'
 * typed with a precomposed 'é' and pasted with 'e' plus a combining accent (as text copied from
 * some PDFs and macOS file names comes) are one name, not two partners. Only here: NFC also
 * maps CJK compatibility ideographs, which a Japanese name may use on purpose. Normalised
 * before the length is checked, so the length checked is the length stored.
 */
const englishName = z.string().normalize('NFC').trim().min(1).max(200);

/** A free label staff filter partners by (`?tag=`): lower case letters, digits and hyphens. */
export const partnerTagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'must be 1–50 lower-case letters, digits or hyphens');

const tagList = z
  .array(partnerTagSchema)
  .max(20)
  .transform((tags) => [...new Set(tags)]);

const httpUrl = (max: number) => z.url({ protocol: /^https?$/ }).max(max);

/**
 * The partner's coordinator at UTokyo, to whom agreement reminders go. Personal data of a
 * UTokyo person: shown to staff only, never to partner tokens nor on a public route.
 */
export const partnerCoordinatorSchema = z
  .object({
    name: text(200),
    email: z.email().max(320),
    /** The language agreement reminders are written in. */
    locale: languageSchema.default('ja'),
  })
  .strict()
  .meta({ id: 'PartnerCoordinator' });
export type PartnerCoordinator = z.infer<typeof partnerCoordinatorSchema>;

export const partnerCreateSchema = z
  .object({
    nameEn: englishName,
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
    city: text(200).nullish(),
    logoUrl: httpUrl(1000).nullish(),
    tags: tagList.default([]),
    /** The UTokyo department that coordinates the partnership. */
    coordinatingDepartment: text(200).nullish(),
    coordinator: partnerCoordinatorSchema.nullish(),
    /** Since when the partner has its status, at the precision known; today if not given. */
    statusSince: partialDateSchema.optional(),
  })
  .strict();
export type PartnerCreate = z.infer<typeof partnerCreateSchema>;

export const partnerUpdateSchema = z
  .object({
    nameEn: englishName,
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
    city: text(200).nullable(),
    logoUrl: httpUrl(1000).nullable(),
    tags: tagList,
    coordinatingDepartment: text(200).nullable(),
    coordinator: partnerCoordinatorSchema.nullable(),
    /**
     * With a status change: the date it took effect (default today), at the precision known
     * (`2016`, `2023-01`, `2023-01-15`), not before the previous change, and why.
     */
    statusChangedOn: partialDateSchema,
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
    /** Partners carrying every tag given. */
    tag: queryList(partnerTagSchema, 20).optional(),
    sort: z.enum(partnerSorts).default('nameEn'),
  })
  .strict();
export type PartnerListQuery = z.infer<typeof partnerListQuerySchema>;

export const partnerSchema = z
  .object({
    id: uuid(),
    nameEn: z.string(),
    nameJa: z.string().nullable(),
    country: z.string(),
    region: regionSchema.nullable(),
    website: z.string().nullable(),
    status: partnerStatusSchema,
    /** Since when, at the precision recorded: `2016`, `2023-01` or `2017-09-25`. */
    statusSince: partialDateSchema,
    memberInstitutions: z.array(z.string()),
    summaryEn: z.string().nullable(),
    summaryJa: z.string().nullable(),
    city: z.string().nullable(),
    logoUrl: z.string().nullable(),
    tags: z.array(z.string()),
    coordinatingDepartment: z.string().nullable(),
    /** Staff only: absent in answers to partner tokens. */
    coordinator: partnerCoordinatorSchema.nullable().optional(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
    /** Raised by every committed change; the ETag is `"<version>"`, sent back as `If-Match`. */
    version: z.number().int().positive(),
  })
  .meta({ id: 'Partner' });
export type Partner = z.infer<typeof partnerSchema>;

export const partnerStatusChangeSchema = z
  .object({
    from: partnerStatusSchema.nullable(),
    to: partnerStatusSchema,
    /** When it took effect, at the precision recorded. */
    changedOn: partialDateSchema,
    note: z.string().nullable(),
    /** The member of staff who made the change (from their token); absent for partner tokens. */
    changedBy: z.string().nullable().optional(),
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
