import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createDb, type DB, ensureDatabase, migrateToLatest, seed } from '../src/index';

/**
 * The programme's public facts as the seed loads them. The services' end-to-end tests build
 * their own data (with @sp/testing's factories); what the seed holds is asserted here, once.
 */
const server = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `sp_test_seed_${process.pid}_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
let db: Kysely<DB>;

beforeAll(async () => {
  await ensureDatabase(url);
  db = createDb(url, { max: 2 });
  await migrateToLatest(db);
  await seed(db);
});

afterAll(async () => {
  await db?.destroy();
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  await admin.end();
});

const partner = (nameEn: string) =>
  db
    .selectFrom('registry.partner')
    .selectAll()
    .where('nameEn', '=', nameEn)
    .executeTakeFirstOrThrow();

describe('the seeded partners', () => {
  it('include the Stockholm Trio, a consortium of three', async () => {
    expect(await partner('Stockholm Trio')).toMatchObject({
      country: 'SE',
      status: 'primary',
      memberInstitutions: [
        'Stockholm University',
        'KTH Royal Institute of Technology',
        'Karolinska Institutet',
      ],
    });
    for (const nameEn of ['Princeton University', 'ETH Zurich', 'University of Cambridge'])
      await partner(nameEn);
  });

  it('are two in China, both primary, and one prospective in Viet Nam', async () => {
    const rows = await db
      .selectFrom('registry.partner')
      .select(['nameEn', 'country', 'status'])
      .where('country', 'in', ['CN', 'VN'])
      .orderBy('nameEn')
      .execute();
    expect(rows).toEqual([
      { nameEn: 'Peking University', country: 'CN', status: 'primary' },
      { nameEn: 'Tsinghua University', country: 'CN', status: 'primary' },
      { nameEn: 'Vietnam National University, Hanoi', country: 'VN', status: 'prospective' },
    ]);
  });

  it('date the Trio’s agreement, its renewal and its one status entry', async () => {
    const trio = await partner('Stockholm Trio');
    const agreements = await db
      .selectFrom('registry.agreement')
      .select(['id', 'signedOn', 'signedOnPrecision', 'kind'])
      .where('partnerId', '=', trio.id)
      .execute();
    expect(agreements).toEqual([
      {
        id: expect.any(String),
        signedOn: '2017-09-25',
        signedOnPrecision: 'day',
        kind: 'strategic-partnership',
      },
    ]);
    const renewals = await db
      .selectFrom('registry.agreementRenewal')
      .select(['renewedOn', 'renewedOnPrecision'])
      .where('agreementId', '=', agreements[0]!.id)
      .execute();
    expect(renewals).toEqual([{ renewedOn: '2022-06-01', renewedOnPrecision: 'day' }]);
    const history = await db
      .selectFrom('registry.partnerStatusChange')
      .select(['fromStatus', 'toStatus', 'changedOn', 'changedOnPrecision'])
      .where('partnerId', '=', trio.id)
      .execute();
    expect(history).toEqual([
      { fromStatus: null, toStatus: 'primary', changedOn: '2017-09-25', changedOnPrecision: 'day' },
    ]);
  });

  it('keep dates known only to the year or month at that precision', async () => {
    // ETH Zurich's memorandum was renewed "in 2016": a year, not 1 January 2016.
    const eth = await partner('ETH Zurich');
    expect(eth).toMatchObject({ statusSince: '2016-01-01', statusSincePrecision: 'year' });
    const renewals = await db
      .selectFrom('registry.agreementRenewal as r')
      .innerJoin('registry.agreement as a', 'a.id', 'r.agreementId')
      .innerJoin('registry.partner as p', 'p.id', 'a.partnerId')
      .select(['p.nameEn', 'r.renewedOn', 'r.renewedOnPrecision'])
      .orderBy('p.nameEn')
      .execute();
    expect(renewals).toEqual([
      { nameEn: 'ETH Zurich', renewedOn: '2016-01-01', renewedOnPrecision: 'year' },
      { nameEn: 'Princeton University', renewedOn: '2023-01-01', renewedOnPrecision: 'month' },
      { nameEn: 'Stockholm Trio', renewedOn: '2022-06-01', renewedOnPrecision: 'day' },
      { nameEn: 'University of Cambridge', renewedOn: '2020-01-01', renewedOnPrecision: 'year' },
    ]);
    const princeton = await partner('Princeton University');
    expect(princeton).toMatchObject({ statusSince: '2013-01-01', statusSincePrecision: 'year' });
    const signed = await db
      .selectFrom('registry.agreement')
      .select(['signedOn', 'signedOnPrecision'])
      .where('partnerId', '=', princeton.id)
      .executeTakeFirstOrThrow();
    expect(signed).toEqual({ signedOn: '2013-01-01', signedOnPrecision: 'year' });
  });

  it('leave the ninth primary slot for staff, and no coordinator invented', async () => {
    const rows = await db.selectFrom('registry.partner').selectAll().execute();
    expect(rows.filter((p) => p.status === 'primary')).toHaveLength(8);
    expect(rows.every((p) => p.coordinatorEmail === null)).toBe(true);
    expect(rows.find((p) => p.nameEn === 'Australian National University')?.city).toBe('Canberra');
  });
});

describe('the seeded symposiums', () => {
  const documentsOf = (symposiumId: string) =>
    db
      .selectFrom('symposium.document')
      .select(['kind', 'language', 'title', 'publishedIn'])
      .where('symposiumId', '=', symposiumId)
      .orderBy('position')
      .orderBy('createdAt')
      .execute();

  it('are the seven held from 2015 to 2022, the last one unnumbered', async () => {
    const rows = await db.selectFrom('symposium.symposium').selectAll().orderBy('heldOn').execute();
    expect(rows.map((s) => [s.heldOn, s.edition])).toEqual([
      ['2015-04-20', 1],
      ['2016-03-14', 2],
      ['2017-03-17', 3],
      ['2018-03-06', 4],
      ['2019-03-07', 5],
      ['2021-03-16', 6],
      ['2022-03-15', null],
    ]);
    expect(rows.filter((s) => s.status === 'held').map((s) => s.edition)).toEqual([5, 6]);
    const byEdition = new Map(rows.map((s) => [s.edition, s]));
    expect(byEdition.get(2)).toMatchObject({
      venueEn: 'Science Building No. 2 auditorium',
      campus: 'hongo',
      participants: 100,
      participantsQualifier: 'over',
    });
    expect(byEdition.get(6)).toMatchObject({
      format: 'online',
      participants: 70,
      participantsQualifier: 'about',
    });
    expect(byEdition.get(null)).toMatchObject({
      titleEn: 'Strategic Partnership Symposium',
      format: 'online',
    });

    const docs = async (edition: number | null) => documentsOf(byEdition.get(edition)!.id);
    expect((await docs(1)).map((d) => [d.kind, d.language, d.publishedIn])).toEqual([
      ['announcement', 'en', 'Topics (May 2015)'],
      ['report', 'ja', null],
    ]);
    expect(await docs(4)).toEqual([
      expect.objectContaining({
        kind: 'panel-summary',
        language: 'en',
        title: 'Summary of Panel Discussion',
      }),
    ]);
    expect(await docs(6)).toEqual([]);
    expect((await docs(null)).map((d) => d.kind)).toEqual(['report', 'video']);
  });
});

describe('the seeded Recent Activities', () => {
  it('carry Vietnam National University, Hanoi’s activities presented at the Sixth Symposium, approved and public', async () => {
    const vnu = await partner('Vietnam National University, Hanoi');
    const rows = await db
      .selectFrom('registry.activity')
      .selectAll()
      .where('partnerId', '=', vnu.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'joint-symposium',
      startsOn: '2021-03-16',
      endsOn: '2021-03-16',
      status: 'completed',
      isPublic: true,
      reviewStatus: 'approved',
      reportedBy: 'staff',
      leads: [],
    });
    expect(rows[0]!.titleEn).toContain('Sixth UTokyo Strategic Partnership Symposium');
    expect(rows[0]!.publishedAt?.toISOString()).toBe('2021-03-15T15:00:00.000Z');
  });

  it('are not inserted twice by a second run', async () => {
    const again = await seed(db);
    expect(again.activities).toBe(0);
    const { n } = await db
      .selectFrom('registry.activity')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1);
  });
});

describe('the seeded canned responses', () => {
  it('answer in English and Japanese, signed by the International Projects Promotion Group', async () => {
    const canned = await db.selectFrom('inquiries.cannedResponse').selectAll().execute();
    expect(canned.length).toBeGreaterThanOrEqual(3);
    for (const response of canned) {
      expect(response.bodyEn).toContain('International Projects Promotion Group');
      expect(response.bodyJa).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });
});
