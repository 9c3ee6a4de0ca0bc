import type { DB } from '@sp/db';
import { type Kysely, sql, type Transaction } from 'kysely';

/**
 * How long one export may read. An export is one statement (a cursor) that lasts as long as
 * the download, so the pool's DATABASE_STATEMENT_TIMEOUT_MS (seconds, meant for requests)
 * would cut a large one off mid-file (and its idle-in-transaction limit a slow reader); this
 * replaces both for the export's own transaction.
 */
export const EXPORT_STATEMENT_TIMEOUT_MS = 30 * 60_000;

/** Rows per cursor fetch of an export. */
export const EXPORT_CHUNK = 2000;

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
