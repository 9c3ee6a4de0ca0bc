import type { DB } from '@sp/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';

export type PruneOptions = {
  /** Schema-qualified table, e.g. `symposium.processed_message`. */
  table: string;
  /** Which rows may go, e.g. sql`processed_at < ${cutoff}`; checked again when deleting. */
  where: RawBuilder<boolean>;
  /** Rows per statement: each DELETE is short, so it holds few locks and little WAL at once. */
  batchSize: number;
  /** At most this many statements per call; the rest waits for the next call. */
  maxBatches?: number;
};

/**
 * Deletes the rows `where` selects, `batchSize` at a time, each batch its own statement
 * (`ctid = any(array(select ctid … limit n))`, a TID scan), until a batch comes back short.
 * Never one unbounded DELETE: a backlog of millions is worked off in short statements that
 * do not block writers or bloat a single transaction. Returns how many rows went.
 */
export async function pruneInBatches(db: Kysely<DB>, options: PruneOptions): Promise<number> {
  const table = sql.table(options.table);
  const maxBatches = options.maxBatches ?? 1_000;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const result = await sql`
      delete from ${table}
      where ctid = any(array(
        select ctid from ${table} where ${options.where} limit ${options.batchSize}
      ))
      and ${options.where}`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < options.batchSize) break;
    // Let requests and jobs of this process run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return total;
}
