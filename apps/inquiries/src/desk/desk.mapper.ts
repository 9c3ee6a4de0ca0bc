import type {
  DeskMessage,
  InquiryAttachment,
  InquiryDetail,
  InquirySnapshot,
  InquirySummary,
  SlaBreach,
} from '@sp/types';
import type { SlaBreachRow } from '../sla/sla.repository';
import type { AttachmentRow, InquiryRow, MessageRow, PartnerSnapshotRow } from './desk.repository';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

/** Past a due time not met yet at `now` (the same rule as the list filter and the sweep). */
export const isOverdue = (row: InquiryRow, now: Date): boolean => {
  const t = now.getTime();
  const firstResponseLate =
    row.firstResponseAt === null &&
    row.state !== 'resolved' &&
    row.state !== 'closed' &&
    row.firstResponseDueAt !== null &&
    row.firstResponseDueAt.getTime() <= t;
  const resolutionLate =
    row.resolvedAt === null &&
    row.state !== 'closed' &&
    row.resolutionDueAt !== null &&
    row.resolutionDueAt.getTime() <= t;
  return firstResponseLate || resolutionLate;
};

export const toInquirySummary = (row: InquiryRow, now: Date): InquirySummary => ({
  id: row.id,
  reference: row.reference,
  state: row.state,
  category: row.category,
  subject: row.subject,
  name: row.name,
  email: row.email,
  organisation: row.organisation,
  country: row.country,
  language: row.language,
  assignee: row.assignee,
  assigneeEmail: row.assigneeEmail,
  partnerId: row.partnerId,
  symposiumId: row.symposiumId,
  mergedIntoId: row.mergedIntoId,
  firstResponseDueAt: iso(row.firstResponseDueAt),
  resolutionDueAt: iso(row.resolutionDueAt),
  firstResponseAt: iso(row.firstResponseAt),
  resolvedAt: iso(row.resolvedAt),
  overdue: isOverdue(row, now),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

const toAttachment = (row: AttachmentRow): InquiryAttachment => ({
  id: row.id,
  filename: row.filename,
  contentType: row.contentType,
  size: row.size,
});

export const toDeskMessage = (row: MessageRow, attachments: AttachmentRow[]): DeskMessage => ({
  id: row.id,
  authorKind: row.authorKind,
  authorId: row.authorId,
  visibility: row.visibility,
  channel: row.channel,
  body: row.body,
  messageId: row.messageId,
  attachments: attachments.filter((a) => a.messageId === row.id).map(toAttachment),
  createdAt: row.createdAt.toISOString(),
});

export const toSlaBreach = (row: SlaBreachRow): SlaBreach => ({
  kind: row.kind,
  dueAt: row.dueAt.toISOString(),
  detectedAt: row.detectedAt.toISOString(),
  notified: row.notified,
});

export const toInquiryDetail = (
  row: InquiryRow,
  now: Date,
  parts: {
    messages: MessageRow[];
    attachments: AttachmentRow[];
    breaches: SlaBreachRow[];
    partner: PartnerSnapshotRow | undefined;
    merged: { id: string; reference: string }[];
  },
): InquiryDetail => ({
  ...toInquirySummary(row, now),
  categoryFields: row.categoryFields,
  partner: parts.partner ?? null,
  messages: parts.messages.map((m) => toDeskMessage(m, parts.attachments)),
  breaches: parts.breaches.map(toSlaBreach),
  merged: parts.merged,
});

/** What an event says of an inquiry (no message text, no inquirer's address). */
export const toInquiryEventSnapshot = (row: InquiryRow): InquirySnapshot => ({
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
