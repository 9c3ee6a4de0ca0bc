import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import { buildCsv, type ParsedReport, rowsOf } from '../../../test/reports/report-run';
import { reportData } from '../../../test/reports/report-data';
import { partnerProfileKind, RECENT_ACTIVITIES } from './partner-profile.kind';

let database: TestDatabase;
let report: ParsedReport;
let partnerId: string;
let otherId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const data = reportData(database.db);
  const partner = await data.partner({
    nameEn: `Kyushu Partner ${data.tag}`,
    nameJa: '九州パートナー大学',
    country: 'JP',
    status: 'primary',
    statusSince: '2022-04-01',
    coordinatingDepartment: 'Division of International Affairs',
    coordinatorName: '山田太郎',
    coordinatorEmail: 'yamada@u-tokyo.example',
  });
  partnerId = partner.id;
  otherId = (await data.partner()).id;
  await data.statusChange(partnerId, {
    toStatus: 'strategic',
    changedOn: '2018-01-01',
    changedOnPrecision: 'year',
  });
  await data.statusChange(partnerId, {
    fromStatus: 'strategic',
    toStatus: 'primary',
    changedOn: '2022-04-01',
  });
  await data.agreement(partnerId, {
    title: '学術交流協定',
    signedOn: '2018-06-01',
    signedOnPrecision: 'month',
    expiresOn: '2028-05-31',
  });
  await data.contact(partnerId, {
    nameEn: 'Ichiro Suzuki',
    nameJa: '鈴木一郎',
    role: 'Director',
    languages: ['ja', 'en'],
  });
  await data.facultyLead(partnerId, { nameEn: 'Jiro Tanaka', nameJa: '田中二郎' });
  await data.facultyLead(otherId, { nameEn: 'Not This Partner' });
  for (let i = 0; i < RECENT_ACTIVITIES + 5; i++)
    await data.activity(partnerId, {
      startsOn: `20${String(10 + (i % 15)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
    });
  await data.activity(otherId, { startsOn: '2030-01-01' });
  await data.mobility(partnerId, { fiscalYear: 2024, count: 2 });
  await data.mobility(partnerId, {
    fiscalYear: 2024,
    direction: 'outbound',
    personType: 'researcher',
    count: 3,
  });
  await data.mobility(partnerId, { fiscalYear: 2025, personType: 'graduate', count: 7 });
  await data.funding(partnerId, {
    fiscalYear: 2024,
    currency: 'JPY',
    amount: '2000000',
    status: 'awarded',
  });
  await data.funding(partnerId, {
    fiscalYear: 2024,
    currency: 'EUR',
    amount: '0.1',
    status: 'awarded',
  });
  await data.funding(partnerId, {
    fiscalYear: 2024,
    currency: 'EUR',
    amount: '0.2',
    status: 'applied',
  });
  report = await buildCsv(database.db, partnerProfileKind, { partnerId });
});

afterAll(() => database?.drop());

describe('partner-profile report', () => {
  it('says who the partner is, with its Japanese name', () => {
    expect(report.facts.get('title')).toMatch(
      /^Partner profile — Kyushu Partner .+ \(九州パートナー大学\)$/,
    );
    expect(report.facts.get('Name (日本語)')).toBe('九州パートナー大学');
    expect(report.facts.get('UTokyo coordinator')).toBe('山田太郎');
    expect(report.facts.get('Status')).toBe('primary since 2022-04-01');
    expect([...report.facts.values()].join(' ')).not.toContain('yamada@');
  });

  it('holds its history, agreements, contacts and faculty leads only', () => {
    expect(
      rowsOf(report, 'status-history').map((r) => [r['Since'], r['Precision'], r['To']]),
    ).toEqual([
      ['2018-01-01', 'year', 'strategic'],
      ['2022-04-01', 'day', 'primary'],
    ]);
    expect(rowsOf(report, 'agreements')).toEqual([
      expect.objectContaining({
        Title: '学術交流協定',
        Signed: '2018-06-01',
        Precision: 'month',
        Expires: '2028-05-31',
      }),
    ]);
    expect(rowsOf(report, 'contacts')).toEqual([
      expect.objectContaining({
        Name: 'Ichiro Suzuki',
        'Name (日本語)': '鈴木一郎',
        Languages: 'ja, en',
      }),
    ]);
    expect(rowsOf(report, 'faculty-leads').map((r) => r['Name (日本語)'])).toEqual(['田中二郎']);
  });

  it("leaves UTokyo's people out of the partner's own run, as the registry does for its token", async () => {
    const own = await buildCsv(
      database.db,
      partnerProfileKind,
      { partnerId },
      new Date(),
      'partner',
    );
    expect(own.facts.has('UTokyo coordinator')).toBe(false);
    expect(own.facts.get('Coordinating department')).toBe('Division of International Affairs');
    expect(own.sections.has('faculty-leads')).toBe(false);
    expect(JSON.stringify([...own.facts, ...own.sections])).not.toMatch(/山田|田中二郎|lead-/);
    // What the partner may read is all there.
    expect(rowsOf(own, 'contacts').map((r) => r['Name'])).toEqual(['Ichiro Suzuki']);
    expect(rowsOf(own, 'recent-activities')).toHaveLength(RECENT_ACTIVITIES);
  });

  it('says since when the status holds at the precision it is known to', async () => {
    const data = reportData(database.db);
    const { id } = await data.partner({ statusSince: '2013-01-01', statusSincePrecision: 'year' });
    const profile = await buildCsv(database.db, partnerProfileKind, { partnerId: id });
    expect(profile.facts.get('Status')).toBe('strategic since 2013');
  });

  it('lists the latest activities, newest first', async () => {
    const listed = rowsOf(report, 'recent-activities');
    const latest = await sql<{ startsOn: string }>`
      select starts_on::text as "startsOn" from registry.activity where partner_id = ${partnerId}
       order by starts_on desc limit ${RECENT_ACTIVITIES}`.execute(database.db);
    expect(listed.map((r) => r['Starts'])).toEqual(latest.rows.map((r) => r.startsOn));
  });

  it('sums mobility and funding by year as SQL over the base tables does, per currency', async () => {
    expect(rowsOf(report, 'mobility-by-year')).toEqual([
      {
        'Fiscal year': '2024',
        'Inbound students': '2',
        'Inbound staff': '0',
        'Outbound students': '0',
        'Outbound staff': '3',
        Total: '5',
      },
      {
        'Fiscal year': '2025',
        'Inbound students': '7',
        'Inbound staff': '0',
        'Outbound students': '0',
        'Outbound staff': '0',
        Total: '7',
      },
    ]);
    const funding = await sql<{
      fiscalYear: number;
      currency: string;
      applied: string;
      awarded: string;
    }>`
      select fiscal_year as "fiscalYear", currency, trim_scale(sum(amount))::text as applied,
             trim_scale(coalesce(sum(amount) filter (where status = 'awarded'), 0))::text as awarded
        from registry.funding where partner_id = ${partnerId}
       group by fiscal_year, currency order by fiscal_year, currency`.execute(database.db);
    expect(
      rowsOf(report, 'funding-by-year').map((r) => [
        r['Fiscal year'],
        r['Currency'],
        r['Applied (all bids)'],
        r['Awarded'],
      ]),
    ).toEqual(funding.rows.map((f) => [String(f.fiscalYear), f.currency, f.applied, f.awarded]));
    expect(
      rowsOf(report, 'funding-by-year').find((r) => r['Currency'] === 'EUR')?.[
        'Applied (all bids)'
      ],
    ).toBe('0.3');
  });

  it('is about its partner, and fails saying why for an unknown one', async () => {
    expect(partnerProfileKind.partnerOf({ partnerId })).toBe(partnerId);
    await expect(
      buildCsv(database.db, partnerProfileKind, { partnerId: randomUUID() }),
    ).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
