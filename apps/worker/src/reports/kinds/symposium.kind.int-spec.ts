import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { buildCsv, type ParsedReport, rowsOf } from '../../../test/reports/report-run';
import { reportData } from '../../../test/reports/report-data';
import { symposiumKind } from './symposium.kind';

let database: TestDatabase;
let report: ParsedReport;
let symposiumId: string;
const kyoto = {
  id: randomUUID(),
  nameEn: 'Kyoto Partner University',
  nameJa: '京都パートナー大学',
  country: 'JP',
};
const zurich = { id: randomUUID(), nameEn: 'Zurich Partner University', country: 'CH' };

beforeAll(async () => {
  database = await createTestDatabase();
  const data = reportData(database.db);
  await data.partnerSnapshot(kyoto);
  await data.partnerSnapshot(zurich);
  const symposium = await data.symposium({
    edition: 9_000 + Math.floor(Math.random() * 999),
    titleJa: '戦略的パートナーシップ・シンポジウム',
    timeZone: 'Asia/Tokyo',
  });
  symposiumId = symposium.id;
  await data.registrationSettings(symposiumId, 4);

  const keynote = await data.session(symposiumId, {
    kind: 'keynote',
    titleEn: 'Opening keynote',
    startsAt: '2026-10-10T00:30:00Z', // 09:30 in Tokyo
    endsAt: '2026-10-10T01:15:00Z',
    room: 'Hall A',
  });
  const panel = await data.session(symposiumId, {
    kind: 'panel-discussion',
    titleEn: 'Panel',
    startsAt: '2026-10-10T02:00:00Z',
    endsAt: '2026-10-10T03:00:00Z',
    room: 'Hall B',
  });
  await data.sessionPerson(keynote.id, {
    nameEn: 'Hanako Sato',
    nameJa: '佐藤花子',
    partnerId: kyoto.id,
  });
  await data.sessionPerson(panel.id, {
    role: 'chair',
    nameEn: 'Anna Meier',
    partnerId: zurich.id,
    position: 0,
  });
  await data.sessionPerson(panel.id, { role: 'panelist', nameEn: 'No Partner', position: 1 });

  // Capacity 4: three confirmed (two of them checked in), one from Kyoto attended; two waitlisted,
  // one cancelled.
  await data.registration(symposiumId, {
    partnerId: kyoto.id,
    status: 'attended',
    attendedAt: new Date(),
  });
  await data.registration(symposiumId, { partnerId: kyoto.id, status: 'confirmed' });
  await data.registration(symposiumId, {
    partnerId: zurich.id,
    status: 'attended',
    attendedAt: new Date(),
  });
  await data.registration(symposiumId, { status: 'confirmed' });
  await data.registration(symposiumId, { partnerId: zurich.id, status: 'waitlisted' });
  await data.registration(symposiumId, { status: 'waitlisted' });
  await data.registration(symposiumId, {
    partnerId: kyoto.id,
    status: 'cancelled',
    cancelledAt: new Date(),
  });
  // Another symposium's registrations stay out.
  const other = await data.symposium();
  await data.registration(other.id, {
    partnerId: kyoto.id,
    status: 'attended',
    attendedAt: new Date(),
  });

  await data.document(symposiumId, { kind: 'report', title: 'Summary report', published: true });
  await data.document(symposiumId, {
    kind: 'video',
    language: 'ja',
    title: null,
    titleJa: '記録映像',
    position: 1,
  });

  report = await buildCsv(database.db, symposiumKind, { symposiumId });
});

afterAll(() => database?.drop());

describe('symposium report', () => {
  it('counts attendance against registrations as SQL over the base table does', async () => {
    const [attendance] = rowsOf(report, 'attendance');
    const expected = await sql<Record<string, number>>`
      select count(*)::int as registrations,
             count(*) filter (where status in ('confirmed', 'attended'))::int as confirmed,
             count(*) filter (where status = 'attended')::int as attended,
             count(*) filter (where status = 'waitlisted')::int as waitlisted,
             count(*) filter (where status = 'cancelled')::int as cancelled
        from symposium.registration where symposium_id = ${symposiumId}`.execute(database.db);
    const e = expected.rows[0]!;
    expect(attendance).toEqual({
      Capacity: '4',
      Registrations: String(e['registrations']),
      Confirmed: String(e['confirmed']),
      'Attended (checked in)': String(e['attended']),
      Waitlisted: String(e['waitlisted']),
      Cancelled: String(e['cancelled']),
      'Attended of confirmed': '0.5',
    });
    expect([e['confirmed'], e['attended'], e['waitlisted'], e['cancelled']]).toEqual([4, 2, 2, 1]);
  });

  it('counts participants by partner and by country, confirmed seats only', () => {
    expect(rowsOf(report, 'participants-by-partner')).toEqual([
      {
        Partner: kyoto.nameEn,
        'Partner (日本語)': kyoto.nameJa,
        Country: 'JP',
        Confirmed: '2',
        Attended: '1',
      },
      {
        Partner: zurich.nameEn,
        'Partner (日本語)': '',
        Country: 'CH',
        Confirmed: '1',
        Attended: '1',
      },
      {
        Partner: '(no partner)',
        'Partner (日本語)': '',
        Country: '',
        Confirmed: '1',
        Attended: '0',
      },
    ]);
    expect(rowsOf(report, 'participants-by-country')).toEqual([
      { Country: 'CH', Confirmed: '1', Attended: '1' },
      { Country: 'JP', Confirmed: '2', Attended: '1' },
      { Country: '(none)', Confirmed: '1', Attended: '0' },
    ]);
  });

  it('lists the programme in the symposium’s time zone, speakers with their partner, and documents', () => {
    expect(rowsOf(report, 'programme').map((r) => [r['Starts'], r['Title'], r['Room']])).toEqual([
      ['2026-10-10 09:30', 'Opening keynote', 'Hall A'],
      ['2026-10-10 11:00', 'Panel', 'Hall B'],
    ]);
    expect(rowsOf(report, 'speakers').map((r) => [r['Role'], r['Name'], r['Partner']])).toEqual([
      ['speaker', 'Hanako Sato', `${kyoto.nameEn} (${kyoto.nameJa})`],
      ['chair', 'Anna Meier', zurich.nameEn],
      ['panelist', 'No Partner', ''],
    ]);
    expect(
      rowsOf(report, 'documents').map((r) => [r['Kind'], r['Title (日本語)'], r['Published']]),
    ).toEqual([
      ['report', '', 'yes'],
      ['video', '記録映像', 'no'],
    ]);
    expect(report.facts.get('Title (日本語)')).toBe('戦略的パートナーシップ・シンポジウム');
  });

  it('fails saying why for an unknown symposium', async () => {
    await expect(
      buildCsv(database.db, symposiumKind, { symposiumId: randomUUID() }),
    ).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('exposes no registrant’s name, e-mail, token or check-in code', async () => {
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
       where table_schema = 'symposium' and table_name = 'report_registrations'`.execute(
      database.db,
    );
    const names = columns.rows.map((c) => c.column_name);
    for (const secret of ['name', 'email', 'token_hash', 'check_in_code', 'answers'])
      expect(names).not.toContain(secret);
  });
});
