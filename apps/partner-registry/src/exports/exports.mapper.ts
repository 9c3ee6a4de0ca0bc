import type { Partner } from '@sp/types';

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

/** One record's cells in the columns' order (null as an empty cell). */
export const toCsvRecord = <T>(columns: CsvColumn<T>[], record: T): (string | number)[] =>
  columns.map((c) => c.cell(record) ?? '');
