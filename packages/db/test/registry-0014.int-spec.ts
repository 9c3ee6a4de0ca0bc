import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { migrateToLatest, rollbackBefore } from '../src/index';

/**
 * registry/0014 makes agreement titles unique per partner whatever their case. Titles already
 * stored twice that way are named by the migration, not left to a bare index error.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await rollbackBefore(database.db, 'registry', '0014-agreement-title-key');
});
afterAll(() => database.drop());

it('names the agreements titled alike, then builds the index once they are gone', async () => {
  const { db } = database;
  const { id } = await db
    .insertInto('registry.partner')
    .values({ nameEn: 'Migration University', country: 'FR', status: 'prospective' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('registry.agreement')
    .values(
      ['Student Exchange Agreement', 'Student exchange agreement'].map((title) => ({
        partnerId: id,
        kind: 'student-exchange' as const,
        title,
      })),
    )
    .execute();
  const failure = await migrateToLatest(db).then(
    () => new Error('the migration passed'),
    (error: Error) => error,
  );
  expect(failure.message).toContain('registry/0014-agreement-title-key');
  expect(failure.message).toContain(`partner ${id}: "Student `);
  expect(failure.message).toContain('"Student Exchange Agreement"');
  expect(failure.message).toContain('"Student exchange agreement"');
  await db
    .updateTable('registry.agreement')
    .set({ title: 'Student exchange agreement (2020)' })
    .where('title', '=', 'Student exchange agreement')
    .execute();
  await migrateToLatest(db);
  await expect(
    db
      .insertInto('registry.agreement')
      .values({ partnerId: id, kind: 'other', title: 'STUDENT EXCHANGE AGREEMENT' })
      .execute(),
  ).rejects.toMatchObject({ code: '23505', constraint: 'agreement_partner_id_title_key' });
});
