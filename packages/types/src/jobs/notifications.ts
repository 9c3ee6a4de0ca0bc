import { z } from 'zod';
import { languageSchema, pageOf, pageQuerySchema, uuid } from '../shared/common';

/** One template per kind of message, each in English and Japanese. */
export const emailTemplates = [
  'inquiry-received',
  'inquiry-reply',
  'inquiry-merged',
  'registration-confirmed',
  'registration-waitlisted',
  'registration-promoted',
  'registration-cancelled',
  'registration-reminder',
  'agreement-expiring',
  'report-ready',
  'sla-overdue',
] as const;
export const emailTemplateSchema = z.enum(emailTemplates);
export type EmailTemplate = z.infer<typeof emailTemplateSchema>;

/** A mail's Message-ID, angle brackets included: `<local@domain>`. */
export const messageIdSchema = z
  .string()
  .max(250)
  .regex(/^<[^<>\s@]+@[^<>\s@]+>$/, 'must be a Message-ID such as <id@host>');

/** The `email.send` job: ids and values to render, never a rendered body. */
export const emailSendSchema = z.object({
  template: emailTemplateSchema,
  locale: languageSchema,
  to: z.array(z.email()).min(1).max(50),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** One message per key, however often the job is enqueued or retried. */
  idempotencyKey: z.string().min(1).max(200),
  /**
   * Threading, for mail a reply may come back to (inquiries): the Message-ID to send with
   * (`<…@…>`; default: one made from the delivery's id), and the Message-IDs it answers. The
   * producer stores its Message-ID, so a reply naming it in In-Reply-To/References is threaded.
   */
  messageId: messageIdSchema.optional(),
  inReplyTo: messageIdSchema.optional(),
  references: z.array(messageIdSchema).max(50).optional(),
  /** Where replies should go (e.g. the inquiries mailbox), when not the sender. */
  replyTo: z.email().optional(),
});
export type EmailSend = z.infer<typeof emailSendSchema>;

/**
 * What a scheduled job carries: nothing but the moment it stands for (BullMQ gives the
 * schedule's template to every run); the run works out the rest from the database.
 */
export const scheduledRunSchema = z.object({}).strict();
export type ScheduledRun = z.infer<typeof scheduledRunSchema>;

export const deliveryStatuses = ['pending', 'sending', 'sent', 'failed'] as const;
export const deliverySchema = z
  .object({
    id: uuid(),
    idempotencyKey: z.string(),
    template: emailTemplateSchema,
    locale: languageSchema,
    recipients: z.array(z.string()),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int(),
    messageId: z.string(),
    providerMessageId: z.string().nullable(),
    lastError: z.string().nullable(),
    /** The queue job that last tried it: retry that job in the dashboard to try again. */
    jobId: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof deliverySchema>;

export const deliveryQuerySchema = z
  .object({
    status: z.enum(deliveryStatuses).optional(),
    /** Deliveries to this address ("did the applicant get our mail?"). */
    to: z.email().optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
    ...pageQuerySchema.shape,
  })
  .strict();
export type DeliveryQuery = z.infer<typeof deliveryQuerySchema>;
/** Newest first; `nextCursor` continues with older ones. */
export const deliveryListSchema = pageOf(deliverySchema);
export type DeliveryList = z.infer<typeof deliveryListSchema>;
