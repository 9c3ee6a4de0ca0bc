import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import { buildCsv, type ParsedReport, rowsOf } from '../../../test/reports/report-run';
import { reportData } from '../../../test/reports/report-data';
import { fiscalYearKind } from './fiscal-year.kind';

let database: TestDatabase;
let report: ParsedReport;
let alpha: { id: string; nameEn: string };
let beta: { id: string; nameEn: string };

/**
 * FY2025 is 2025-04-01 … 2026-03-31 (Tokyo dates). The figures the CSV holds are checked against
 * SQL over the base tables (not the views the kind reads), plus the boundary cases by hand.
 */
beforeAll(async () => {
  database = await createTestDatabase();
  const data = reportData(database.db);
  alpha = await data.partner({ nameEn: `Alpha ${data.tag}`, nameJa: 'アルファ大学' });
  beta = await data.partner({ nameEn: `Beta ${data.tag}` });

  // Alpha's activities: the first and the last day of FY2025 count; the days either side do not.
  await data.activity(alpha.id, { startsOn: '2025-04-01', endsOn: '2025-04-01' });
  await data.activity(alpha.id, { startsOn: '2026-03-31', titleJa: '共同研究「東京」, "引用"' });
  await data.activity(alpha.id, { startsOn: '2026-04-01' }); // FY2026
  await data.activity(alpha.id, { startsOn: '2025-03-31', endsOn: '2025-03-31' }); // FY2024
  // Spanning both years: counts in each.
  await data.activity(alpha.id, {
    type: 'education-programme',
    startsOn: '2024-06-01',
    endsOn: '2025-06-30',
  });
  // Neither a cancelled nor an unapproved nor an undated activity counts.
  await data.activity(alpha.id, { startsOn: '2025-05-01', status: 'cancelled' });
  await data.activity(alpha.id, {
    startsOn: '2025-05-01',
    reviewStatus: 'submitted',
    reportedBy: 'partner',
  });
  await data.activity(alpha.id, { startsOn: null });
  // Beta: two this year, none the year before (change: null, not infinity).
  await data.activity(beta.id, { type: 'joint-symposium', startsOn: '2025-10-10' });
  await data.activity(beta.id, { type: 'joint-symposium', startsOn: '2025-11-10' });

  await data.mobility(alpha.id, { personType: 'undergraduate', count: 3 });
  await data.mobility(alpha.id, { personType: 'researcher', count: 2 });
  await data.mobility(alpha.id, { direction: 'outbound', personType: 'graduate', count: 4 });
  await data.mobility(alpha.id, {
    direction: 'outbound',
    personType: 'administrative-staff',
    count: 1,
  });
  await data.mobility(alpha.id, {
    fiscalYear: 2024,
    direction: 'outbound',
    personType: 'graduate',
    count: 5,
  });
  await data.mobility(alpha.id, {
    programme: 'Summer school',
    count: 50,
    reviewStatus: 'submitted',
    reportedBy: 'partner',
  });

  // Decimals that a float would get wrong, kept apart per currency.
  await data.funding(alpha.id, { currency: 'EUR', amount: '0.1', status: 'awarded' });
  await data.funding(alpha.id, { currency: 'EUR', amount: '0.2', status: 'awarded' });
  await data.funding(alpha.id, { currency: 'EUR', amount: '1000000.0001', status: 'rejected' });
  await data.funding(alpha.id, {
    currency: 'EUR',
    amount: '0.15',
    status: 'awarded',
    fiscalYear: 2024,
  });
  await data.funding(alpha.id, { currency: 'JPY', amount: '1500000', status: 'applied' });
  await data.funding(beta.id, { currency: 'USD', amount: '100.005', status: 'awarded' });

  await data.agreement(alpha.id, { signedOn: '2025-04-01', signedOnPrecision: 'day' });
  await data.agreement(beta.id, {
    signedOn: '2020-01-01',
    signedOnPrecision: 'year',
    expiresOn: '2026-03-31',
  });
  await data.agreement(beta.id, { signedOn: '2026-04-01', signedOnPrecision: 'day' }); // FY2026
  // Signed "in 2026", stored as 2026-01-01: in FY2025 by its date, but it may as well be
  // FY2026's (April to December), so no one year counts it.
  await data.agreement(alpha.id, { signedOn: '2026-01-01', signedOnPrecision: 'year' });

  report = await buildCsv(
    database.db,
    fiscalYearKind,
    { fiscalYear: 2025 },
    new Date('2026-04-01T00:00:00Z'),
  );
});

