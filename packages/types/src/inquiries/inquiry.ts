import { z } from 'zod';
import {
  countryCodeSchema,
  isoDateSchema,
  isoDateTimeSchema,
  languageSchema,
  personName,
  singleLine,
  uuid,
} from '../shared/common';

/** An inquiry's life: `new → open → waiting → resolved → closed` (the desk guards the steps). */
export const inquiryStates = ['new', 'open', 'waiting', 'resolved', 'closed'] as const;
export const inquiryStateSchema = z.enum(inquiryStates);
export type InquiryState = z.infer<typeof inquiryStateSchema>;

export const inquiryCategories = [
  'partnership-proposal',
  'symposium',
  'mobility',
  'media',
  'other',
] as const;
export const inquiryCategorySchema = z.enum(inquiryCategories);
export type InquiryCategory = z.infer<typeof inquiryCategorySchema>;

export const inquiryAuthorKinds = ['inquirer', 'staff'] as const;
export type InquiryAuthorKind = (typeof inquiryAuthorKinds)[number];
/** `internal` notes are staff-only: never mailed, never on the status page. */
export const inquiryVisibilities = ['public', 'internal'] as const;
export type InquiryVisibility = (typeof inquiryVisibilities)[number];
/** How a message arrived: the public form, the status page, a mail, or the staff desk. */
export const inquiryChannels = ['form', 'status-page', 'email', 'desk'] as const;
export type InquiryChannel = (typeof inquiryChannels)[number];

/** A label in both languages, for drawing the form. */
type Label = { en: string; ja: string };
/** What a form needs beyond the type: labels, and labels of a choice's options. */
type FieldMeta = { label: Label; options?: Record<string, Label> };
const field = <T extends z.ZodType>(schema: T, meta: FieldMeta): T => schema.meta(meta);
const line = singleLine;

/**
 * The fields of each category, one zod schema per category. The same schemas validate a
 * submission and are published at `GET /inquiries/form` (types, required, labels, options).
 */
export const categoryFieldSchemas = {
  'partnership-proposal': z
    .object({
      proposalKind: field(z.enum(['research', 'education', 'mobility', 'other']), {
        label: { en: 'Kind of partnership', ja: '連携の種類' },
        options: {
          research: { en: 'Joint research', ja: '共同研究' },
          education: { en: 'Education programme', ja: '教育プログラム' },
          mobility: { en: 'Student or staff mobility', ja: '学生・教職員の交流' },
          other: { en: 'Other', ja: 'その他' },
        },
      }),
      institutionWebsite: field(
        z
          .url({ protocol: /^https?$/ })
          .max(500)
          .optional(),
        { label: { en: 'Institution website', ja: '機関のウェブサイト' } },
      ),
      departments: field(line(500).optional(), {
        label: { en: 'Departments of interest', ja: '関心のある部局' },
      }),
    })
    .strict(),
  symposium: z
    .object({
      role: field(z.enum(['attendee', 'speaker', 'sponsor', 'press']), {
        label: { en: 'Your role', ja: 'ご参加の形態' },
        options: {
          attendee: { en: 'Attendee', ja: '参加者' },
          speaker: { en: 'Speaker', ja: '講演者' },
          sponsor: { en: 'Sponsor', ja: '協賛' },
          press: { en: 'Press', ja: '報道' },
        },
      }),
      edition: field(z.coerce.number().int().min(1).max(1000).optional(), {
        label: { en: 'Symposium edition (number)', ja: 'シンポジウムの回' },
      }),
    })
    .strict(),
  mobility: z
    .object({
      direction: field(z.enum(['to-utokyo', 'from-utokyo']), {
        label: { en: 'Direction', ja: '方向' },
        options: {
          'to-utokyo': { en: 'Coming to UTokyo', ja: '東京大学への受入れ' },
          'from-utokyo': { en: 'Going from UTokyo', ja: '東京大学からの派遣' },
        },
      }),
      level: field(z.enum(['undergraduate', 'graduate', 'staff']), {
        label: { en: 'Level', ja: '区分' },
        options: {
          undergraduate: { en: 'Undergraduate', ja: '学部生' },
          graduate: { en: 'Graduate', ja: '大学院生' },
          staff: { en: 'Staff', ja: '教職員' },
        },
      }),
      homeInstitution: field(line(200).optional(), {
        label: { en: 'Home institution', ja: '所属機関' },
      }),
      startsOn: field(isoDateSchema.optional(), {
        label: { en: 'Intended start', ja: '開始予定日' },
      }),
    })
    .strict(),
  media: z
    .object({
      outlet: field(line(200), { label: { en: 'Media outlet', ja: '媒体名' } }),
      deadline: field(isoDateSchema.optional(), {
        label: { en: 'Deadline', ja: '締切日' },
      }),
    })
    .strict(),
  other: z.object({}).strict(),
} as const satisfies Record<InquiryCategory, z.ZodObject>;
export type CategoryFields<C extends InquiryCategory = InquiryCategory> = z.infer<
  (typeof categoryFieldSchemas)[C]
>;

/** What every submission carries, whatever its category. */
const submissionBase = {
  name: personName(200),
  email: z.email().max(320),
  organisation: line(200).optional(),
  country: countryCodeSchema.optional(),
  language: languageSchema,
  subject: line(300),
  message: z.string().trim().min(1).max(20_000),
  /**
   * The honeypot: hidden in the form, so only a bot fills it in. A submission with a value
   * here is refused and nothing is stored.
   */
  website: z.string().max(500).optional(),
};

