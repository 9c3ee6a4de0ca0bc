import { type Kysely, sql } from 'kysely';
import { documentView, dropReportViews, grantReportViews } from '../report-reader';

/**
 * The registry's published read views for the report builders (a contract: change it like an
 * API, with a new migration). Only what reports need: no API client secrets, no audit log, no
 * review workflow. Activities and mobility records count once staff have approved them (a
 * partner's draft or returned record is not a programme figure).
 */
const views = [
  'report_partners',
  'report_partner_status_changes',
  'report_agreements',
  'report_contacts',
  'report_faculty_leads',
  'report_activities',
  'report_mobility',
  'report_funding',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create view registry.report_partners as
    select id, name_en, name_ja, country, region, city, website, status, status_since,
           status_since_precision, member_institutions, summary_en, summary_ja,
           coordinating_department, coordinator_name
      from registry.partner`.execute(db);
  await documentView(db, 'registry', 'report_partners', 'Every partner university, any status.', {
    id: 'The partner id (the API’s).',
    name_en: 'English name.',
    name_ja: 'Japanese name, when known.',
    country: 'ISO 3166-1 alpha-2 country code.',
    region: 'World region, when set.',
    city: 'City, when set.',
    website: 'Website URL, when set.',
    status: 'prospective, strategic, primary or ended.',
    status_since: 'First day of the status (of its year or month at a coarser precision).',
    status_since_precision: 'How much of status_since is known: year, month or day.',
    member_institutions: 'Member institutions of a consortium partner.',
    summary_en: 'Summary of the partnership in English.',
    summary_ja: 'Summary of the partnership in Japanese.',
    coordinating_department: 'The UTokyo department that coordinates the partnership.',
    coordinator_name: 'The UTokyo coordinator’s name (no address: reports do not mail).',
  });

  await sql`
    create view registry.report_partner_status_changes as
    select partner_id, from_status, to_status, changed_on, changed_on_precision, note
      from registry.partner_status_change`.execute(db);
  await documentView(
    db,
    'registry',
    'report_partner_status_changes',
    'Dated status history of each partner.',
    {
      partner_id: 'The partner.',
      from_status: 'Status before the change; null for the first.',
      to_status: 'Status after the change.',
      changed_on: 'First day of the change (of its year or month at a coarser precision).',
      changed_on_precision: 'year, month or day.',
      note: 'Staff’s note on the change.',
    },
  );

  await sql`
    create view registry.report_agreements as
    select id, partner_id, kind, title, signed_on, signed_on_precision, starts_on, expires_on,
           auto_renewal
      from registry.agreement`.execute(db);
  await documentView(db, 'registry', 'report_agreements', 'Agreements with partners.', {
    id: 'The agreement id.',
    partner_id: 'The partner.',
    kind: 'comprehensive, strategic-partnership, student-exchange, research or other.',
    title: 'Title of the agreement.',
    signed_on: 'First day it was signed (of its year or month at a coarser precision).',
    signed_on_precision: 'year, month or day; null when the signing date is unknown.',
    starts_on: 'First day in force.',
    expires_on: 'Last day in force; null when open-ended.',
    auto_renewal: 'Whether it renews itself.',
  });

  await sql`
    create view registry.report_contacts as
    select id, partner_id, name_en, name_ja, role, email, array_to_string(languages, ', ') as languages
      from registry.contact`.execute(db);
  await documentView(db, 'registry', 'report_contacts', 'Contacts on the partner’s side.', {
    id: 'The contact id.',
    partner_id: 'The partner.',
    name_en: 'Name in Latin script.',
    name_ja: 'Name in Japanese.',
    role: 'Their role at the partner.',
    email: 'Work e-mail (for a visit briefing).',
    languages: 'Languages they work in, comma-separated.',
  });

  await sql`
    create view registry.report_faculty_leads as
    select l.id, p.partner_id, l.name_en, l.name_ja, l.department, l.email
      from registry.faculty_lead l
      join registry.faculty_lead_partner p on p.faculty_lead_id = l.id`.execute(db);
  await documentView(
    db,
    'registry',
    'report_faculty_leads',
    'UTokyo faculty leading the work with each partner (one row per lead and partner).',
    {
      id: 'The faculty lead id.',
      partner_id: 'The partner they lead on.',
      name_en: 'Name in Latin script.',
      name_ja: 'Name in Japanese.',
      department: 'Their UTokyo department.',
      email: 'Work e-mail.',
    },
  );

  await sql`
    create view registry.report_activities as
    select id, partner_id, type, title_en, title_ja, array_to_string(departments, '; ') as departments,
           starts_on, ends_on, status, is_public
      from registry.activity
     where review_status = 'approved'`.execute(db);
  await documentView(
    db,
    'registry',
    'report_activities',
    'Projects and activities with partners that staff have approved.',
    {
      id: 'The activity id.',
      partner_id: 'The partner.',
      type: 'joint-research, education-programme, mobility-programme, joint-symposium, funding-bid or other.',
      title_en: 'English title.',
      title_ja: 'Japanese title.',
      departments: 'UTokyo departments involved, joined by "; ".',
      starts_on: 'First day (Tokyo date); null when not yet known.',
      ends_on: 'Last day (Tokyo date); null when open-ended.',
      status: 'planned, ongoing, completed or cancelled.',
      is_public: 'Whether it is shown on the public site.',
    },
  );

  await sql`
    create view registry.report_mobility as
    select id, partner_id, fiscal_year, direction, person_type,
           case when person_type in ('undergraduate', 'graduate') then 'student' else 'staff' end as person_group,
           programme, count
      from registry.mobility_record
     where review_status = 'approved'`.execute(db);
  await documentView(
    db,
    'registry',
    'report_mobility',
    'Approved mobility records: people who went to or came from a partner in a fiscal year.',
    {
      id: 'The record id.',
      partner_id: 'The partner.',
      fiscal_year:
        'Japanese fiscal year, named by the year it starts in (2025 = April 2025–March 2026).',
      direction: 'inbound (to UTokyo) or outbound (from UTokyo).',
      person_type: 'undergraduate, graduate, researcher or administrative-staff.',
      person_group:
        'student (undergraduate, graduate) or staff (researcher, administrative-staff).',
      programme: 'The exchange programme.',
      count: 'Number of people.',
    },
  );

  await sql`
    create view registry.report_funding as
    select id, partner_id, activity_id, source, scheme, amount, currency, fiscal_year, status
      from registry.funding`.execute(db);
  await documentView(db, 'registry', 'report_funding', 'External funding sought or won.', {
    id: 'The funding id.',
    partner_id: 'The partner.',
    activity_id: 'The activity it funds, when linked.',
    source: 'The funder.',
    scheme: 'The funder’s scheme.',
    amount: 'Exact amount (numeric; sum it in SQL, never as a float).',
    currency: 'ISO 4217 code: amounts in different currencies are never added together.',
    fiscal_year: 'Japanese fiscal year of the application or award.',
    status: 'applied, awarded or rejected.',
  });

  await grantReportViews(db, 'registry', views);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropReportViews(db, 'registry', views);
}
