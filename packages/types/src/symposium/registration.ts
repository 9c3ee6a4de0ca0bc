import { z } from 'zod';
import { isoDateTimeSchema, languageSchema, pageOf, personName, uuid } from '../shared/common';

export const registrationStatuses = ['confirmed', 'waitlisted', 'cancelled', 'attended'] as const;
export const registrationStatusSchema = z.enum(registrationStatuses);
export type RegistrationStatus = z.infer<typeof registrationStatusSchema>;

/** A label in English and/or Japanese (at least one). */
export const formLabelSchema = z
  .object({
    en: z.string().trim().min(1).max(300).optional(),
    ja: z.string().trim().min(1).max(300).optional(),
  })
  .strict()
  .refine((l) => l.en !== undefined || l.ja !== undefined, {
    message: 'needs an English or a Japanese text',
  })
  .meta({ id: 'FormLabel' });
export type FormLabel = z.infer<typeof formLabelSchema>;

/**
 * Kinds of extra form field: free text (one line or several), one or several of fixed options,
 * a yes/no box, and a consent box (which, when required, must be ticked).
 */
export const formFieldTypes = [
  'text',
  'textarea',
  'select',
  'multiselect',
  'checkbox',
  'consent',
] as const;
export const formFieldTypeSchema = z.enum(formFieldTypes);
export type FormFieldType = z.infer<typeof formFieldTypeSchema>;

export const formFieldOptionSchema = z
  .object({ value: z.string().trim().min(1).max(100), label: formLabelSchema })
  .strict();

/** One extra field of a symposium's registration form, as staff configure it. */
export const registrationFormFieldSchema = z
  .object({
    /** The answer's key, e.g. `affiliation`, `dietaryNeeds`. */
    key: z
      .string()
      .regex(
        /^[a-z][a-zA-Z0-9]{0,39}$/,
        'must be camelCase letters and digits, e.g. "dietaryNeeds"',
      ),
    type: formFieldTypeSchema,
    label: formLabelSchema,
    /** Whether an answer must be given (a consent: ticked); optional fields when absent. */
    required: z.boolean().optional(),
    /** The choices of a `select` or `multiselect` field. */
    options: z.array(formFieldOptionSchema).max(100).optional(),
    /** Longest answer of a text field (characters). */
    maxLength: z.number().int().min(1).max(5000).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const choice = f.type === 'select' || f.type === 'multiselect';
    if (choice && !f.options?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: `a ${f.type} field needs options`,
      });
    if (!choice && f.options)
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: `a ${f.type} field has no options`,
      });
    if (f.options && new Set(f.options.map((o) => o.value)).size !== f.options.length)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'option values must differ' });
  })
  .meta({ id: 'RegistrationFormField' });
export type RegistrationFormField = z.output<typeof registrationFormFieldSchema>;

/** What a registrant answered: text, a choice or choices, or a ticked box. */
export const formAnswerSchema = z.union([z.string(), z.array(z.string()), z.boolean()]);
export type FormAnswer = z.infer<typeof formAnswerSchema>;

const MAX_OFFSET_MINUTES = 60 * 24 * 60;

export const registrationSettingsInputSchema = z
  .object({
    capacity: z.number().int().min(0).max(100_000),
    opensAt: isoDateTimeSchema,
    closesAt: isoDateTimeSchema,
    /** The extra form fields (none when absent). */
    form: z.array(registrationFormFieldSchema).max(40).optional(),
    /** Reminders go this many minutes before the start (default 3 days and 1 day). */
    reminderOffsetsMinutes: z
      .array(z.number().int().min(1).max(MAX_OFFSET_MINUTES))
      .max(5)
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (Date.parse(s.closesAt) <= Date.parse(s.opensAt))
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'must be after opensAt' });
    const keys = (s.form ?? []).map((f) => f.key);
    keys.forEach((k, i) => {
      if (keys.indexOf(k) !== i)
        ctx.addIssue({ code: 'custom', path: ['form', i, 'key'], message: `"${k}" is used twice` });
    });
    const offsets = s.reminderOffsetsMinutes ?? [];
    if (new Set(offsets).size !== offsets.length)
      ctx.addIssue({ code: 'custom', path: ['reminderOffsetsMinutes'], message: 'must differ' });
  });
