import { randomUUID } from 'node:crypto';
import type { ReportViews } from '@sp/db';
import { businessHours } from '@sp/platform';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import type { ReportKind, ReportParams } from '@sp/types';
import { sql } from 'kysely';
import { buildFile, parseReport } from '../../../test/reports/report-run';
import { reportData } from '../../../test/reports/report-data';
import { pdfText, type ReadWorkbook, readXlsx } from '../../../test/reports/report-files';
import type { FormatWriter } from '../document';
import { csvWriter } from '../formats/csv.writer';
import { pdfWriter } from '../formats/pdf.writer';
import { xlsxWriter } from '../formats/xlsx.writer';
import type { ReportKindDefinition } from '../kind';
import { fiscalYearKind } from './fiscal-year.kind';
import { inquiryStatisticsKind } from './inquiry-statistics.kind';
import { partnerProfileKind } from './partner-profile.kind';
import { symposiumKind } from './symposium.kind';

/**
 * Every kind × every format, on data this file builds: each kind is built the way the pipeline
 * builds it (one read-only snapshot as `sp_report_reader`), written as XLSX (read back with
 * SheetJS, an independent reader: the sheets and the headline numbers, as number cells, against
 * SQL over the base tables), as PDF (text extracted by pdf.js: the section headings and a
 * partner named in Japanese) and as CSV (parsed back: the same headline figure). The finer
 * figures of each kind are checked per kind in `*.kind.int-spec.ts`.
 */
let database: TestDatabase;
const TOKYO = '東京大学';
const ETH = 'チューリッヒ工科大学';
const now = new Date('2026-06-01T00:00:00Z');

let tokyoPartner: { id: string; nameEn: string };
let ethPartner: { id: string; nameEn: string };
let symposiumId: string;
const ethSnapshot = { id: randomUUID(), nameEn: 'ETH Zurich', nameJa: ETH, country: 'CH' };

beforeAll(async () => {
  database = await createTestDatabase();
  const data = reportData(database.db);
  tokyoPartner = await data.partner({ nameEn: `University of Tokyo ${data.tag}`, nameJa: TOKYO });
  ethPartner = await data.partner({
    nameEn: `ETH Zurich ${data.tag}`,
    nameJa: ETH,
    country: 'CH',
    status: 'primary',
  });
  for (const [partner, n] of [
    [tokyoPartner, 3],
    [ethPartner, 2],
  ] as const) {
    for (let i = 0; i < n; i++)
      await data.activity(partner.id, { startsOn: `2025-0${4 + i}-10`, titleJa: '共同研究' });
    await data.mobility(partner.id, { count: 4 + n });
    await data.mobility(partner.id, { direction: 'outbound', personType: 'graduate', count: n });
    await data.mobility(partner.id, { fiscalYear: 2024, count: 1 });
    await data.funding(partner.id, { currency: 'EUR', amount: '1250.25', status: 'awarded' });
    await data.funding(partner.id, { currency: 'JPY', amount: '3000000', status: 'applied' });
  }
  await data.agreement(ethPartner.id, { signedOn: '2025-07-01', signedOnPrecision: 'day' });
  await data.contact(tokyoPartner.id, { nameEn: 'Ichiro Suzuki', nameJa: '鈴木一郎' });

  await data.partnerSnapshot(ethSnapshot);
  const symposium = await data.symposium({
    edition: 9_000 + Math.floor(Math.random() * 999),
    titleJa: '戦略的パートナーシップ・シンポジウム',
    timeZone: 'Asia/Tokyo',
  });
  symposiumId = symposium.id;
  await data.registrationSettings(symposiumId, 10);
  const talk = await data.session(symposiumId, { kind: 'keynote', titleEn: 'Keynote' });
  await data.sessionPerson(talk.id, { nameEn: 'Anna Meier', partnerId: ethSnapshot.id });
  await data.registration(symposiumId, {
    partnerId: ethSnapshot.id,
    status: 'attended',
    attendedAt: new Date(),
  });
  await data.registration(symposiumId, { partnerId: ethSnapshot.id, status: 'confirmed' });
  await data.registration(symposiumId, { status: 'waitlisted' });
  await data.document(symposiumId, { title: 'Summary report', published: true });

  await data.inquiry({ category: 'mobility', createdAt: new Date('2026-04-10T01:00:00Z') });
  await data.inquiry({ category: 'mobility', createdAt: new Date('2026-05-11T01:00:00Z') });
  await data.inquiry({ category: 'media', createdAt: new Date('2026-05-12T01:00:00Z') });
});

