import { randomUUID } from 'node:crypto';
import { AppError } from '@sp/platform';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { PartnersRepository } from './partners.repository';

/** The repository against the real (cloned) database: constraint violations leave as AppErrors. */
let database: TestDatabase;
let repo: PartnersRepository;

beforeAll(async () => {
  database = await createTestDatabase();
  repo = new PartnersRepository(database.db);
});
afterAll(() => database.drop());

const partner = (nameEn: string) => ({ nameEn, country: 'JP', status: 'prospective' as const });

const failure = async (work: Promise<unknown>): Promise<unknown> => {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the write to fail');
};

const count = async (nameEn: string) =>
  (
    await database.db
      .selectFrom('registry.partner')
      .select('id')
      .where('nameEn', 'ilike', nameEn)
      .execute()
  ).length;

describe('PartnersRepository', () => {
  it('turns a taken name on insert (any case) into a conflict naming nameEn', async () => {
    const name = `Repo Partner ${randomUUID()}`;
    await repo.transaction((trx) => repo.insert(trx, partner(name)));
    const error = await failure(
      repo.transaction((trx) => repo.insert(trx, partner(name.toUpperCase()))),
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'conflict',
      message: `a partner named "${name.toUpperCase()}" already exists`,
      errors: [{ in: 'body', field: 'nameEn', code: 'duplicate' }],
    });
    expect(await count(name)).toBe(1);
  });

  it('turns a taken name on update into the same conflict, leaving the row as it was', async () => {
    const taken = `Repo Taken ${randomUUID()}`;
    const mine = `Repo Mine ${randomUUID()}`;
    await repo.transaction((trx) => repo.insert(trx, partner(taken)));
    const row = await repo.transaction((trx) => repo.insert(trx, partner(mine)));
    const error = await failure(
      repo.transaction((trx) => repo.update(trx, row.id, { nameEn: taken })),
    );
    expect(error).toMatchObject({ code: 'conflict', errors: [{ field: 'nameEn' }] });
    expect((await repo.findById(row.id))?.nameEn).toBe(mine);
  });

  it('lets other constraint violations through untranslated', async () => {
    const error = await failure(
      repo.transaction((trx) => repo.insert(trx, { ...partner(''), nameEn: '' })),
    );
    expect(error).not.toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: '23514' });
  });
});
