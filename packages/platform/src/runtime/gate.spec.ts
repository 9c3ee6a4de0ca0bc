import { Gate } from './gate';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('Gate', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const gate = new Gate(2);
    const started: number[] = [];
    const blockers = [deferred(), deferred(), deferred(), deferred()];
    const runs = blockers.map((b, i) =>
      gate.run(async () => {
        started.push(i);
        await b.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([gate.busy, gate.queued]).toEqual([2, 2]);
    blockers[1]?.resolve();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    blockers.forEach((b) => b.resolve());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([gate.busy, gate.queued]).toEqual([0, 0]);
  });

  it('frees the slot when a task fails', async () => {
    const gate = new Gate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('lets a waiting task whose signal aborts leave the line, never run, and keep nobody waiting', async () => {
    const gate = new Gate(1);
    const first = deferred();
    const running = gate.run(() => first.promise);
    expect(gate.full).toBe(true);
    const gone = new AbortController();
    const ran: string[] = [];
    const leaving = gate.run(() => Promise.resolve(void ran.push('gone')), gone.signal);
    const staying = gate.run(() => Promise.resolve(void ran.push('staying')));
    expect(gate.queued).toBe(2);
    gone.abort(new Error('the client went away'));
    await expect(leaving).rejects.toThrow('the client went away');
    expect(gate.queued).toBe(1);
    first.resolve();
    await Promise.all([running, staying]);
    expect(ran).toEqual(['staying']);
    expect([gate.busy, gate.queued, gate.full]).toEqual([0, 0, false]);
    const aborted = new AbortController();
    aborted.abort(new Error('already gone'));
    await expect(gate.run(() => Promise.resolve(1), aborted.signal)).rejects.toThrow(
      'already gone',
    );
  });

  it('refuses a limit below one', () => {
    expect(() => new Gate(0)).toThrow();
  });
});
