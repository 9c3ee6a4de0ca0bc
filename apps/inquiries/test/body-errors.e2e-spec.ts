import { mkdtempSync, rmSync } from 'node:fs';
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
