import { getHeapSpaceStatistics } from 'node:v8';
import { releaseStartupHeap, scavengeEvery } from './startup-heap';

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
    // Not `toBe(grown)`: a young collection may resize the space between the two readings (seen
    // once in a fresh clone's parallel run: 18,087,936 then 18,350,080 bytes).
    expect(release!.newSpaceBefore).toBeGreaterThanOrEqual(16 * 2 ** 20);
    expect(release!.newSpaceAfter).toBeLessThan(release!.newSpaceBefore / 4);
    expect(newSpace()).toBe(release!.newSpaceAfter);
    expect(keep).toHaveLength(0);
  });
});

describe('scavengeEvery', () => {
  const youngUsed = () =>
    getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;

  it('collects the young generation once per so many bytes, and not before', () => {
    const told = scavengeEvery(4 * 2 ** 20);
    // 4 MB told at once: a collection now, so the young generation starts out nearly empty.
    told(4 * 2 ** 20);
    // Some garbage for the next collection to take.
    expect(Array.from({ length: 2_000 }, (_, i) => ({ i }))).toHaveLength(2_000);
    const withGarbage = youngUsed();
    // 3.9 MB in 64 KB chunks: no collection, the garbage is still there.
    for (let i = 0; i < 62; i++) told(64 * 1024);
    expect(youngUsed()).toBeGreaterThanOrEqual(withGarbage);
    // Past 4 MB: collected there and then.
    told(2 * 64 * 1024);
    expect(youngUsed()).toBeLessThan(withGarbage);
  });
});
