import pg from 'pg';

/** The message node-postgres' own `query_timeout` fails a query with (problem.ts maps it). */
export const READ_TIMEOUT_MESSAGE = 'Query read timeout';

export type TimedClientConfig = pg.ClientConfig & {
  /**
   * How long a query waits for the server's answer before it fails; 0 = as long as it takes.
   * In place of node-postgres' `query_timeout` (see TimedClient).
   */
  readTimeoutMillis?: number;
};

type Callback = (error: Error | undefined, result: pg.QueryResult | undefined) => void;
type BaseQuery = (
  this: pg.Client,
  config: unknown,
  values?: unknown,
  callback?: unknown,
) => unknown;

/** node-postgres' own `Client#query`, called with the client as `this`. */
const baseQuery = ((): BaseQuery => {
  const prototype: { query?: unknown } = pg.Client.prototype;
  if (typeof prototype.query !== 'function') throw new Error('pg.Client#query is not where it was');
  return prototype.query as BaseQuery;
})();

/** The queue of queries node-postgres has not sent yet (its own timeout edits it too). */
const unsent = (client: pg.Client): unknown[] =>
  (client as unknown as { _queryQueue: unknown[] })._queryQueue;

/**
 * The pool's connections (`createPool`). Every query given as text or as a config object, with
 * or without a callback (all Kysely and `pool.query` send), is handed to node-postgres as a
 * `Query` built with its callback, and the read timeout is armed here.
 *
 * Why: node-postgres' promise form, and its `query_timeout`, both build the `Query` first and
 * store its callback afterwards. Measured on Node 24.21 (V8 13.6), that later store into
 * `query.callback` makes each query's rows outlive the young generation: the rows, their strings
 * and Dates, 53 KB of each partner page's 400, were copied and promoted (`http-read` with
 * `BENCH_LOAD_PROFILE_HEAP=survivors`; `--trace-gc-nvp`: 9 MB promoted by every scavenge). Built
 * with its callback, 3.9 KB a page survives (the bare baseline, which calls `pool.query`, the
 * callback form, with no `query_timeout`: 0.8 KB). At 20 connections that took the collector's
 * pause from 49–67 to 10–15 µs a page, and V8's helper threads from 98–114 to 38–50 µs; the same
 * store in a bare script (20 loops over a pool of 10) costs 0.39–0.45 against 0.31–0.34 ms of CPU
 * a query. Another V8 may behave otherwise: `BENCH_LOAD_PROFILE` shows it.
 *
 * A query past the read timeout fails with node-postgres' message. One still waiting behind
 * another query of its connection is taken out of the queue, as node-postgres does. One the
 * server has not answered is failed once its connection has been ended: the server is not
 * answering, so the connection is not to be trusted, and the pool drops an ended client when it
 * is released and opens another (node-postgres left it in the pool, busy until an answer that may
 * never come). Ending emits no 'error', so a client without a listener is safe. `Submittable`s
 * (cursors, COPY streams, `pg.Query` objects) go to node-postgres as they are, timed by their own
 * `query_timeout`; a `query_timeout` set on the client would time every query a second time, with
 * the late store, so the pool sets none.
 */
export class TimedClient extends pg.Client {
  readonly readTimeoutMillis: number;

  constructor(config: TimedClientConfig = {}) {
    super(config);
    this.readTimeoutMillis = config.readTimeoutMillis ?? 0;
  }
}

/** Sends `config` as a Query built with `callback`, failed after the read timeout. */
function submit(client: TimedClient, config: unknown, values: unknown, callback: Callback): void {
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  // Called once: by node-postgres, or by the timer for a query it took off the queue (which
  // node-postgres then never calls back).
  const finish: Callback = (error, result) => {
    if (timer) clearTimeout(timer);
    callback(error, result);
  };
  const query = new pg.Query(
    config as pg.QueryConfig,
    values as unknown[] | undefined,
    (error: Error | undefined, result: pg.QueryResult | undefined) =>
      finish(ended ? new Error(READ_TIMEOUT_MESSAGE, { cause: error }) : error, result),
  );
  if (client.readTimeoutMillis > 0) {
    timer = setTimeout(() => {
      timer = undefined;
      const queue = unsent(client);
      const at = queue.indexOf(query);
      if (at >= 0) {
        queue.splice(at, 1);
        finish(new Error(READ_TIMEOUT_MESSAGE), undefined);
        return;
      }
      // Sent and unanswered: node-postgres fails every query of a connection when it ends.
      ended = true;
      client.end().catch(() => undefined);
    }, client.readTimeoutMillis);
  }
  baseQuery.call(client, query);
}

function query(this: TimedClient, config: unknown, values?: unknown, callback?: unknown): unknown {
  const submittable =
    typeof config === 'object' &&
    config !== null &&
    typeof (config as { submit?: unknown }).submit === 'function';
  const given =
    typeof values === 'function'
      ? values
      : (callback ??
        (typeof config === 'object' && config !== null
          ? (config as { callback?: unknown }).callback
          : undefined));
  // Submittables, and what node-postgres refuses (no query, a callback that is not a function),
  // go to node-postgres as they are.
  if (submittable || config == null || (given !== undefined && typeof given !== 'function')) {
    return baseQuery.call(this, config, values, callback);
  }
  const rows = typeof values === 'function' ? undefined : values;
  if (given) {
    submit(this, config, rows, given as Callback);
    return undefined;
  }
  return new Promise((resolve, reject) =>
    submit(this, config, rows, (error, result) => (error ? reject(error) : resolve(result))),
  ).catch((error: unknown) => {
    // As node-postgres does: a stack that leads back to the caller, not to the socket's read.
    if (error instanceof Error) Error.captureStackTrace(error);
    throw error;
  });
}

Object.defineProperty(TimedClient.prototype, 'query', {
  value: query,
  writable: true,
  configurable: true,
});
