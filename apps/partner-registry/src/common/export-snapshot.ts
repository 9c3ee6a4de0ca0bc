import type { DB } from '@sp/db';
import { type Kysely, sql, type Transaction } from 'kysely';

/**
 * How long one export may read. An export is one statement (a cursor) that lasts as long as
 * the download, so the pool's DATABASE_STATEMENT_TIMEOUT_MS (seconds, meant for requests)
 * would cut a large one off mid-file (and its idle-in-transaction limit a slow reader); this
 * replaces both for the export's own transaction.
 */
export const EXPORT_STATEMENT_TIMEOUT_MS = 30 * 60_000;

/**
 * Rows per cursor fetch of an export. A fetch's rows are all alive until the last of them has
 * been written to the reply, so a fetch must fit comfortably in V8's young generation and die
 * there: at 2,000 activities (≈ 8 MB of row objects, twice over with the camel-cased copies)
 * every fetch outlived two scavenges and was promoted, and a 100,000-row export grew the old
 * generation by ≈ 200 MB of garbage before a full collection (bench/csv-transfer.mjs). At 100
 * (Kysely's own default) the export's peak is within a few MB of the idle process, at the same
 * speed: a fetch is one round trip on an open cursor.
 */
export const EXPORT_CHUNK = 100;

/**
 * Streams the rows of `query` inside a read-only, repeatable-read transaction of their own: the
 * file is one consistent snapshot however long it takes, and the statement timeout is the
 * export's. The transaction ends (and its connection returns to the pool) when the rows run
 * out, or when the reader stops early (the generator's `return`), or on an error.
 */
export async function* streamInSnapshot<R>(
  db: Kysely<DB>,
  query: (trx: Transaction<DB>) => { stream(chunkSize?: number): AsyncIterableIterator<R> },
): AsyncGenerator<R> {
  const trx = await db
    .startTransaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute();
  try {
    // Between two fetches the transaction is idle: a slow reader must not end it either.
    await sql`set local statement_timeout = ${sql.lit(EXPORT_STATEMENT_TIMEOUT_MS)}`.execute(trx);
    await sql`set local idle_in_transaction_session_timeout = ${sql.lit(EXPORT_STATEMENT_TIMEOUT_MS)}`.execute(
      trx,
    );
    yield* query(trx).stream(EXPORT_CHUNK);
    await trx.commit().execute();
  } finally {
    if (!trx.isCommitted) await trx.rollback().execute();
  }
}
