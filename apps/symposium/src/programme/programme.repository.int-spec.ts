import { AppError } from '@sp/platform';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import { ProgrammeRepository } from './programme.repository';

/**
 * The room rule lives in the database: writers that bypass the service are held to it too, and
 * the repository turns the violation into the 409 callers expect.
 */
let database: TestDatabase;
let repo: ProgrammeRepository;
let symposiumId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  repo = new ProgrammeRepository(database.db);
  ({ id: symposiumId } = await database.db
    .insertInto('symposium.symposium')
    .values({ titleEn: 'Repository symposium', heldOn: '2091-03-15', status: 'planned' })
    .returning('id')
    .executeTakeFirstOrThrow());
});
afterAll(() => database.drop());

const session = (startsAt: string, endsAt: string, room: string | null) => ({
  symposiumId,
  kind: 'talk' as const,
  titleEn: `Talk ${startsAt}`,
  startsAt,
  endsAt,
  room,
});

const failure = async (work: Promise<unknown>): Promise<unknown> => {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the write to fail');
};

it('refuses an overlap in one room as a 409 naming startsAt and room, and lets the rest in', async () => {
  await repo.transaction((trx) =>
    repo.insertSession(trx, session('2091-03-15T01:00:00Z', '2091-03-15T02:00:00Z', 'Hall')),
  );
  const error = await failure(
    repo.transaction((trx) =>
      repo.insertSession(trx, session('2091-03-15T01:59:00Z', '2091-03-15T03:00:00Z', 'Hall')),
    ),
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('conflict');
  expect((error as AppError).errors?.map((e) => e.field)).toEqual(['startsAt', 'room']);
  // Back to back, another room, or no room at all: no conflict.
  await repo.transaction(async (trx) => {
    await repo.insertSession(trx, session('2091-03-15T02:00:00Z', '2091-03-15T03:00:00Z', 'Hall'));
    await repo.insertSession(trx, session('2091-03-15T01:30:00Z', '2091-03-15T02:30:00Z', 'Annex'));
    await repo.insertSession(trx, session('2091-03-15T01:30:00Z', '2091-03-15T02:30:00Z', null));
    await repo.insertSession(trx, session('2091-03-15T01:30:00Z', '2091-03-15T02:30:00Z', null));
  });
});

it('holds plain SQL to the same rule (the database enforces it, not only the service)', async () => {
  await expect(
    sql`insert into symposium.session (symposium_id, kind, title_en, starts_at, ends_at, room)
        values (${symposiumId}, 'talk', 'Sneaked in', '2091-03-15T01:15:00Z', '2091-03-15T01:45:00Z', 'Hall')`.execute(
      database.db,
    ),
  ).rejects.toMatchObject({ code: '23P01', constraint: 'session_room_overlap' });
});

it('turns an end before the start into a 400 naming endsAt', async () => {
  const error = await failure(
    repo.transaction((trx) =>
      repo.insertSession(trx, session('2091-03-15T05:00:00Z', '2091-03-15T04:00:00Z', 'Hall')),
    ),
  );
  expect((error as AppError).code).toBe('validation-error');
  expect((error as AppError).errors?.[0]?.field).toBe('endsAt');
});
