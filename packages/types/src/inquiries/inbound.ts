import { z } from 'zod';
import { isoDateTimeSchema, pageOf, pageQuerySchema, uuid } from '../shared/common';
import { attachmentSchema } from './inquiry';

/** An inbound mail that matched no inquiry: `pending` until staff assign (or discard) it. */
export const inboundMessageStates = ['pending', 'assigned', 'discarded'] as const;
export const inboundMessageStateSchema = z.enum(inboundMessageStates);
export type InboundMessageState = z.infer<typeof inboundMessageStateSchema>;

export const inboundMessageSchema = z.object({
  id: uuid(),
  state: inboundMessageStateSchema,
  fromAddress: z.string(),
  fromName: z.string().nullable(),
  subject: z.string(),
  body: z.string(),
  messageId: z.string().nullable(),
  inReplyTo: z.string().nullable(),
  inquiryId: uuid().nullable(),
  attachments: z.array(attachmentSchema),
  receivedAt: isoDateTimeSchema,
  version: z.number().int(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

export const inboundQuerySchema = z
  .object({
    state: inboundMessageStateSchema.default('pending'),
    ...pageQuerySchema.shape,
  })
  .strict();
export type InboundQuery = z.infer<typeof inboundQuerySchema>;
/** Oldest first: the review list is worked through in the order mail arrived. */
export const inboundListSchema = pageOf(inboundMessageSchema);
export type InboundList = z.infer<typeof inboundListSchema>;

/** Staff file a waiting mail into an inquiry: it becomes the inquirer's message there. */
export const inboundAssignSchema = z.object({ inquiryId: uuid() }).strict();
export type InboundAssign = z.infer<typeof inboundAssignSchema>;
