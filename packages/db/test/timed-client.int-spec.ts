import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, createPool, listenForErrors } from '../src/index';
import { READ_TIMEOUT_MESSAGE, TimedClient } from '../src/timed-client';

/**
 * The pools' client (TimedClient) against a real Postgres: queries answer as node-postgres'
 * would, a query past the read timeout fails (a queued one alone, a sent one with its
 * connection), and every query is built with its callback, never given one later (which made
 * every query's rows outlive the young generation: see timed-client.ts).
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  // A backend left sleeping by a timed-out query is not left for the next test.
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and query like 'select pg_sleep%' and pid <> pg_backend_pid()`,
  );
  await admin.end();
});

afterAll(async () => {
  await database?.drop();
});

/** A pool of TimedClients with `readTimeoutMillis`, its connection errors collected. */
function poolWith(readTimeoutMillis: number, errors: Error[] = []) {
  const config: pg.PoolConfig & { readTimeoutMillis: number } = {
    Client: TimedClient,
    connectionString: database.url,
    max: 2,
    readTimeoutMillis,
  };
  const pool = new pg.Pool(config);
  pool.on('connect', (client) => listenForErrors(client, (error) => errors.push(error)));
  pool.on('error', () => undefined);
  return pool;
}

/** `client.query` with a callback, as a promise. */
const withCallback = (client: pg.ClientBase, text: string) =>
  new Promise<pg.QueryResult>((resolve, reject) =>
    client.query(text, (error: Error | undefined, result: pg.QueryResult) =>
      error ? reject(error) : resolve(result),
    ),
  );

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

describe('TimedClient', () => {
  it('answers as node-postgres does: text, values, config objects, names, row modes, errors', async () => {
    const pool = poolWith(10_000);
    const client = await pool.connect();
    try {
      expect((await client.query<{ n: number }>('select 2 + 3 as n')).rows).toEqual([{ n: 5 }]);
      const values = await client.query<{ s: string }>('select $1::text || $2::text as s', [
        'a',
        'b',
      ]);
      expect(values.rows).toEqual([{ s: 'ab' }]);
      expect(values.command).toBe('SELECT');

      const config = { text: 'select $1::int as n', values: [7], rowMode: 'array' as const };
      expect((await client.query(config)).rows).toEqual([[7]]);
      // node-postgres copies a config object; it is not changed by being sent.
      expect(config).toEqual({ text: 'select $1::int as n', values: [7], rowMode: 'array' });

      const named = { name: 'timed-client-twice', text: 'select $1::int * 2 as n' };
      expect((await client.query(named, [4])).rows).toEqual([{ n: 8 }]);
      expect((await client.query(named, [5])).rows).toEqual([{ n: 10 }]);

      const failed = client.query('select from nowhere_at_all');
      await expect(failed).rejects.toMatchObject({ code: '42P01' });
      // The stack leads back here, as node-postgres' promise form makes it.
      await failed.catch((error: Error) => expect(error.stack).toContain('timed-client.int-spec'));
      expect((await client.query<{ ok: number }>('select 1 as ok')).rows).toEqual([{ ok: 1 }]);

      const db = createDb(database.url);
      try {
        const viaKysely = await sql<{ fiveThings: number }>`select 5 as five_things`.execute(db);
        expect(viaKysely.rows).toEqual([{ fiveThings: 5 }]);
      } finally {
        await db.destroy();
      }
    } finally {
      client.release();
      await pool.end();
    }
  });

  it('takes callbacks, pool.query and Submittables as node-postgres does', async () => {
    const pool = poolWith(10_000);
    const client = await pool.connect();
    try {
      expect((await withCallback(client, 'select 4 as n')).rows).toEqual([{ n: 4 }]);
      expect((await pool.query<{ n: number }>('select $1::int as n', [9])).rows).toEqual([
        { n: 9 },
      ]);

      const submitted = new pg.Query<{ n: number }>('select 6 as n');
      const rows = new Promise((resolve) => submitted.on('end', (result) => resolve(result.rows)));
      expect(client.query(submitted)).toBe(submitted);
      expect(await rows).toEqual([{ n: 6 }]);
    } finally {
      client.release();
      await pool.end();
    }
  });

  it('fails a query the server does not answer in time and ends its connection', async () => {
    const errors: Error[] = [];
    const pool = poolWith(300, errors);
    try {
      const client = await pool.connect();
      const pid = (client as unknown as { processID: number }).processID;
      await expect(client.query('select pg_sleep(30)')).rejects.toThrow(READ_TIMEOUT_MESSAGE);
      client.release();

      // The pool opens a new connection for the next query rather than reusing the ended one.
      const next = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
      expect(next.rows[0]?.pid).not.toBe(pid);
      expect(pool.totalCount).toBe(1);
      // A timeout is the query's failure, not a connection error to log.
      expect(errors).toEqual([]);

      // pool.query (node-postgres' callback form) is timed the same way.
      await expect(pool.query('select pg_sleep(30)')).rejects.toThrow(READ_TIMEOUT_MESSAGE);
      expect((await pool.query<{ ok: number }>('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('takes a query that times out while queued off the queue and leaves its connection alone', async () => {
    const pool = poolWith(300);
    const client = await pool.connect();
    try {
      // A Submittable goes to node-postgres untimed: it runs for 1 s, the next query waits.
      const running = new Promise<unknown[]>((resolve, reject) => {
        const slow = new pg.Query<{ pg_sleep: string; n: number }>('select pg_sleep(1), 1 as n');
        slow.on('end', (result) => resolve(result.rows));
        slow.on('error', reject);
        client.query(slow);
      });
      await expect(client.query('select 2 as n')).rejects.toThrow(READ_TIMEOUT_MESSAGE);
      expect(await running).toEqual([{ pg_sleep: '', n: 1 }]);
      expect((await client.query<{ n: number }>('select 3 as n')).rows).toEqual([{ n: 3 }]);
    } finally {
      client.release();
      await pool.end();
    }
  });

  it('does not crash a client that has no error listener when a query times out', async () => {
    const client = new TimedClient({ connectionString: database.url, readTimeoutMillis: 300 });
    await client.connect();
    await expect(client.query('select pg_sleep(30)')).rejects.toThrow(READ_TIMEOUT_MESSAGE);
    await expect(client.query('select 1')).rejects.toThrow();
  });

  it('gives each query its callback when it is built, read timeout or not', async () => {
    const timed = poolWith(10_000);
    const untimed = poolWith(0);
    const db = createDb(database.url);
    try {
      const late = await lateCallbackStores(async () => {
        for (const pool of [timed, untimed]) {
          const client = await pool.connect();
          try {
            await client.query('select 1');
            await client.query('select $1::int', [1]);
            await client.query({ text: 'select 2' });
            await withCallback(client, 'select 3');
          } finally {
            client.release();
          }
          await pool.query('select 4');
        }
        await sql`select 1`.execute(db);
        await db.transaction().execute((trx) => sql`select 2`.execute(trx));
      });
      expect(late).toBe(0);

      // node-postgres' own promise form, and its query_timeout, store the callback afterwards:
      // this is what the count above would catch.
      const plain = new pg.Client({ connectionString: database.url, query_timeout: 10_000 });
      await plain.connect();
      try {
        expect(await lateCallbackStores(() => plain.query('select 1'))).toBe(2);
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
      try {
        expect(client).toBeInstanceOf(TimedClient);
        expect((client as unknown as TimedClient).readTimeoutMillis).toBe(20_000);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });
});
