import type { ReportViews } from '@sp/db';
import { AppError } from '@sp/platform/core';
import { sql } from 'kysely';
import type { ReportSection, Row, TableSection } from '../document';
import type { ReportKindDefinition } from '../kind';
import { bilingual, col, type ViewsReader } from './report-figures';

/**
 * One symposium: its programme (sessions in the symposium's own time zone), speakers with their
 * partner, participants by partner and by country, attendance (checked in) against
 * registrations (confirmed, waitlisted, cancelled), and its documents. Registrations are counted,
 * never listed: the view carries no names or addresses. "Confirmed" includes those who checked
 * in (a check-in is a confirmed seat used). Unknown symposium: `not-found`.
 */
export const symposiumKind: ReportKindDefinition<'symposium', ReportViews> = {
  kind: 'symposium',

  partnerOf: () => null,

  async estimateRows(db, { symposiumId }) {
    const row = await sql<{ rows: string }>`
      select (select count(*) from symposium.report_sessions where symposium_id = ${symposiumId})
           + (select count(*) from symposium.report_speakers where symposium_id = ${symposiumId})
           + (select count(*) from symposium.report_documents where symposium_id = ${symposiumId})
           + (select count(distinct partner_id) + count(distinct partner_country) + 1
                from symposium.report_registrations where symposium_id = ${symposiumId})
           as rows`.execute(db);
    return Number(row.rows[0]?.rows ?? 0);
  },

  async build(db, { symposiumId }, ctx) {
    const symposium = await db
      .selectFrom('symposium.reportSymposiums')
      .selectAll()
      .where('id', '=', symposiumId)
      .executeTakeFirst();
    if (!symposium) throw AppError.notFound('symposium', symposiumId);
    const attendance = await attendanceOf(db, symposiumId);
    const title = bilingual(symposium.titleEn, symposium.titleJa);
    return {
      title:
        symposium.edition === null
          ? `Symposium report — ${title}`
          : `Symposium report — edition ${symposium.edition}: ${title}`,
      subtitle: title,
      generatedAt: ctx.now,
      facts: [
        { label: 'Title', value: symposium.titleEn ?? '' },
        { label: 'Title (日本語)', value: symposium.titleJa ?? '' },
        { label: 'Edition', value: symposium.edition === null ? '' : String(symposium.edition) },
        { label: 'Held on', value: symposium.heldOn },
        { label: 'Campus', value: symposium.campus ?? '' },
        { label: 'Venue', value: bilingual(symposium.venueEn, symposium.venueJa) },
        { label: 'Format', value: symposium.format ?? '' },
        { label: 'Status', value: symposium.status },
        { label: 'Capacity', value: symposium.capacity === null ? '' : String(symposium.capacity) },
        { label: 'Registrations (confirmed)', value: String(attendance.confirmed) },
        { label: 'Attended (checked in)', value: String(attendance.attended) },
      ],
      sections: sections(db, symposiumId, symposium.timeZone, attendance, symposium.capacity),
    };
  },

  fileName: ({ symposiumId }) => `symposium-${symposiumId}`,
};

type Attendance = {
  registrations: number;
  confirmed: number;
  attended: number;
  waitlisted: number;
  cancelled: number;
};

async function attendanceOf(db: ViewsReader, symposiumId: string): Promise<Attendance> {
  const rows = await sql<Attendance>`
    select count(*)::int as registrations,
           count(*) filter (where status in ('confirmed', 'attended'))::int as confirmed,
           count(*) filter (where attended_at is not null)::int as attended,
           count(*) filter (where status = 'waitlisted')::int as waitlisted,
           count(*) filter (where status = 'cancelled')::int as cancelled
      from symposium.report_registrations
     where symposium_id = ${symposiumId}`.execute(db);
  return (
    rows.rows[0] ?? { registrations: 0, confirmed: 0, attended: 0, waitlisted: 0, cancelled: 0 }
  );
}

