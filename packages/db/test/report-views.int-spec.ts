import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';

/**
 * The published report views are the only thing `sp_report_reader` may read: each view is
 * selectable under the role, every table of the services' schemas refuses it, and every view
 * and column is documented (a view is a contract).
 */
let database: TestDatabase;
const schemas = ['registry', 'symposium', 'inquiries'];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(() => database?.drop());

const relations = async (kind: 'VIEW' | 'BASE TABLE') =>
  (
    await sql<{ schema: string; name: string }>`
      select table_schema as schema, table_name as name from information_schema.tables
       where table_schema = any(${schemas}) and table_type = ${kind}
       order by 1, 2`.execute(database.db)
  ).rows;

/** Runs `query` as the reader role, in a read-only transaction as the report pipeline does. */
const asReader = (query: string) =>
  database.db
    .transaction()
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`set local role sp_report_reader`.execute(trx);
      return (await sql.raw<{ n: string }>(query).execute(trx)).rows;
    });

describe('report views', () => {
  it('are each selectable by sp_report_reader', async () => {
    const views = await relations('VIEW');
    expect(views.map((v) => `${v.schema}.${v.name}`)).toEqual(
      expect.arrayContaining([
        'registry.report_activities',
        'registry.report_mobility',
        'registry.report_funding',
        'symposium.report_registrations',
        'inquiries.report_inquiries',
      ]),
    );
    for (const view of views) {
      expect(view.name).toMatch(/^report_/);
      await expect(
        asReader(`select count(*) as n from ${view.schema}.${view.name}`),
      ).resolves.toHaveLength(1);
    }
  });

  it('are the only thing it may read: every table refuses it', async () => {
    const tables = await relations('BASE TABLE');
    expect(tables.length).toBeGreaterThan(20);
    for (const table of tables)
      await expect(asReader(`select 1 from ${table.schema}.${table.name} limit 1`)).rejects.toThrow(
        /permission denied/,
      );
  });

  it('document every view and every column', async () => {
    const undocumented = await sql<{ name: string }>`
      select c.table_schema || '.' || c.table_name || '.' || c.column_name as name
        from information_schema.columns c
        join information_schema.views v using (table_schema, table_name)
       where c.table_schema = any(${schemas})
         and col_description((quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass, c.ordinal_position) is null
      union all
      select table_schema || '.' || table_name from information_schema.views
       where table_schema = any(${schemas})
         and obj_description((quote_ident(table_schema) || '.' || quote_ident(table_name))::regclass, 'pg_class') is null`.execute(
      database.db,
    );
    expect(undocumented.rows).toEqual([]);
  });

  it('expose no secrets or inquirer identities', async () => {
    const columns = await sql<{ name: string }>`
      select table_schema || '.' || table_name || '.' || column_name as name
        from information_schema.columns
       where table_schema = any(${schemas}) and table_name like 'report\\_%'`.execute(database.db);
    const names = columns.rows.map((c) => c.name);
    for (const secret of [
      /hash/,
      /secret/,
      /token/,
      /check_in_code/,
      /report_inquiries\.(email|name|organisation|subject)$/,
    ])
      expect(names.filter((n) => secret.test(n))).toEqual([]);
  });
});
