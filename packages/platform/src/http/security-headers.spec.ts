import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet from 'helmet';
import { helmetOptions, securityHeaders } from './security-headers';

/** What a response carries when helmet's middleware (the same options) runs on it for real. */
async function headersFromHelmet(): Promise<IncomingHttpHeaders> {
  const setHeaders = helmet(helmetOptions);
  const server = createServer((req, res) =>
    setHeaders(req, res, (error?: unknown) => {
      res.statusCode = error === undefined ? 204 : 500;
      res.end();
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(204);
    return Object.fromEntries(response.headers);
  } finally {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
}

describe('securityHeaders', () => {
  it('is every header helmet sets on a real response, with the same values', async () => {
    const fromHelmet = await headersFromHelmet();
    const ours = securityHeaders();
    // The response's own headers (date, connection …) are not helmet's.
    const helmets = Object.fromEntries(
      Object.entries(fromHelmet).filter(([name]) => !(name in RESPONSE_OWN)),
    );
    expect(ours).toEqual(helmets);
    expect(Object.keys(ours).length).toBeGreaterThanOrEqual(12);
    expect(ours['x-frame-options']).toBe('DENY');
    expect(ours['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

/** Headers Node's server adds to every response. */
const RESPONSE_OWN = { date: 1, connection: 1, 'keep-alive': 1 };
