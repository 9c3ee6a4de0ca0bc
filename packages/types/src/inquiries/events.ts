import { z } from 'zod';
import { isoDateTimeSchema, languageSchema, uuid } from '../shared/common';
import {
  inquiryAuthorKinds,
  inquiryCategorySchema,
  inquiryChannels,
  inquiryStateSchema,
  inquiryVisibilities,
} from './inquiry';

/** What an event says of an inquiry (no message text, no inquirer's address). */
export const inquirySnapshotSchema = z.object({
  id: uuid(),
  reference: z.string(),
  state: inquiryStateSchema,
  category: inquiryCategorySchema,
  language: languageSchema,
  partnerId: uuid().nullable(),
  symposiumId: uuid().nullable(),
  assignee: z.string().nullable(),
  version: z.number().int(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type InquirySnapshot = z.infer<typeof inquirySnapshotSchema>;

/**
 * Events the inquiries service publishes (topic `inquiry-events`), for reports and audit.
 * Names are `domain.event`; never rename one.
 */
export const inquiryEvents = {
  'inquiry.created': inquirySnapshotSchema,
  'inquiry.state-changed': inquirySnapshotSchema.extend({ previousState: inquiryStateSchema }),
  'inquiry.message-added': z.object({
    inquiryId: uuid(),
    reference: z.string(),
    messageId: uuid(),
    authorKind: z.enum(inquiryAuthorKinds),
    visibility: z.enum(inquiryVisibilities),
    channel: z.enum(inquiryChannels),
    attachments: z.number().int().nonnegative(),
    createdAt: isoDateTimeSchema,
  }),
  /** A mail that matched no inquiry, waiting in the review list. */
  'inquiry.inbound-unmatched': z.object({
    inboundMessageId: uuid(),
    receivedAt: isoDateTimeSchema,
  }),
} as const;
export type InquiryEventName = keyof typeof inquiryEvents;
export type InquiryEvent<N extends InquiryEventName = InquiryEventName> = z.infer<
  (typeof inquiryEvents)[N]
>;
