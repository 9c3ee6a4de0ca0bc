import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import { migrateToLatest, rollbackBefore } from '../src/index';

/**
 * symposium/0010 compares rooms by a key (case, width, spacing). Sessions the old rule let
 * through, one room written two ways at overlapping times, are named by the migration rather
 * than left to a bare "could not create exclusion constraint" (found by helper-43's review).
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await rollbackBefore(database.db, 'symposium', '0010-room-key');
});
afterAll(() => database.drop());

it('names the double bookings it finds, then builds the rule once they are gone', async () => {
  const { db } = database;
  const { id } = await db
    .insertInto('symposium.symposium')
    .values({ titleEn: 'Migration symposium', heldOn: '2091-03-15', status: 'planned' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const session = (room: string) => ({
    symposiumId: id,
    kind: 'talk' as const,
    titleEn: `In ${room}`,
    startsAt: '2091-03-15T01:00:00Z',
    endsAt: '2091-03-15T02:00:00Z',
    room,
  });
  await db
    .insertInto('symposium.session')
    .values([session('Hall A'), session('hall a')])
    .execute();
  const failure = await migrateToLatest(db).then(
    () => new Error('the migration passed'),
    (error: Error) => error,
  );
  expect(failure.message).toMatch(/symposium\/0010-room-key: sessions booked into one room/);
  expect(failure.message).toContain('"Hall A (2091-03-15 01:00 to 2091-03-15 02:00 UTC)"');
  expect(failure.message).toContain('"hall a (2091-03-15 01:00 to 2091-03-15 02:00 UTC)"');
  await db
    .updateTable('symposium.session')
    .set({ room: 'Hall B' })
    .where('room', '=', 'hall a')
    .execute();
  await migrateToLatest(db);
  await expect(
    sql`insert into symposium.session (symposium_id, kind, title_en, starts_at, ends_at, room)
        values (${id}, 'talk', 'Clash', '2091-03-15T01:30:00Z', '2091-03-15T02:30:00Z', 'HALL  B')`.execute(
      db,
    ),
  ).rejects.toMatchObject({ code: '23P01', constraint: 'session_room_overlap' });
});
