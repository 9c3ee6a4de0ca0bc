import type {
  Campus,
  DocumentKind,
  Language,
  Symposium,
  SymposiumFormat,
  SymposiumStatus,
} from '@sp/types';
import type { ColumnType, Generated } from 'kysely';
import type {
  AuditLogTable,
  DateOnly,
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

/** The symposium service's tables (schema `symposium`). */
export type SymposiumTables = {
  'symposium.symposium': SymposiumTable;
  'symposium.document': SymposiumDocumentTable;
  'symposium.auditLog': AuditLogTable;
  'symposium.processedMessage': ProcessedMessageTable;
  'symposium.partner': PartnerSnapshotTable;
};
