import { staffToken, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** The worker's admin routes validate their input like the services' (one rule for NUL). */

const ctx = useTestApp(appModule, description);

it('refuses NUL in the deliveries filters with a 400 naming the field, not a database 500', async () => {
  const admin = { authorization: `Bearer ${await staffToken('admin')}` };
  for (const field of ['idempotencyKey', 'to']) {
    const res = await fetch(`${ctx.running.url}/notifications/deliveries?${field}=a%00b`, {
      headers: admin,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: '/problems/validation-error',
      errors: [{ in: 'query', field }],
    });
  }
});
