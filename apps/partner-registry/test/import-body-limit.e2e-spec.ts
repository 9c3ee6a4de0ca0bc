import { staffToken, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** IMPORT_BODY_LIMIT on the import route, whether the client declares its length or streams. */
const ctx = useTestApp(appModule, description, {
  env: { IMPORT_BODY_LIMIT: '4096' } as Record<string, string>,
});

const post = async (body: string | ReadableStream<Uint8Array>) =>
  fetch(`${ctx.running.url}/imports/partners?dryRun=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await staffToken('staff')}`, 'content-type': 'text/csv' },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  });

const csv = (rows: number) =>
  `nameEn,country\r\n${Array.from({ length: rows }, (_, i) => `Limit Test University ${i},JP`).join('\r\n')}\r\n`;

it('takes a file within the limit', async () => {
  expect((await post(csv(10))).status).toBe(200);
});

it('refuses a larger file with 413, declared or streamed', async () => {
  const big = csv(400);
  expect(big.length).toBeGreaterThan(4096);
  const declared = await post(big);
  expect(declared.status).toBe(413);
  expect(declared.headers.get('content-type')).toMatch(/^application\/problem\+json/);

  const bytes = new TextEncoder().encode(big);
  const streamed = await post(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
        controller.close();
      },
    }),
  );
  expect(streamed.status).toBe(413);
});
