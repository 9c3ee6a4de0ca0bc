import type { FacultyLead } from '@sp/types';
import type { FacultyLeadRow, LeadPartnerRow } from './faculty-leads.repository';

export const toFacultyLead = (row: FacultyLeadRow, partners: LeadPartnerRow[]): FacultyLead => ({
  id: row.id,
  nameEn: row.nameEn,
  nameJa: row.nameJa,
  department: row.department,
  email: row.email,
  phone: row.phone,
  partners: partners
    .filter((p) => p.facultyLeadId === row.id)
    .map((p) => ({ id: p.id, nameEn: p.nameEn, nameJa: p.nameJa })),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

/** The payload of `faculty-lead.*` events: ids and changed field names, no personal data. */
export const toFacultyLeadEvent = (lead: FacultyLead, fields: string[]) => ({
  id: lead.id,
  partnerIds: lead.partners.map((p) => p.id),
  version: lead.version,
  fields,
});
