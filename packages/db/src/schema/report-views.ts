import type {
  ActivityStatus,
  ActivityType,
  AgreementKind,
  Campus,
  DatePrecision,
  DocumentKind,
  FundingStatus,
  InquiryCategory,
  InquiryState,
  Language,
  MobilityDirection,
  MobilityPersonType,
  ParticipantsQualifier,
  PartnerStatus,
  Region,
  RegistrationStatus,
  SessionKind,
  SessionRole,
  SlaKind,
  SymposiumFormat,
  SymposiumStatus,
} from '@sp/types';
import type { ColumnType } from 'kysely';
import type { DateOnly } from './shared';

/** A view's column: selected, never written. */
type Read<T> = ColumnType<T, never, never>;

/**
 * The published read views (migrations registry/0013, symposium/0009, inquiries/0010): the
 * report builders' contract, read through the role `sp_report_reader`, which may read these and
 * nothing else. Each column is documented in the database (`COMMENT ON COLUMN`). Postgres keeps
 * no NOT NULL for a view's columns; the nullability here is the base tables', and
 * test/schema-drift.int-spec.ts compares names and types (not nullability) with the database.
 */
export type ReportPartnersView = {
  id: Read<string>;
  nameEn: Read<string>;
  nameJa: Read<string | null>;
  country: Read<string>;
  region: Read<Region | null>;
  city: Read<string | null>;
  website: Read<string | null>;
  status: Read<PartnerStatus>;
  statusSince: Read<DateOnly>;
  statusSincePrecision: Read<DatePrecision>;
  memberInstitutions: Read<string[]>;
  summaryEn: Read<string | null>;
  summaryJa: Read<string | null>;
  coordinatingDepartment: Read<string | null>;
  coordinatorName: Read<string | null>;
};

export type ReportPartnerStatusChangesView = {
  partnerId: Read<string>;
  fromStatus: Read<PartnerStatus | null>;
  toStatus: Read<PartnerStatus>;
  changedOn: Read<DateOnly>;
  changedOnPrecision: Read<DatePrecision>;
  note: Read<string | null>;
};

export type ReportAgreementsView = {
  id: Read<string>;
  partnerId: Read<string>;
  kind: Read<AgreementKind>;
  title: Read<string>;
  signedOn: Read<DateOnly | null>;
  signedOnPrecision: Read<DatePrecision | null>;
  startsOn: Read<DateOnly | null>;
  expiresOn: Read<DateOnly | null>;
  autoRenewal: Read<boolean>;
};

export type ReportContactsView = {
  id: Read<string>;
  partnerId: Read<string>;
  nameEn: Read<string>;
  nameJa: Read<string | null>;
  role: Read<string | null>;
  email: Read<string>;
  languages: Read<string>;
};

export type ReportFacultyLeadsView = {
  id: Read<string>;
  partnerId: Read<string>;
  nameEn: Read<string>;
  nameJa: Read<string | null>;
  department: Read<string>;
  email: Read<string>;
};

export type ReportActivitiesView = {
  id: Read<string>;
  partnerId: Read<string>;
  type: Read<ActivityType>;
  titleEn: Read<string>;
  titleJa: Read<string | null>;
  departments: Read<string>;
  startsOn: Read<DateOnly | null>;
  endsOn: Read<DateOnly | null>;
  status: Read<ActivityStatus>;
  isPublic: Read<boolean>;
};

export type ReportMobilityView = {
  id: Read<string>;
  partnerId: Read<string>;
  fiscalYear: Read<number>;
  direction: Read<MobilityDirection>;
  personType: Read<MobilityPersonType>;
  personGroup: Read<'student' | 'staff'>;
  programme: Read<string>;
  count: Read<number>;
};

export type ReportFundingView = {
  id: Read<string>;
  partnerId: Read<string>;
  activityId: Read<string | null>;
  source: Read<string>;
  scheme: Read<string | null>;
  /** `numeric`: an exact decimal string. */
  amount: Read<string>;
  currency: Read<string>;
  fiscalYear: Read<number>;
  status: Read<FundingStatus>;
};

