import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/**
 * Bodies Fastify refuses before any route runs (a wrong content type, too large, not JSON)
 * are problems like every other error. Found by the fuzz suite: they came back as Fastify's
 * own `application/json` errors, because the multipart plugin was registered before Nest set
 * its error handler, and the routes built then kept Fastify's.
 */
const storage = mkdtempSync(join(tmpdir(), 'inquiries-body-errors-'));
const ctx = useTestApp(appModule, description, {
  env: { LOG_LEVEL: 'warn', STORAGE_DIR: storage } as Record<string, string>,
});

afterAll(() => rmSync(storage, { recursive: true, force: true }));

const cases = [
  { what: 'a text/plain body', type: 'text/plain', body: 'hello', status: 415 },
  {
    what: 'a body over the limit',
    type: 'application/json',
    body: `{"a":"${'x'.repeat(1_100_000)}"}`,
    status: 413,
  },
  { what: 'a body that is not JSON', type: 'application/json', body: '{"name":', status: 400 },
];

it.each(cases)('answers $what with a $status problem', async ({ type, body, status }) => {
  const res = await fetch(`${ctx.running.url}/inquiries`, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  });
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await res.json()).toMatchObject({ status, type: expect.stringMatching(/^\/problems\//) });
});

/**
 * Writes raw HTTP/1.1 requests one after another on one connection (the last one closing it)
 * and reads everything the server answers until it closes.
 */
function onOneConnection(url: string, requests: Buffer[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(20_000, () =>
      socket.destroy(
        new Error(
          `no answer after 20 s; so far: ${Buffer.concat(chunks).toString().slice(0, 300)}`,
        ),
      ),
    );
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    for (const r of requests) socket.write(r);
  });
}

it('reads away the rest of a refused upload, so the connection carries the next request (the fuzz suite: it waited forever)', async () => {
  const { host } = new URL(ctx.running.url);
  const boundary = 'sp-boundary';
  const part = (head: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; ${head}\r\n\r\n${value}\r\n`;
  // A file part under the wrong name is refused at once; a 4 MB file follows it, unread.
  const body =
    part('name="subject"', 'Exchange') +
    part('name="file"; filename="a.pdf"', '%PDF-1.4\n%%EOF\n') +
    part('name="attachments"; filename="b.txt"', 'x'.repeat(4_000_000)) +
    `--${boundary}--\r\n`;
  const upload = Buffer.from(
    `POST /inquiries HTTP/1.1\r\nHost: ${host}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const next = Buffer.from(
    `GET /inquiries/form HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );

  const answers = await onOneConnection(ctx.running.url, [upload, next]);

  const statuses = [...answers.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  expect(statuses).toEqual([400, 200]);
  expect(answers).toContain('"field":"file"');
});