/** `YYYY-MM-DD HH:mm` of an instant in `timeZone`. */
function localMinute(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

const later = (run: () => Promise<Row[]>): AsyncIterable<Row> =>
  (async function* () {
    yield* await run();
  })();

function* sections(
  db: ViewsReader,
  symposiumId: string,
  timeZone: string,
  attendance: Attendance,
  capacity: number | null,
): Generator<ReportSection> {
  yield {
    kind: 'table',
    name: 'programme',
    title: `Programme (times in ${timeZone})`,
    columns: [
      col('startsAt', 'Starts', 'text', 16),
      col('endsAt', 'Ends', 'text', 16),
      col('kind', 'Kind', 'text', 16),
      col('titleEn', 'Title', 'text', 48),
      col('titleJa', 'Title (日本語)', 'text', 32),
      col('room', 'Room', 'text', 16),
    ],
    rows: later(async () =>
      (
        await db
          .selectFrom('symposium.reportSessions')
          .select(['startsAt', 'endsAt', 'kind', 'titleEn', 'titleJa', 'room'])
          .where('symposiumId', '=', symposiumId)
          .orderBy('startsAt')
          .orderBy('id')
          .execute()
      ).map((s) => ({
        ...s,
        startsAt: localMinute(s.startsAt, timeZone),
        endsAt: localMinute(s.endsAt, timeZone),
      })),
    ),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'speakers',
    title: 'Speakers',
    columns: [
      col('session', 'Session', 'text', 40),
      col('role', 'Role', 'text', 10),
      col('nameEn', 'Name', 'text', 28),
      col('nameJa', 'Name (日本語)', 'text', 16),
      col('affiliation', 'Affiliation', 'text', 36),
      col('partner', 'Partner', 'text', 36),
      col('partnerCountry', 'Country', 'text', 8),
    ],
    rows: later(async () =>
      (
        await db
          .selectFrom('symposium.reportSpeakers as p')
          .innerJoin('symposium.reportSessions as s', 's.id', 'p.sessionId')
          .select([
            's.titleEn as sessionEn',
            's.titleJa as sessionJa',
            'p.role',
            'p.nameEn',
            'p.nameJa',
            'p.affiliationEn',
            'p.affiliationJa',
            'p.partnerNameEn',
            'p.partnerNameJa',
            'p.partnerCountry',
          ])
          .where('p.symposiumId', '=', symposiumId)
          .orderBy('s.startsAt')
          .orderBy('s.id')
          .orderBy('p.position')
          .execute()
      ).map((p) => ({
        session: bilingual(p.sessionEn, p.sessionJa),
        role: p.role,
        nameEn: p.nameEn,
        nameJa: p.nameJa,
        affiliation: bilingual(p.affiliationEn, p.affiliationJa),
        partner: bilingual(p.partnerNameEn, p.partnerNameJa),
        partnerCountry: p.partnerCountry,
      })),
    ),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'attendance',
    title: 'Attendance against registrations',
    columns: [
      col('capacity', 'Capacity', 'integer'),
      col('registrations', 'Registrations', 'integer'),
      col('confirmed', 'Confirmed', 'integer'),
      col('attended', 'Attended (checked in)', 'integer'),
      col('waitlisted', 'Waitlisted', 'integer'),
      col('cancelled', 'Cancelled', 'integer'),
      col('attendanceRate', 'Attended of confirmed', 'percent'),
    ],
    rows: [
      {
        capacity,
        ...attendance,
        attendanceRate:
          attendance.confirmed === 0
            ? null
            : Math.round((attendance.attended / attendance.confirmed) * 10_000) / 10_000,
      },
    ],
  } satisfies TableSection;
  yield {
    kind: 'chart',
    name: 'chart-attendance',
    title: 'Registrations and attendance',
    bars: [
      { label: 'Confirmed', value: attendance.confirmed },
      { label: 'Attended', value: attendance.attended },
      { label: 'Waitlisted', value: attendance.waitlisted },
      { label: 'Cancelled', value: attendance.cancelled },
    ],
  };
  yield {
    kind: 'table',
    name: 'participants-by-partner',
    title: 'Participants by partner (confirmed registrations)',
    columns: [
      col('partner', 'Partner', 'text', 40),
      col('partnerJa', 'Partner (日本語)', 'text', 24),
      col('country', 'Country', 'text', 8),
      col('confirmed', 'Confirmed', 'integer'),
      col('attended', 'Attended', 'integer'),
    ],
    rows: later(
      async () =>
        (
          await sql<Row>`
            select coalesce(partner_name_en, '(no partner)') as partner, partner_name_ja as "partnerJa",
                   partner_country as country,
                   count(*)::int as confirmed,
                   count(*) filter (where attended_at is not null)::int as attended
              from symposium.report_registrations
             where symposium_id = ${symposiumId} and status in ('confirmed', 'attended')
             group by partner_id, partner_name_en, partner_name_ja, partner_country
             order by partner_id is null, partner_name_en`.execute(db)
        ).rows,
    ),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'participants-by-country',
    title: 'Participants by country (of their partner)',
    columns: [
      col('country', 'Country', 'text', 12),
      col('confirmed', 'Confirmed', 'integer'),
      col('attended', 'Attended', 'integer'),
    ],
    rows: later(
      async () =>
        (
          await sql<Row>`
            select coalesce(partner_country, '(none)') as country,
                   count(*)::int as confirmed,
                   count(*) filter (where attended_at is not null)::int as attended
              from symposium.report_registrations
             where symposium_id = ${symposiumId} and status in ('confirmed', 'attended')
             group by partner_country
             order by partner_country nulls last`.execute(db)
        ).rows,
    ),
  } satisfies TableSection;
  yield {
    kind: 'table',
    name: 'documents',
    title: 'Documents',
    columns: [
      col('kind', 'Kind', 'text', 16),
      col('language', 'Language', 'text', 4),
      col('title', 'Title', 'text', 40),
      col('titleJa', 'Title (日本語)', 'text', 28),
      col('published', 'Published', 'text', 4),
      col('url', 'Link', 'text', 40),
    ],
    rows: later(async () =>
      (
        await db
          .selectFrom('symposium.reportDocuments')
          .select(['kind', 'language', 'title', 'titleJa', 'published', 'url'])
          .where('symposiumId', '=', symposiumId)
          .orderBy('position')
          .orderBy('id')
          .execute()
      ).map((d) => ({ ...d, published: d.published ? 'yes' : 'no' })),
    ),
  } satisfies TableSection;
}
