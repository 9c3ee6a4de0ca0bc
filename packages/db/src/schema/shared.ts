import type { AuditEntry, PartnerStatus } from '@sp/types';
import type { ColumnType, Generated } from 'kysely';

/** A `timestamptz` column: read as Date, written as Date or ISO string, defaulted by Postgres. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `date` column: always the `YYYY-MM-DD` string (see the type parser in create-db.ts). */
export type DateOnly = string;

/** `<schema>.audit_log`: every service's own audit log (migrations/audit.ts). */
export type AuditLogTable = {
  id: Generated<string>;
  at: Timestamp;
  actorKind: AuditEntry['actor']['kind'];
  actorId: string | null;
  entity: string;
  entityId: string;
  action: string;
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
  requestId: string | null;
};

/** `<schema>.outbox`: messages a publishing service sends once its change commits (migrations/outbox.ts). */
export type OutboxTable = {
  id: Generated<string>;
  topic: string;
  name: string;
  payload: ColumnType<unknown, string, never>;
  createdAt: Timestamp;
  sentAt: Date | null;
};

/** `<schema>.processed_message`: what a consuming service has applied (migrations/outbox.ts). */
export type ProcessedMessageTable = {
  consumer: string;
  messageId: string;
  processedAt: Timestamp;
};

/** `<schema>.partner`: a consuming service's copy of the registry's partners, kept by events. */
export type PartnerSnapshotTable = {
  id: string;
  nameEn: string;
  nameJa: string | null;
  country: string;
  status: PartnerStatus;
  sourceUpdatedAt: ColumnType<Date, Date | string, Date | string>;
  /** The registry's partner version of the event applied (0: from before versions). */
  sourceVersion: ColumnType<string, number | string | undefined, number | string>;
  syncedAt: Timestamp;
};

/** Schemas that publish through an outbox, and schemas that consume registry events. */
export const outboxSchemas = ['registry', 'symposium', 'inquiries', 'reports'] as const;
export type OutboxSchema = (typeof outboxSchemas)[number];
export const consumerSchemas = ['symposium', 'inquiries'] as const;
export type ConsumerSchema = (typeof consumerSchemas)[number];

/** The schemas that keep an audit log (each service's own). */
export const auditedSchemas = ['registry', 'symposium', 'inquiries', 'notifications'] as const;
export type AuditedSchema = (typeof auditedSchemas)[number];