afterAll(() => database?.drop());

async function build<K extends ReportKind>(
  kind: ReportKindDefinition<K, ReportViews>,
  params: ReportParams<K>,
  writer: FormatWriter,
): Promise<Buffer> {
  return (await buildFile(database.db, kind, params, writer, now)).bytes;
}

/** A number cell holding `value` (a typed cell, not text that looks like a number). */
function expectNumberCell(book: ReadWorkbook, sheet: string, row: number, header: string) {
  const [headers = []] = book.rows(sheet);
  const col = headers.indexOf(header);
  if (col < 0) throw new Error(`no column ${header} in ${sheet}: ${headers.join(', ')}`);
  const address = `${String.fromCharCode(65 + col)}${row + 2}`;
  const cell = book.cell(sheet, address);
  expect(cell?.t).toBe('n');
  return cell?.v;
}

const inquiryKind = inquiryStatisticsKind(businessHours({ closures: [] }));

describe('fiscal-year report', () => {
  const params = { fiscalYear: 2025 };

  it('XLSX: a sheet per section, per-partner and programme figures as numbers equal to SQL', async () => {
    const book = readXlsx(await build(fiscalYearKind, params, xlsxWriter));
    expect(book.sheetNames).toEqual(
      expect.arrayContaining([
        'About',
        'partners',
        'partner-funding',
        'programme',
        'programme-funding',
        'agreements',
        'activities',
        'mobility',
      ]),
    );
    const expected = await sql<{ name: string; activities: number; mobility: number }>`
      select p.name_en as name,
             (select count(*)::int from registry.activity a
               where a.partner_id = p.id and a.review_status = 'approved' and a.status <> 'cancelled'
                 and a.starts_on <= '2026-03-31' and coalesce(a.ends_on, a.starts_on) >= '2025-04-01') as activities,
             (select coalesce(sum(m.count), 0)::int from registry.mobility_record m
               where m.partner_id = p.id and m.review_status = 'approved' and m.fiscal_year = 2025) as mobility
        from registry.partner p`.execute(database.db);
    const partners = book.records('partners');
    expect(partners).toHaveLength(expected.rows.length);
    for (const e of expected.rows) {
      const index = partners.findIndex((r) => r['Partner'] === e.name);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(expectNumberCell(book, 'partners', index, 'Activities')).toBe(e.activities);
      expect(expectNumberCell(book, 'partners', index, 'Mobility total')).toBe(e.mobility);
    }
    expect(partners.find((r) => r['Partner'] === tokyoPartner.nameEn)?.['Partner (日本語)']).toBe(
      TOKYO,
    );

    const programme = book.records('programme');
    const totals = await sql<{ activities: number; mobility: number }>`
      select (select count(*)::int from registry.activity where review_status = 'approved' and status <> 'cancelled'
                and starts_on <= '2026-03-31' and coalesce(ends_on, starts_on) >= '2025-04-01') as activities,
             (select coalesce(sum(count), 0)::int from registry.mobility_record
               where review_status = 'approved' and fiscal_year = 2025) as mobility`.execute(
      database.db,
    );
    const figure = (name: string) => programme.findIndex((r) => r['Figure'] === name);
    expect(expectNumberCell(book, 'programme', figure('Activities'), 'This year')).toBe(
      totals.rows[0]!.activities,
    );
    expect(expectNumberCell(book, 'programme', figure('Mobility total'), 'This year')).toBe(
      totals.rows[0]!.mobility,
    );

    const awarded = await sql<{ currency: string; awarded: string }>`
      select currency, coalesce(sum(amount) filter (where status = 'awarded'), 0)::text as awarded
        from registry.funding where fiscal_year = 2025 group by currency order by currency`.execute(
      database.db,
    );
    const funding = book.records('programme-funding');
    for (const a of awarded.rows) {
      const index = funding.findIndex((r) => r['Currency'] === a.currency);
      expect(expectNumberCell(book, 'programme-funding', index, 'Awarded')).toBe(Number(a.awarded));
    }
    expect(Number(awarded.rows.find((a) => a.currency === 'EUR')?.awarded)).toBe(2500.5);
  });

  it('PDF: the section headings and the partners named in Japanese', async () => {
    const text = (await pdfText(await build(fiscalYearKind, params, pdfWriter))).join('\n');
    for (const heading of [
      'Strategic Partnerships — fiscal year 2025',
      'Per partner',
      'External funding per partner and currency',
      'Programme totals and the change on the previous year',
      'Agreements signed or expiring in the year',
      'Every activity of FY2025',
    ])
      expect(text).toContain(heading);
    // The per-partner table is too wide for a portrait page: it prints as column groups, each
    // repeating the partner's name, and the names print whole (pdf.js may split a line into
    // several items, so whitespace is ignored); no cell is cut with an ellipsis.
    expect(text).toMatch(/Per partner \(1 of [2-9]\)/);
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain(TOKYO);
    expect(flat).toContain(ETH);
    expect(flat).toContain(ethPartner.nameEn.replace(/\s+/g, ''));
    expect(text).not.toContain('…');
  });

  it('CSV: the headline figure as the XLSX has it', async () => {
    const csv = parseReport((await build(fiscalYearKind, params, csvWriter)).toString('utf8'));
    const row = csv.sections.get('partners')?.find((r) => r['Partner'] === ethPartner.nameEn);
    expect(row?.['Activities']).toBe('2');
    expect(row?.['Partner (日本語)']).toBe(ETH);
  });
});

