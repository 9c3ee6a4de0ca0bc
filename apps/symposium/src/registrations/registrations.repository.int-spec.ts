import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import { RegistrationsRepository } from './registrations.repository';

/**
 * Lock order between a settings PUT and a sign-up. The PUT locks the symposium row, then the
 * settings row; a sign-up locks the settings row, then inserts a registration, whose foreign
 * key check takes a key-share lock on the symposium row. With the symposium locked FOR UPDATE
 * that key-share lock waited for the PUT while the PUT waited for the settings lock: a
 * deadlock, and a 500 for whichever Postgres chose to undo (found by helper-42's review).
 */
let database: TestDatabase;
let repo: RegistrationsRepository;
let symposiumId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  repo = new RegistrationsRepository(database.db);
  ({ id: symposiumId } = await database.db
    .insertInto('symposium.symposium')
    .values({ titleEn: 'Lock order symposium', heldOn: '2091-03-15', status: 'planned' })
    .returning('id')
    .executeTakeFirstOrThrow());
});
afterAll(() => database.drop());

it('lets a registration be inserted while a settings change holds the symposium lock', async () => {
  await repo.transaction(async (trx) => {
    expect(await repo.lockSymposium(trx, symposiumId)).toBe(true);
    // Another connection, as a sign-up would: its insert must not wait for this transaction
    // (which waits for it here). lock_timeout turns a wait into an error instead of a hang.
    await database.db.transaction().execute(async (other) => {
      await sql`set local lock_timeout = '5s'`.execute(other);
      await other
        .insertInto('symposium.registration')
        .values({
          symposiumId,
          name: 'Concurrent Person',
          email: 'concurrent@example.org',
          language: 'en',
          status: 'confirmed',
          tokenHash: 'lock-order-test',
          checkInCode: 'LOCK01',
        })
        .execute();
    });
  });
  const rows = await database.db
    .selectFrom('symposium.registration')
    .select('email')
    .where('symposiumId', '=', symposiumId)
    .execute();
  expect(rows).toEqual([{ email: 'concurrent@example.org' }]);
});

it('still serialises two settings changes of one symposium', async () => {
  await repo.transaction(async (trx) => {
    expect(await repo.lockSymposium(trx, symposiumId)).toBe(true);
    await expect(
      database.db.transaction().execute(async (other) => {
        await sql`set local lock_timeout = '200ms'`.execute(other);
        await repo.lockSymposium(other, symposiumId);
      }),
    ).rejects.toMatchObject({ code: '55P03' });
  });
});
