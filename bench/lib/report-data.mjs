// Fills a throwaway database with a fiscal year's worth of report data: the seed's number of
// partners, `activities` approved activities and `mobility` approved mobility records, all in
// fiscal year `fiscalYear` (April–March), spread evenly over the partners. Rows are made by the
// server itself (INSERT … SELECT generate_series, in chunks so progress can be shown): a million
// rows take seconds, not the minutes row-by-row inserts from Node would. Each chunk runs with
// triggers off (`session_replication_role = replica`: the search index the registry's triggers
// keep is not what a report reads, and would cost more than the rows) and no statement timeout.

import { sql } from 'kysely';
import { generatePartners } from './fixtures.mjs';

/** The seed's partner count (packages/db/src/seed/registry.ts): the programme's real size. */
export const SEEDED_PARTNERS = 11;
const CHUNK = 100_000;

const activityTypes = [
  'joint-research',
  'education-programme',
  'mobility-programme',
  'joint-symposium',
  'funding-bid',
  'other',
];

/**
 * @param {import('kysely').Kysely<import('@sp/db').DB>} db a Kysely handle (CamelCasePlugin) on the bench database
 * @param {{ activities: number, mobility: number, fiscalYear: number, partners?: number, log: (m: string) => void }} options
 */
export async function fillReportData(db, options) {
  const { activities, mobility, fiscalYear, log } = options;
  const partners = await db
    .insertInto('registry.partner')
    .values(generatePartners(options.partners ?? SEEDED_PARTNERS))
    .returning('id')
    .execute();
  const ids = sql`${sql.val(partners.map((p) => p.id))}::uuid[]`;
  const n = partners.length;
  log(`${n} partners`);

  const bulk = (query) =>
    db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`set local statement_timeout = 0`.execute(trx);
      await query.execute(trx);
    });
  for (let from = 1; from <= activities; from += CHUNK) {
    const to = Math.min(activities, from + CHUNK - 1);
    await bulk(sql`
      insert into registry.activity (partner_id, type, title_en, title_ja, departments, starts_on,
        ends_on, status, review_status, reported_by, created_by)
      select (${ids})[1 + g % ${n}], (${sql.val(activityTypes)}::text[])[1 + g % 6],
             'Joint research, "bench" ' || g, '共同研究 ' || g,
             array['Engineering', '工学系研究科'],
             make_date(${fiscalYear}, 4, 1) + (g % 365), null, 'ongoing', 'approved', 'staff', 'bench'
        from generate_series(${from}::int, ${to}::int) g`);
    log(`activities ${to.toLocaleString('en')} / ${activities.toLocaleString('en')}`);
  }

  const directions = sql`array['inbound', 'outbound']`;
  const types = sql`array['undergraduate', 'graduate', 'researcher', 'administrative-staff']`;
  for (let from = 1; from <= mobility; from += CHUNK) {
    const to = Math.min(mobility, from + CHUNK - 1);
    // (partner, year, direction, person type, programme) is unique: the programme carries g.
    await bulk(sql`
      insert into registry.mobility_record (partner_id, fiscal_year, direction, person_type,
        programme, count, review_status, reported_by, created_by)
      select (${ids})[1 + g % ${n}], ${fiscalYear}, (${directions})[1 + g % 2],
             (${types})[1 + (g / 2) % 4], 'Programme ' || g, 1 + g % 5, 'approved', 'staff', 'bench'
        from generate_series(${from}::int, ${to}::int) g`);
    log(`mobility records ${to.toLocaleString('en')} / ${mobility.toLocaleString('en')}`);
  }
  await bulk(sql`analyze registry.activity`);
  await bulk(sql`analyze registry.mobility_record`);
  return { partners: n };
}
