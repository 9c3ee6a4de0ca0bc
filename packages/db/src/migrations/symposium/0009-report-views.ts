import { type Kysely, sql } from 'kysely';
import { documentView, dropReportViews, grantReportViews } from '../report-reader';

/**
 * The symposium service's published read views for the report builders (a contract: change it
 * like an API, with a new migration). Registrations carry no name, e-mail, token or check-in
 * code: a report counts people, it does not list them. Partners' names and countries come from
 * the service's own snapshot of the registry's partners.
 */
const views = [
  'report_symposiums',
  'report_sessions',
  'report_speakers',
  'report_registrations',
  'report_documents',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create view symposium.report_symposiums as
    select s.id, s.edition, s.title_en, s.title_ja, s.held_on, s.time_zone, s.campus, s.venue_en,
           s.venue_ja, s.format, s.status, s.expected_attendance, s.participants,
           s.participants_qualifier, s.organiser, r.capacity
      from symposium.symposium s
      left join symposium.registration_settings r on r.symposium_id = s.id`.execute(db);
  await documentView(db, 'symposium', 'report_symposiums', 'Every symposium.', {
    id: 'The symposium id.',
    edition: 'Edition number, when numbered.',
    title_en: 'English title.',
    title_ja: 'Japanese title.',
    held_on: 'The day it is held (local date).',
    time_zone: 'Time zone of its wall-clock times.',
    campus: 'hongo, kashiwa, komaba or online.',
    venue_en: 'Venue in English.',
    venue_ja: 'Venue in Japanese.',
    format: 'in-person, online or hybrid.',
    status: 'Where it stands: planned … report-published.',
    expected_attendance: 'Attendance planned for.',
    participants:
      'Participants recorded after the event (for editions held before registrations were online).',
    participants_qualifier: 'How exact participants is (e.g. approximate).',
    organiser: 'Who organised it.',
    capacity: 'Seats offered for registration; null when it takes no registrations.',
  });

  await sql`
    create view symposium.report_sessions as
    select id, symposium_id, kind, title_en, title_ja, starts_at, ends_at, room
      from symposium.session`.execute(db);
  await documentView(
    db,
    'symposium',
    'report_sessions',
    'The programme: sessions of each symposium.',
    {
      id: 'The session id.',
      symposium_id: 'The symposium.',
      kind: 'keynote, talk, panel-discussion, break or networking.',
      title_en: 'English title.',
      title_ja: 'Japanese title.',
      starts_at: 'Start (an instant).',
      ends_at: 'End (an instant).',
      room: 'Room.',
    },
  );

  await sql`
    create view symposium.report_speakers as
    select sp.id, sp.session_id, se.symposium_id, sp.role, sp.position, sp.name_en, sp.name_ja,
           sp.affiliation_en, sp.affiliation_ja, sp.partner_id, p.name_en as partner_name_en,
           p.name_ja as partner_name_ja, p.country as partner_country
      from symposium.session_person sp
      join symposium.session se on se.id = sp.session_id
      left join symposium.partner p on p.id = sp.partner_id`.execute(db);
  await documentView(
    db,
    'symposium',
    'report_speakers',
    'Chairs, moderators, speakers and panelists of each session, with their partner.',
    {
      id: 'The session person id.',
      session_id: 'The session.',
      symposium_id: 'The symposium.',
      role: 'chair, moderator, speaker or panelist.',
      position: 'Order within the session.',
      name_en: 'Name in Latin script.',
      name_ja: 'Name in Japanese.',
      affiliation_en: 'Affiliation in English.',
      affiliation_ja: 'Affiliation in Japanese.',
      partner_id: 'The partner university they come from, when one.',
      partner_name_en: 'That partner’s English name (the service’s snapshot).',
      partner_name_ja: 'That partner’s Japanese name.',
      partner_country: 'That partner’s country (ISO 3166-1 alpha-2).',
    },
  );

  await sql`
    create view symposium.report_registrations as
    select r.id, r.symposium_id, r.status, r.language, r.partner_id,
           p.name_en as partner_name_en, p.name_ja as partner_name_ja,
           p.country as partner_country, r.created_at, r.confirmed_at, r.cancelled_at,
           r.attended_at
      from symposium.registration r
      left join symposium.partner p on p.id = r.partner_id`.execute(db);
  await documentView(
    db,
    'symposium',
    'report_registrations',
    'Registrations, without the registrant’s name, e-mail, token or check-in code.',
    {
      id: 'The registration id.',
      symposium_id: 'The symposium.',
      status: 'confirmed, waitlisted, cancelled or attended (checked in; was confirmed).',
      language: 'en or ja.',
      partner_id: 'The partner delegation it belongs to, when one.',
      partner_name_en: 'That partner’s English name (the service’s snapshot).',
      partner_name_ja: 'That partner’s Japanese name.',
      partner_country: 'That partner’s country (ISO 3166-1 alpha-2); null without a partner.',
      created_at: 'When it was made.',
      confirmed_at: 'When it got a seat (at once, or promoted from the waiting list).',
      cancelled_at: 'When it was cancelled.',
      attended_at: 'When the registrant checked in.',
    },
  );

  await sql`
    create view symposium.report_documents as
    select id, symposium_id, kind, language, title, title_ja, url, published, position, file_name,
           size_bytes
      from symposium.document`.execute(db);
  await documentView(db, 'symposium', 'report_documents', 'Documents of each symposium.', {
    id: 'The document id.',
    symposium_id: 'The symposium.',
    kind: 'report, announcement, panel summary, video, …',
    language: 'en or ja.',
    title: 'English title.',
    title_ja: 'Japanese title.',
    url: 'Where it is published, for a link.',
    published: 'Whether it is in the public archive.',
    position: 'Order among the symposium’s documents.',
    file_name: 'Name of the stored file, when uploaded.',
    size_bytes: 'Size of the stored file.',
  });

  await grantReportViews(db, 'symposium', views);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropReportViews(db, 'symposium', views);
}
