import { useTestApp, waitFor } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** The public form under a flood from one address: the rate limit refuses it, storing nothing. */
const ctx = useTestApp(appModule, description, {
  env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '3', REDIS_KEY_PREFIX: `sp-test:inq-rl:${Date.now()}:` },
});

const inquiries = async () =>
  Number(
    (
      await ctx.database.db
        .selectFrom('inquiries.inquiry')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

it('refuses submissions over the per-address limit with 429 and stores none of them', async () => {
  // Until its Redis connection is up an instance lets requests through uncounted.
  await waitFor(async () => {
    const res = await fetch(`${ctx.running.url}/health/ready`);
    const body = (await res.json()) as { checks?: Record<string, { status: string }> };
    return body.checks?.['redis']?.status === 'up';
  }, 'the app to reach Redis');
  const send = (i: number) =>
    fetch(`${ctx.running.url}/inquiries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Spammer',
        email: `spam${i}@example.org`,
        language: 'en',
        category: 'other',
        subject: 'Buy now',
        message: 'Cheap offers',
      }),
    });
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await send(i)).status);
  expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
  expect(await inquiries()).toBe(3);
  const over = await send(99);
  expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
});
