import type {
  InboundMessageState,
  InquiryAuthorKind,
  InquiryCategory,
  InquiryChannel,
  InquiryState,
  InquiryVisibility,
  Language,
  SlaKind,
} from '@sp/types';
import type { ColumnType, Generated } from 'kysely';
import type {
  AuditLogTable,
  OutboxTable,
  PartnerSnapshotTable,
  ProcessedMessageTable,
  Timestamp,
} from './shared';

/** One row per year: the next reference number of that year (gap-free, taken in the transaction). */
export type ReferenceCounterTable = {
  year: number;
  nextNumber: ColumnType<number, number | undefined, number>;
};

export type InquiryTable = {
  id: Generated<string>;
  /** `INQ-YYYY-NNNNNN`. */
  reference: string;
  referenceYear: number;
  referenceNumber: number;
  state: ColumnType<InquiryState, InquiryState | undefined, InquiryState>;
  category: InquiryCategory;
  name: string;
  email: string;
  organisation: string | null;
  country: string | null;
  language: Language;
  subject: string;
  /** The category's own fields, as its schema parsed them. */
  categoryFields: ColumnType<Record<string, unknown>, string | undefined, string>;
  partnerId: string | null;
  symposiumId: string | null;
  /** The staff member's subject (`sub` of their token). */
  assignee: string | null;
  /** SHA-256 (hex) of the secret status token; the token itself is only ever in the inquirer's link. */
  statusTokenHash: string;
  /** Incremented by every committed change (int8: read as a string). */
  version: ColumnType<string, never, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** SLA due times, in business hours from creation by the category's targets (0008). */
  firstResponseDueAt: NullableTimestamp;
  resolutionDueAt: NullableTimestamp;
  /** The first public staff reply. */
  firstResponseAt: NullableTimestamp;
  /** The move to resolved (cleared on reopening). */
  resolvedAt: NullableTimestamp;
  /** A merged duplicate's inquiry (the duplicate is closed). */
  mergedIntoId: string | null;
  /** Where the assignee's SLA alerts go (the group's address when null). */
  assigneeEmail: string | null;
  /** The SHA-256 of the submission's Idempotency-Key, if it had one (unique). */
  clientKeyHash: string | null;
  /** A digest of what the submission asked, to tell a retry from another request. */
  clientRequest: string | null;
  /** The status token, sealed under a key derived from the Idempotency-Key. */
  statusTokenSealed: string | null;
};

export type MessageTable = {
  id: Generated<string>;
  inquiryId: string;
  authorKind: InquiryAuthorKind;
  authorId: string | null;
  visibility: InquiryVisibility;
  channel: InquiryChannel;
  body: string;
  /** The mail's Message-ID (inbound mail, or our outgoing reply). */
  messageId: string | null;
  inReplyTo: string | null;
  /** A staff reply's `Idempotency-Key`, unique per inquiry, and a digest of its request. */
  clientKey: string | null;
  clientRequest: string | null;
  createdAt: Timestamp;
};

export type AttachmentTable = {
  id: Generated<string>;
  messageId: string | null;
  inboundMessageId: string | null;
  storageKey: string;
  filename: string;
  contentType: string;
  size: number;
  /** The file's place among its message's files (0-based). */
  position: ColumnType<number, number | undefined, number>;
  createdAt: Timestamp;
};

export type InboundMessageTable = {
  id: Generated<string>;
  state: ColumnType<InboundMessageState, InboundMessageState | undefined, InboundMessageState>;
  fromAddress: string;
  fromName: string | null;
  subject: ColumnType<string, string | undefined, string>;
  body: ColumnType<string, string | undefined, string>;
  messageId: string | null;
  inReplyTo: string | null;
  references: ColumnType<string[], string[] | undefined, string[]>;
  inquiryId: string | null;
  assignedMessageId: string | null;
  decidedBy: string | null;
  version: ColumnType<string, never, string>;
  receivedAt: Timestamp;
  updatedAt: Timestamp;
};

/** The Message-ID of every mail sent about an inquiry: replies naming one thread into it. */
export type MailThreadTable = {
  messageId: string;
  inquiryId: string;
  kind: string;
  createdAt: Timestamp;
};

type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

/** One row per missed SLA due time, recorded once by the sweep (unique inquiry, kind, due). */
export type SlaBreachTable = {
  id: Generated<string>;
  inquiryId: string;
  kind: SlaKind;
  dueAt: ColumnType<Date, Date | string, Date | string>;
  detectedAt: ColumnType<Date, Date | string, Date | string>;
  /** The address the alert went to. */
  notified: string;
};

/** The desk's reusable answers, in English and Japanese. */
export type CannedResponseTable = {
  id: Generated<string>;
  title: string;
  bodyEn: string;
  bodyJa: string;
  version: ColumnType<string, never, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

/** The inquiries service's tables (schema `inquiries`). */
export type InquiriesTables = {
  'inquiries.auditLog': AuditLogTable;
  'inquiries.processedMessage': ProcessedMessageTable;
  'inquiries.partner': PartnerSnapshotTable;
  'inquiries.outbox': OutboxTable;
  'inquiries.referenceCounter': ReferenceCounterTable;
  'inquiries.inquiry': InquiryTable;
  'inquiries.message': MessageTable;
  'inquiries.attachment': AttachmentTable;
  'inquiries.inboundMessage': InboundMessageTable;
  'inquiries.mailThread': MailThreadTable;
  'inquiries.slaBreach': SlaBreachTable;
  'inquiries.cannedResponse': CannedResponseTable;
};