afterAll(() => database?.drop());

const partnerRow = (name: string) => {
  const row = rowsOf(report, 'partners').find((r) => r['Partner'] === name);
  if (!row) throw new Error(`no row for ${name}`);
  return row;
};

describe('fiscal-year report', () => {
  it('counts activities by the fiscal year their dates touch, by type, with the change', () => {
    const a = partnerRow(alpha.nameEn);
    expect(a['Partner (日本語)']).toBe('アルファ大学');
    expect(a['Activities']).toBe('3'); // 2025-04-01, 2026-03-31, the spanning one
    expect(a['Joint research']).toBe('2');
    expect(a['Education programme']).toBe('1');
    expect(a['Activities (previous year)']).toBe('2'); // 2025-03-31 and the spanning one
    expect(a['Activities change']).toBe('0.5');
    const b = partnerRow(beta.nameEn);
    expect(b['Activities']).toBe('2');
    expect(b['Joint symposium/workshop']).toBe('2');
    expect(b['Activities change']).toBe('');
  });

  it('counts mobility by direction and person group, approved only', () => {
    const a = partnerRow(alpha.nameEn);
    expect([
      a['Inbound students'],
      a['Inbound staff'],
      a['Outbound students'],
      a['Outbound staff'],
    ]).toEqual(['3', '2', '4', '1']);
    expect(a['Mobility total']).toBe('10');
    expect(a['Mobility (previous year)']).toBe('5');
    expect(a['Mobility change']).toBe('1');
  });

  it('matches SQL over the base tables for every partner', async () => {
    const expected = await sql<{
      name: string;
      activities: number;
      mobility: number;
      signed: number;
      expiring: number;
    }>`
      select p.name_en as name,
             (select count(*)::int from registry.activity a
               where a.partner_id = p.id and a.review_status = 'approved' and a.status <> 'cancelled'
                 and a.starts_on <= '2026-03-31' and coalesce(a.ends_on, a.starts_on) >= '2025-04-01') as activities,
             (select coalesce(sum(m.count), 0)::int from registry.mobility_record m
               where m.partner_id = p.id and m.review_status = 'approved' and m.fiscal_year = 2025) as mobility,
             (select count(*)::int from registry.agreement g
               where g.partner_id = p.id and g.signed_on between '2025-04-01' and '2026-03-31'
                 and g.signed_on_precision <> 'year') as signed,
             (select count(*)::int from registry.agreement g
               where g.partner_id = p.id and g.expires_on between '2025-04-01' and '2026-03-31') as expiring
        from registry.partner p`.execute(database.db);
    const rows = rowsOf(report, 'partners');
    expect(rows).toHaveLength(expected.rows.length);
    for (const e of expected.rows) {
      const row = partnerRow(e.name);
      expect([
        row['Activities'],
        row['Mobility total'],
        row['Agreements signed'],
        row['Agreements expiring'],
      ]).toEqual([String(e.activities), String(e.mobility), String(e.signed), String(e.expiring)]);
    }
    expect(partnerRow(alpha.nameEn)['Agreements signed']).toBe('1');
    // The listing agrees: the year-only signing is not an event of this year.
    expect(
      rowsOf(report, 'agreements')
        .filter((r) => r['Partner'] === alpha.nameEn)
        .map((r) => [r['Signed'], r['In the year']]),
    ).toEqual([['2025-04-01', 'signed']]);
    expect(partnerRow(beta.nameEn)['Agreements expiring']).toBe('1');
    expect(partnerRow(beta.nameEn)['Agreements signed']).toBe('0');
    // A signing known only to the year is listed with its precision, not as 1 January.
    expect(
      rowsOf(report, 'agreements')
        .filter((r) => r['Partner'] === beta.nameEn)
        .map((r) => [r['Signed'], r['Precision'], r['In the year']]),
    ).toEqual([['2020-01-01', 'year', 'expires']]);
  });

  it('sums funding exactly, per currency, never across currencies', async () => {
    const funding = rowsOf(report, 'partner-funding').filter((r) => r['Partner'] === alpha.nameEn);
    expect(funding).toEqual([
      {
        Partner: alpha.nameEn,
        Currency: 'EUR',
        Bids: '3',
        'Applied (all bids)': '1000000.3001',
        'Awarded bids': '2',
        Awarded: '0.3',
      },
      {
        Partner: alpha.nameEn,
        Currency: 'JPY',
        Bids: '1',
        'Applied (all bids)': '1500000',
        'Awarded bids': '0',
        Awarded: '0',
      },
    ]);
    const totals = await sql<{ currency: string; awarded: string; previous: string }>`
      select currency,
             trim_scale(coalesce(sum(amount) filter (where fiscal_year = 2025 and status = 'awarded'), 0))::text as awarded,
             trim_scale(coalesce(sum(amount) filter (where fiscal_year = 2024 and status = 'awarded'), 0))::text as previous
        from registry.funding where fiscal_year in (2024, 2025) group by currency order by currency`.execute(
      database.db,
    );
    const programme = rowsOf(report, 'programme-funding');
    expect(
      programme.map((r) => [r['Currency'], r['Awarded'], r['Awarded (previous year)']]),
    ).toEqual(totals.rows.map((t) => [t.currency, t.awarded, t.previous]));
    const eur = programme.find((r) => r['Currency'] === 'EUR');
    expect(eur?.['Awarded change']).toBe('1'); // 0.15 → 0.3
    expect(programme.find((r) => r['Currency'] === 'USD')?.['Awarded']).toBe('100.005');
    expect(report.facts.get('Funding awarded (EUR)')).toBe('0.3');
  });

  it('totals the programme with the change on the previous year', async () => {
    const programme = rowsOf(report, 'programme');
    const activities = programme.find((r) => r['Figure'] === 'Activities');
    const expected = await sql<{ now: number; before: number }>`
      select count(*) filter (where starts_on <= '2026-03-31' and coalesce(ends_on, starts_on) >= '2025-04-01')::int as now,
             count(*) filter (where starts_on <= '2025-03-31' and coalesce(ends_on, starts_on) >= '2024-04-01')::int as before
        from registry.activity where review_status = 'approved' and status <> 'cancelled'`.execute(
      database.db,
    );
    const e = expected.rows[0]!;
    expect(activities?.['This year']).toBe(String(e.now));
    expect(activities?.['Previous year']).toBe(String(e.before));
    expect(report.sections.get('chart-activities')?.length).toBe(6);
  });

  it('lists every activity and every mobility record of the year', async () => {
    const listed = rowsOf(report, 'activities');
    const count = await sql<{ n: number }>`
      select count(*)::int as n from registry.activity where review_status = 'approved' and status <> 'cancelled'
         and starts_on <= '2026-03-31' and coalesce(ends_on, starts_on) >= '2025-04-01'`.execute(
      database.db,
    );
    expect(listed).toHaveLength(count.rows[0]!.n);
    expect(listed.filter((r) => r['Partner'] === alpha.nameEn).map((r) => r['Starts'])).toEqual([
      '2024-06-01',
      '2025-04-01',
      '2026-03-31',
    ]);
    expect(listed).toContainEqual(
      expect.objectContaining({ 'Title (日本語)': '共同研究「東京」, "引用"' }),
    );
    const mobility = rowsOf(report, 'mobility').filter((r) => r['Partner'] === alpha.nameEn);
    expect(mobility).toHaveLength(4);
    expect(report.rowsCounted).toBeGreaterThanOrEqual(listed.length + mobility.length);
  });

  it('reads only the views: the reader role is refused a base table', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`set local role sp_report_reader`.execute(trx);
        await sql`select count(*) from registry.activity`.execute(trx);
      }),
    ).rejects.toThrow(/permission denied/);
  });
});
