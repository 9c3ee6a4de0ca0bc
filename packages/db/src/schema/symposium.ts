import type {
  Campus,
  DocumentKind,
  Language,
  RegistrationStatus,
  Symposium,
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
  titleEn: string;
  titleJa: string | null;
  heldOn: DateOnly;
  campus: Campus | null;
  venue: string | null;
  format: SymposiumFormat | null;
  streamUrl: string | null;
  status: SymposiumStatus;
  participants: number | null;
  participantsQualifier: Symposium['participantsQualifier'];
  organiser: string | null;
  note: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SymposiumDocumentTable = {
  id: Generated<string>;
  symposiumId: string;
  kind: DocumentKind;
  language: Language;
  title: string;
  url: string | null;
  publishedIn: string | null;
  published: ColumnType<boolean, boolean | undefined, boolean>;
  position: ColumnType<number, number | undefined, number>;
  createdAt: Timestamp;
};

/** Registration settings of a symposium (migration 0009): one row per symposium that takes sign-ups. */
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
  offsetMinutes: number;
  sentAt: Timestamp;
};

/** The symposium service's tables (schema `symposium`). */
export type SymposiumTables = {
  'symposium.symposium': SymposiumTable;
  'symposium.document': SymposiumDocumentTable;
  'symposium.auditLog': AuditLogTable;
  'symposium.processedMessage': ProcessedMessageTable;
  'symposium.partner': PartnerSnapshotTable;
  'symposium.outbox': OutboxTable;
  'symposium.registrationSettings': RegistrationSettingsTable;
  'symposium.registration': RegistrationTable;
  'symposium.registrationReminder': RegistrationReminderTable;
};
