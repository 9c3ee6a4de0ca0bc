import { createTestDatabase, type TestDatabase } from '@sp/testing';
import fc from 'fast-check';
import { type Compilable, type CompiledQuery, Kysely, sql } from 'kysely';
import { camelCasePostgres } from '../src/camel-case';
import {
  createPool,
  type DB,
  precompiled,
  precompiledShapes,
  type SlotOf,
  writeOutbox,
} from '../src/index';

/**
 * A precompiled statement sends the SQL its builder would, with the values in the same places,
 * and reads back the same rows, camelCased: checked against the same statement built each time,
 * on a real database.
 */

let database: TestDatabase;
/** The test database, through a Kysely that keeps every statement it sends. */
let logged: Kysely<DB>;
const sent: CompiledQuery[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  logged = new Kysely<DB>({
    ...camelCasePostgres({ pool: createPool(database.url, { max: 2 }) }),
    log: (event) => void sent.push(event.query),
  });
});

afterAll(async () => {
  await logged?.destroy();
  await database?.drop();
});

type Note = {
  id: string;
  actorKind: 'staff' | 'partner' | 'anonymous';
  actorId: string | null;
  after: string | null;
};

/** The audit row a note makes: its columns, a constant, a value used twice, and `returning`. */
const built = (db: Kysely<DB>, v: Note): Compilable<{ entityId: string; after: unknown }> =>
  db
    .insertInto('registry.auditLog')
    .values({
      actorKind: v.actorKind,
      actorId: v.actorId,
      entity: 'note',
      entityId: v.id,
      action: sql<string>`'create-' || ${v.id}::text`,
      after: v.after,
      requestId: v.id,
    })
    .returning(['entityId', 'after']);

const insertNote = precompiled((db, slot: SlotOf<Note>) =>
  built(db, {
    id: slot('id'),
    actorKind: slot('actorKind'),
    actorId: slot('actorId'),
    after: slot('after'),
  }),
);

const note = fc.record({
  id: fc.uuid(),
  actorKind: fc.constantFrom('staff', 'partner', 'anonymous'),
  actorId: fc.option(fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0'))),
  after: fc.option(
    // Keys the camel-case mapping leaves as they are (it maps a JSON column's keys too).
    fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer()).map((o) => JSON.stringify(o)),
  ),
});

