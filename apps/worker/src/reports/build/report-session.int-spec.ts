import type { ReportViews } from '@sp/db';
import { createTestDatabase, type TestDatabase, waitFor } from '@sp/testing';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { type CompiledQuery, type Kysely, sql } from 'kysely';
import { parseReport } from '../../../test/reports/report-run';
import { reportData } from '../../../test/reports/report-data';
import type { WriteTools } from '../document';
import { csvWriter } from '../formats/csv.writer';
import { fiscalYearKind } from '../kinds/fiscal-year.kind';
import { openReportSession } from './report-session';

/**
 * The CSV writer's COPY path against its row path: the fiscal-year report, whose detail
 * listings offer their rows as a query, written once by Postgres (`COPY … TO STDOUT`) and once
 * through the rows, over the same snapshot, on data with every awkward value a cell can hold
 * (commas, quotes, a line break, Japanese, nulls, a formula): the files parse to the same
 * records.
 */
let database: TestDatabase;
const now = new Date('2026-06-01T00:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  const data = reportData(database.db);
  const awkward = await data.partner({ nameEn: `Université "Paris", Saclay ${data.tag}` });
  const plain = await data.partner({ nameEn: `Zeta University ${data.tag}`, nameJa: '東京大学' });
  await data.activity(awkward.id, {
    titleEn: 'Line one\nline two, "quoted"',
    titleJa: '共同研究、「引用」',
    departments: ['Engineering', '工学系研究科'],
    startsOn: '2025-05-01',
    endsOn: null,
  });
  await data.activity(awkward.id, {
    titleEn: '=HYPERLINK("https://evil.example")',
    startsOn: '2025-06-01',
  });
  await data.activity(awkward.id, {
    titleEn: 'Ends in year',
    startsOn: '2025-04-01',
    endsOn: '2026-03-31',
  });
  for (let i = 0; i < 30; i++)
    await data.activity(plain.id, { startsOn: `2025-${String(4 + (i % 9)).padStart(2, '0')}-01` });
  await data.mobility(awkward.id, { programme: 'Exchange, "Global"', count: 3 });
  await data.mobility(plain.id, { direction: 'outbound', personType: 'graduate', count: 7 });
  await data.mobility(plain.id, { count: 2 });
});
afterAll(() => database?.drop());

async function write(tools: WriteTools | undefined, reader: Kysely<ReportViews>) {
  const doc = await fiscalYearKind.build(reader, { fiscalYear: 2025 }, { now, audience: 'staff' });
  const out = new PassThrough();
  let counted = 0;
  const [, bytes] = await Promise.all([
    csvWriter.write(doc, out, (n) => (counted = n), tools),
    buffer(out),
  ]);
  return { text: bytes.toString('utf8'), counted };
}

it('writes the same records through COPY as through the rows, with CRLF record ends', async () => {
  const session = await openReportSession(database.url);
  try {
    const reader = session.db as Kysely<ReportViews>;
    const copied: string[] = [];
    const copy = (query: CompiledQuery): Readable => {
      copied.push(query.sql);
      return session.copy(query);
    };
    const viaCopy = await write({ copy }, reader);
    const viaRows = await write(undefined, reader);

    // Both detail listings went through COPY, and nothing else did.
    expect(copied).toHaveLength(2);
    expect(copied.every((q) => q.startsWith('copy ('))).toBe(true);

    const a = parseReport(viaCopy.text);
    const b = parseReport(viaRows.text);
    expect([...a.sections.keys()]).toEqual([...b.sections.keys()]);
    for (const [name, rows] of b.sections) expect(a.sections.get(name)).toEqual(rows);
    expect(a.sections.get('activities')).toHaveLength(33);
    expect(a.sections.get('mobility')).toHaveLength(3);
    expect(a.sections.get('activities')).toContainEqual(
      expect.objectContaining({
        Title: 'Line one\nline two, "quoted"',
        'Title (日本語)': '共同研究、「引用」',
        Departments: 'Engineering; 工学系研究科',
        Starts: '2025-05-01',
        Ends: '',
      }),
    );
    // A formula gets an apostrophe on either path, so a spreadsheet shows it as text.
    expect(a.sections.get('activities')).toContainEqual(
      expect.objectContaining({ Title: `'=HYPERLINK("https://evil.example")` }),
    );
    expect(viaCopy.counted).toBe(viaRows.counted);

    // Every record ends CRLF; the line break inside the quoted title stays a bare LF (data).
    const body = viaCopy.text;
    expect(body.startsWith('\uFEFF')).toBe(true);
    expect(body.split('\r\n').length - 1).toBe(body.split('\n').length - 2);
    expect(body).toContain('"Line one\nline two, ""quoted"""');
  } finally {
    await session.close();
  }
});

it('reads one snapshot as sp_report_reader, and refuses the base tables', async () => {
  const session = await openReportSession(database.url);
  try {
    const { rows } = await sql<{ role: string }>`select current_user as role`.execute(session.db);
    expect(rows).toEqual([{ role: 'sp_report_reader' }]);
    const base = session.copy({
      sql: 'copy (select * from registry.activity) to stdout (format csv)',
      parameters: [],
      query: { kind: 'RawNode', sqlFragments: [], parameters: [] },
      queryId: { queryId: 'test' },
    });
    await expect(buffer(base)).rejects.toThrow(/permission denied/);
  } finally {
    await session.close();
  }
});

it('closes, ending its backend, when a COPY’s reader stopped reading (helper-49: the build hung for good on a full disk)', async () => {
  const applicationName = `sp-copy-stuck-${process.pid}`;
  const session = await openReportSession(database.url, { applicationName });
  const stream = session.copy({
    sql: "copy (select g, repeat('x', 200) from generate_series(1, 3000000) g) to stdout (format csv)",
    parameters: [],
    query: { kind: 'RawNode', sqlFragments: [], parameters: [] },
    queryId: { queryId: 'test' },
  });
  stream.on('error', () => undefined);
  // The writer takes one chunk, then stops: its file could not be written.
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.pause();
  const started = Date.now();
  await session.close();
  expect(Date.now() - started).toBeLessThan(30_000);
  await waitFor(async () => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_stat_activity where application_name = ${applicationName}`.execute(
      database.db,
    );
    return Number(rows[0]?.n) === 0;
  }, 'the stuck backend to end');
}, 60_000);
