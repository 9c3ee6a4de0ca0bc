import { createTestDatabase, type TestDatabase } from '@sp/testing';
import type { Kysely } from 'kysely';
import { ZodError } from 'zod';
import { type DB, type EventData, writeOutbox } from '../src/index';

/**
 * `writeOutbox` parses every payload with its message's contract before writing: a payload
 * forced past the compiler (a cast) is refused and nothing reaches the outbox. The compiler's
 * side is test/outbox-contracts.types.ts.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(() => database?.drop());

const snapshot = (id: string): EventData<'partner.created'> => ({
  id,
  nameEn: 'Contract University',
  nameJa: null,
  country: 'JP',
  status: 'primary',
  updatedAt: '2026-11-25T00:00:00.000Z',
});

const rows = (db: Kysely<DB>, id: string) =>
  db
    .selectFrom('registry.outbox')
    .select(['topic', 'name', 'payload'])
    .where(
      ({ fn, ref, val }) => fn('jsonb_extract_path_text', [ref('payload'), val('id')]),
      '=',
      id,
    )
    // Both rows come from one statement: order by name, not by their random ids.
    .orderBy('name')
    .execute();

it('refuses a payload forced past the compiler before writing anything', async () => {
  const id = '0b000000-0000-4000-8000-00000000000b';
  const forced = { ...snapshot(id), status: 'dormant' } as unknown as EventData<'partner.created'>;
  await database.db.transaction().execute(async (trx) => {
    await expect(
      writeOutbox(trx, 'registry', { name: 'partner.created', payload: forced }),
    ).rejects.toThrow(ZodError);
    // Still in the transaction (an INSERT that failed in Postgres would have aborted it):
    // no row was written, not merely rolled back.
    expect(await rows(trx, id)).toEqual([]);
    // A batch with one bad message writes none of them.
    await expect(
      writeOutbox(
        trx,
        'registry',
        { name: 'partner.updated', payload: snapshot(id) },
        { name: 'partner.created', payload: forced },
      ),
    ).rejects.toThrow(ZodError);
    expect(await rows(trx, id)).toEqual([]);
  });
  expect(await rows(database.db, id)).toEqual([]);
});

it('refuses a name no topic carries', async () => {
  const id = '0c000000-0000-4000-8000-00000000000c';
  const forced = { name: 'partner.deleted', payload: snapshot(id) } as unknown as {
    name: 'partner.created';
    payload: EventData<'partner.created'>;
  };
  await expect(
    database.db.transaction().execute((trx) => writeOutbox(trx, 'registry', forced)),
  ).rejects.toThrow('no outbox topic carries a message named "partner.deleted"');
  expect(await rows(database.db, id)).toEqual([]);
});

it('writes a good payload on the topic its name says, as its contract parses it', async () => {
  const id = '0d000000-0000-4000-8000-00000000000d';
  const extra = { ...snapshot(id), internalNote: 'not part of the contract' };
  await database.db.transaction().execute((trx) =>
    writeOutbox(
      trx,
      'registry',
      { name: 'partner.created', payload: extra },
      {
        name: 'partner.status-changed',
        payload: { ...snapshot(id), previousStatus: 'strategic' },
      },
    ),
  );
  const written = await rows(database.db, id);
  expect(written).toEqual([
    // The default `version` (0) is applied and the key outside the contract is dropped.
    { topic: 'registry-events', name: 'partner.created', payload: { ...snapshot(id), version: 0 } },
    {
      topic: 'registry-events',
      name: 'partner.status-changed',
      payload: { ...snapshot(id), version: 0, previousStatus: 'strategic' },
    },
  ]);
});
