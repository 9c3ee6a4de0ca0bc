import type {
  ActivityOutputs,
  ActivityReviewStatus,
  ActivityStatus,
  ActivityType,
  FundingStatus,
  MobilityDirection,
  MobilityPersonType,
  MobilityReviewStatus,
  PartnerScope,
  PartnerStatus,
  Region,
  Reporter,
  AgreementKind,
  AgreementReminderThreshold,
  DatePrecision,
  Language,
  SearchKind,
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
  city: string | null;
  logoUrl: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  coordinatingDepartment: string | null;
  coordinatorName: string | null;
  coordinatorEmail: string | null;
  /** The language reminders are written to the coordinator in. */
  coordinatorLocale: Language | null;
  /** How much of `statusSince` is known (it holds the first day of a year or month). */
  statusSincePrecision: Generated<DatePrecision>;
};

export type PartnerStatusChangeTable = {
  id: Generated<string>;
  partnerId: string;
  fromStatus: PartnerStatus | null;
  toStatus: PartnerStatus;
  changedOn: DateOnly;
  changedOnPrecision: Generated<DatePrecision>;
  note: string | null;
  actorKind: string | null;
  actorId: string | null;
  recordedAt: Timestamp;
};

export type AgreementTable = {
  id: Generated<string>;
  partnerId: string;
  kind: AgreementKind;
  title: string;
  signatories: ColumnType<string[], string[] | undefined, string[]>;
  /** The first day of the year, month or day it was signed (`signedOnPrecision`). */
  signedOn: DateOnly | null;
  signedOnPrecision: DatePrecision | null;
  startsOn: DateOnly | null;
  expiresOn: DateOnly | null;
  autoRenewal: Generated<boolean>;
  documentUrl: string | null;
  note: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** Incremented by every committed change (int8: read as a string). */
  version: ColumnType<string, never, string>;
};

export type AgreementRenewalTable = {
  id: Generated<string>;
  agreementId: string;
  renewedOn: DateOnly;
  renewedOnPrecision: Generated<DatePrecision>;
  previousExpiresOn: DateOnly | null;
  newExpiresOn: DateOnly | null;
  note: string | null;
  actorKind: string | null;
  actorId: string | null;
  recordedAt: Timestamp;
};

export type AgreementReminderTable = {
  agreementId: string;
  thresholdDays: AgreementReminderThreshold;
  expiresOn: DateOnly;
  sentOn: DateOnly;
  recipient: string;
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
  scopes: PartnerScope[];
  secretHash: string;
  createdBy: string;
  createdAt: Timestamp;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

export type ContactTable = {
  id: Generated<string>;
  partnerId: string;
  nameEn: string;
  nameJa: string | null;
  role: string | null;
  email: string;
  phone: string | null;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  note: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** Incremented by every committed change (int8: read as a string). */
  version: ColumnType<string, never, string>;
};

export type FacultyLeadTable = {
  id: Generated<string>;
  nameEn: string;
  nameJa: string | null;
  department: string;
  email: string;
  phone: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: ColumnType<string, never, string>;
};

export type FacultyLeadPartnerTable = {
  facultyLeadId: string;
  partnerId: string;
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

/** Country names for search (migration 0012): "Switzerland" and "スイス" find a CH partner. */
export type CountryNameTable = {
  code: string;
  nameEn: string;
  nameJa: string;
  aliases: ColumnType<string[], string[] | undefined, string[]>;
};

/** One searchable thing, kept by triggers on the tables it mirrors (migration 0012). */
export type SearchEntryTable = {
  kind: SearchKind;
  entityId: string;
  partnerId: string | null;
  audience: 'public' | 'partner' | 'staff';
  title: string;
  titleJa: string | null;
  body: ColumnType<string, string | undefined, string>;
  /** tsvector: written only by the triggers' `registry.search_document(…)`. */
  document: string;
  /** tsvector of the titles alone (the same function, no body). */
  titleDocument: string;
  updatedAt: Timestamp;
};

/** The partner registry's tables (schema `registry`). */
export type RegistryTables = {
  'registry.partner': PartnerTable;
  'registry.partnerStatusChange': PartnerStatusChangeTable;
  'registry.agreement': AgreementTable;
  'registry.agreementRenewal': AgreementRenewalTable;
  'registry.agreementReminder': AgreementReminderTable;
  'registry.signingKey': SigningKeyTable;
  'registry.apiClient': ApiClientTable;
  'registry.contact': ContactTable;
  'registry.facultyLead': FacultyLeadTable;
  'registry.facultyLeadPartner': FacultyLeadPartnerTable;
  'registry.auditLog': AuditLogTable;
  'registry.outbox': OutboxTable;
  'registry.activity': ActivityTable;
  'registry.mobilityRecord': MobilityRecordTable;
  'registry.funding': FundingTable;
  'registry.countryName': CountryNameTable;
  'registry.searchEntry': SearchEntryTable;
};
