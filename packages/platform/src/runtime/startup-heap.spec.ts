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
    expect(release!.newSpaceBefore).toBe(grown);
    expect(release!.newSpaceAfter).toBeLessThan(grown / 4);
    expect(newSpace()).toBe(release!.newSpaceAfter);
    expect(keep).toHaveLength(0);
  });
});

describe('scavengeEvery', () => {
  /** Young-generation collections so far (V8 counts them in the `gc` performance entries). */
  const scavenges = async (work: () => void): Promise<number> => {
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    let minor = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as { detail?: { kind?: number } }).detail;
        if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    work();
    // GC entries are delivered asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    return minor;
  };

  it('collects the young generation once per so many bytes, and not before', async () => {
    const told = scavengeEvery(4 * 2 ** 20);
    // 3.9 MB in 64 KB chunks, allocating next to nothing: none of its own (one a test run's
    // own allocations caused may fall in the window), where one per chunk would be 62.
    expect(await scavenges(() => Array.from({ length: 62 }, () => told(64 * 1024)))).toBeLessThan(
      2,
    );
    // Five times 4 MB more: five collections.
    expect(
      await scavenges(() => Array.from({ length: 5 * 64 }, () => told(64 * 1024))),
    ).toBeGreaterThanOrEqual(5);
  });
});
