import fc from 'fast-check';
import {
  CamelCasePlugin,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryId,
  sql,
  type UnknownRow,
} from 'kysely';
import { camelCasePostgres, RowCamelCasePlugin } from './camel-case';

const queryId = { queryId: 'q' } as QueryId;
const mapWith = async (plugin: CamelCasePlugin, rows: UnknownRow[]) =>
  (await plugin.transformResult({ queryId, result: { rows } })).rows;

const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
  fc.array(fc.string(), { maxLength: 3 }),
);
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
})).value;
/** A result: rows with the same columns in the same order, as Postgres returns them. */
const result = fc.uniqueArray(key, { minLength: 1, maxLength: 8 }).chain((columns) =>
  fc.array(
    fc
      .tuple(...columns.map(() => value))
      .map((values) => Object.fromEntries(columns.map((column, i) => [column, values[i]]))),
    { maxLength: 4 },
  ),
);

type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/** A Kysely that compiles Postgres SQL through `plugin` and never connects. */
const kyselyCompiler = (plugin: CamelCasePlugin): AnyDb =>
  new Kysely({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [plugin],
  });

/** The project's dialect and plugin (`createDb`), compiling only. */
const ourCompiler = (): AnyDb =>
  new Kysely(camelCasePostgres({ pool: () => Promise.reject(new Error('compiles only')) }));

const camelName = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,14}$/);

