import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb } from '../src/index';

/**
 * `date` columns are read as Postgres writes them (create-db.ts keeps the text), and cursors
 * and partial dates expect ISO. A server or database set to another DateStyle (`SQL, DMY`
 * writes 05/12/2026) would have broken every one of them: our pools ask for ISO themselves
 * (found by helper-41's review).
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await sql`alter database ${sql.id(database.name)} set datestyle = 'SQL, DMY'`.execute(
    database.db,
  );
});
afterAll(() => database.drop());

it("reads dates in ISO whatever the server's DateStyle", async () => {
  // A plain client sees the database's setting…
  const plain = new pg.Client({ connectionString: database.url });
  await plain.connect();
  try {
    const { rows } = await plain.query<{ d: string }>(`select '2026-12-05'::date::text as d`);
    expect(rows[0]!.d).toBe('05/12/2026');
  } finally {
    await plain.end();
  }
  // …ours asks for ISO.
  const db = createDb(database.url, { max: 1 });
  try {
    const { rows } = await sql<{ d: string; t: string }>`
      select '2026-12-05'::date as d, timestamptz '2026-12-05 01:02:03.456789+00' as t`.execute(db);
    expect(rows[0]!.d).toBe('2026-12-05');
    expect(rows[0]!.t).toEqual(new Date('2026-12-05T01:02:03.456Z'));
  } finally {
    await db.destroy();
  }
});
