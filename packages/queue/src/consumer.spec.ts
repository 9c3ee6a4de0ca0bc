import { cappedBackoff } from './consumer';

describe('cappedBackoff', () => {
  it('doubles from the base and never exceeds the cap, however many attempts were made', () => {
    const nominal = cappedBackoff(1_000, 60_000, () => 0);
    expect([1, 2, 3, 6, 7, 8, 50, 1_000_000].map(nominal)).toEqual([
      1_000, 2_000, 4_000, 32_000, 60_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('jitters below the nominal delay by at most a fifth', () => {
    const lowest = cappedBackoff(1_000, 60_000, () => 1);
    expect(lowest(1)).toBe(800);
    expect(lowest(100)).toBe(48_000);
  });
});
