import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { type IncomingMessage, request } from 'node:http';
import { parse } from 'csv-parse/sync';
import type { PartnerStatus } from '@sp/types';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { activityCsvColumns } from '../src/exports/exports.mapper';

// A small pool, to see a leaked export connection.
const ctx = useTestApp(appModule, description, { env: { DATABASE_POOL_MAX: '3' } });
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
  });
  await make.partner({ nameEn: 'ETH Zurich', nameJa: 'チューリッヒ工科大学', country: 'CH' });
  await make.partner({
    nameEn: 'Fudan University',
    nameJa: '复旦大学',
    country: 'CN',
    status: 'ended',
  });
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
      });
    }
    expect(records.find((r) => r['nameEn'] === 'Stockholm Trio')?.['summaryJa']).toBe(
      '東京大学とストックホルムの三大学、\n改行を含む説明',
    );
  });

  it('applies the filters of the list route', async () => {
    const { bytes } = await exportCsv({ status: ['primary', 'ended'], country: ['cn'] });
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records.map((r) => r['nameEn'])).toEqual(['Fudan University']);
    const none = await exportCsv({ country: ['KR'] });
    // The header row alone.
    expect(none.bytes.toString('utf8')).toBe(
      '\uFEFFid,nameEn,nameJa,country,region,website,status,statusSince,memberInstitutions,summaryEn,summaryJa,createdAt,updatedAt,version\r\n',
    );
  });

  it('refuses bad filters naming them', async () => {
    const res = await api.GET('/exports/partners.csv', {
      params: { query: { status: unchecked(['bogus']) } },
    });
    expectProblem(res, 400, 'validation-error', ['status.0']);
  });

  it('streams from a cursor: downloads broken off early give their connections back', async () => {
    // More partners than one cursor fetch, so the export is still reading when it is cut.
    await ctx.database.db
      .insertInto('registry.partner')
      .values(
        Array.from({ length: 5000 }, (_, i) => ({
          nameEn: `Bulk University ${String(i).padStart(5, '0')}`,
          country: 'JP',
          status: 'prospective' as const,
        })),
      )
      .execute();
    // Twice as many broken-off downloads as the pool has connections (3): a leaked cursor
    // would hold its connection and the last ones, and the export below, would never answer.
    // (node:http, whose destroy closes the socket as a browser's cancel does.)
    for (let i = 0; i < 6; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request(`${ctx.running.url}/exports/partners.csv`, {
          headers: { authorization: `Bearer ${token}` },
        });
        req.on('response', (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', reject);
        req.end();
      });
    }
    const { bytes } = await exportCsv();
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records).toHaveLength(5003);
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
