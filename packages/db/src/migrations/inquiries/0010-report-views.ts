import { type Kysely, sql } from 'kysely';
import { documentView, dropReportViews, grantReportViews } from '../report-reader';

/**
 * The inquiries service's published read views for the report builders (a contract: change it
 * like an API, with a new migration). Statistics need no inquirer: no name, e-mail,
 * organisation, subject or secret status link, and no alert addresses.
 */
const views = ['report_inquiries', 'report_sla_breaches'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create view inquiries.report_inquiries as
    select id, reference, category, state, language, partner_id, symposium_id,
           merged_into_id is not null as merged, created_at, first_response_at, resolved_at,
           first_response_due_at, resolution_due_at
      from inquiries.inquiry`.execute(db);
  await documentView(db, 'inquiries', 'report_inquiries', 'Inquiries, without the inquirer.', {
    id: 'The inquiry id.',
    reference: 'Human reference, INQ-YYYY-NNNNNN.',
    category: 'partnership-proposal, symposium, mobility, media or other.',
    state: 'new, open, waiting, resolved or closed.',
    language: 'en or ja.',
    partner_id: 'The partner it is about, when linked.',
    symposium_id: 'The symposium it is about, when linked.',
    merged: 'Closed as a duplicate of another inquiry.',
    created_at: 'When it was received (an instant; report months are Tokyo months).',
    first_response_at: 'The first public staff reply.',
    resolved_at: 'When it was resolved (cleared on reopening).',
    first_response_due_at: 'First-response SLA due time (business hours from creation).',
    resolution_due_at: 'Resolution SLA due time (business hours from creation).',
  });

  await sql`
    create view inquiries.report_sla_breaches as
    select inquiry_id, kind, due_at, detected_at
      from inquiries.sla_breach`.execute(db);
  await documentView(db, 'inquiries', 'report_sla_breaches', 'Each missed SLA due time, once.', {
    inquiry_id: 'The inquiry.',
    kind: 'first-response or resolution.',
    due_at: 'The due time missed.',
    detected_at: 'When the sweep saw it missed.',
  });

  await grantReportViews(db, 'inquiries', views);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropReportViews(db, 'inquiries', views);
}
