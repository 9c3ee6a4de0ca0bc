import { createTestDatabase, type TestDatabase } from '@sp/testing';
import {
  Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';
import type pg from 'pg';
import { camelCasePostgres } from '../src/camel-case';
import { createPool, type DB, precompiled, type SlotOf } from '../src/index';

/**
 * The result columns of a query the plugin snake_cased arrive from the connection already
 * camelCased (TimedClient renames them as Postgres describes them), so the plugin keeps
 * node-postgres' rows and maps only their nested JSON; every other query arrives with
 * Postgres' names, as before.
 */

/** Records the column names of every result as it reaches the plugins (before ours maps it). */
class ArrivedColumns implements KyselyPlugin {
  readonly seen: string[][] = [];

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const first = args.result.rows[0];
    if (first) this.seen.push(Object.keys(first));
    return Promise.resolve(args.result);
  }
}

let database: TestDatabase;
let pool: pg.Pool;
let db: Kysely<DB>;
let arrived: ArrivedColumns;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url, { max: 2 });
  arrived = new ArrivedColumns();
  const camel = camelCasePostgres({ pool });
  // Kysely runs result plugins in their order: the recorder sees the rows before ours.
  db = new Kysely<DB>({ dialect: camel.dialect, plugins: [arrived, ...(camel.plugins ?? [])] });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

beforeEach(() => {
  arrived.seen.length = 0;
});

it('a built query: its columns arrive camelCased, and nested JSON is still mapped', async () => {
  const rows = await db
    .selectNoFrom((eb) => [
      eb.val('one').as('firstValue'),
      sql<{ displayLabel: string }>`jsonb_build_object('display_label', 'a')`.as('linkJson'),
      sql<string[]>`array['x_y']`.as('tagList'),
    ])
    .execute();
  expect(arrived.seen).toEqual([['firstValue', 'linkJson', 'tagList']]);
  expect(rows).toEqual([{ firstValue: 'one', linkJson: { displayLabel: 'a' }, tagList: ['x_y'] }]);
});

it('a precompiled statement: its columns arrive camelCased, every run', async () => {
  const statement = precompiled((kysely, slot: SlotOf<{ value: string }>) =>
    kysely.selectNoFrom((eb) => eb.val(slot('value')).as('someValue')),
  );
  expect((await statement(db, { value: 'a' })).rows).toEqual([{ someValue: 'a' }]);
  expect((await statement(db, { value: 'b' })).rows).toEqual([{ someValue: 'b' }]);
  expect(arrived.seen).toEqual([['someValue'], ['someValue']]);
});

it('in a transaction too', async () => {
  const rows = await db
    .transaction()
    .execute((trx) => trx.selectNoFrom((eb) => eb.val('x').as('inTransaction')).execute());
  expect(rows).toEqual([{ inTransaction: 'x' }]);
  expect(arrived.seen).toEqual([['inTransaction']]);
});

it('a query the plugin did not snake_case arrives with the names Postgres gives it', async () => {
  const compiled = db.selectNoFrom((eb) => eb.val(1).as('firstValue')).compile();
  expect(compiled.sql).toContain('"first_value"');
  // The compiled query's own parameters mark it; a copy (as a cursor makes) does not.
  expect((await pool.query(compiled.sql, compiled.parameters as unknown[])).fields[0]?.name).toBe(
    'firstValue',
  );
  expect((await pool.query(compiled.sql, [...compiled.parameters])).fields[0]?.name).toBe(
    'first_value',
  );
  const plain = db
    .withoutPlugins()
    .selectNoFrom((eb) => eb.val('one').as('first_value'))
    .compile();
  expect((await pool.query(plain.sql, plain.parameters as unknown[])).rows).toEqual([
    { first_value: 'one' },
  ]);
  // Mapped by the plugin as before, when such rows reach it.
  const raw = await sql<{ aB: number }>`select 1 as a_b`.execute(db);
  expect(raw.rows).toEqual([{ aB: 1 }]);
});