it('sends the SQL and parameters the builder would, and returns the same rows', async () => {
  await fc.assert(
    fc.asyncProperty(note, async (v) => {
      await logged
        .transaction()
        .execute(async (trx) => {
          const expected = built(trx, v).compile();
          sent.length = 0;
          const { rows } = await insertNote(trx, v);
          // What it sent is the builder's SQL, with the values in the builder's places.
          expect(sent.map((q) => [q.sql, q.parameters])).toEqual([
            [expected.sql, expected.parameters],
          ]);
          const stored = await trx
            .selectFrom('registry.auditLog')
            .select(['actorKind', 'actorId', 'entity', 'entityId', 'action', 'after', 'requestId'])
            .where('requestId', '=', v.id)
            .execute();
          expect(stored).toEqual([
            {
              actorKind: v.actorKind,
              actorId: v.actorId,
              entity: 'note',
              entityId: v.id,
              action: `create-${v.id}`,
              after: v.after === null ? null : JSON.parse(v.after),
              requestId: v.id,
            },
          ]);
          expect(rows).toEqual([
            { entityId: v.id, after: v.after === null ? null : JSON.parse(v.after) },
          ]);
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
    }),
    { numRuns: 50 },
  );
});

it('refuses a value left undefined instead of sending NULL for it', async () => {
  const v = {
    id: '0c000000-0000-4000-8000-00000000000c',
    actorKind: 'staff' as const,
    after: null,
  };
  await expect(
    insertNote(database.db, { ...v, actorId: undefined as unknown as null }),
  ).rejects.toThrow('precompiled statement: no value for "actorId"');
  const count = await database.db
    .selectFrom('registry.auditLog')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('entityId', '=', v.id)
    .executeTakeFirstOrThrow();
  expect(count.n).toBe('0');
});

it('builds and compiles once for a database and all its transactions', async () => {
  let builds = 0;
  const count = precompiled((db, slot: SlotOf<{ id: string }>) => {
    builds++;
    return db
      .selectFrom('registry.auditLog')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('entityId', '=', slot('id'));
  });
  const id = '0b000000-0000-4000-8000-00000000000b';
  for (let i = 0; i < 3; i++) {
    await database.db.transaction().execute((trx) => count(trx, { id }));
  }
  expect((await count(database.db, { id })).rows).toEqual([{ n: '0' }]);
  expect(builds).toBe(1);
  // Another database (its own mapping plugin) gets its own, once.
  await logged.transaction().execute((trx) => count(trx, { id }));
  await count(logged, { id });
  expect(builds).toBe(2);
});

it('compiles each shape of a statement once, and answers each shape with its own SQL', async () => {
  const built: string[] = [];
  const byActor = precompiledShapes(
    (
      db,
      slot: SlotOf<{ entity: string; kind?: Note['actorKind'] }>,
      shape: { kind: boolean; newestFirst: boolean },
    ) => {
      built.push(JSON.stringify(shape));
      let q = db
        .selectFrom('registry.auditLog')
        .select('entityId')
        .where('entity', '=', slot('entity'))
        .orderBy('id', shape.newestFirst ? 'desc' : 'asc');
      if (shape.kind) q = q.where('actorKind', '=', slot('kind'));
      return q;
    },
  );
  const entity = 'shaped';
  await database.db.transaction().execute(async (trx) => {
    for (const [actorKind, entityId] of [
      ['staff', 'a'],
      ['partner', 'b'],
      ['staff', 'c'],
    ] as const) {
      await insertNote(trx, { id: randomUuid(), actorKind, actorId: null, after: null });
      await trx
        .updateTable('registry.auditLog')
        .set({ entity, entityId })
        .where('entity', '=', 'note')
        .execute();
    }
  });
  const ids = async (shape: { kind: boolean; newestFirst: boolean }, kind?: Note['actorKind']) =>
    (await byActor(shape)(database.db, { entity, kind })).rows.map((r) => r.entityId);
  for (let i = 0; i < 2; i++) {
    expect(await ids({ kind: false, newestFirst: false })).toEqual(['a', 'b', 'c']);
    expect(await ids({ kind: false, newestFirst: true })).toEqual(['c', 'b', 'a']);
    expect(await ids({ kind: true, newestFirst: true }, 'staff')).toEqual(['c', 'a']);
    expect(await ids({ kind: true, newestFirst: true }, 'partner')).toEqual(['b']);
  }
  expect(built).toEqual([
    '{"kind":false,"newestFirst":false}',
    '{"kind":false,"newestFirst":true}',
    '{"kind":true,"newestFirst":true}',
  ]);
});

it('refuses a slot put where it cannot stand for a parameter, before sending anything', async () => {
  const inArray = precompiled((db, slot: SlotOf<{ id: string }>) =>
    db
      .selectFrom('registry.auditLog')
      .select('id')
      .where(sql<boolean>`entity_id = some(${[slot('id')]})`),
  );
  await expect(inArray(logged, { id: 'x' })).rejects.toThrow(
    'precompiled statement: slot "id" is used as a value in the SQL itself',
  );
  const inText = precompiled((db, slot: SlotOf<{ entity: string }>) =>
    db
      .selectFrom('registry.auditLog')
      .select('id')
      .where(sql.raw<boolean>(`entity = '${slot('entity')}'`)),
  );
  sent.length = 0;
  await expect(inText(logged, { entity: 'x' })).rejects.toThrow('slot "entity" is used as a value');
  expect(sent).toEqual([]);
});

it('compiles apart for a database without the camel-case mapping', async () => {
  const plain = database.db.withoutPlugins();
  const v: Note = {
    id: '0d000000-0000-4000-8000-00000000000d',
    actorKind: 'staff',
    actorId: null,
    after: null,
  };
  // Unmapped, the camelCase names (`registry.auditLog`) do not exist: the statement was compiled
  // for this database's (empty) plugin list, not reused from the mapped one.
  await insertNote(database.db, { ...v, id: '0e000000-0000-4000-8000-00000000000e' });
  await expect(insertNote(plain, v)).rejects.toThrow('relation "registry.auditLog" does not exist');
});

it('writes an outbox batch of each precompiled size, and a longer one built', async () => {
  for (const count of [1, 2, 3, 8, 9]) {
    const id = `0f000000-0000-4000-8000-${String(count).padStart(12, '0')}`;
    const payloads = Array.from({ length: count }, (_, i) => ({
      id,
      nameEn: `Batch University ${i}`,
      nameJa: null,
      country: 'JP',
      status: 'primary' as const,
      updatedAt: `2026-11-25T00:00:0${i % 10}.000Z`,
    }));
    await database.db
      .transaction()
      .execute((trx) =>
        writeOutbox(
          trx,
          'registry',
          ...payloads.map((payload) => ({ name: 'partner.updated' as const, payload })),
        ),
      );
    const rows = await database.db
      .selectFrom('registry.outbox')
      .select(['topic', 'name', 'payload'])
      .where(sql<string>`payload->>'id'`, '=', id)
      .execute();
    expect(rows).toHaveLength(count);
    expect(new Set(rows.map((r) => (r.payload as { nameEn: string }).nameEn))).toEqual(
      new Set(payloads.map((p) => p.nameEn)),
    );
    expect(new Set(rows.map((r) => `${r.topic}/${r.name}`))).toEqual(
      new Set(['registry-events/partner.updated']),
    );
  }
});

class Rollback extends Error {}

const randomUuid = () => crypto.randomUUID();
