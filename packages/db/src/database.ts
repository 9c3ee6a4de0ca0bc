import type { ColumnType, Generated } from 'kysely';

/** A `timestamptz` column: read as Date, written as Date or ISO string, defaulted by Postgres. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `date` column: always the `YYYY-MM-DD` string (see the type parser in create-db.ts). */
type DateOnly = string;

export type PartnerTable = {
  id: Generated<string>;
  nameEn: string;
  nameJa: string | null;
  country: string;
  region: string | null;
  website: string | null;
  status: string;
  statusSince: ColumnType<DateOnly, DateOnly | undefined, DateOnly>;
  memberInstitutions: ColumnType<string[], string[] | undefined, string[]>;
  summaryEn: string | null;
  summaryJa: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** Incremented by every committed change (int8: read as a string). */
  version: ColumnType<string, never, string>;
};

export type PartnerStatusChangeTable = {
  id: Generated<string>;
  partnerId: string;
  fromStatus: string | null;
  toStatus: string;
  changedOn: DateOnly;
  note: string | null;
  recordedAt: Timestamp;
};

export type AgreementTable = {
  id: Generated<string>;
  partnerId: string;
  kind: string;
  title: string;
  signedOn: DateOnly | null;
  signedYear: number | null;
  renewedOn: DateOnly | null;
  expiresOn: DateOnly | null;
  note: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SymposiumTable = {
  id: Generated<string>;
  edition: number | null;
  titleEn: string;
  titleJa: string | null;
  heldOn: DateOnly;
  campus: string | null;
  venue: string | null;
  format: string | null;
  streamUrl: string | null;
  status: string;
  participants: number | null;
  participantsQualifier: string | null;
  organiser: string | null;
  note: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SymposiumDocumentTable = {
  id: Generated<string>;
  symposiumId: string;
  kind: string;
  language: string;
  title: string;
  url: string | null;
  publishedIn: string | null;
  published: ColumnType<boolean, boolean | undefined, boolean>;
  position: ColumnType<number, number | undefined, number>;
  createdAt: Timestamp;
};

export type SigningKeyTable = {
  kid: string;
  alg: string;
  publicJwk: ColumnType<Record<string, unknown>, string, string>;
  privateJwk: ColumnType<Record<string, unknown>, string, string>;
  createdAt: Timestamp;
};

export type ApiClientTable = {
  id: Generated<string>;
  partnerId: string;
  name: string;
  scopes: string[];
  secretHash: string;
  createdBy: string;
  createdAt: Timestamp;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

export type AuditLogTable = {
  id: Generated<string>;
  at: Timestamp;
  actorKind: string;
  actorId: string | null;
  entity: string;
  entityId: string;
  action: string;
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
  requestId: string | null;
};

export type OutboxTable = {
  id: Generated<string>;
  topic: string;
  name: string;
  payload: ColumnType<unknown, string, never>;
  createdAt: Timestamp;
  sentAt: Date | null;
};

export type ProcessedMessageTable = {
  consumer: string;
  messageId: string;
  processedAt: Timestamp;
};

export type PartnerSnapshotTable = {
  id: string;
  nameEn: string;
  nameJa: string | null;
  country: string;
  status: string;
  sourceUpdatedAt: ColumnType<Date, Date | string, Date | string>;
  /** The registry's partner version of the event applied (0: from before versions). */
  sourceVersion: ColumnType<string, number | string | undefined, number | string>;
  syncedAt: Timestamp;
};

export type DeliveryTable = {
  id: Generated<string>;
  idempotencyKey: string;
  template: string;
  locale: string;
  recipients: string[];
  status: ColumnType<string, string | undefined, string>;
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

/** Schemas that publish through an outbox, and schemas that consume registry events. */
export const outboxSchemas = ['registry'] as const;
export type OutboxSchema = (typeof outboxSchemas)[number];
export const consumerSchemas = ['symposium', 'inquiries'] as const;
export type ConsumerSchema = (typeof consumerSchemas)[number];

/** The schemas that keep an audit log (each service's own). */
export const auditedSchemas = ['registry', 'symposium', 'inquiries', 'notifications'] as const;
export type AuditedSchema = (typeof auditedSchemas)[number];

/**
 * Every table, keyed `schema.table` as Kysely expects. Column names are camelCase here and
 * snake_case in Postgres; `CamelCasePlugin` (create-db.ts) maps between them.
 */
export type DB = {
  'registry.partner': PartnerTable;
  'registry.partnerStatusChange': PartnerStatusChangeTable;
  'registry.agreement': AgreementTable;
  'registry.signingKey': SigningKeyTable;
  'registry.apiClient': ApiClientTable;
  'registry.auditLog': AuditLogTable;
  'registry.outbox': OutboxTable;
  'symposium.auditLog': AuditLogTable;
  'symposium.processedMessage': ProcessedMessageTable;
  'symposium.partner': PartnerSnapshotTable;
  'inquiries.auditLog': AuditLogTable;
  'inquiries.processedMessage': ProcessedMessageTable;
  'inquiries.partner': PartnerSnapshotTable;
  'notifications.delivery': DeliveryTable;
  'notifications.auditLog': AuditLogTable;
  'symposium.symposium': SymposiumTable;
  'symposium.document': SymposiumDocumentTable;
};