describe('partner-profile report', () => {
  const params = () => ({ partnerId: tokyoPartner.id });

  it('XLSX: its sheets, and mobility per year as numbers equal to SQL', async () => {
    const book = readXlsx(await build(partnerProfileKind, params(), xlsxWriter));
    expect(book.sheetNames).toEqual(
      expect.arrayContaining([
        'About',
        'status-history',
        'agreements',
        'contacts',
        'faculty-leads',
        'recent-activities',
        'mobility-by-year',
        'funding-by-year',
      ]),
    );
    expect(book.rows('About')).toContainEqual(['Name (日本語)', TOKYO]);
    const expected = await sql<{ fiscalYear: number; total: number }>`
      select fiscal_year as "fiscalYear", sum(count)::int as total from registry.mobility_record
       where partner_id = ${tokyoPartner.id} and review_status = 'approved'
       group by fiscal_year order by fiscal_year`.execute(database.db);
    const years = book.records('mobility-by-year');
    expect(years.map((y) => y['Fiscal year'])).toEqual(expected.rows.map((e) => e.fiscalYear));
    expected.rows.forEach((e, i) =>
      expect(expectNumberCell(book, 'mobility-by-year', i, 'Total')).toBe(e.total),
    );
    expect(book.records('recent-activities')).toHaveLength(3);
  });

  it('PDF: the section headings and the partner named in Japanese', async () => {
    const text = (await pdfText(await build(partnerProfileKind, params(), pdfWriter))).join('\n');
    for (const heading of [
      'Status history',
      'Agreements',
      'Contacts at the partner',
      'UTokyo faculty leads',
      'Mobility by fiscal year',
      'External funding by fiscal year and currency',
    ])
      expect(text).toContain(heading);
    expect(text).toContain(TOKYO); // in the title (bold) and the facts
    expect(text).toContain('鈴木一郎'); // in a table cell (regular)
    expect(text).not.toContain(ETH);
  });

  it('CSV: the name in Japanese among its facts', async () => {
    const csv = parseReport(
      (await build(partnerProfileKind, params(), csvWriter)).toString('utf8'),
    );
    expect(csv.facts.get('Name (日本語)')).toBe(TOKYO);
  });
});

