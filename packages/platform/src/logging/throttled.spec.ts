import { throttled } from './throttled';

describe('throttled', () => {
  it('runs the first call, drops the calls within the interval, runs the next one after it', () => {
    let now = 1_000_000;
    const seen: string[] = [];
    const log = throttled(
      (message: string) => seen.push(message),
      60_000,
      () => now,
    );

    log('first');
    now += 1;
    log('dropped: 1 ms later');
    now += 59_998;
    log('dropped: 59 999 ms after the first');
    now += 1;
    log('second: a minute after the first');
    now += 30_000;
    log('dropped: half a minute after the second');

    expect(seen).toEqual(['first', 'second: a minute after the first']);
  });

  it('runs the first call even on a clock that starts at 0', () => {
    const seen: number[] = [];
    const log = throttled(
      (n: number) => seen.push(n),
      60_000,
      () => 0,
    );
    log(1);
    log(2);
    expect(seen).toEqual([1]);
  });
});
