import { createServer, type Server, type Socket, connect } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes on at most `bytesPerSecond` (each chunk waits until the bytes before it and
 * itself would have gone through a link of that speed): a slow server or network, where a
 * large request takes long and a small one does not.
 */
class Throttle extends Transform {
  private free = Date.now();

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.free = Math.max(Date.now(), this.free) + (chunk.length / this.bytesPerSecond) * 1000;
    setTimeout(() => done(null, chunk), this.free - Date.now());
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, to take that server away and bring it
 * back mid-test: `down()` closes every connection and refuses new ones; `up()` listens again
 * on the same port. The client under test sees a real outage.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Bytes per second from client to server on connections made from now on; unset: no limit. */
  throttle: number | undefined;

  private constructor(
    private readonly targetPort: number,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    if (!address || typeof address === 'string') throw new Error('no free port');
    const proxy = new TcpProxy(targetPort, address.port);
    await proxy.up();
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      const toServer =
        this.throttle === undefined ? client : client.pipe(new Throttle(this.throttle));
      toServer.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.down();
  }
}