describe('symposium report', () => {
  const params = () => ({ symposiumId });

  it('XLSX: its sheets, and attendance as numbers equal to SQL', async () => {
    const book = readXlsx(await build(symposiumKind, params(), xlsxWriter));
    expect(book.sheetNames).toEqual(
      expect.arrayContaining([
        'About',
        'programme',
        'speakers',
        'attendance',
        'participants-by-partner',
        'participants-by-country',
        'documents',
      ]),
    );
    const counts = await sql<{ registrations: number; attended: number; waitlisted: number }>`
      select count(*)::int as registrations,
             count(*) filter (where status = 'attended')::int as attended,
             count(*) filter (where status = 'waitlisted')::int as waitlisted
        from symposium.registration where symposium_id = ${symposiumId}`.execute(database.db);
    const c = counts.rows[0]!;
    expect(expectNumberCell(book, 'attendance', 0, 'Capacity')).toBe(10);
    expect(expectNumberCell(book, 'attendance', 0, 'Registrations')).toBe(c.registrations);
    expect(expectNumberCell(book, 'attendance', 0, 'Attended (checked in)')).toBe(c.attended);
    expect(expectNumberCell(book, 'attendance', 0, 'Waitlisted')).toBe(c.waitlisted);
    const byPartner = book.records('participants-by-partner');
    expect(byPartner.find((r) => r['Partner'] === 'ETH Zurich')?.['Partner (日本語)']).toBe(ETH);
  });

  it('PDF: the section headings and the partner named in Japanese', async () => {
    const text = (await pdfText(await build(symposiumKind, params(), pdfWriter))).join('\n');
    for (const heading of [
      'Speakers',
      'Attendance against registrations',
      'Participants by partner (confirmed registrations)',
      'Participants by country (of their partner)',
      'Documents',
    ])
      expect(text).toContain(heading);
    expect(text).toContain('戦略的パートナーシップ・シンポジウム');
    expect(text).toContain(ETH);
  });
});

describe('inquiry-statistics report', () => {
  const params = { from: '2026-04', to: '2026-05' };

  it('XLSX: its sheets, and inquiries received as numbers equal to SQL', async () => {
    const book = readXlsx(await build(inquiryKind, params, xlsxWriter));
    expect(book.sheetNames).toEqual(
      expect.arrayContaining(['About', 'by-month', 'by-category', 'chart-received']),
    );
    const expected = await sql<{ category: string; received: number }>`
      select category, count(*)::int as received from inquiries.inquiry
       where merged_into_id is null
         and (created_at at time zone 'Asia/Tokyo') >= '2026-04-01' and (created_at at time zone 'Asia/Tokyo') < '2026-06-01'
       group by category`.execute(database.db);
    const byCategory = book.records('by-category');
    for (const e of expected.rows) {
      const index = byCategory.findIndex((r) => r['Category'] === e.category);
      expect(expectNumberCell(book, 'by-category', index, 'Received')).toBe(e.received);
    }
    expect(expected.rows.find((e) => e.category === 'mobility')?.received).toBe(2);
  });

  it('PDF: the section headings and a figure', async () => {
    const text = (await pdfText(await build(inquiryKind, params, pdfWriter))).join('\n');
    for (const heading of [
      'Inquiry statistics — 2026-04 to 2026-05',
      'Per month and category',
      'Per category, whole period',
      'Inquiries received per month',
    ])
      expect(text).toContain(heading);
    expect(text).toMatch(/mobility\s+2\b/);
  });
});
