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

/**
 * Every table, keyed `schema.table` as Kysely expects. Column names are camelCase here and
 * snake_case in Postgres; `CamelCasePlugin` (create-db.ts) maps between them.
 */
export type DB = {
  'registry.partner': PartnerTable;
  'registry.partnerStatusChange': PartnerStatusChangeTable;
  'registry.agreement': AgreementTable;
  'symposium.symposium': SymposiumTable;
  'symposium.document': SymposiumDocumentTable;
};