export type ReportSymposiumsView = {
  id: Read<string>;
  edition: Read<number | null>;
  titleEn: Read<string | null>;
  titleJa: Read<string | null>;
  heldOn: Read<DateOnly>;
  timeZone: Read<string>;
  campus: Read<Campus | null>;
  venueEn: Read<string | null>;
  venueJa: Read<string | null>;
  format: Read<SymposiumFormat | null>;
  status: Read<SymposiumStatus>;
  expectedAttendance: Read<number | null>;
  participants: Read<number | null>;
  participantsQualifier: Read<ParticipantsQualifier | null>;
  organiser: Read<string | null>;
  capacity: Read<number | null>;
};

export type ReportSessionsView = {
  id: Read<string>;
  symposiumId: Read<string>;
  kind: Read<SessionKind>;
  titleEn: Read<string | null>;
  titleJa: Read<string | null>;
  startsAt: Read<Date>;
  endsAt: Read<Date>;
  room: Read<string | null>;
};

export type ReportSpeakersView = {
  id: Read<string>;
  sessionId: Read<string>;
  symposiumId: Read<string>;
  role: Read<SessionRole>;
  position: Read<number>;
  nameEn: Read<string | null>;
  nameJa: Read<string | null>;
  affiliationEn: Read<string | null>;
  affiliationJa: Read<string | null>;
  partnerId: Read<string | null>;
  partnerNameEn: Read<string | null>;
  partnerNameJa: Read<string | null>;
  partnerCountry: Read<string | null>;
};

export type ReportRegistrationsView = {
  id: Read<string>;
  symposiumId: Read<string>;
  status: Read<RegistrationStatus>;
  language: Read<Language>;
  partnerId: Read<string | null>;
  partnerNameEn: Read<string | null>;
  partnerNameJa: Read<string | null>;
  partnerCountry: Read<string | null>;
  createdAt: Read<Date>;
  confirmedAt: Read<Date | null>;
  cancelledAt: Read<Date | null>;
  attendedAt: Read<Date | null>;
};

export type ReportDocumentsView = {
  id: Read<string>;
  symposiumId: Read<string>;
  kind: Read<DocumentKind>;
  language: Read<Language>;
  title: Read<string | null>;
  titleJa: Read<string | null>;
  url: Read<string | null>;
  published: Read<boolean>;
  position: Read<number>;
  fileName: Read<string | null>;
  /** int8: read as a string. */
  sizeBytes: Read<string | null>;
};

export type ReportInquiriesView = {
  id: Read<string>;
  reference: Read<string>;
  category: Read<InquiryCategory>;
  state: Read<InquiryState>;
  language: Read<Language>;
  partnerId: Read<string | null>;
  symposiumId: Read<string | null>;
  merged: Read<boolean>;
  createdAt: Read<Date>;
  firstResponseAt: Read<Date | null>;
  resolvedAt: Read<Date | null>;
  firstResponseDueAt: Read<Date | null>;
  resolutionDueAt: Read<Date | null>;
};

export type ReportSlaBreachesView = {
  inquiryId: Read<string>;
  kind: Read<SlaKind>;
  dueAt: Read<Date>;
  detectedAt: Read<Date>;
};

/** Every published view, keyed `schema.view` (camelCase) as Kysely expects. */
export type ReportViews = {
  'registry.reportPartners': ReportPartnersView;
  'registry.reportPartnerStatusChanges': ReportPartnerStatusChangesView;
  'registry.reportAgreements': ReportAgreementsView;
  'registry.reportContacts': ReportContactsView;
  'registry.reportFacultyLeads': ReportFacultyLeadsView;
  'registry.reportActivities': ReportActivitiesView;
  'registry.reportMobility': ReportMobilityView;
  'registry.reportFunding': ReportFundingView;
  'symposium.reportSymposiums': ReportSymposiumsView;
  'symposium.reportSessions': ReportSessionsView;
  'symposium.reportSpeakers': ReportSpeakersView;
  'symposium.reportRegistrations': ReportRegistrationsView;
  'symposium.reportDocuments': ReportDocumentsView;
  'inquiries.reportInquiries': ReportInquiriesView;
  'inquiries.reportSlaBreaches': ReportSlaBreachesView;
};
