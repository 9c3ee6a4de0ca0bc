import fc from 'fast-check';
import { CamelCasePlugin, type QueryId, type UnknownRow } from 'kysely';
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
const row = fc.dictionary(key, value, { minKeys: 1, maxKeys: 8 });

describe('RowCamelCasePlugin', () => {
  it("maps every row as Kysely's CamelCasePlugin does, nested objects and arrays included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 4 }), async (rows) => {
        expect(await mapWith(new RowCamelCasePlugin(), rows)).toEqual(
          await mapWith(new CamelCasePlugin(), rows),
        );
      }),
      { numRuns: 1_000 },
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
