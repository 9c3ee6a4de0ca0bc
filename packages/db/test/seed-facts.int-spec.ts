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

  it('date the Trio’s agreement and its one status entry', async () => {
    const trio = await partner('Stockholm Trio');
    const agreements = await db
      .selectFrom('registry.agreement')
      .select(['signedOn', 'renewedOn', 'signedYear'])
      .where('partnerId', '=', trio.id)
      .execute();
    expect(agreements).toEqual([
      { signedOn: '2017-09-25', renewedOn: '2022-06-01', signedYear: 2017 },
    ]);
    const history = await db
      .selectFrom('registry.partnerStatusChange')
      .select(['fromStatus', 'toStatus', 'changedOn'])
      .where('partnerId', '=', trio.id)
      .execute();
    expect(history).toEqual([{ fromStatus: null, toStatus: 'primary', changedOn: '2017-09-25' }]);
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
      venue: 'Science Building No. 2 auditorium',
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
