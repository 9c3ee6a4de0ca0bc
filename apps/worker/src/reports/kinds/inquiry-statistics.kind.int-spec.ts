import { businessHours } from '@sp/platform';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import { buildCsv, type ParsedReport, rowsOf } from '../../../test/reports/report-run';
import { reportData } from '../../../test/reports/report-data';
import { inquiryStatisticsKind, medianHours } from './inquiry-statistics.kind';

let database: TestDatabase;
let report: ParsedReport;
const kind = inquiryStatisticsKind(businessHours({ closures: [] }));
/** A Tokyo wall-clock time as an instant. */
const tokyo = (local: string) => new Date(`${local}+09:00`);

beforeAll(async () => {
  database = await createTestDatabase();
  const data = reportData(database.db);
  // Golden Week 2026: Mon 4, Tue 5 May and the substitute holiday Wed 6 May are closed, as is
  // the weekend. Received Friday 1 May 16:00; answered Thursday 7 May 10:00: two business hours
  // (Fri 16–17, Thu 9–10); resolved Friday 8 May 17:00: 1 + 8 + 8 = 17 business hours.
  const overGoldenWeek = await data.inquiry({
    category: 'mobility',
    createdAt: tokyo('2026-05-01T16:00'),
    firstResponseAt: tokyo('2026-05-07T10:00'),
    resolvedAt: tokyo('2026-05-08T17:00'),
  });
  await data.slaBreach({
    inquiryId: overGoldenWeek.id,
    kind: 'first-response',
    dueAt: tokyo('2026-05-07T09:30'),
    detectedAt: tokyo('2026-05-07T09:45'),
    notified: 'desk@example.org',
  });
  // 3 hours to answer, 11 to resolve (Mon 9–17 and Tue 9–12).
  await data.inquiry({
    category: 'mobility',
    createdAt: tokyo('2026-05-11T09:00'),
    firstResponseAt: tokyo('2026-05-11T12:00'),
    resolvedAt: tokyo('2026-05-12T12:00'),
  });
  // 1 hour to answer, open still.
  await data.inquiry({
    category: 'mobility',
    createdAt: tokyo('2026-05-12T10:00'),
    firstResponseAt: tokyo('2026-05-12T11:00'),
  });
  // A merged duplicate is not counted again.
  await data.inquiry({
    category: 'mobility',
    createdAt: tokyo('2026-05-12T10:30'),
    mergedIntoId: overGoldenWeek.id,
    state: 'closed',
  });
  // 00:30 on 1 April in Tokyo is still 31 March in UTC: an April inquiry.
  await data.inquiry({ category: 'media', createdAt: new Date('2026-03-31T15:30:00Z') });
  // 23:30 on 31 March in Tokyo: March, outside the period.
  await data.inquiry({ category: 'media', createdAt: new Date('2026-03-31T14:30:00Z') });
  report = await buildCsv(database.db, kind, { from: '2026-04', to: '2026-05' });
});

afterAll(() => database?.drop());

const cell = (month: string, category: string) => {
  const row = rowsOf(report, 'by-month').find(
    (r) => r['Month'] === month && r['Category'] === category,
  );
  if (!row) throw new Error(`no row for ${month} ${category}`);
  return row;
};

describe('inquiry-statistics report', () => {
  it('measures medians in business hours, across a weekend and national holidays', () => {
    const may = cell('2026-05', 'mobility');
    expect(may['Received']).toBe('3');
    expect(may['Resolved']).toBe('2');
    expect(may['Median first response (business hours)']).toBe('2.00'); // of 2, 3 and 1
    expect(may['Median resolution (business hours)']).toBe('14.00'); // of 17 and 11
    expect(may['First-response SLA breaches']).toBe('1');
    expect(may['Resolution SLA breaches']).toBe('0');
  });

  it('puts each inquiry in its Tokyo month', () => {
    expect(cell('2026-04', 'media')['Received']).toBe('1');
    expect(rowsOf(report, 'by-month').some((r) => r['Month'] === '2026-03')).toBe(false);
  });

  it('lists every month and category, with counts as SQL over the base table has them', async () => {
    const rows = rowsOf(report, 'by-month');
    expect(rows).toHaveLength(2 * 5);
    const expected = await sql<{
      month: string;
      category: string;
      received: number;
      resolved: number;
    }>`
      select to_char(created_at at time zone 'Asia/Tokyo', 'YYYY-MM') as month, category,
             count(*)::int as received, count(resolved_at)::int as resolved
        from inquiries.inquiry
       where merged_into_id is null
         and (created_at at time zone 'Asia/Tokyo') >= '2026-04-01' and (created_at at time zone 'Asia/Tokyo') < '2026-06-01'
       group by 1, 2`.execute(database.db);
    for (const row of rows) {
      const e = expected.rows.find(
        (x) => x.month === row['Month'] && x.category === row['Category'],
      );
      expect([row['Received'], row['Resolved']]).toEqual([
        String(e?.received ?? 0),
        String(e?.resolved ?? 0),
      ]);
    }
    const totals = rowsOf(report, 'by-category').find((r) => r['Category'] === 'mobility');
    expect(totals?.['Median first response (business hours)']).toBe('2.00');
    expect(rowsOf(report, 'chart-received')).toEqual([
      { label: '2026-04', value: '1' },
      { label: '2026-05', value: '3' },
    ]);
    expect(report.facts.get('Received')).toBe('4');
  });

  it('takes the middle of an even count as the mean of the two middle values', () => {
    expect(medianHours([60, 180, 120, 600])).toBe('2.50');
    expect(medianHours([])).toBeNull();
  });
});
