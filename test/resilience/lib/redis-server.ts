import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { waitFor } from '@sp/testing';

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * A `redis-server` of the test's own, on a free port, without persistence: the fault tests
 * stop, freeze and restart it, and never touch the machine's Redis on 6379. Production runs
 * Redis with AOF and `noeviction` (ARCHITECTURE.md); this one keeps `noeviction` only.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on its port and waits until it accepts connections. */
  async start(): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let running = true;
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    this.exited = new Promise((resolve) =>
      child.on('exit', () => {
        running = false;
        resolve();
      }),
    );
    this.child = child;
    await waitFor(
      () => /Ready to accept connections/.test(out) || !running,
      `redis-server on port ${this.port}`,
      { timeoutMs: 20_000 },
    );
    if (!running) {
      this.child = undefined;
      throw new Error(`redis-server on port ${this.port} exited:\n${out}`);
    }
  }

  /** Freezes the process (SIGSTOP): connections stay open and nothing answers, as in a hang. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a frozen process run again (SIGCONT), with everything it held. */
  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills the process (SIGKILL): connections are reset, and without persistence its data is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  async close(): Promise<void> {
    await this.kill();
  }
}
