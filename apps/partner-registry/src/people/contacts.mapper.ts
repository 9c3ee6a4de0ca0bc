import type { Contact } from '@sp/types';
import type { ContactRow } from './contacts.repository';

export const toContact = (row: ContactRow): Contact => ({
  id: row.id,
  partnerId: row.partnerId,
  nameEn: row.nameEn,
  nameJa: row.nameJa,
  role: row.role,
  email: row.email,
  phone: row.phone,
  languages: row.languages,
  note: row.note,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

/** The payload of `contact.*` events: ids and the names of changed fields, no personal data. */
export const toContactEvent = (row: ContactRow, fields: string[]) => ({
  id: row.id,
  partnerId: row.partnerId,
  version: Number(row.version),
  fields,
});
