import { randomBytes } from 'node:crypto';
import { createDb, type DB, ensureDatabase, listenForErrors, migrateToLatest } from '@sp/db';
import type { Kysely } from 'kysely';
import pg from 'pg';

/** The server tests run against; its `postgres` database is used for CREATE/DROP DATABASE. */
export const testServerUrl = (): string =>
  process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';

export const TEMPLATE_ENV = 'SP_TEST_TEMPLATE_DB';
const PREFIX = 'sp_test_';

export const urlFor = (database: string): string => {
  const url = new URL(testServerUrl());
  url.pathname = `/${database}`;
  return url.toString();
};

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: urlFor('postgres'),
    connectionTimeoutMillis: 5_000,
  });
  listenForErrors(client);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const newName = (kind: string) =>
  `${PREFIX}${kind}_${process.pid}_${randomBytes(4).toString('hex')}`;

/**
 * Creates and migrates the template every test database is cloned from (Jest global setup).
 * Returns its name; the caller exports it in `SP_TEST_TEMPLATE_DB` for the test workers.
 */
export async function createTemplateDatabase(): Promise<string> {
  const name = newName('tpl');
  const url = urlFor(name);
  await ensureDatabase(url);
  const db = createDb(url, { max: 1, applicationName: 'test-template' });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return name;
}

/**
 * Drops test databases left by runs that were killed before their teardown (their name holds
 * the creating process's id, and that process is gone). Databases of live runs are kept.
 */
export async function dropOrphanedDatabases(): Promise<string[]> {
  const found = await admin((c) =>
    c.query<{ datname: string }>(`select datname from pg_database where datname like '${PREFIX}%'`),
  );
  const orphans = found.rows
    .map((r) => r.datname)
    .filter((name) => {
      const pid = Number(/_(\d+)_[0-9a-f]+$/.exec(name)?.[1]);
      if (!pid) return false;
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    });
  for (const name of orphans) await dropDatabase(name);
  return orphans;
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
}

export type TestDatabase = {
  name: string;
  url: string;
  /** A Kysely handle for assertions and fixtures; closed by `drop`. */
  db: Kysely<DB>;
  drop: () => Promise<void>;
};

/**
 * A fresh, migrated database of the test file's own, cloned from the run's template (fast:
 * a file copy, not a migration run). Drop it in `afterAll`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV];
  if (!template)
    throw new Error(
      `${TEMPLATE_ENV} is not set: run tests through the Jest config (its global setup makes the template)`,
    );
  const name = newName('db');
  await admin((c) =>
    c.query(
      `create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(template)}`,
    ),
  );
  const url = urlFor(name);
  const db = createDb(url, { max: 4, applicationName: 'test' });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.destroy();
      await dropDatabase(name);
    },
  };
}
