import fc from 'fast-check';
import {
  CamelCasePlugin,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryId,
  type UnknownRow,
} from 'kysely';
import { RowCamelCasePlugin } from './camel-case';

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

/** A Kysely that compiles Postgres SQL and never connects. */
const compiler = (plugin: CamelCasePlugin) =>
  new Kysely<Record<string, Record<string, unknown>>>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [plugin],
  });

const camelName = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,14}$/);

describe('RowCamelCasePlugin', () => {
  it("writes every identifier of a query as Kysely's CamelCasePlugin does, again once cached", () => {
    const ours = compiler(new RowCamelCasePlugin());
    const kysely = compiler(new CamelCasePlugin());
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
