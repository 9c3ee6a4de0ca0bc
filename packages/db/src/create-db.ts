import { Kysely } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import parseTimestamp from 'postgres-date';
import { camelCasePostgres } from './camel-case';
import { rememberPool } from './copy/copy-csv';
import { TimedClient, type TimedClientConfig } from './timed-client';
import type { DB } from './schema/index';

const DATE_OID = 1082;
const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;

/** Keep `date` columns as `YYYY-MM-DD` strings: a JS Date would shift them by the time zone. */
const keepText = (value: string): string => value;

/**
 * Timestamps are read with postgres-date 2, the same author's rewrite of the parser node-postgres
 * ships (postgres-date 1, pinned by pg-types 2): one pass over the characters instead of four
 * regular expressions, the same Date for every output Postgres writes (`+00`, offsets with
 * minutes or seconds, fractions, BC, `infinity`; `test/timestamps.int-spec.ts` compares the two
 * on real columns). A page of 50 partners reads 100 timestamps: in the registry under load they
 * took about 57 µs with the default parser and 36 µs with this one (CPU profiles of
 * bench/http-read.mjs; 345 and 140 ns a timestamp on their own).
 */
const parsers = new Map<number, (value: string) => unknown>([
  [DATE_OID, keepText],
  [TIMESTAMP_OID, parseTimestamp],
  [TIMESTAMPTZ_OID, parseTimestamp],
]);
const types = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text') =>
    (format === 'text' ? parsers.get(oid) : undefined) ??
    (pg.types.getTypeParser(oid, format) as (
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
  /**
   * Told when a connection fails outside a query (the server terminated it, a failover, a
   * network cut), idle in the pool or checked out between two statements; logged by services.
   * The pool drops that connection and opens another on next use.
   */
  onConnectionError?: (error: Error) => void;
  /** The server cancels a statement running longer than this; default 15 s, 0 = never. */
  statementTimeoutMillis?: number;
};

/** Calls `onError` for an error a client emits outside a query, once per client. */
export function listenForErrors(client: pg.Client, onError?: (error: Error) => void): void {
  let told = false;
  client.on('error', (error) => {
    if (told) return;
    told = true;
    onError?.(error);
  });
}

/**
 * Asked for at connection start, over whatever the server or database is set to: `date`
 * columns are read as the text Postgres writes (`types`), and partial dates, cursors and
 * reports expect it in ISO (`2026-12-05`), not `05/12/2026` (DateStyle `SQL, DMY`).
 */
const SESSION_OPTIONS = '-c DateStyle=ISO';

export function createPool(url: string, options: CreateDbOptions = {}): pg.Pool {
  const statementTimeout = options.statementTimeoutMillis ?? 15_000;
  const config: pg.PoolConfig & TimedClientConfig = {
    // Queries built with their callbacks, timed by the client itself (see TimedClient).
    Client: TimedClient,
    connectionString: url,
    options: SESSION_OPTIONS,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    // A dead peer (a failover, a cut cable) is noticed by TCP keep-alive, not only on next use.
    keepAlive: true,
    ...(statementTimeout > 0
      ? {
          statement_timeout: statementTimeout,
          // And should the server never answer at all, the client gives up a little later.
          readTimeoutMillis: statementTimeout + 5_000,
          idle_in_transaction_session_timeout: statementTimeout * 2,
        }
      : {}),
    types,
  };
  const pool = new pg.Pool(config);
  // pg-pool listens for errors only while a client is idle; one checked out (between two
  // statements of a transaction, or between checkout and query) that the server terminates
  // emits 'error' with no listener, and that kills the process. Every client gets a listener
  // of its own for its whole life; the pool discards the broken client when it is released.
  pool.on('connect', (client) => listenForErrors(client, options.onConnectionError));
  // The pool re-emits an idle client's error: handled (and already told) above.
  pool.on('error', () => undefined);
  return pool;
}

/** The longest a stream (`.stream()`: a CSV export) may read, start to end. */
export const STREAM_QUERY_TIMEOUT_MS = 30 * 60_000;

/**
 * The cursor Kysely's `.stream()` reads with. A stream is one query that lasts as long as its
 * reader: the pool's read timeout (seconds, for requests; see TimedClient) does not apply to it,
 * and node-postgres' `query_timeout` would time the whole cursor, not each fetch, so a stream has
 * one of its own, long enough for a large export. The server-side limits are raised by the
 * caller's transaction (`set local statement_timeout`).
 */
class StreamCursor extends Cursor {
  readonly query_timeout = STREAM_QUERY_TIMEOUT_MS;

  constructor(...args: ConstructorParameters<typeof Cursor>) {
    super(...args);
    // node-postgres arms its read timer when the query is queued and clears it in the query's
    // `callback`, which a cursor never calls: without this, every stream left a 30-minute timer
    // behind that kept the process alive (Jest never exited). A cursor ends (`end`) after its
    // last row, a close or an error alike.
    this.once('end', () => {
      (this as { callback?: (error: Error | null) => void }).callback?.(null);
    });
  }
}

export function createDb(url: string, options: CreateDbOptions = {}): Kysely<DB> {
  const pool = createPool(url, options);
  const db = new Kysely<DB>({
    ...camelCasePostgres({ pool, cursor: StreamCursor }),
  });
  // For `copyCsv`, which runs a COPY on a connection of this pool.
  rememberPool(db, pool);
  return db;
}

/**
 * One connection (not a pool) with the project's type parsers, for a session that must keep one
 * connection throughout: a report build reads a whole report in one snapshot, and may hand the
 * same connection to a `COPY … TO STDOUT`. No statement timeout: the caller sets its own with
 * `set local`. The caller connects it, and ends it.
 */
export function createClient(url: string, options: { applicationName?: string } = {}): pg.Client {
  return new pg.Client({
    connectionString: url,
    options: SESSION_OPTIONS,
    application_name: options.applicationName,
    keepAlive: true,
    types,
  });
}

/**
 * Kysely over one connected client: every query runs on that connection, in order, so a
 * transaction begun on the client with SQL (`begin isolation level repeatable read`) holds for
 * every query made through this handle. Destroying the handle leaves the client open.
 */
export function createDbOnClient<T = DB>(client: pg.Client): Kysely<T> {
  const session = Object.assign(client, { release: () => undefined });
  return new Kysely<T>({
    ...camelCasePostgres({
      // A "pool" of that one connection; `options` is read only to cancel a query on abort,
      // which report builds do not do.
      pool: { connect: () => Promise.resolve(session), end: () => Promise.resolve(), options: {} },
      cursor: StreamCursor,
    }),
  });
}
