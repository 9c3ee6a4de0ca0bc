import { readAhead } from './read-ahead';

/** A source that counts how far it has been read, yielding at a pace the test controls. */
function counted(n: number, failAt?: number) {
  const state = { produced: 0, closed: false };
  async function* rows() {
    try {
      for (let i = 0; i < n; i++) {
        await Promise.resolve();
        if (i === failAt) throw new Error(`row ${i} failed`);
        state.produced++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, rows: rows() };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('readAhead', () => {
  it('gives every item in order', async () => {
    const { rows } = counted(10_000);
    const seen: number[] = [];
    for await (const row of readAhead(rows, 64)) seen.push(row);
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('reads ahead of the consumer, but no more than its size', async () => {
    const { state, rows } = counted(1_000);
    const iterator = readAhead(rows, 100)[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 0 });
    await settle();
    // One taken, a hundred waiting, at most one more in the pump's hands.
    expect(state.produced).toBeGreaterThanOrEqual(101);
    expect(state.produced).toBeLessThanOrEqual(102);
    await iterator.return?.();
    expect(state.closed).toBe(true);
  });

  it('gives the items before a failure, then the failure', async () => {
    const { rows } = counted(100, 40);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const row of readAhead(rows, 10)) seen.push(row);
      })(),
    ).rejects.toThrow('row 40 failed');
    expect(seen).toHaveLength(40);
  });

  it('closes the source when the consumer stops early', async () => {
    const { state, rows } = counted(1_000);
    for await (const row of readAhead(rows, 10)) if (row === 5) break;
    expect(state.closed).toBe(true);
    expect(state.produced).toBeLessThan(30);
  });
});
