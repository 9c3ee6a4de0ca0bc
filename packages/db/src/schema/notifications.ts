import type { deliveryStatuses, EmailTemplate, Language } from '@sp/types';
import type { ColumnType, Generated } from 'kysely';
import type { AuditLogTable, Timestamp } from './shared';

export type DeliveryTable = {
  id: Generated<string>;
  idempotencyKey: string;
  template: EmailTemplate;
  locale: Language;
  recipients: string[];
  status: ColumnType<
    (typeof deliveryStatuses)[number],
    (typeof deliveryStatuses)[number] | undefined,
    (typeof deliveryStatuses)[number]
  >;
  attempts: ColumnType<number, number | undefined, number>;
  providerMessageId: string | null;
  lastError: string | null;
  /** The queue job that last tried it. */
  jobId: ColumnType<string | null, string | null | undefined, string | null>;
  /** While `sending`: until when the claiming job holds it. */
  claimedUntil: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** While `sending`: the attempt that holds it (job id and BullMQ lock token of that run). */
  claimToken: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: Timestamp;
  sentAt: Date | null;
};

/** The worker's notification tables (schema `notifications`). */
export type NotificationsTables = {
  'notifications.delivery': DeliveryTable;
  'notifications.auditLog': AuditLogTable;
};
