import type {
  Campus,
  DocumentKind,
  Language,
  ParticipantsQualifier,
  RegistrationStatus,
  SessionKind,
  SessionRole,
  SymposiumFormat,
  SymposiumStatus,
} from '@sp/types';
import type { ColumnType, Generated } from 'kysely';
import type {
  AuditLogTable,
  DateOnly,
  OutboxTable,
  PartnerSnapshotTable,
  ProcessedMessageTable,
  Timestamp,
} from './shared';

export type SymposiumTable = {
  id: Generated<string>;
  edition: number | null;
  /** A title needs one language at least (a check constraint). */
  titleEn: string | null;
  titleJa: string | null;
  descriptionEn: string | null;
  descriptionJa: string | null;
  heldOn: DateOnly;
  /** Wall-clock times (`HH:MM:SS`) in `timeZone`. */
  startsAt: string | null;
  endsAt: string | null;
  timeZone: ColumnType<string, string | undefined, string>;
  campus: Campus | null;
  venueEn: string | null;
  venueJa: string | null;
  format: SymposiumFormat | null;
  streamUrl: string | null;
  expectedAttendance: number | null;
  status: SymposiumStatus;
  participants: number | null;
  participantsQualifier: ParticipantsQualifier | null;
  organiser: string | null;
  noteEn: string | null;
  noteJa: string | null;
  version: ColumnType<string, never, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SymposiumDocumentTable = {
  id: Generated<string>;
  symposiumId: string;
  kind: DocumentKind;
  language: Language;
  /** The English title (the column predates bilingual titles); one of the two is set. */
  title: string | null;
  titleJa: string | null;
  url: string | null;
  publishedIn: string | null;
  published: ColumnType<boolean, boolean | undefined, boolean>;
  position: ColumnType<number, number | undefined, number>;
  storageKey: string | null;
  contentType: string | null;
  sizeBytes: ColumnType<string | null, number | null | undefined, number | null>;
  fileName: string | null;
  version: ColumnType<string, never, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SessionTable = {
  id: Generated<string>;
  symposiumId: string;
  kind: SessionKind;
  titleEn: string | null;
  titleJa: string | null;
  descriptionEn: string | null;
  descriptionJa: string | null;
  startsAt: ColumnType<Date, Date | string, Date | string>;
  endsAt: ColumnType<Date, Date | string, Date | string>;
  room: string | null;
  version: ColumnType<string, never, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SessionPersonTable = {
  id: Generated<string>;
  sessionId: string;
  role: SessionRole;
  nameEn: string | null;
  nameJa: string | null;
  affiliationEn: string | null;
  affiliationJa: string | null;
  partnerId: string | null;
  position: ColumnType<number, number | undefined, number>;
};

export type ProgrammePublicationTable = {
  symposiumId: string;
  /**
   * The sessions as staff saw them when publishing: `SessionRecord[]` (stored form, both
   * languages), parsed by its contract when read.
   */
  sessions: ColumnType<unknown, string, string>;
  publishedAt: Timestamp;
  publishedBy: string | null;
};

/** Registration settings of a symposium (migration 0008): one row per symposium that takes sign-ups. */
export type RegistrationSettingsTable = {
  symposiumId: string;
  capacity: number;
  opensAt: ColumnType<Date, Date | string, Date | string>;
  closesAt: ColumnType<Date, Date | string, Date | string>;
  /** The extra form fields (`RegistrationFormField[]`, written as JSON text; read through its contract). */
  form: ColumnType<unknown, string | undefined, string>;
  reminderOffsetsMinutes: ColumnType<number[], number[] | undefined, number[]>;
  version: ColumnType<string, never, string | number>;
  updatedAt: Timestamp;
};

export type RegistrationTable = {
  id: Generated<string>;
  symposiumId: string;
  /** Arrival order: assigned under the settings row's lock, so it is the order of decisions. */
  seq: ColumnType<string, never, never>;
  partnerId: string | null;
  name: string;
  email: string;
  language: Language;
  answers: ColumnType<Record<string, unknown>, string | undefined, string>;
  status: RegistrationStatus;
  tokenHash: string;
  checkInCode: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  attendedAt: Date | null;
};

export type RegistrationReminderTable = {
  registrationId: string;
  /** The start it was sent for: a moved symposium's reminders are due again. */
  startsAt: Timestamp;
  offsetMinutes: number;
  sentAt: Timestamp;
};

/** The symposium service's tables (schema `symposium`). */
export type SymposiumTables = {
  'symposium.symposium': SymposiumTable;
  'symposium.document': SymposiumDocumentTable;
  'symposium.session': SessionTable;
  'symposium.sessionPerson': SessionPersonTable;
  'symposium.programmePublication': ProgrammePublicationTable;
  'symposium.auditLog': AuditLogTable;
  'symposium.processedMessage': ProcessedMessageTable;
  'symposium.partner': PartnerSnapshotTable;
  'symposium.outbox': OutboxTable;
  'symposium.registrationSettings': RegistrationSettingsTable;
  'symposium.registration': RegistrationTable;
  'symposium.registrationReminder': RegistrationReminderTable;
};