describe('RowCamelCasePlugin', () => {
  it("writes every identifier of a query as Kysely's CamelCasePlugin does, again once cached", () => {
    const ours = ourCompiler();
    const kysely = kyselyCompiler(new CamelCasePlugin());
    const sqlOf = (db: typeof ours, [table, column, alias]: [string, string, string]) =>
      db
        .selectFrom(`registry.${table}`)
        .select(`${column} as ${alias}`)
        .where(column, '=', 1)
        .orderBy(column)
        .compile().sql;
    fc.assert(
      fc.property(fc.tuple(camelName, camelName, camelName), (names) => {
        const expected = sqlOf(kysely, names);
        expect(sqlOf(ours, names)).toBe(expected);
        expect(sqlOf(ours, names)).toBe(expected);
      }),
      { numRuns: 500 },
    );
    expect(sqlOf(ours, ['partnerStatusChange', 'changedOnPrecision', 'precisionNow'])).toBe(
      'select "changed_on_precision" as "precision_now" from "registry"."partner_status_change" ' +
        'where "changed_on_precision" = $1 order by "changed_on_precision"',
    );
  });

  it("writes every kind of statement as Kysely's CamelCasePlugin does", () => {
    const ours = ourCompiler();
    const kysely = kyselyCompiler(new CamelCasePlugin());
    // Joins, a subquery, a CTE, insert with conflict and returning, update, delete, raw
    // references and identifiers, and DDL: every place an identifier can be written.
    const statements = (db: AnyDb, [a, b, c]: [string, string, string]) => [
      db
        .with(`${a}Cte`, (q) => q.selectFrom(`registry.${a}`).select([b, `${c} as ${a}Alias`]))
        .selectFrom(`${a}Cte as ${b}T`)
        .innerJoin(`registry.${c} as ${c}J`, `${c}J.${a}Id`, `${b}T.${b}`)
        .select((eb) => [
          `${b}T.${b}`,
          eb.fn.count(`${c}J.${b}`).as(`${c}Count`),
          eb.selectFrom(`registry.${b}`).select(a).where(c, '>', 1).limit(1).as(`${a}Sub`),
          sql<string>`${sql.ref(`${c}J.${c}`)} || ${sql.id(`${a}Raw`)}`.as(`${b}Raw`),
        ])
        .where((eb) => eb.or([eb(`${b}T.${b}`, 'in', [1, 2]), eb(`${c}J.${a}`, 'is', null)]))
        .groupBy(`${b}T.${b}`)
        .orderBy(`${c}Count`, 'desc'),
      db
        .insertInto(`registry.${a}`)
        .values({ [b]: 1, [c]: sql`now()` })
        .onConflict((oc) => oc.columns([b]).doUpdateSet((eb) => ({ [c]: eb.ref(`excluded.${c}`) })))
        .returning([b, `${c} as ${a}Back`]),
      db
        .updateTable(`registry.${a}`)
        .set({ [b]: 2 })
        .where(c, '=', 3)
        .returningAll(),
      db.deleteFrom(`registry.${a}`).where(b, '<', 4),
    ];
    const schema = (db: AnyDb, [a, b, c]: [string, string, string]) =>
      db.schema
        .createTable(`registry.${a}`)
        .addColumn(b, 'text', (col) => col.notNull())
        .addColumn(c, 'integer')
        .addUniqueConstraint(`${a}${b}Key`, [b, c]);
    fc.assert(
      fc.property(fc.tuple(camelName, camelName, camelName), (names) => {
        const expected = statements(kysely, names).map((q) => q.compile());
        const actual = statements(ours, names).map((q) => q.compile());
        expect(actual.map((q) => q.sql)).toEqual(expected.map((q) => q.sql));
        expect(actual.map((q) => q.parameters)).toEqual(expected.map((q) => q.parameters));
        expect(schema(ours, names).compile().sql).toBe(schema(kysely, names).compile().sql);
      }),
      { numRuns: 300 },
    );
  });

  it('writes names as they are given once the plugin is off (withoutPlugins, as migrations run)', () => {
    const db = ourCompiler();
    const query = (on: AnyDb) =>
      on.selectFrom('kyselyMigration').select('migratedAt').compile().sql;
    expect(query(db)).toBe('select "migrated_at" from "kysely_migration"');
    expect(query(db.withoutPlugins())).toBe('select "migratedAt" from "kyselyMigration"');
    // And back on again for the handle that has it: the compiler is shared.
    expect(query(db)).toBe('select "migrated_at" from "kysely_migration"');
  });

  it("maps every row as Kysely's CamelCasePlugin does, nested objects and arrays included", async () => {
    // One plugin for every run, so shapes seen before are mapped by their cached function.
    const plugin = new RowCamelCasePlugin();
    await fc.assert(
      fc.asyncProperty(result, async (rows) => {
        expect(await mapWith(plugin, rows)).toEqual(await mapWith(new CamelCasePlugin(), rows));
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps the columns in their order, and a later column that maps to the same key wins', async () => {
    const [mapped] = await mapWith(new RowCamelCasePlugin(), [
      { name_ja: 'ソウル大学校', id: 7, name_en: 'x', nameEn: 'Seoul National University' },
    ]);
    expect(Object.keys(mapped ?? {})).toEqual(['nameJa', 'id', 'nameEn']);
    expect(mapped).toEqual({ nameJa: 'ソウル大学校', id: 7, nameEn: 'Seoul National University' });
  });

  it('reads every column name safely', async () => {
    const odd = 'a"b\\c\n`${d}`';
    const rows = [{ [odd]: 1, ['__proto__']: 2, ok_then: 3 }];
    expect(await mapWith(new RowCamelCasePlugin(), rows)).toEqual(
      await mapWith(new CamelCasePlugin(), rows),
    );
  });

  it('makes a `__proto__` key an own property, never the prototype', async () => {
    // No column's camelCase is `__proto__`; a plugin keeping names as they are shows the guard.
    class AsIs extends RowCamelCasePlugin {
      protected override camelCase(key: string): string {
        return key;
      }
    }
    const [mapped] = await mapWith(new AsIs(), [
      JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as UnknownRow,
    ]);
    expect(Object.getPrototypeOf(mapped)).toBe(Object.prototype);
    expect(Object.keys(mapped ?? {})).toEqual(['__proto__', 'ok']);
    expect(mapped?.['polluted']).toBeUndefined();
  });

  it('maps rows that are not plain objects the way Kysely does', async () => {
    class Row {
      partner_id = 1;
    }
    const rows = [new Row() as unknown as UnknownRow];
    expect(await mapWith(new RowCamelCasePlugin(), rows)).toEqual(
      await mapWith(new CamelCasePlugin(), rows),
    );
  });

  it('maps the same key the same way again once it is cached', async () => {
    const plugin = new RowCamelCasePlugin();
    const rows = [{ partner_id: 1, created_at_2: 'x', links: [{ display_label: 'a' }] }];
    const first = await mapWith(plugin, rows);
    expect(await mapWith(plugin, rows)).toEqual(first);
    expect(first).toEqual([{ partnerId: 1, createdAt2: 'x', links: [{ displayLabel: 'a' }] }]);
  });

  it('keeps a Date, a Buffer and an array of strings as they are', async () => {
    const at = new Date('2026-04-01T00:00:00Z');
    const bytes = Buffer.from('sp');
    const [mapped] = await mapWith(new RowCamelCasePlugin(), [
      { signed_at: at, file_bytes: bytes, departments: ['工学系研究科', 'Law'] },
    ]);
    expect(mapped).toEqual({
      signedAt: at,
      fileBytes: bytes,
      departments: ['工学系研究科', 'Law'],
    });
    expect(mapped?.['signedAt']).toBe(at);
    expect(mapped?.['fileBytes']).toBe(bytes);
  });
});
