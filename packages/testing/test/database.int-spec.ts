import pg from 'pg';
import { createTestDatabase, dropOrphanedDatabases, urlFor } from '../src/database';

const exists = async (name: string) => {
  const client = new pg.Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return (
      (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1
    );
  } finally {
    await client.end();
  }
};

describe('test databases', () => {
  it('are cloned migrated, and dropped with their handle', async () => {
    const database = await createTestDatabase();
    const partners = await database.db.selectFrom('registry.partner').select('id').execute();
    expect(partners).toEqual([]); // migrated, empty: the template carries no rows
    await database.drop();
    expect(await exists(database.name)).toBe(false);
  });

  it('left by a killed run are dropped, those of live runs kept', async () => {
    const deadPid = 4_194_303; // above any pid this machine has handed out
    const orphan = `sp_test_db_${deadPid}_0badc0de`;
    const client = new pg.Client({ connectionString: urlFor('postgres') });
    await client.connect();
    await client.query(`create database ${orphan}`);
    await client.end();
    const mine = await createTestDatabase();
    try {
      expect(await dropOrphanedDatabases()).toContain(orphan);
      expect(await exists(orphan)).toBe(false);
      expect(await exists(mine.name)).toBe(true);
    } finally {
      await mine.drop();
    }
  });
});
