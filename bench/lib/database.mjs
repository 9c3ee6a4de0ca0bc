// A throwaway database per benchmark run, on the local Postgres, dropped however the run ends.

import { randomBytes } from 'node:crypto';
import { createDb, ensureDatabase, migrateToLatest } from '@sp/db';
import pg from 'pg';
import { onCleanup } from './cleanup.mjs';

/** The server benchmarks run against; its `postgres` database is used for CREATE/DROP DATABASE. */
const serverUrl = () =>
  process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const urlFor = (database) => {
  const url = new URL(serverUrl());
  url.pathname = `/${database}`;
  return url.toString();
};

async function withAdminClient(work) {
  const client = new pg.Client({
    connectionString: urlFor('postgres'),
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `sp_bench_<random>`, migrated to the latest schema, and registers its drop with the
 * cleanup stack. Returns its name, URL, a Kysely handle to load data with, and `close` to
 * release that handle once loading is done (the drop step closes it too, if still open).
 */
export async function createBenchDatabase() {
  const name = `sp_bench_${randomBytes(4).toString('hex')}`;
  const url = urlFor(name);
  const creating = ensureDatabase(url);
  let db;
  let closing;
  const close = () => (closing ??= db ? db.destroy() : Promise.resolve());
  onCleanup(`drop database ${name}`, async () => {
    // An interrupt may arrive mid-create: wait for it so the drop cannot run first.
    await creating.catch(() => {});
    await close();
    // `with (force)` ends any connection a killed server left behind.
    await withAdminClient((c) =>
      c.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
    );
  });
  await creating;
  db = createDb(url, { max: 2, applicationName: 'bench-setup' });
  await migrateToLatest(db);
  return { name, url, db, close };
}

/** `PostgreSQL 15.20` rather than the whole build string, for the results file. */
export async function postgresVersion() {
  const { rows } = await withAdminClient((c) => c.query('show server_version'));
  return `PostgreSQL ${rows[0].server_version.split(' ')[0]}`;
}
