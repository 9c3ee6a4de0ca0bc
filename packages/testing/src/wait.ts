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
 * For a test that holds a lock in an open transaction (`holder`) and starts work that should
 * meet it: waits until a session is blocked by the holder's, or until `work` has settled (it
 * did not wait: the test's assertions then say what it did instead). `db` polls, on a
 * connection of its own.
 */
export async function waitForLockWait(
  holder: Kysely<DB>,
  db: Kysely<DB>,
  work: Promise<unknown>,
  what: string,
): Promise<void> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(holder);
  const pid = rows[0]!.pid;
  await waitFor(
    async () =>
      settled ||
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where pg_blocking_pids(pid) @> array[${pid}::int]`.execute(db)
      ).rows[0]!.n > 0,
    what,
  );
}
