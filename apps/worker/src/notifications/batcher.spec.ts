import { Batcher } from './batcher';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('runs a lone call at once, and groups the calls that arrive while a run is in flight', async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new Batcher<number, number>(async (inputs) => {
      runs.push(inputs);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return inputs.map((n) => n * 10);
    });
    const first = batcher.submit(1);
    await tick();
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('under load, lingers before the next run so that more calls share it', async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new Batcher<number, number>(
      async (inputs) => {
        runs.push(inputs);
        if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return inputs;
      },
      { lingerMs: 20 },
    );
    const first = batcher.submit(1); // idle: runs at once
    const second = batcher.submit(2); // queued behind a run in flight: there is load
    release();
    await first;
    // Submitted at once: well within the 20 ms linger of the batch that 2 opened.
    const more = [3, 4].map((n) => batcher.submit(n));
    await Promise.all([second, ...more]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
    await batcher.submit(5); // idle again: at once, alone
    expect(runs.at(-1)).toEqual([5]);
  });

  it('keeps batches within max', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(
      (inputs) => {
        sizes.push(inputs.length);
        return Promise.resolve(inputs);
      },
      { max: 2 },
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(sizes).toEqual([1, 2, 2]);
  });

  it('never puts two inputs with one key in a batch', async () => {
    const runs: string[][] = [];
    const batcher = new Batcher<string, string>(
      (inputs) => {
        runs.push(inputs);
        return Promise.resolve(inputs.map((s) => s.toUpperCase()));
      },
      { keyOf: (s) => s },
    );
    const blocker = batcher.submit('x');
    const rest = ['a', 'a', 'b', 'a'].map((s) => batcher.submit(s));
    expect(await blocker).toBe('X');
    expect(await Promise.all(rest)).toEqual(['A', 'A', 'B', 'A']);
    expect(runs).toEqual([['x'], ['a', 'b'], ['a'], ['a']]);
  });

  it('fails every call of a failed run, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>((inputs) =>
      ++calls === 1 ? Promise.reject(new Error('database away')) : Promise.resolve(inputs),
    );
    await expect(batcher.submit(1)).rejects.toThrow('database away');
    expect(await batcher.submit(2)).toBe(2);
  });

  it('fails a run that answers with the wrong number of results', async () => {
    const batcher = new Batcher<number, number>(() => Promise.resolve([]));
    await expect(batcher.submit(1)).rejects.toThrow(/answered with 0 results/);
  });
});
