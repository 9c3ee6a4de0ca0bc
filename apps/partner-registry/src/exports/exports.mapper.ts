import type { Activity, Funding, MobilityRecord, Partner } from '@sp/types';

/** A CSV column of an export: its header and the cell of one record. */
export type CsvColumn<T> = { header: string; cell: (record: T) => string | number | null };

/** List cells joined with `; ` (the separator imports split on). */
const list = (items: readonly string[]): string => items.join('; ');

/**
 * The partner export's columns: the contract's fields under the same names, so a file exported
 * here (without the read-only id, status date, timestamps and version) imports as it is.
 */
export const partnerCsvColumns: CsvColumn<Partner>[] = [
  { header: 'id', cell: (p) => p.id },
  { header: 'nameEn', cell: (p) => p.nameEn },
  { header: 'nameJa', cell: (p) => p.nameJa },
  { header: 'country', cell: (p) => p.country },
  { header: 'region', cell: (p) => p.region },
  { header: 'website', cell: (p) => p.website },
  { header: 'status', cell: (p) => p.status },
  { header: 'statusSince', cell: (p) => p.statusSince },
  { header: 'memberInstitutions', cell: (p) => list(p.memberInstitutions) },
  { header: 'summaryEn', cell: (p) => p.summaryEn },
  { header: 'summaryJa', cell: (p) => p.summaryJa },
  { header: 'createdAt', cell: (p) => p.createdAt },
  { header: 'updatedAt', cell: (p) => p.updatedAt },
  { header: 'version', cell: (p) => p.version },
];

/** Activities: the import's columns first (an export edited in Excel imports again), then the rest. */
export const activityCsvColumns: CsvColumn<Activity>[] = [
  { header: 'partnerId', cell: (a) => a.partnerId },
  { header: 'type', cell: (a) => a.type },
  { header: 'titleEn', cell: (a) => a.titleEn },
  { header: 'titleJa', cell: (a) => a.titleJa },
  { header: 'summaryEn', cell: (a) => a.summaryEn },
  { header: 'summaryJa', cell: (a) => a.summaryJa },
  { header: 'departments', cell: (a) => list(a.departments) },
  { header: 'leads', cell: (a) => list(a.leads) },
  { header: 'startsOn', cell: (a) => a.startsOn },
  { header: 'endsOn', cell: (a) => a.endsOn },
  { header: 'status', cell: (a) => a.status },
  { header: 'isPublic', cell: (a) => String(a.isPublic) },
  { header: 'outputs.studentsInvolved', cell: (a) => a.outputs.studentsInvolved },
  { header: 'id', cell: (a) => a.id },
  { header: 'partnerNameEn', cell: (a) => a.partnerNameEn },
  { header: 'links', cell: (a) => list(a.links.map((l) => `${l.label} <${l.url}>`)) },
  { header: 'outputs.papers', cell: (a) => list(a.outputs.papers.map((p) => p.title)) },
  { header: 'outputs.events', cell: (a) => list(a.outputs.events.map((e) => e.title)) },
  { header: 'reviewStatus', cell: (a) => a.reviewStatus },
  { header: 'reviewComment', cell: (a) => a.reviewComment },
  { header: 'reviewedAt', cell: (a) => a.reviewedAt },
  { header: 'submittedAt', cell: (a) => a.submittedAt },
  { header: 'publishedAt', cell: (a) => a.publishedAt },
  { header: 'reportedBy', cell: (a) => a.reportedBy },
  { header: 'createdAt', cell: (a) => a.createdAt },
  { header: 'updatedAt', cell: (a) => a.updatedAt },
  { header: 'version', cell: (a) => a.version },
];

/** Mobility reports: the import's columns first, then the rest. */
export const mobilityCsvColumns: CsvColumn<MobilityRecord>[] = [
  { header: 'partnerId', cell: (m) => m.partnerId },
  { header: 'fiscalYear', cell: (m) => m.fiscalYear },
  { header: 'direction', cell: (m) => m.direction },
  { header: 'personType', cell: (m) => m.personType },
  { header: 'programme', cell: (m) => m.programme },
  { header: 'count', cell: (m) => m.count },
  { header: 'note', cell: (m) => m.note },
  { header: 'id', cell: (m) => m.id },
  { header: 'partnerNameEn', cell: (m) => m.partnerNameEn },
  { header: 'reviewStatus', cell: (m) => m.reviewStatus },
  { header: 'reviewComment', cell: (m) => m.reviewComment },
  { header: 'reviewedAt', cell: (m) => m.reviewedAt },
  { header: 'reportedBy', cell: (m) => m.reportedBy },
  { header: 'createdAt', cell: (m) => m.createdAt },
  { header: 'updatedAt', cell: (m) => m.updatedAt },
  { header: 'version', cell: (m) => m.version },
];

/** External funding; amounts as the exact decimal text, never a float. */
export const fundingCsvColumns: CsvColumn<Funding>[] = [
  { header: 'id', cell: (f) => f.id },
  { header: 'partnerId', cell: (f) => f.partnerId },
  { header: 'partnerNameEn', cell: (f) => f.partnerNameEn },
  { header: 'activityId', cell: (f) => f.activityId },
  { header: 'source', cell: (f) => f.source },
  { header: 'scheme', cell: (f) => f.scheme },
  { header: 'amount', cell: (f) => f.amount },
  { header: 'currency', cell: (f) => f.currency },
  { header: 'fiscalYear', cell: (f) => f.fiscalYear },
  { header: 'status', cell: (f) => f.status },
  { header: 'note', cell: (f) => f.note },
  { header: 'createdAt', cell: (f) => f.createdAt },
  { header: 'updatedAt', cell: (f) => f.updatedAt },
  { header: 'version', cell: (f) => f.version },
];
