import type { AuditLogTable, PartnerSnapshotTable, ProcessedMessageTable } from './shared';

/** The inquiries service's tables (schema `inquiries`). */
export type InquiriesTables = {
  'inquiries.auditLog': AuditLogTable;
  'inquiries.processedMessage': ProcessedMessageTable;
  'inquiries.partner': PartnerSnapshotTable;
};