/**
 * A submission. `fields` holds the category's own fields, checked by that category's schema
 * (errors name `fields.<name>`); the parsed value carries them coerced and defaulted.
 */
export const inquirySubmitSchema = z
  .object({
    ...submissionBase,
    category: inquiryCategorySchema,
    fields: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  // Runs even when other fields failed, so one answer names every bad field.
  .superRefine(
    (v, ctx) => {
      // Runs on any input, a missing body or a bare number too (the fuzz suite's 500).
      if (typeof v !== 'object' || v === null) return;
      const category = inquiryCategorySchema.safeParse((v as { category?: unknown }).category);
      if (!category.success) return;
      const given = (v as { fields?: unknown }).fields ?? {};
      const parsed = categoryFieldSchemas[category.data].safeParse(given);
      if (parsed.success) return;
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, path: ['fields', ...issue.path] });
      }
    },
    { when: () => true },
  )
  // Zod runs a transform past an `unrecognized_keys` issue (it only describes extra keys), so
  // an unknown category field reaches here: the refinement above has already failed the parse,
  // so this gives up quietly (z.NEVER) rather than throwing (the fuzz suite's 500).
  .transform((v) => {
    const fields = categoryFieldSchemas[v.category].safeParse(v.fields);
    return fields.success ? { ...v, fields: fields.data } : z.NEVER;
  });
export type InquirySubmit = z.output<typeof inquirySubmitSchema>;
export type InquirySubmitInput = z.input<typeof inquirySubmitSchema>;

/** 201 to a submission: the reference to quote, and the secret link to follow the inquiry. */
export const inquiryReceiptSchema = z.object({
  reference: z.string(),
  state: inquiryStateSchema,
  /** Secret: whoever has it reads the public thread and may add to it. Shown only here and in the acknowledgement mail. */
  statusToken: z.string(),
  statusUrl: z.string(),
  createdAt: isoDateTimeSchema,
});
export type InquiryReceipt = z.infer<typeof inquiryReceiptSchema>;

/** One field of a category, as a form draws it. */
export const formFieldSchema = z
  .object({
    name: z.string(),
    type: z.enum(['text', 'url', 'date', 'integer', 'choice']),
    required: z.boolean(),
    label: z.object({ en: z.string(), ja: z.string() }),
    maxLength: z.number().int().optional(),
    options: z
      .array(z.object({ value: z.string(), label: z.object({ en: z.string(), ja: z.string() }) }))
      .optional(),
  })
  .meta({ id: 'InquiryFormField' });
export type FormField = z.infer<typeof formFieldSchema>;

export const inquiryFormSchema = z.object({
  categories: z.array(
    z
      .object({
        category: inquiryCategorySchema,
        label: z.object({ en: z.string(), ja: z.string() }),
        fields: z.array(formFieldSchema),
      })
      .meta({ id: 'InquiryFormCategory' }),
  ),
  /** Attachment limits: allowed content types, bytes per file, files and bytes per submission. */
  attachments: z.object({
    contentTypes: z.array(z.string()),
    maxFileBytes: z.number().int(),
    maxFiles: z.number().int(),
    maxTotalBytes: z.number().int(),
  }),
  /** The honeypot field's name: draw it hidden, leave it empty. */
  honeypot: z.string(),
});
export type InquiryForm = z.infer<typeof inquiryFormSchema>;

export const categoryLabels: Record<InquiryCategory, Label> = {
  'partnership-proposal': { en: 'Partnership proposal', ja: '連携の提案' },
  symposium: { en: 'Symposium', ja: 'シンポジウム' },
  mobility: { en: 'Student or staff mobility', ja: '学生・教職員の交流' },
  media: { en: 'Media', ja: '報道関係' },
  other: { en: 'Other', ja: 'その他' },
};

export const attachmentSchema = z
  .object({
    id: uuid(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int(),
  })
  .meta({ id: 'InquiryAttachment' });
export type InquiryAttachment = z.infer<typeof attachmentSchema>;

/** A message as the inquirer sees it: public ones only, staff shown as the group. */
export const publicMessageSchema = z
  .object({
    id: uuid(),
    from: z.enum(inquiryAuthorKinds),
    body: z.string(),
    attachments: z.array(attachmentSchema),
    createdAt: isoDateTimeSchema,
  })
  .meta({ id: 'InquiryPublicMessage' });
export type PublicMessage = z.infer<typeof publicMessageSchema>;

/** `GET /inquiries/status/{token}`: what the inquirer may see, and nothing internal. */
export const inquiryStatusSchema = z.object({
  reference: z.string(),
  /**
   * The reference this status link was made for, when that inquiry was merged into this one
   * as a duplicate (its messages are here now); null otherwise.
   */
  mergedFrom: z.string().nullable(),
  state: inquiryStateSchema,
  category: inquiryCategorySchema,
  subject: z.string(),
  language: languageSchema,
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  messages: z.array(publicMessageSchema),
});
export type InquiryStatus = z.infer<typeof inquiryStatusSchema>;

export const statusTokenParamsSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a status token'),
});
export type StatusTokenParams = z.infer<typeof statusTokenParamsSchema>;

/** A follow-up by the inquirer on the status page (JSON or multipart with attachments). */
export const followUpSchema = z
  .object({
    message: z.string().trim().min(1).max(20_000),
  })
  .strict();
export type FollowUp = z.infer<typeof followUpSchema>;
