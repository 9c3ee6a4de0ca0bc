import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { DB } from './database';

const DATE_OID = 1082;

/** Keep `date` columns as `YYYY-MM-DD` strings: a JS Date would shift them by the time zone. */
const keepText = (value: string): string => value;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
    oid === DATE_OID
      ? keepText
      : (pg.types.getTypeParser(oid, format ?? 'text') as (
          value: string,
        ) => unknown)) as typeof pg.types.getTypeParser,
};

export type CreateDbOptions = {
  /** Pool size; default 10. */
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** How long to wait for a connection before failing; default 5 s. */
  connectionTimeoutMillis?: number;
  /** Told when an idle connection fails (logged by services); the pool recovers by itself. */
  onIdleError?: (error: Error) => void;
};

export function createPool(url: string, options: CreateDbOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    types,
  });
  // An idle connection that the server drops (a restart, a failover) emits 'error' on the
  // pool; unhandled, that would crash the process. The pool replaces it on next use.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

export function createDb(url: string, options: CreateDbOptions = {}): Kysely<DB> {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: createPool(url, options), cursor: Cursor }),
    plugins: [new CamelCasePlugin()],
  });
}
