/**
 * Lets at most `limit` tasks run at once; the others wait their turn in arrival order. Put
 * around work that would otherwise queue for a pooled resource with a deadline (a database
 * connection), so a burst waits here instead of timing out there.
 */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('a gate needs a limit of 1 or more');
  }

  /**
   * Runs `task` once a slot is free. A task whose `signal` aborts while it waits leaves the line
   * (rejecting with the signal's reason) and never runs: a request whose client went away holds
   * no place.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.running >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        };
        const leave = () => {
          const at = this.waiting.indexOf(turn);
          if (at >= 0) this.waiting.splice(at, 1);
          const reason: unknown = signal?.reason;
          reject(reason instanceof Error ? reason : new Error(String(reason)));
        };
        this.waiting.push(turn);
        signal?.addEventListener('abort', leave, { once: true });
      });
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line; only when nobody waits is it freed.
      if (next) next();
      else this.running--;
    }
  }

  /** Whether a task would wait now. */
  get full(): boolean {
    return this.running >= this.limit;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Tasks holding a slot. */
  get busy(): number {
    return this.running;
  }
}
