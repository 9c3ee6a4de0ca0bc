import { currenciesByMinorUnits } from '@sp/types';
import { quoteLiteral } from '@sp/db';
import {
  boolCell,
  type CsvColumn,
  jsonListCell,
  listCell,
  textCell,
  timeCell,
} from '../common/csv-export';

// Each export's columns as SQL over its repository's export query, written as the JSON API
// writes each field (the e2e tests compare the two, field by field). A column added to a
// contract is added here, at the end, so files made before still read the same.

/** `status_since` at its precision (`2016`, `2016-04` or `2016-04-01`), as `joinPartialDate`. */
const partialDate = (day: string, precision: string): string =>
  `left(to_char(${day}, 'YYYY-MM-DD'), case ${precision} when 'year' then 4 when 'month' then 7 else 10 end)`;

/**
 * An amount with exactly its currency's minor units ("12.5" USD → "12.50", JPY none), as
 * `formatAmount` writes it; 4 for a code without them. Amounts never have more decimals than
 * their currency (the API refuses them), so `trunc` only pads.
 */
const amountCell = (amount: string, currency: string): string => {
  const branches = [...currenciesByMinorUnits()]
    .filter(([digits]) => digits !== 4)
    .map(
      ([digits, codes]) =>
        `when ${currency} in (${codes.map(quoteLiteral).join(', ')}) then ${digits}`,
    );
  return `trunc(${amount}, case ${branches.join(' ')} else 4 end)::text`;
};

/**
 * Partners (over `registry.partner`, unaliased): the contract's fields under the same names, so
 * a file exported here imports as it is once the columns an import does not take are removed:
 * the read-only id, status date, timestamps and version, and the coordinator's name and e-mail
 * (set through the API, where the coordinator is one object). The coordinator is staff's to
 * see, as the export is.
 */
export const partnerCsvColumns: readonly CsvColumn[] = [
  { header: 'id', sql: 'id' },
  { header: 'nameEn', sql: textCell('name_en') },
  { header: 'nameJa', sql: textCell('name_ja') },
  { header: 'country', sql: 'country' },
  { header: 'region', sql: textCell('region') },
  { header: 'website', sql: textCell('website') },
  { header: 'status', sql: 'status' },
  { header: 'statusSince', sql: partialDate('status_since', 'status_since_precision') },
  { header: 'memberInstitutions', sql: listCell('member_institutions') },
  { header: 'summaryEn', sql: textCell('summary_en') },
  { header: 'summaryJa', sql: textCell('summary_ja') },
  { header: 'createdAt', sql: timeCell('created_at') },
  { header: 'updatedAt', sql: timeCell('updated_at') },
  { header: 'version', sql: 'version' },
  { header: 'city', sql: textCell('city') },
  { header: 'logoUrl', sql: textCell('logo_url') },
  { header: 'tags', sql: listCell('tags') },
  { header: 'coordinatingDepartment', sql: textCell('coordinating_department') },
  { header: 'coordinatorName', sql: textCell('coordinator_name') },
  { header: 'coordinatorEmail', sql: textCell('coordinator_email') },
];

/**
 * Activities (`a`, its partner `p`): the import's columns first (an export edited in Excel
 * imports again), then the rest.
 */
export const activityCsvColumns: readonly CsvColumn[] = [
  { header: 'partnerId', sql: 'a.partner_id' },
  { header: 'type', sql: 'a.type' },
  { header: 'titleEn', sql: textCell('a.title_en') },
  { header: 'titleJa', sql: textCell('a.title_ja') },
  { header: 'summaryEn', sql: textCell('a.summary_en') },
  { header: 'summaryJa', sql: textCell('a.summary_ja') },
  { header: 'departments', sql: listCell('a.departments') },
  { header: 'leads', sql: listCell('a.leads') },
  { header: 'startsOn', sql: 'a.starts_on' },
  { header: 'endsOn', sql: 'a.ends_on' },
  { header: 'status', sql: 'a.status' },
  { header: 'isPublic', sql: boolCell('a.is_public') },
  { header: 'outputs.studentsInvolved', sql: `a.outputs ->> 'studentsInvolved'` },
  { header: 'id', sql: 'a.id' },
  { header: 'partnerNameEn', sql: textCell('p.name_en') },
  {
    header: 'links',
    sql: jsonListCell('a.links', `concat(e ->> 'label', ' <', e ->> 'url', '>')`),
  },
  { header: 'outputs.papers', sql: jsonListCell(`a.outputs -> 'papers'`, `e ->> 'title'`) },
  { header: 'outputs.events', sql: jsonListCell(`a.outputs -> 'events'`, `e ->> 'title'`) },
  { header: 'reviewStatus', sql: 'a.review_status' },
  { header: 'reviewComment', sql: textCell('a.review_comment') },
  { header: 'reviewedAt', sql: timeCell('a.reviewed_at') },
  { header: 'submittedAt', sql: timeCell('a.submitted_at') },
  { header: 'publishedAt', sql: timeCell('a.published_at') },
  { header: 'reportedBy', sql: textCell('a.reported_by') },
  { header: 'createdAt', sql: timeCell('a.created_at') },
  { header: 'updatedAt', sql: timeCell('a.updated_at') },
  { header: 'version', sql: 'a.version' },
];

/** Mobility reports (`m`, its partner `p`): the import's columns first, then the rest. */
export const mobilityCsvColumns: readonly CsvColumn[] = [
  { header: 'partnerId', sql: 'm.partner_id' },
  { header: 'fiscalYear', sql: 'm.fiscal_year' },
  { header: 'direction', sql: 'm.direction' },
  { header: 'personType', sql: 'm.person_type' },
  { header: 'programme', sql: textCell('m.programme') },
  { header: 'count', sql: 'm.count' },
  { header: 'note', sql: textCell('m.note') },
  { header: 'id', sql: 'm.id' },
  { header: 'partnerNameEn', sql: textCell('p.name_en') },
  { header: 'reviewStatus', sql: 'm.review_status' },
  { header: 'reviewComment', sql: textCell('m.review_comment') },
  { header: 'reviewedAt', sql: timeCell('m.reviewed_at') },
  { header: 'reportedBy', sql: textCell('m.reported_by') },
  { header: 'createdAt', sql: timeCell('m.created_at') },
  { header: 'updatedAt', sql: timeCell('m.updated_at') },
  { header: 'version', sql: 'm.version' },
];

/** External funding (`f`, its partner `p`); amounts as exact decimal text, never a float. */
export const fundingCsvColumns: readonly CsvColumn[] = [
  { header: 'id', sql: 'f.id' },
  { header: 'partnerId', sql: 'f.partner_id' },
  { header: 'partnerNameEn', sql: textCell('p.name_en') },
  { header: 'activityId', sql: 'f.activity_id' },
  { header: 'source', sql: textCell('f.source') },
  { header: 'scheme', sql: textCell('f.scheme') },
  { header: 'amount', sql: amountCell('f.amount', 'f.currency') },
  { header: 'currency', sql: 'f.currency' },
  { header: 'fiscalYear', sql: 'f.fiscal_year' },
  { header: 'status', sql: 'f.status' },
  { header: 'note', sql: textCell('f.note') },
  { header: 'createdAt', sql: timeCell('f.created_at') },
  { header: 'updatedAt', sql: timeCell('f.updated_at') },
  { header: 'version', sql: 'f.version' },
];
