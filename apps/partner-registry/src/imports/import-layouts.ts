import {
  activityCreateSchema,
  type ActivityCreate,
  mobilityCreateSchema,
  type MobilityCreate,
  partnerCreateSchema,
  type PartnerCreate,
} from '@sp/types';
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
    { header: 'city' },
    { header: 'logoUrl' },
    { header: 'tags', cell: 'list' },
    { header: 'coordinatingDepartment' },
  ],
};

/**
 * Activities: flat columns; links and papers/events stay with the API (one cell cannot hold a
 * list of objects well), the number of students is `outputs.studentsInvolved`.
 */
export const activityImportLayout: ImportLayout<ActivityCreate> = {
  schema: activityCreateSchema,
  columns: [
    { header: 'partnerId', required: true },
    { header: 'type', required: true },
    { header: 'titleEn', required: true },
    { header: 'titleJa' },
    { header: 'summaryEn' },
    { header: 'summaryJa' },
    { header: 'departments', cell: 'list' },
    { header: 'leads', cell: 'list' },
    { header: 'startsOn' },
    { header: 'endsOn' },
    { header: 'status' },
    { header: 'isPublic', cell: 'boolean' },
    { header: 'outputs.studentsInvolved', cell: 'number' },
  ],
};

export const mobilityImportLayout: ImportLayout<MobilityCreate> = {
  schema: mobilityCreateSchema,
  columns: [
    { header: 'partnerId', required: true },
    { header: 'fiscalYear', cell: 'number', required: true },
    { header: 'direction', required: true },
    { header: 'personType', required: true },
    { header: 'programme', required: true },
    { header: 'count', cell: 'number', required: true },
    { header: 'note' },
  ],
};
