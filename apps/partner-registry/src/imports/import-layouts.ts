import { partnerCreateSchema, type PartnerCreate } from '@sp/types';
import type { ImportLayout } from './csv-rows';

/**
 * The columns of each kind of import: a header per field of the create contract (the same
 * names as the JSON body of the create route), and how its cells are read.
 */
export const partnerImportLayout: ImportLayout<PartnerCreate> = {
  schema: partnerCreateSchema,
  columns: [
    { header: 'nameEn', required: true },
    { header: 'nameJa' },
    { header: 'country', required: true },
    { header: 'region' },
    { header: 'website' },
    { header: 'status' },
    { header: 'memberInstitutions', cell: 'list' },
    { header: 'summaryEn' },
    { header: 'summaryJa' },
  ],
};
