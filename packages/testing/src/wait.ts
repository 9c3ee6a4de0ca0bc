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
