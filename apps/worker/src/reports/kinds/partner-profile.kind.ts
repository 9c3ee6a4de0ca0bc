import type { ReportViews } from '@sp/db';
import { AppError } from '@sp/platform/core';
import { joinPartialDate } from '@sp/types';
import { sql } from 'kysely';
import type { ReportSection, Row, TableSection } from '../document';
import type { ReportAudience, ReportKindDefinition } from '../kind';
import { bilingual, col, type ViewsReader } from './report-figures';

/** How many of the partner's latest activities the briefing lists. */
export const RECENT_ACTIVITIES = 50;

/**
 * One partner's whole record, for a visit briefing: names in English and Japanese, status
 * history, agreements, contacts, faculty leads, recent activities, and mobility and funding by
 * fiscal year (funding per currency, summed in SQL numeric). Unknown partner: `not-found`.
 * A partner's own run leaves out the UTokyo people (coordinator, faculty leads): the registry
 * shows a partner token neither.
 */
export const partnerProfileKind: ReportKindDefinition<'partner-profile', ReportViews> = {
  kind: 'partner-profile',

  partnerOf: ({ partnerId }) => partnerId,

  async estimateRows(db, { partnerId }) {
    const row = await sql<{ rows: string }>`
      select (select count(*) from registry.report_partner_status_changes where partner_id = ${partnerId})
           + (select count(*) from registry.report_agreements where partner_id = ${partnerId})
           + (select count(*) from registry.report_contacts where partner_id = ${partnerId})
           + (select count(*) from registry.report_faculty_leads where partner_id = ${partnerId})
           + least(${RECENT_ACTIVITIES}, (select count(*) from registry.report_activities where partner_id = ${partnerId}))
           + (select count(distinct fiscal_year) from registry.report_mobility where partner_id = ${partnerId})
           + (select count(distinct (fiscal_year, currency)) from registry.report_funding where partner_id = ${partnerId})
           as rows`.execute(db);
    return Number(row.rows[0]?.rows ?? 0);
  },

  async build(db, { partnerId }, ctx) {
    const partner = await db
      .selectFrom('registry.reportPartners')
      .selectAll()
      .where('id', '=', partnerId)
      .executeTakeFirst();
    if (!partner) throw AppError.notFound('partner', partnerId);
    const title = bilingual(partner.nameEn, partner.nameJa);
    return {
      title: `Partner profile — ${title}`,
      subtitle: partner.nameJa ?? undefined,
      generatedAt: ctx.now,
      facts: [
        { label: 'Name', value: partner.nameEn },
        { label: 'Name (日本語)', value: partner.nameJa ?? '' },
        { label: 'Country', value: partner.country },
        { label: 'Region', value: partner.region ?? '' },
        { label: 'City', value: partner.city ?? '' },
        { label: 'Website', value: partner.website ?? '' },
        // At the precision it is known to: 'since 2013', not 'since 2013-01-01'.
        {
          label: 'Status',
          value: `${partner.status} since ${joinPartialDate(partner.statusSince, partner.statusSincePrecision)}`,
        },
        { label: 'Member institutions', value: partner.memberInstitutions.join(', ') },
        { label: 'Coordinating department', value: partner.coordinatingDepartment ?? '' },
        ...(ctx.audience === 'staff'
          ? [{ label: 'UTokyo coordinator', value: partner.coordinatorName ?? '' }]
          : []),
        { label: 'Summary', value: partner.summaryEn ?? '' },
        { label: 'Summary (日本語)', value: partner.summaryJa ?? '' },
      ],
      sections: sections(db, partnerId, ctx.audience),
    };
  },

  fileName: ({ partnerId }) => `partner-profile-${partnerId}`,
};

const rowsOf = (query: { execute(): Promise<Row[]> }): AsyncIterable<Row> =>
  (async function* () {
    yield* await query.execute();
  })();

