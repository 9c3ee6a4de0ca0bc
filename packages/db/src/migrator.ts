import type { Kysely } from 'kysely';
import { type MigrationResult, Migrator, NO_MIGRATIONS } from 'kysely/migration';
import pg from 'pg';
import { listenForErrors } from './create-db';
import type { DB } from './schema/index';
import { migrationsBySchema, schemas } from './migrations/index';

export type MigrationReport = { schema: string; results: MigrationResult[] };

function migratorFor(db: Kysely<DB>, schema: string): Migrator {
  const migrations = migrationsBySchema[schema];
  if (!migrations) throw new Error(`unknown schema "${schema}"; known: ${schemas.join(', ')}`);
  return new Migrator({
    // Migrations are raw SQL; the camel-case mapping would only confuse Kysely's own tables.
    db: db.withoutPlugins(),
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableSchema: schema,
  });
}

async function run(
  schema: string,
  step: () => Promise<{ error?: unknown; results?: MigrationResult[] }>,
): Promise<MigrationReport> {
  const { error, results = [] } = await step();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    const where = failed ? ` in ${schema}/${failed.migrationName}` : ` in ${schema}`;
    throw new Error(
      `migration failed${where}: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      {
        cause: error,
      },
    );
  }
  return { schema, results };
}

/** Brings every schema to its latest migration, schema by schema, each under Kysely's lock. */
export async function migrateToLatest(
  db: Kysely<DB>,
  onSchema?: (report: MigrationReport) => void,
): Promise<MigrationReport[]> {
  const reports: MigrationReport[] = [];
  for (const schema of schemas) {
    const report = await run(schema, () => migratorFor(db, schema).migrateToLatest());
    onSchema?.(report);
    reports.push(report);
  }
  return reports;
}

/** Undoes the newest migration of one schema, or every migration of it with `all`. */
export async function rollback(
  db: Kysely<DB>,
  schema: string,
  all = false,
): Promise<MigrationReport> {
  const migrator = migratorFor(db, schema);
  return run(schema, () => (all ? migrator.migrateTo(NO_MIGRATIONS) : migrator.migrateDown()));
}

/**
 * Undoes one schema's migrations down to, not including, `name` (a test of a migration's
 * `up` starts from just before it, however many migrations came after).
 */
export async function rollbackBefore(
  db: Kysely<DB>,
  schema: string,
  name: string,
): Promise<MigrationReport> {
  const names = Object.keys(migrationsBySchema[schema] ?? {});
  const index = names.indexOf(name);
  if (index < 0) throw new Error(`unknown migration ${schema}/${name}`);
  const migrator = migratorFor(db, schema);
  return run(schema, () =>
    index === 0 ? migrator.migrateTo(NO_MIGRATIONS) : migrator.migrateTo(names[index - 1]!),
  );
}

/**
 * Creates the database named in `url` when it does not exist yet (connecting to the server's
 * `postgres` database to do it). Returns whether it was created.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL names no database: ${redact(url)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({
    connectionString: admin.toString(),
    connectionTimeoutMillis: 5_000,
  });
  // A connection lost between statements surfaces as the next query's error, not a crash.
  listenForErrors(client);
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
    return true;
  } catch (error) {
    // Another process may have created it between the check and the create.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** The URL with its password hidden, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}
