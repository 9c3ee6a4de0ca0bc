type Waiting<I, O> = { input: I; resolve: (output: O) => void; reject: (error: unknown) => void };

/**
 * Group commit for many concurrent callers: `submit` queues an input, and one `run` at a time
 * takes everything queued so far (up to `max`). With no load a call runs at once, alone;
 * under load the calls that arrive while a run is in flight share the next one, so fifty
 * concurrent jobs cost a few statements, not fifty.
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
    private readonly options: { max?: number; keyOf?: (input: I) => string } = {},
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
      while (this.queue.length > 0) {
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
