import { createTestDatabase, startApp, type TestDatabase, testConfig } from '@sp/testing';
import { appModule, description } from '../src/app.module';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

it('stands on the platform: ready, documented, and answering problem+json', async () => {
  const app = await startApp(appModule, testConfig({ DATABASE_URL: database.url }), description);
  try {
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      openapi: string;
      info: { title: string };
    };
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: 'Inquiries' } });
    const missing = await fetch(`${app.url}/no-such-route`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  } finally {
    await app.close();
  }
});
