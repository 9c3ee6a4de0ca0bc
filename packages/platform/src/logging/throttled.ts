/** A minute: how often a condition that repeats on every retry (a Redis that is away) is logged. */
export const ONCE_A_MINUTE_MS = 60_000;

/**
 * `fn`, run at most once per `intervalMs` (the first call runs, calls in between are dropped):
 * for logging a condition that reports itself on every retry, such as a connection that is
 * down, without flooding the log.
 */
export function throttled<A extends unknown[]>(
  fn: (...args: A) => void,
  intervalMs: number = ONCE_A_MINUTE_MS,
  now: () => number = Date.now,
): (...args: A) => void {
  let last: number | undefined;
  return (...args) => {
    const at = now();
    if (last !== undefined && at - last < intervalMs) return;
    last = at;
    fn(...args);
  };
}
