import type { InboundMessage } from '@sp/types';
import { toAttachment } from '../inquiries/inquiries.mapper';
import type { InboundAttachmentRow, InboundRow } from './inbound-mail.repository';

export const toInboundMessage = (
  row: InboundRow,
  attachments: InboundAttachmentRow[],
): InboundMessage => ({
  id: row.id,
  state: row.state,
  fromAddress: row.fromAddress,
  fromName: row.fromName,
  subject: row.subject,
  body: row.body,
  messageId: row.messageId,
  inReplyTo: row.inReplyTo,
  inquiryId: row.inquiryId,
  attachments: attachments
    .filter(
      (a) =>
        a.inboundMessageId === row.id ||
        (row.assignedMessageId !== null && a.messageId === row.assignedMessageId),
    )
    .map(toAttachment),
  receivedAt: row.receivedAt.toISOString(),
  version: Number(row.version),
});
