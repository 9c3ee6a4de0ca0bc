import { createClient, createDbOnClient } from '@sp/db';
import { sql, type CompiledQuery } from 'kysely';
import { to as copyTo } from 'pg-copy-streams';
import type { CopySource } from '../document';
import type { ReportReader } from '../kind';
import { quoteLiteral } from './sql-text';

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
        try {
          await client.query('rollback');
        } catch {
          // The connection is gone already: nothing to end but the socket.
        } finally {
          await db.destroy();
          await client.end().catch(() => undefined);
        }
      })()),
  };
}

/**
 * The query's text with its `$n` parameters written in as literals: COPY takes no parameters.
 * A parameter is a string, a number, a boolean, a date or null (what Kysely passes for the
 * report views' filters); anything else is refused rather than guessed at.
 */
export function inlineParameters(query: CompiledQuery): string {
  return query.sql.replace(/\$(\d+)/g, (_match, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= query.parameters.length) {
      throw new Error(`the query names $${n}, which it has no parameter for`);
    }
    return literal(query.parameters[index]);
  });
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} into a query`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return quoteLiteral(value.toISOString());
  if (typeof value === 'string') return quoteLiteral(value);
  throw new Error(`cannot write a ${typeof value} into a query`);
}
