import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { createDb, type DB, ensureDatabase, migrateToLatest, rollback, seed } from '../src/index';

/**
 * Registry migrations 0006 (partner profile, dates with their precision) and 0007 (agreements:
 * new kinds, renewals as history, reminders) over seeded rows: down and up again keep the data.
 */
const server = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `sp_test_registry_0007_${process.pid}_${randomBytes(4).toString('hex')}`;
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

type OldAgreement = {
  title: string;
  kind: string;
  signedOn: string | null;
  signedYear: number | null;
  renewedOn: string | null;
};

it('roll back to the old agreement shape and forward again without losing a date', async () => {
  // Later migrations (people, activities, search…) come down first, one at a time.
  const rolledBack: string[] = [];
  while (rolledBack.at(-1) !== '0006-partner-profile') {
    // A failed step throws (the migrator's report carries no error).
    const { results } = await rollback(db, 'registry');
    const [result] = results ?? [];
    expect(result?.status).toBe('Success');
    rolledBack.push(result!.migrationName);
  }
  expect(rolledBack.slice(-2)).toEqual(['0007-agreements', '0006-partner-profile']);
  const old = (
    await sql<OldAgreement>`
      select a.title, a.kind, a.signed_on::text, a.signed_year, a.renewed_on::text
      from registry.agreement a join registry.partner p on p.id = a.partner_id
      where p.name_en in ('ETH Zurich', 'Stockholm Trio', 'Princeton University')
      order by p.name_en`.execute(db)
  ).rows;
  expect(old).toEqual([
    expect.objectContaining({ kind: 'memorandum', signedOn: null, renewedOn: '2016-01-01' }),
    expect.objectContaining({
      kind: 'memorandum',
      signedOn: null,
      signedYear: 2013,
      renewedOn: '2023-01-01',
    }),
    expect.objectContaining({
      signedOn: '2017-09-25',
      signedYear: 2017,
      renewedOn: '2022-06-01',
    }),
  ]);

  await migrateToLatest(db);
  const trio = await db
    .selectFrom('registry.agreement as a')
    .innerJoin('registry.partner as p', 'p.id', 'a.partnerId')
    .innerJoin('registry.agreementRenewal as r', 'r.agreementId', 'a.id')
    .select(['a.kind', 'a.signedOn', 'a.signedOnPrecision', 'r.renewedOn'])
    .where('p.nameEn', '=', 'Stockholm Trio')
    .execute();
  expect(trio).toEqual([
    {
      kind: 'strategic-partnership',
      signedOn: '2017-09-25',
      signedOnPrecision: 'day',
      renewedOn: '2022-06-01',
    },
  ]);
  const princeton = await db
    .selectFrom('registry.agreement as a')
    .innerJoin('registry.partner as p', 'p.id', 'a.partnerId')
    .select(['a.kind', 'a.signedOn', 'a.signedOnPrecision', 'p.statusSincePrecision'])
    .where('p.nameEn', '=', 'Princeton University')
    .executeTakeFirstOrThrow();
  // A stored 1 January from before 0006 is read back as a year.
  expect(princeton).toEqual({
    kind: 'comprehensive',
    signedOn: '2013-01-01',
    signedOnPrecision: 'year',
    statusSincePrecision: 'year',
  });
});