export type RegistrationSettingsInput = z.input<typeof registrationSettingsInputSchema>;

export const registrationSettingsSchema = z.object({
  symposiumId: uuid(),
  capacity: z.number().int(),
  opensAt: z.string(),
  closesAt: z.string(),
  form: z.array(registrationFormFieldSchema),
  reminderOffsetsMinutes: z.array(z.number().int()),
  /** Seats taken (confirmed or attended), people waiting, and seats still free. */
  confirmed: z.number().int(),
  waitlisted: z.number().int(),
  seatsLeft: z.number().int(),
  /** Whether sign-ups are accepted now (between opensAt and closesAt). */
  open: z.boolean(),
  version: z.number().int(),
});
export type RegistrationSettings = z.infer<typeof registrationSettingsSchema>;

export const registrationCreateSchema = z
  .object({
    name: personName(200),
    email: z.email().max(254),
    /** The language of the registrant's mail (English when absent). */
    language: languageSchema.optional(),
    /** Answers to the symposium's extra form fields, by field key. */
    answers: z.record(z.string(), formAnswerSchema).optional(),
  })
  .strict();
export type RegistrationCreate = z.input<typeof registrationCreateSchema>;

export const registrationSchema = z
  .object({
    id: uuid(),
    symposiumId: uuid(),
    /** The partner whose delegation this is (registered through the partner API), or null. */
    partnerId: uuid().nullable(),
    name: z.string(),
    email: z.string(),
    language: languageSchema,
    answers: z.record(z.string(), formAnswerSchema),
    status: registrationStatusSchema,
    /** Place on the waiting list (1 = next to be promoted); null unless waitlisted. */
    waitlistPosition: z.number().int().nullable(),
    checkInCode: z.string(),
    createdAt: z.string(),
    confirmedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    attendedAt: z.string().nullable(),
  })
  .meta({ id: 'Registration' });
export type Registration = z.infer<typeof registrationSchema>;

/** What the public sign-up answers: the rest (the check-in code, the link) goes by mail. */
export const registrationReceiptSchema = z.object({
  id: uuid(),
  status: registrationStatusSchema,
  waitlistPosition: z.number().int().nullable(),
});
export type RegistrationReceipt = z.infer<typeof registrationReceiptSchema>;

export const registrationListQuerySchema = z
  .object({
    status: registrationStatusSchema.optional(),
    /** Part of a name or e-mail address (case-insensitive), e.g. to find someone at check-in. */
    q: z.string().trim().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();
export type RegistrationListQuery = z.infer<typeof registrationListQuerySchema>;

/** In arrival order; `nextCursor` continues. */
export const registrationPageSchema = pageOf(registrationSchema);
export type RegistrationPage = z.infer<typeof registrationPageSchema>;

export const registrationExportQuerySchema = z
  .object({ status: registrationStatusSchema.optional() })
  .strict();
export type RegistrationExportQuery = z.infer<typeof registrationExportQuerySchema>;

/** Check someone in by the code on their mail (or its QR), or by the registration found by name. */
export const checkInSchema = z
  .object({
    code: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{8}$/, 'must be the 8-character code from the confirmation mail')
      .optional(),
    registrationId: uuid().optional(),
  })
  .strict()
  .refine((c) => (c.code === undefined) !== (c.registrationId === undefined), {
    message: 'give either code or registrationId',
    path: ['code'],
  });
export type CheckIn = z.infer<typeof checkInSchema>;

export const registrationIdParamsSchema = z.object({ id: uuid() });
export const registrationTokenParamsSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a registration link'),
});

/** Events on the `symposium-events` topic about registrations. */
const registrationEventSchema = z.object({
  registrationId: uuid(),
  symposiumId: uuid(),
  partnerId: uuid().nullable(),
  status: registrationStatusSchema,
  occurredAt: isoDateTimeSchema,
});
export const registrationEvents = {
  'registration.created': registrationEventSchema,
  'registration.cancelled': registrationEventSchema.extend({
    previousStatus: registrationStatusSchema,
  }),
  'registration.promoted': registrationEventSchema,
  'registration.attended': registrationEventSchema,
} as const;
export type RegistrationEvent = z.infer<typeof registrationEventSchema>;
