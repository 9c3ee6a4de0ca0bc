import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { AgreementsRepository } from './agreements.repository';
import { AgreementsService } from './agreements.service';

/** The service with its real repository against the real (cloned) database. */
let database: TestDatabase;
let agreements: AgreementsService;

beforeAll(async () => {
  database = await createTestDatabase();
  agreements = new AgreementsService(new AgreementsRepository(database.db));
});
afterAll(() => database.drop());

const newPartner = async () =>
  (
    await database.db
      .insertInto('registry.partner')
      .values({ nameEn: `Agreements ${randomUUID()}`, country: 'DE', status: 'primary' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

describe('AgreementsService.listForPartner', () => {
  it("gives a partner's agreements as contracts, oldest first, a year-only date from 1 January", async () => {
    const partnerId = await newPartner();
    const other = await newPartner();
    await database.db
      .insertInto('registry.agreement')
      .values([
        { partnerId, kind: 'exchange', title: 'B exchange', signedOn: '2019-03-01' },
        { partnerId, kind: 'memorandum', title: 'Memorandum', signedYear: 2019 },
        { partnerId, kind: 'exchange', title: 'A exchange', signedOn: '2019-03-01' },
        {
          partnerId,
          kind: 'joint-degree',
          title: 'Joint degree',
          signedOn: '2021-04-01',
          renewedOn: '2024-04-01',
          expiresOn: '2029-03-31',
          note: 'renewed once',
        },
        { partnerId: other, kind: 'other', title: 'Not theirs', signedOn: '2000-01-01' },
      ])
      .execute();

    const list = await agreements.listForPartner(partnerId);

    expect(list.map((a) => a.title)).toEqual([
      'Memorandum',
      'A exchange',
      'B exchange',
      'Joint degree',
    ]);
    expect(list[3]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'joint-degree',
      title: 'Joint degree',
      signedOn: '2021-04-01',
      signedYear: null,
      renewedOn: '2024-04-01',
      expiresOn: '2029-03-31',
      note: 'renewed once',
    });
    expect(list[0]).toMatchObject({ signedOn: null, signedYear: 2019 });
  });

  it("reads inside the caller's transaction: agreements written there, not yet committed", async () => {
    const partnerId = await newPartner();
    const seen = await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('registry.agreement')
        .values({ partnerId, kind: 'other', title: 'Uncommitted', signedYear: 2026 })
        .execute();
      return {
        inside: await agreements.listForPartner(partnerId, trx),
        outside: await agreements.listForPartner(partnerId),
      };
    });
    expect(seen.inside.map((a) => a.title)).toEqual(['Uncommitted']);
    expect(seen.outside).toEqual([]);
  });

  it('is empty for a partner without agreements', async () => {
    expect(await agreements.listForPartner(await newPartner())).toEqual([]);
  });
});
