import { staffToken, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/**
 * Bodies Fastify refuses before any route runs (a wrong content type, too large, not JSON, a
 * malformed multipart upload) are problems like every other error. Found by the fuzz suite:
 * they came back as Fastify's own `application/json` errors, because the multipart plugin was
 * registered before Nest set its error handler, and the routes built then kept Fastify's.
 */
const ctx = useTestApp(appModule, description, { env: { LOG_LEVEL: 'warn' } });

const cases = [
  { what: 'a text/plain body', type: 'text/plain', body: 'hello', status: 415 },
  {
    what: 'a body over the limit',
    type: 'application/json',
    body: `{"a":"${'x'.repeat(1_100_000)}"}`,
    status: 413,
  },
  { what: 'a body that is not JSON', type: 'application/json', body: '{"title":', status: 400 },
];

it.each(cases)('answers $what with a $status problem', async ({ type, body, status }) => {
  const res = await fetch(`${ctx.running.url}/symposiums`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await staffToken('admin')}`, 'content-type': type },
    body,
  });
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await res.json()).toMatchObject({ status, type: expect.stringMatching(/^\/problems\//) });
});

it('answers a multipart upload that ends early with a 400 problem, not a 500', async () => {
  const path =
    '/symposiums/00000000-0000-4000-8000-000000000001/documents/00000000-0000-4000-8000-000000000002/file';
  const res = await fetch(`${ctx.running.url}${path}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await staffToken('admin')}`,
      'content-type': 'multipart/form-data; boundary=x',
      'if-match': '*',
    },
    body: '--x\r\n\r\n',
  });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.status).toBeLessThan(500);
});

it('refuses a public sign-up of 100,000 answers at once, in a short answer (helper-48: 500 MB and 11 MB of errors)', async () => {
  const answers = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [String(i), 1]));
  const res = await fetch(
    `${ctx.running.url}/symposiums/00000000-0000-4000-8000-000000000001/sign-ups`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'X', email: 'a@b.co', answers }),
    },
  );
  expect(res.status).toBe(400);
  const text = await res.text();
  expect(text.length).toBeLessThan(4_096);
  expect(JSON.parse(text)).toMatchObject({
    errors: [{ in: 'body', field: 'answers', code: 'too_many_keys' }],
  });
});
