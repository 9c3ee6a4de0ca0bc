import type {
  ActivityOutputs,
  ActivityReviewStatus,
  ActivityStatus,
  ActivityType,
  agreementKinds,
  FundingStatus,
  MobilityDirection,
  MobilityPersonType,
  MobilityReviewStatus,
  PartnerScope,
  PartnerStatus,
  Region,
  Reporter,
} from '@sp/types';
import type { ColumnType, Generated } from 'kysely';
import type { AuditLogTable, DateOnly, OutboxTable, Timestamp } from './shared';

export type PartnerTable = {
  id: Generated<string>;
  nameEn: string;
  nameJa: string | null;
  country: string;
  region: Region | null;
  website: string | null;
  status: PartnerStatus;
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
  fromStatus: PartnerStatus | null;
  toStatus: PartnerStatus;
  changedOn: DateOnly;
  note: string | null;
  recordedAt: Timestamp;
};

export type AgreementTable = {
  id: Generated<string>;
  partnerId: string;
  kind: (typeof agreementKinds)[number];
  title: string;
  signedOn: DateOnly | null;
  signedYear: number | null;
  renewedOn: DateOnly | null;
  expiresOn: DateOnly | null;
  note: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
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
  scopes: PartnerScope[];
  secretHash: string;
  createdBy: string;
  createdAt: Timestamp;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

/** A `jsonb` column: read parsed, written as JSON text. */
type Json<T> = ColumnType<T, string | undefined, string>;
/** A `bigint` version column raised by updates (int8: read as a string). */
type Version = ColumnType<string, never, string>;

export type ActivityTable = {
  id: Generated<string>;
  partnerId: string;
  type: ActivityType;
  titleEn: string;
  titleJa: string | null;
  summaryEn: string | null;
  summaryJa: string | null;
  departments: ColumnType<string[], string[] | undefined, string[]>;
  leads: ColumnType<string[], string[] | undefined, string[]>;
  startsOn: DateOnly | null;
  endsOn: DateOnly | null;
  status: ActivityStatus;
  isPublic: Generated<boolean>;
  /** `ActivityLink[]` (a JSON array: the mapper reads it through its contract). */
  links: Json<unknown>;
  outputs: Json<ActivityOutputs>;
  reviewStatus: ActivityReviewStatus;
  reviewComment: string | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  submittedAt: Date | null;
  publishedAt: Date | null;
  reportedBy: Reporter;
  createdBy: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: Version;
};

export type MobilityRecordTable = {
  id: Generated<string>;
  partnerId: string;
  fiscalYear: number;
  direction: MobilityDirection;
  personType: MobilityPersonType;
  programme: string;
  count: number;
  note: string | null;
  reviewStatus: MobilityReviewStatus;
  reviewComment: string | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reportedBy: Reporter;
  createdBy: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: Version;
};

export type FundingTable = {
  id: Generated<string>;
  partnerId: string;
  activityId: string | null;
  source: string;
  scheme: string | null;
  /** `numeric`: read and written as a decimal string, never a float. */
  amount: string;
  currency: string;
  fiscalYear: number;
  status: FundingStatus;
  note: string | null;
  createdBy: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: Version;
};

/** The partner registry's tables (schema `registry`). */
export type RegistryTables = {
  'registry.partner': PartnerTable;
  'registry.partnerStatusChange': PartnerStatusChangeTable;
  'registry.agreement': AgreementTable;
  'registry.signingKey': SigningKeyTable;
  'registry.apiClient': ApiClientTable;
  'registry.auditLog': AuditLogTable;
  'registry.outbox': OutboxTable;
  'registry.activity': ActivityTable;
  'registry.mobilityRecord': MobilityRecordTable;
  'registry.funding': FundingTable;
};
