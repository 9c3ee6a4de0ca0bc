import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, createPool, listenForErrors } from '../src/index';
import { PoolClient, READ_TIMEOUT_MESSAGE } from '../src/pool-client';

/**
 * The pool's client (PoolClient) against a real Postgres: plain queries answer as node-postgres'
 * promise form does, a query past the read timeout fails and takes its connection with it, and a
 * plain query's callback is given to the Query when it is built, never stored into it later
 * (which made every query's rows outlive the young generation: see pool-client.ts).
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** A pool of PoolClients with `readTimeoutMillis`, its connection errors collected. */
function poolWith(readTimeoutMillis: number, errors: Error[] = []) {
  const config: pg.PoolConfig & { readTimeoutMillis: number } = {
    Client: PoolClient,
    connectionString: database.url,
    max: 2,
    readTimeoutMillis,
  };
  const pool = new pg.Pool(config);
  pool.on('connect', (client) => listenForErrors(client, (error) => errors.push(error)));
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Counts stores into `callback` of node-postgres Query objects made after the first one (the
 * constructor's), for as long as `work` runs.
 */
async function lateCallbackStores(work: () => Promise<unknown>): Promise<number> {
  const own = new WeakMap<object, unknown>();
  let late = 0;
  Object.defineProperty(pg.Query.prototype, 'callback', {
    configurable: true,
    get(this: object) {
      return own.get(this);
    },
    set(this: object, value: unknown) {
      if (own.has(this)) late++;
      own.set(this, value);
    },
  });
  try {
    await work();
  } finally {
    delete (pg.Query.prototype as { callback?: unknown }).callback;
  }
  return late;
}

describe('PoolClient', () => {
  it('answers plain queries as node-postgres does: rows, values, config objects, errors', async () => {
    const pool = poolWith(10_000);
    try {
      const text = await pool.query<{ n: number }>('select 2 + 3 as n');
      expect(text.rows).toEqual([{ n: 5 }]);
      expect(text.command).toBe('SELECT');

      const values = await pool.query<{ s: string }>('select $1::text || $2::text as s', [
        'a',
        'b',
      ]);
      expect(values.rows).toEqual([{ s: 'ab' }]);

      const config = await pool.query({
        text: 'select $1::int as n',
        values: [7],
        rowMode: 'array',
      });
      expect(config.rows).toEqual([[7]]);

      await expect(pool.query('select from nowhere_at_all')).rejects.toMatchObject({
        code: '42P01',
      });
      // The client is still usable after a failed statement.
      expect((await pool.query<{ ok: number }>('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('still takes callbacks and Submittables the way node-postgres does', async () => {
    const pool = poolWith(10_000);
    const client = await pool.connect();
    try {
      const viaCallback = await new Promise<pg.QueryResult>((resolve, reject) =>
        client.query('select 4 as n', (error: Error | undefined, result: pg.QueryResult) =>
          error ? reject(error) : resolve(result),
        ),
      );
      expect(viaCallback.rows).toEqual([{ n: 4 }]);

      const submitted = new pg.Query('select 6 as n');
      const rows = new Promise((resolve) => submitted.on('end', (result) => resolve(result.rows)));
      expect(client.query(submitted)).toBe(submitted);
      expect(await rows).toEqual([{ n: 6 }]);
    } finally {
      client.release();
      await pool.end();
    }
  });

  it('fails a query the server does not answer in time and drops its connection', async () => {
    const errors: Error[] = [];
    const pool = poolWith(300, errors);
    try {
      const client = await pool.connect();
      const pid = (client as unknown as { processID: number }).processID;
      await expect(client.query('select pg_sleep(30)')).rejects.toThrow(READ_TIMEOUT_MESSAGE);
      client.release();

      // The pool opens a new connection for the next query rather than reusing the busy one.
      const next = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
      expect(next.rows[0]?.pid).not.toBe(pid);
      expect(pool.totalCount).toBe(1);
      expect(errors.map((e) => e.message)).toEqual([
        expect.stringMatching(/Connection terminated/),
      ]);
    } finally {
      await pool.end();
      // The sleeping backend whose client went away is not left behind for the next test.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query = 'select pg_sleep(30)'`,
      );
      await admin.end();
    }
  });

  it('gives each plain query its callback when it is built, read timeout or not', async () => {
    const timed = poolWith(10_000);
    const untimed = poolWith(0);
    const db = createDb(database.url);
    try {
      const late = await lateCallbackStores(async () => {
        await timed.query('select 1');
        await untimed.query('select $1::int', [1]);
        await sql`select 1`.execute(db);
        await db.transaction().execute((trx) => sql`select 2`.execute(trx));
      });
      expect(late).toBe(0);

      // node-postgres' own promise form, and its query_timeout, store the callback afterwards:
      // this is what the count above would catch.
      const plain = new pg.Client({ connectionString: database.url, query_timeout: 10_000 });
      await plain.connect();
      try {
        expect(await lateCallbackStores(() => plain.query('select 1'))).toBeGreaterThan(0);
      } finally {
        await plain.end();
      }
    } finally {
      await db.destroy();
      await timed.end();
      await untimed.end();
    }
  });

  it('is the client of every pool the project makes', async () => {
    const pool = createPool(database.url, { max: 1 });
    try {
      const client = await pool.connect();
      expect(client).toBeInstanceOf(PoolClient);
      expect((client as unknown as PoolClient).readTimeoutMillis).toBe(20_000);
      client.release();
    } finally {
      await pool.end();
    }
  });
});
