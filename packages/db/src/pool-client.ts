import pg from 'pg';

/** The message node-postgres' own `query_timeout` fails a query with (problem.ts maps it). */
export const READ_TIMEOUT_MESSAGE = 'Query read timeout';

export type PoolClientConfig = pg.ClientConfig & {
  /**
   * How long a plain query waits for the server's answer before it fails and its connection is
   * closed; 0 = as long as it takes. In place of node-postgres' `query_timeout` (see below).
   */
  readTimeoutMillis?: number;
};

type Query = (
  this: pg.Client,
  config: unknown,
  values?: unknown,
  callback?: unknown,
) => Promise<pg.QueryResult> | pg.Submittable | undefined;

/** node-postgres' own `Client#query`, called with the client as `this`. */
const baseQuery = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')?.value as Query;

/**
 * The pool's connections. A plain query (`client.query(text, values)`, all Kysely sends) is
 * handed to node-postgres as a `Query` built with its callback, and the read timeout is armed
 * here.
 *
 * Why: node-postgres' promise form, and its `query_timeout`, both build the `Query` first and
 * store its callback afterwards. Measured on Node 24.21 (V8 13.6), that later store into
 * `query.callback` makes each query's rows outlive the young generation: the rows, their strings
 * and Dates, 53 KB of each partner page's 400, were copied and promoted (`http-read` with
 * `BENCH_LOAD_PROFILE_HEAP=survivors`; `--trace-gc-nvp`: 9 MB promoted by every scavenge). Built
 * with its callback, 3.9 KB a page survives (the bare baseline, which calls `pool.query`, the
 * callback form: 0.8 KB). At 20 connections that took the collector's pause from 49–67 to 11–12
 * µs a page, and V8's helper threads from 98–114 to 45–50 µs; the same store in a bare script
 * (20 loops over a pool of 10) costs 0.39–0.45 against 0.31–0.34 ms of CPU a query.
 *
 * A query that times out fails with node-postgres' message, and its connection is closed: the
 * server has not answered for longer than its own statement timeout, so the connection is not to
 * be trusted; the pool drops it when it is released and opens another. (node-postgres left such
 * a connection in the pool, busy until an answer that may never come.) Queries passed as objects
 * (`Submittable`s: cursors, COPY streams) and calls with a callback go to node-postgres as they
 * are, with their own `query_timeout`.
 */
export class PoolClient extends pg.Client {
  readonly readTimeoutMillis: number;

  constructor(config: PoolClientConfig = {}) {
    super(config);
    this.readTimeoutMillis = config.readTimeoutMillis ?? 0;
  }
}

function query(
  this: PoolClient,
  config: unknown,
  values?: unknown,
  callback?: unknown,
): ReturnType<Query> {
  const plain =
    callback === undefined &&
    typeof values !== 'function' &&
    (typeof config === 'string' ||
      (typeof config === 'object' &&
        config !== null &&
        typeof (config as { submit?: unknown }).submit !== 'function' &&
        (config as { callback?: unknown }).callback === undefined));
  if (!plain) return baseQuery.call(this, config, values, callback);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const done = (error: Error | undefined, result: pg.QueryResult) => {
      if (timer) clearTimeout(timer);
      if (timedOut) reject(new Error(READ_TIMEOUT_MESSAGE));
      else if (error) reject(error);
      else resolve(result);
    };
    const submitted = new pg.Query(config as pg.QueryConfig, values as unknown[] | undefined, done);
    if (this.readTimeoutMillis > 0) {
      // The query fails once the connection is closed (node-postgres fails every query of a
      // connection that ends), so whoever releases the client then gives back a dead one, which
      // the pool drops, never one still busy.
      timer = setTimeout(() => {
        timer = undefined;
        timedOut = true;
        this.connection.stream.destroy();
      }, this.readTimeoutMillis);
    }
    // A Query object is queued and returned as it is: its callback settles this promise.
    void baseQuery.call(this, submitted);
  });
}

Object.defineProperty(PoolClient.prototype, 'query', {
  value: query,
  writable: true,
  configurable: true,
});