function* sections(
  db: ViewsReader,
  partnerId: string,
  audience: ReportAudience,
): Generator<ReportSection> {
  yield {
    kind: 'table',
    name: 'status-history',
    title: 'Status history',
    columns: [
      col('changedOn', 'Since', 'date'),
      col('changedOnPrecision', 'Precision', 'text', 8),
      col('fromStatus', 'From', 'text', 12),
      col('toStatus', 'To', 'text', 12),
      col('note', 'Note', 'text', 40),
    ],
    rows: rowsOf(
      db
        .selectFrom('registry.reportPartnerStatusChanges')
        .select(['changedOn', 'changedOnPrecision', 'fromStatus', 'toStatus', 'note'])
        .where('partnerId', '=', partnerId)
        .orderBy('changedOn'),
    ),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'agreements',
    title: 'Agreements',
    columns: [
      col('kind', 'Kind', 'text', 18),
      col('title', 'Title', 'text', 40),
      col('signedOn', 'Signed', 'date'),
      col('signedOnPrecision', 'Precision', 'text', 8),
      col('startsOn', 'In force from', 'date'),
      col('expiresOn', 'Expires', 'date'),
      col('autoRenewal', 'Renews itself', 'text', 6),
    ],
    rows: (async function* (): AsyncGenerator<Row> {
      const rows = await db
        .selectFrom('registry.reportAgreements')
        .select([
          'kind',
          'title',
          'signedOn',
          'signedOnPrecision',
          'startsOn',
          'expiresOn',
          'autoRenewal',
        ])
        .where('partnerId', '=', partnerId)
        .orderBy('signedOn', (o) => o.desc().nullsLast())
        .orderBy('id')
        .execute();
      for (const r of rows) yield { ...r, autoRenewal: r.autoRenewal ? 'yes' : 'no' };
    })(),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'contacts',
    title: 'Contacts at the partner',
    columns: [
      col('nameEn', 'Name', 'text', 28),
      col('nameJa', 'Name (日本語)', 'text', 16),
      col('role', 'Role', 'text', 24),
      col('email', 'E-mail', 'text', 32),
      col('languages', 'Languages', 'text', 12),
    ],
    rows: rowsOf(
      db
        .selectFrom('registry.reportContacts')
        .select(['nameEn', 'nameJa', 'role', 'email', 'languages'])
        .where('partnerId', '=', partnerId)
        .orderBy('nameEn')
        .orderBy('id'),
    ),
  } satisfies TableSection;
  if (audience === 'staff')
    yield {
      kind: 'table',
      name: 'faculty-leads',
      title: 'UTokyo faculty leads',
      columns: [
        col('nameEn', 'Name', 'text', 28),
        col('nameJa', 'Name (日本語)', 'text', 16),
        col('department', 'Department', 'text', 28),
        col('email', 'E-mail', 'text', 32),
      ],
      rows: rowsOf(
        db
          .selectFrom('registry.reportFacultyLeads')
          .select(['nameEn', 'nameJa', 'department', 'email'])
          .where('partnerId', '=', partnerId)
          .orderBy('nameEn')
          .orderBy('id'),
      ),
    } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'recent-activities',
    title: `Recent activities (latest ${RECENT_ACTIVITIES})`,
    columns: [
      col('startsOn', 'Starts', 'date'),
      col('endsOn', 'Ends', 'date'),
      col('type', 'Type', 'text', 20),
      col('titleEn', 'Title', 'text', 48),
      col('titleJa', 'Title (日本語)', 'text', 32),
      col('departments', 'Departments', 'text', 24),
      col('status', 'Status', 'text', 10),
    ],
    rows: rowsOf(
      db
        .selectFrom('registry.reportActivities')
        .select(['startsOn', 'endsOn', 'type', 'titleEn', 'titleJa', 'departments', 'status'])
        .where('partnerId', '=', partnerId)
        .orderBy('startsOn', (o) => o.desc().nullsLast())
        .orderBy('id')
        .limit(RECENT_ACTIVITIES),
    ),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'mobility-by-year',
    title: 'Mobility by fiscal year',
    columns: [
      col('fiscalYear', 'Fiscal year', 'integer'),
      col('inboundStudents', 'Inbound students', 'integer'),
      col('inboundStaff', 'Inbound staff', 'integer'),
      col('outboundStudents', 'Outbound students', 'integer'),
      col('outboundStaff', 'Outbound staff', 'integer'),
      col('total', 'Total', 'integer'),
    ],
    rows: rowsOf({
      execute: async () =>
        (
          await sql<Row>`
            select fiscal_year as "fiscalYear",
                   coalesce(sum(count) filter (where direction = 'inbound' and person_group = 'student'), 0)::int as "inboundStudents",
                   coalesce(sum(count) filter (where direction = 'inbound' and person_group = 'staff'), 0)::int as "inboundStaff",
                   coalesce(sum(count) filter (where direction = 'outbound' and person_group = 'student'), 0)::int as "outboundStudents",
                   coalesce(sum(count) filter (where direction = 'outbound' and person_group = 'staff'), 0)::int as "outboundStaff",
                   sum(count)::int as total
              from registry.report_mobility
             where partner_id = ${partnerId}
             group by fiscal_year
             order by fiscal_year`.execute(db)
        ).rows,
    }),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'funding-by-year',
    title: 'External funding by fiscal year and currency',
    columns: [
      col('fiscalYear', 'Fiscal year', 'integer'),
      col('currency', 'Currency', 'text', 8),
      col('bids', 'Bids', 'integer'),
      col('applied', 'Applied (all bids)', 'decimal', 16),
      col('awarded', 'Awarded', 'decimal', 16),
    ],
    rows: rowsOf({
      execute: async () =>
        (
          await sql<Row>`
            select fiscal_year as "fiscalYear", currency, count(*)::int as bids,
                   trim_scale(sum(amount))::text as applied,
                   trim_scale(coalesce(sum(amount) filter (where status = 'awarded'), 0))::text as awarded
              from registry.report_funding
             where partner_id = ${partnerId}
             group by fiscal_year, currency
             order by fiscal_year, currency`.execute(db)
        ).rows,
    }),
  } satisfies TableSection;
}
