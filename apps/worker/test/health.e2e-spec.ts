import { createTestDatabase, startApp, type TestDatabase, testConfig } from '@sp/testing';
import { appModule, description } from '../src/app.module';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('worker readiness', () => {
  it('is ready while Postgres and Redis answer', async () => {
    const worker = await startApp(
      appModule,
      testConfig({ DATABASE_URL: database.url }),
      description,
    );
    try {
      const res = await fetch(`${worker.url}/health/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        service: 'worker',
        checks: { redis: { status: 'up', required: true } },
      });
    } finally {
      await worker.close();
    }
  });

  it('is not ready without Redis, since it can take no job then', async () => {
    const worker = await startApp(
      appModule,
      // Queues off: this is about readiness; a BullMQ worker that never connected cannot be
      // closed cleanly (see closeWorker), which would hold the test process open.
      testConfig({
        DATABASE_URL: database.url,
        REDIS_URL: 'redis://127.0.0.1:1',
        QUEUES_ENABLED: 'false',
      }),
      description,
    );
    try {
      expect((await fetch(`${worker.url}/health/live`)).status).toBe(200);
      const res = await fetch(`${worker.url}/health/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { checks: { redis: { error?: string } } };
      expect(body).toMatchObject({
        status: 'error',
        checks: { redis: { status: 'down', required: true } },
      });
      // A public answer: the dependency's own error (its address here) is in the log only.
      expect(body.checks.redis.error).toBeDefined();
      expect(body.checks.redis.error).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:1\b/);
    } finally {
      await worker.close();
    }
  });
});
