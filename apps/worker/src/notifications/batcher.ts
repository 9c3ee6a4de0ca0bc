type Waiting<I, O> = { input: I; resolve: (output: O) => void; reject: (error: unknown) => void };

/**
 * Group commit for many concurrent callers: `submit` queues an input, and one `run` at a time
 * takes everything queued so far (up to `max`). With no load a call runs at once, alone;
 * under load (calls queued while a run was in flight) the next run waits `lingerMs` first, so
 * the calls arriving meanwhile share it: a few statements for fifty concurrent jobs, not fifty,
 * for at most `lingerMs` more latency, and only when there is a queue anyway.
 *
 * `run` answers each input in order (same length), or throws and fails the whole batch. With
 * `keyOf`, a batch never holds two inputs with one key (a statement may not touch a row
 * twice): a repeat waits for the next run.
 */
export class Batcher<I, O> {
  private queue: Waiting<I, O>[] = [];
  private running = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: {
      max?: number;
      keyOf?: (input: I) => string;
      lingerMs?: number;
    } = {},
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let first = true; this.queue.length > 0; first = false) {
        // Calls queued while the last run was in flight: there is load, so wait for company.
        const linger = this.options.lingerMs ?? 0;
        if (!first && linger > 0) await new Promise((resolve) => setTimeout(resolve, linger));
        const batch = this.take();
        try {
          const outputs = await this.run(batch.map((w) => w.input));
          if (outputs.length !== batch.length)
            throw new Error(`batch of ${batch.length} answered with ${outputs.length} results`);
          batch.forEach((w, i) => w.resolve(outputs[i]!));
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private take(): Waiting<I, O>[] {
    const max = this.options.max ?? 100;
    const keyOf = this.options.keyOf;
    if (!keyOf) return this.queue.splice(0, max);
    const keys = new Set<string>();
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    for (const waiting of this.queue) {
      const key = keyOf(waiting.input);
      if (batch.length < max && !keys.has(key)) {
        keys.add(key);
        batch.push(waiting);
      } else rest.push(waiting);
    }
    this.queue = rest;
    return batch;
  }
}
