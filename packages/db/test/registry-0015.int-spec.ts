import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { migrateToLatest, rollbackBefore } from '../src/index';

/**
 * registry/0015 makes a mobility report's cell unique whatever the programme's case. Cells
 * already reported twice that way are named by the migration, not left to a bare index error.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await rollbackBefore(database.db, 'registry', '0015-mobility-programme-key');
});
afterAll(() => database.drop());

const cell = (partnerId: string, programme: string) => ({
  partnerId,
  fiscalYear: 2024,
  direction: 'inbound' as const,
  personType: 'graduate' as const,
  programme,
  count: 3,
  reviewStatus: 'approved' as const,
  reportedBy: 'staff' as const,
  createdBy: 'staff:alice',
});

it('names the cells reported twice, then builds the index once they are gone', async () => {
  const { db } = database;
  const { id } = await db
    .insertInto('registry.partner')
    .values({ nameEn: 'Migration University', country: 'FR', status: 'prospective' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('registry.mobilityRecord')
    .values([cell(id, 'USTEP'), cell(id, 'Ustep'), { ...cell(id, 'ustep'), fiscalYear: 2023 }])
    .execute();
  const failure = await migrateToLatest(db).then(
    () => new Error('the migration passed'),
    (error: Error) => error,
  );
  expect(failure.message).toContain('registry/0015-mobility-programme-key');
  expect(failure.message).toContain(
    `partner ${id}, fiscal year 2024, inbound graduate: "USTEP" and "Ustep"`,
  );
  expect(failure.message).not.toContain('fiscal year 2023');
  await db.deleteFrom('registry.mobilityRecord').where('programme', '=', 'Ustep').execute();
  await migrateToLatest(db);
  await expect(
    db.insertInto('registry.mobilityRecord').values(cell(id, 'usTEP')).execute(),
  ).rejects.toMatchObject({ code: '23505', constraint: 'mobility_record_cell_key' });
});
