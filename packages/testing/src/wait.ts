import type { DB } from '@sp/db';
import { type Kysely, sql } from 'kysely';

/**
 * Polls `predicate` until it holds; throws naming `what` when it has not within `timeoutMs`.
 * For outcomes that arrive in their own time (a log line, a mail, a job's state).
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 30_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * For a test that holds a lock in an open transaction and starts work that should meet it:
 * waits until a session of `db`'s database is waiting for a lock, or until `work` has settled
 * (it did not wait: the test's assertions then say what it did instead).
 */
export async function waitForLockWait(
  db: Kysely<DB>,
  work: Promise<unknown>,
  what: string,
): Promise<void> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  await waitFor(
    async () =>
      settled ||
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(db)
      ).rows[0]!.n > 0,
    what,
  );
}
