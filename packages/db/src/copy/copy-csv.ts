import type { CompiledQuery, Kysely } from 'kysely';
import { Transform, type Readable } from 'node:stream';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CrlfRecords } from './crlf-records';
import { inlineParameters } from './sql-text';

/** The pool behind each Kysely `createDb` made: a COPY needs a connection of its own from it. */
const pools = new WeakMap<object, pg.Pool>();

/** Called by `createDb`. */
export const rememberPool = (db: object, pool: pg.Pool): void => {
  pools.set(db, pool);
};

export type CopyCsvOptions = {
  /** Written before the rows: a BOM and a header row, say. */
  prefix?: string;
  /** The longest the COPY may run, start to end, however slowly it is read. */
  timeoutMs: number;
  /** Told the size of each chunk read from the server (`scavengeEvery` of @sp/platform). */
  onChunk?: (bytes: number) => void;
};

/** What node-postgres sets on a query it times: the read timer is cleared by `callback`. */
type TimedQuery = { query_timeout?: number; callback?: (error: Error | null) => void };

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/**
 * The rows of `query` as CSV written by Postgres (`COPY (…) TO STDOUT (FORMAT csv)`): bytes from
 * the server to the reader without a row object in between, record ends made CRLF (RFC 4180),
 * `prefix` first. A large export costs the process a few socket buffers, not the rows it reads.
 *
 * The COPY runs on a connection of `db`'s pool, in a read-only REPEATABLE READ transaction of
 * its own whose statement timeout is `timeoutMs` (the pool's is meant for requests). The
 * connection is taken and the transaction begun before the stream is returned, so a database
 * that is down or a pool that stays full rejects here (a route answers 503) rather than cutting
 * a download short after its 200. The stream is read only as fast as its reader reads: when the
 * reader stops, the stream stops reading the socket and the server waits. It ends after the
 * transaction has: its connection is back in the pool before the reader sees the end. A stream
 * destroyed early (a download cancelled) discards its connection, which ends the COPY on the
 * server; an error from the server (a timeout, a terminated connection) fails the stream.
 */
export async function copyCsv<T>(
  db: Kysely<T>,
  query: CompiledQuery,
  options: CopyCsvOptions,
): Promise<Readable> {
  const pool = pools.get(db);
  if (!pool) throw new Error('copyCsv takes a Kysely made by createDb (it uses its pool)');
  const statement = `copy (${inlineParameters(query)}) to stdout (format csv)`;
  const timeout = Math.max(1, Math.floor(options.timeoutMs));
  const client = await pool.connect();
  try {
    await client.query(
      'start transaction isolation level repeatable read read only; ' +
        `set local statement_timeout = ${timeout}; ` +
        `set local idle_in_transaction_session_timeout = ${timeout}; ` +
        // Dates as ISO text whatever the server's default; the inlined literals are standard.
        "set local datestyle = 'ISO, YMD'; set local standard_conforming_strings = on",
    );
  } catch (error) {
    client.release(asError(error));
    throw error;
  }

  const crlf = new CrlfRecords();
  let returned = false;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      options.onChunk?.(chunk.length);
      callback(null, crlf.convert(chunk));
    },
    flush(callback) {
      // Every row is out: end the transaction and give the connection back, then end the file.
      client.query('commit').then(
        () => {
          returned = true;
          client.release();
          callback();
        },
        (error: unknown) => callback(asError(error)),
      );
    },
  });
  if (options.prefix) out.push(options.prefix);

  const rows = copyTo(statement);
  const timed = rows as unknown as TimedQuery;
  // node-postgres's own read timer for the query (the pool's is seconds, for requests), and
  // cleared when the COPY is over: pg-copy-streams never calls the query's callback.
  timed.query_timeout = timeout + 5_000;
  rows.once('close', () => timed.callback?.(null));
  rows.on('error', (error) => out.destroy(error));
  // A stream that closes before its end (destroyed, or failed) gives the connection back broken:
  // the pool ends it, and node-postgres closes the socket of a client ended mid-query at once,
  // which ends the COPY on the server (waiting for the server would wait for a reader gone).
  out.once('close', () => {
    rows.destroy();
    if (returned) return;
    returned = true;
    client.release(new Error('the COPY was abandoned'));
  });
  client.query(rows);
  rows.pipe(out);
  return out;
}
