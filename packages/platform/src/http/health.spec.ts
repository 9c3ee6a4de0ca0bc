import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthController } from './health';

/** A reply that only remembers its status (the controller sets nothing else on it). */
const reply = () => {
  const r = { statusCode: 200, status: (code: number) => ((r.statusCode = code), r) };
  return r;
};

// The controller logs why a dependency is down; not in this test's output.
beforeAll(() => Logger.overrideLogger(false));

describe('GET /health/ready', () => {
  it('names a failing dependency without its own error: the route is public (helper-50)', async () => {
    const controller = new HealthController(
      [
        {
          name: 'database',
          required: true,
          check: () =>
            Promise.reject(
              new Error('password authentication failed for user "sp_app" at 10.1.2.3'),
            ),
        },
        { name: 'redis', required: false, check: () => Promise.resolve() },
      ],
      'test',
    );
    const r = reply();
    const health = await controller.ready(r as unknown as FastifyReply);
    expect(r.statusCode).toBe(503);
    expect(health.checks['database']).toEqual({
      status: 'down',
      required: true,
      error: 'failing; the service log says why',
    });
    expect(JSON.stringify(health)).not.toMatch(/sp_app|10\.1\.2\.3/);
    expect(health.checks['redis']?.status).toBe('up');
  });
});
