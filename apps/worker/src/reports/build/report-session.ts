import { createClient, createDbOnClient, inlineParameters } from '@sp/db';
import { sql } from 'kysely';
import { to as copyTo } from 'pg-copy-streams';
import type { CopySource } from '../document';
import type { ReportReader } from '../kind';

/**
 * The longest one build may read, start to end (statement and idle-in-transaction limits): its
 * statements are cursors that last as long as it writes, as long as a stream may
 * (`STREAM_QUERY_TIMEOUT_MS` of @sp/db, the cursor's client-side limit).
 */
export const BUILD_TIMEOUT_MS = 30 * 60_000;

/**
 * One report build's database session: a connection of its own (not the pool's), in one
 * REPEATABLE READ READ ONLY transaction as `sp_report_reader` (which may read the published
 * report views and nothing else), so every section of the report sees one snapshot. `db` is
 * Kysely over that connection; `copy` has Postgres write a query's rows as CSV on the same
 * connection and snapshot (`COPY (…) TO STDOUT`), for the CSV writer.
 */
export type ReportSession = {
  /** Typed by each kind for the views it reads (`ReportViews`); Kysely over all of `DB` here. */
  readonly db: ReportReader;
  readonly copy: CopySource;
  /** Ends the transaction and the connection (also after a failure: the transaction only read). */
  close(): Promise<void>;
};

/** How long closing waits for the rollback before cutting the connection. */
export const CLOSE_GRACE_MS = 5_000;

/** node-postgres' socket (not in its types): the one way to end a connection stuck in a COPY. */
const socketOf = (client: object) =>
  (client as { connection?: { stream?: { destroy(): void } } }).connection?.stream;

export async function openReportSession(
  databaseUrl: string,
  options: { applicationName?: string; timeoutMs?: number } = {},
): Promise<ReportSession> {
  const client = createClient(databaseUrl, { applicationName: options.applicationName });
  // A connection the server ends mid-build fails the build (the next query rejects); without a
  // listener the 'error' event would end the process instead.
  client.on('error', () => undefined);
  await client.connect();
  const db = createDbOnClient(client);
  const timeout = sql.lit(options.timeoutMs ?? BUILD_TIMEOUT_MS);
  try {
    await sql`start transaction isolation level repeatable read read only`.execute(db);
    await sql`set local role sp_report_reader`.execute(db);
    await sql`set local statement_timeout = ${timeout}`.execute(db);
    await sql`set local idle_in_transaction_session_timeout = ${timeout}`.execute(db);
    // The CSV a COPY writes must read as the rows do: ISO dates, whatever the server's default;
    // and `inlineParameters` writes standard string literals.
    await sql`set local datestyle = 'ISO, YMD'`.execute(db);
    await sql`set local standard_conforming_strings = on`.execute(db);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    db: db as unknown as ReportReader,
    copy: (query) => client.query(copyTo(inlineParameters(query))),
    close: () =>
      (closed ??= (async () => {
        // A COPY whose reader stopped (the file could not be written) holds the connection:
        // the rollback queues behind it for good, and Postgres cancels no statement blocked
        // writing to its client. After CLOSE_GRACE_MS the socket is cut instead, which ends
        // the server's transaction too.
        const cut = setTimeout(() => socketOf(client)?.destroy(), CLOSE_GRACE_MS);
        try {
          await client.query('rollback');
        } catch {
          // The connection is gone already: nothing to end but the socket.
        } finally {
          clearTimeout(cut);
          await db.destroy();
          await client.end().catch(() => undefined);
        }
      })()),
  };
}
