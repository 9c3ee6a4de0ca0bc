import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { drainUnreadBody } from './unread-body';

/** A server whose POST pipes its body into a sink that never takes more, then answers early. */
function earlyAnswering(limit: number): Server {
  return createServer((req, res) => {
    if (req.method !== 'POST') return void res.end('next');
    req.pipe(new Writable({ highWaterMark: 1, write: () => undefined }));
    setImmediate(() => {
      drainUnreadBody(req, limit);
      res.end('refused');
    });
  });
}

/** Raw requests on one connection; what came back before the server closed it. */
async function exchange(server: Server, bodyBytes: number): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer after 10 s')));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
      socket.on('error', (error: NodeJS.ErrnoException) =>
        // A reset while the client still writes is how an over-limit body is cut off.
        error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error),
      );
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
      socket.write(Buffer.alloc(bodyBytes, 'x'));
      socket.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('drainUnreadBody', () => {
  it('reads away what the handler left, so the pipelined next request is answered', async () => {
    const answers = await exchange(earlyAnswering(16 * 1024 * 1024), 3_000_000);
    expect(answers.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(answers).toContain('refused');
    expect(answers).toContain('next');
  });

  it('closes the connection once the rest of the body passes the limit', async () => {
    const answers = await exchange(earlyAnswering(64 * 1024), 3_000_000);
    expect(answers.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
    expect(answers).not.toContain('next');
  });
});
