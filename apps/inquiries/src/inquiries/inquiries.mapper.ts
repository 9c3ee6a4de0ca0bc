import type { InquiryAttachment, InquirySnapshot, InquiryStatus, PublicMessage } from '@sp/types';
import type { AttachmentRow, InquiryRow, MessageRow } from './inquiries.repository';

export const toAttachment = (row: AttachmentRow): InquiryAttachment => ({
  id: row.id,
  filename: row.filename,
  contentType: row.contentType,
  size: row.size,
});

/** Staff appear as the group: no staff names, ids or channels reach the inquirer. */
export const toPublicMessage = (row: MessageRow, attachments: AttachmentRow[]): PublicMessage => ({
  id: row.id,
  from: row.authorKind,
  body: row.body,
  attachments: attachments.filter((a) => a.messageId === row.id).map(toAttachment),
  createdAt: row.createdAt.toISOString(),
});

export const toInquiryStatus = (
  row: InquiryRow,
  messages: MessageRow[],
  attachments: AttachmentRow[],
  mergedFrom: string | null = null,
): InquiryStatus => ({
  reference: row.reference,
  mergedFrom,
  state: row.state,
  category: row.category,
  subject: row.subject,
  language: row.language,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  messages: messages
    .filter((m) => m.visibility === 'public')
    .map((m) => toPublicMessage(m, attachments)),
});

/** The event payload: no message text, no inquirer's name or address. */
export const toInquirySnapshot = (row: InquiryRow): InquirySnapshot => ({
  id: row.id,
  reference: row.reference,
  state: row.state,
  category: row.category,
  language: row.language,
  partnerId: row.partnerId,
  symposiumId: row.symposiumId,
  assignee: row.assignee,
  version: Number(row.version),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** The `inquiry.message-added` event: who wrote, where, how many files — never the text. */
export const toMessageAdded = (inquiry: InquiryRow, message: MessageRow, attachments: number) => ({
  inquiryId: inquiry.id,
  reference: inquiry.reference,
  messageId: message.id,
  authorKind: message.authorKind,
  visibility: message.visibility,
  channel: message.channel,
  attachments,
  createdAt: message.createdAt.toISOString(),
});

/** What the audit log keeps of an inquiry (no status token hash). */
export const toInquiryAudit = (row: InquiryRow): Omit<InquiryRow, 'statusTokenHash'> => {
  const audited: Partial<InquiryRow> = { ...row };
  delete audited.statusTokenHash;
  return audited as Omit<InquiryRow, 'statusTokenHash'>;
};
