import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import {
  createDb,
  type DB,
  ensureDatabase,
  migrateToLatest,
  rollback,
  schemas,
  seed,
} from '../src/index';
import { migrationsBySchema } from '../src/migrations/index';

/** The symposium schema's migrations in order (the list grows with each one that lands). */
const symposiumMigrations = Object.keys(migrationsBySchema['symposium']!);
import type { Kysely } from 'kysely';

/** Migrations run from nothing here (not from the test template), so this file makes its own database. */
const server = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `sp_test_migrations_${process.pid}_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
let db: Kysely<DB>;

beforeAll(async () => {
  expect(await ensureDatabase(url)).toBe(true);
  expect(await ensureDatabase(url)).toBe(false); // a second call finds it
  db = createDb(url, { max: 2 });
});

afterAll(async () => {
  await db?.destroy();
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  await admin.end();
});

const tablesIn = async (schema: string) =>
  (
    await sql<{ name: string }>`
      select table_name as name from information_schema.tables where table_schema = ${schema} order by 1`.execute(
      db,
    )
  ).rows.map((r) => r.name);

/** Every row of every seeded table, to compare runs. */
const snapshot = async () => ({
  partners: await db.selectFrom('registry.partner').selectAll().orderBy('nameEn').execute(),
  history: await db.selectFrom('registry.partnerStatusChange').selectAll().orderBy('id').execute(),
  agreements: await db.selectFrom('registry.agreement').selectAll().orderBy('id').execute(),
  renewals: await db.selectFrom('registry.agreementRenewal').selectAll().orderBy('id').execute(),
  symposiums: await db.selectFrom('symposium.symposium').selectAll().orderBy('heldOn').execute(),
  outbox: await db.selectFrom('registry.outbox').select(['id', 'name']).orderBy('id').execute(),
  documents: await db.selectFrom('symposium.document').selectAll().orderBy('id').execute(),
  activities: await db.selectFrom('registry.activity').selectAll().orderBy('id').execute(),
});

describe('migrations', () => {
  it('create every schema with its own migration table, and are idempotent', async () => {
    const first = await migrateToLatest(db);
    expect(first.map((r) => r.schema)).toEqual(schemas);
    expect(first.flatMap((r) => r.results).every((r) => r.status === 'Success')).toBe(true);
    expect(await tablesIn('registry')).toEqual(
      expect.arrayContaining(['partner', 'partner_status_change', 'agreement', 'kysely_migration']),
    );
    expect(await tablesIn('symposium')).toEqual(
      expect.arrayContaining(['symposium', 'document', 'kysely_migration']),
    );
    for (const schema of ['inquiries', 'notifications', 'reports']) {
      expect(await tablesIn(schema)).toContain('kysely_migration');
    }
    const again = await migrateToLatest(db);
    expect(again.flatMap((r) => r.results)).toEqual([]);
  });

  it('roll back one schema without touching the others, and come back', async () => {
    const newest = await rollback(db, 'symposium');
    expect(newest.results.map((r) => [r.migrationName, r.direction])).toEqual([
      [symposiumMigrations.at(-1), 'Down'],
    ]);
    const { results } = await rollback(db, 'symposium', true);
    expect(results.map((r) => [r.migrationName, r.direction])).toEqual(
      symposiumMigrations
        .slice(0, -1)
        .reverse()
        .map((name) => [name, 'Down']),
    );
    expect(symposiumMigrations.slice(0, 4)).toEqual([
      '0001-symposiums',
      '0002-audit',
      '0003-registry-events',
      '0004-partner-version',
    ]);
    expect(await tablesIn('symposium')).not.toContain('symposium');
    expect(await tablesIn('registry')).toContain('partner');
    const back = await migrateToLatest(db);
    expect(back.find((r) => r.schema === 'symposium')?.results.map((r) => r.migrationName)).toEqual(
      symposiumMigrations,
    );
  });

  it('roll the inquiries tables all the way down and back up', async () => {
    const { results } = await rollback(db, 'inquiries', true);
    expect(results.map((r) => r.direction)).toEqual(results.map(() => 'Down'));
    expect(results.map((r) => r.migrationName)).toEqual(
      expect.arrayContaining(['0007-submission-order', '0006-outbox', '0005-inquiries']),
    );
    expect(await tablesIn('inquiries')).not.toContain('inquiry');
    await migrateToLatest(db);
    expect(await tablesIn('inquiries')).toEqual(
      expect.arrayContaining(['inquiry', 'message', 'attachment', 'inbound_message', 'outbox']),
    );
  });

  it('roll the reports tables all the way down and back up, keeping the shared reader role', async () => {
    const { results } = await rollback(db, 'reports', true);
    expect(results.map((r) => r.migrationName)).toEqual([
      '0004-partner-runs-expire',
      '0003-outbox',
      '0002-runs',
      '0001-schema',
    ]);
    expect((await tablesIn('reports')).filter((t) => !t.startsWith('kysely_migration'))).toEqual(
      [],
    );
    await migrateToLatest(db);
    expect(await tablesIn('reports')).toEqual(
      expect.arrayContaining(['run', 'artifact', 'outbox']),
    );
    const role = await sql<{ rolcanlogin: boolean }>`
      select rolcanlogin from pg_roles where rolname = 'sp_report_reader'`.execute(db);
    expect(role.rows).toEqual([{ rolcanlogin: false }]);
  });

  it('name an unknown schema rather than guessing', async () => {
    await expect(rollback(db, 'nope')).rejects.toThrow(/unknown schema "nope"/);
  });
});

describe('seed', () => {
  it('loads the programme’s public facts', async () => {
    const counts = await seed(db);
    expect(counts).toEqual({
      partners: 9,
      agreements: 8,
      symposiums: 7,
      documents: 10,
      activities: 1,
      cannedResponses: 3,
    });
    // Each new partner (and activity) is announced through the outbox, like one created
    // through the API.
    const announced = await db.selectFrom('registry.outbox').select(['name', 'payload']).execute();
    expect(announced.filter((r) => r.name === 'partner.created')).toHaveLength(9);
    // ...and each agreement and activity, like one recorded through the API.
    expect(announced.filter((r) => r.name === 'agreement.created')).toHaveLength(8);
    expect(announced.filter((r) => r.name === 'activity.created')).toHaveLength(1);
    expect(announced).toHaveLength(18);
    const partners = await db.selectFrom('registry.partner').selectAll().execute();
    expect(partners.filter((p) => p.status === 'primary')).toHaveLength(8);
    expect(partners.find((p) => p.status === 'prospective')?.nameEn).toBe(
      'Vietnam National University, Hanoi',
    );
    const trio = partners.find((p) => p.nameEn === 'Stockholm Trio');
    expect(trio?.memberInstitutions).toHaveLength(3);
    const snu = await db
      .selectFrom('registry.agreement')
      .innerJoin('registry.partner', 'registry.partner.id', 'registry.agreement.partnerId')
      .select(['registry.agreement.signedOn'])
      .where('registry.partner.nameEn', '=', 'Seoul National University')
      .executeTakeFirstOrThrow();
    expect(snu.signedOn).toBe('2016-07-22');
  });

  it('changes nothing when run again', async () => {
    const before = await snapshot();
    expect(await seed(db)).toEqual({
      partners: 0,
      agreements: 0,
      symposiums: 0,
      documents: 0,
      activities: 0,
      cannedResponses: 0,
    });
    expect(await snapshot()).toEqual(before);
  });

  it('leaves staff edits to seeded rows alone', async () => {
    await db
      .updateTable('registry.partner')
      .set({ website: 'https://edited.example/' })
      .where('nameEn', '=', 'ETH Zurich')
      .execute();
    await seed(db);
    const eth = await db
      .selectFrom('registry.partner')
      .select('website')
      .where('nameEn', '=', 'ETH Zurich')
      .executeTakeFirstOrThrow();
    expect(eth.website).toBe('https://edited.example/');
  });
});
