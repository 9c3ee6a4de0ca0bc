import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createDb, type DB, ensureDatabase, migrateToLatest, seed } from '../src/index';

/** The seed's demo people: fictional, linked to seeded partners, and loaded once. */
const server = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `sp_test_seed_people_${process.pid}_${randomBytes(4).toString('hex')}`;
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

it('are clearly fictional contacts and a faculty lead, linked to seeded partners', async () => {
  const contacts = await db
    .selectFrom('registry.contact as c')
    .innerJoin('registry.partner as p', 'p.id', 'c.partnerId')
    .select(['p.nameEn as partner', 'c.nameEn', 'c.email'])
    .orderBy('p.nameEn')
    .execute();
  expect(contacts.map((c) => c.partner)).toEqual(['ETH Zurich', 'Seoul National University']);
  const leads = await db
    .selectFrom('registry.facultyLead')
    .select(['id', 'nameEn', 'email'])
    .execute();
  expect(leads).toHaveLength(1);
  for (const person of [...contacts, ...leads]) {
    expect(person.nameEn).toMatch(/\(fictional\)$/);
    expect(person.email).toMatch(/\.example$/);
  }
  const links = await db
    .selectFrom('registry.facultyLeadPartner')
    .select('partnerId')
    .where('facultyLeadId', '=', leads[0]!.id)
    .execute();
  expect(links).toHaveLength(2);
  // Search finds them (the triggers indexed the seed's rows too), as staff only.
  const found = await db
    .selectFrom('registry.searchEntry')
    .select(['kind', 'audience'])
    .where('title', '=', 'Demo Contact (fictional)')
    .execute();
  expect(found).toEqual([{ kind: 'contact', audience: 'staff' }]);
});

it('changes nothing when run again', async () => {
  const count = async () =>
    Number(
      (
        await db
          .selectFrom('registry.contact')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await count();
  await seed(db);
  expect(await count()).toBe(before);
});
