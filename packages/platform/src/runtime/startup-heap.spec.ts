import { getHeapSpaceStatistics } from 'node:v8';
import { releaseStartupHeap } from './startup-heap';

const newSpace = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

describe('releaseStartupHeap', () => {
  it('shrinks a young generation that a burst of surviving allocations grew', () => {
    // What a start-up does: much allocated, much of it alive across collections for a while.
    let keep: unknown[][] = [];
    for (let round = 0; round < 40 && newSpace() < 16 * 2 ** 20; round++) {
      keep.push(Array.from({ length: 50_000 }, (_, i) => ({ i, s: `x${i}` })));
      if (keep.length > 8) keep = keep.slice(-8);
    }
    const grown = newSpace();
    expect(grown).toBeGreaterThanOrEqual(16 * 2 ** 20);
    keep = [];

    const release = releaseStartupHeap();

    expect(release).toBeDefined();
    expect(release!.newSpaceBefore).toBe(grown);
    expect(release!.newSpaceAfter).toBeLessThan(grown / 4);
    expect(newSpace()).toBe(release!.newSpaceAfter);
    expect(keep).toHaveLength(0);
  });
});
