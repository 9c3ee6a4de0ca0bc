import type { DynamicModule } from '@nestjs/common';
import type { AppDescription, PlatformOptions } from '@sp/platform';
import { staffToken } from '@sp/testing';
import * as inquiries from '../../apps/inquiries/src/app.module';
import * as registry from '../../apps/partner-registry/src/app.module';
import * as symposium from '../../apps/symposium/src/app.module';
import * as worker from '../../apps/worker/src/app.module';
import { useFuzzApp } from './fuzz-kit';

/**
 * The security half of the resilience suite, per service: the security headers on a normal
 * answer, on an error from a route, and on the errors raised before any route runs (an unknown
 * path, a wrong content type, a body over the limit), each error a problem. That no error body
 * of the fuzz run carried a stack trace, a file path or SQL is asserted in each `fuzz-*` file,
 * over the bodies its run collected; the authorization matrices run in the normal suite (each
 * app's `test/access.e2e-spec.ts`).
 */

type Service = {
  name: string;
  appModule: (options: Omit<PlatformOptions, 'service'>) => DynamicModule;
  description: AppDescription;
  /** A route that answers 200 (to an admin). */
  normal: string;
  /** A route that refuses an anonymous caller (401). */
  guarded: string;
  /** A route that takes a body, for 415 and 413 (the worker's API takes none). */
  write?: string;
};

const services: Service[] = [
  {
    name: 'partner-registry',
    ...registry,
    normal: '/partners',
    guarded: '/partners',
    write: '/partners',
  },
  {
    name: 'symposium',
    ...symposium,
    normal: '/symposiums/archive',
    guarded: '/audit?entity=symposium&entityId=x',
    write: '/symposiums',
  },
  {
    name: 'inquiries',
    ...inquiries,
    normal: '/inquiries/form',
    guarded: '/inquiries',
    write: '/inquiries',
  },
  {
    name: 'worker',
    ...worker,
    normal: '/notifications/deliveries',
    guarded: '/notifications/deliveries',
  },
];

/** The headers every answer must carry, whatever it is. */
function expectSecurityHeaders(res: Response, what: string): void {
  const headers = Object.fromEntries(res.headers.entries());
  const csp = Object.fromEntries(
    (headers['content-security-policy'] ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
  expect({
    what,
    nosniff: headers['x-content-type-options'],
    frames: headers['x-frame-options'],
    referrer: headers['referrer-policy'],
    hsts: /^max-age=\d+/.test(headers['strict-transport-security'] ?? ''),
    frameAncestors: csp['frame-ancestors'],
    defaultSrc: csp['default-src'],
    requestId: typeof headers['x-request-id'],
  }).toEqual({
    what,
    nosniff: 'nosniff',
    frames: 'DENY',
    referrer: 'no-referrer',
    hsts: true,
    frameAncestors: "'none'",
    defaultSrc: "'self'",
    requestId: 'string',
  });
}

describe.each(services)('$name', (service) => {
  const { ctx } = useFuzzApp(service.appModule, service.description);

  it('sends the security headers on a normal answer, a route’s error and the errors raised before any route', async () => {
    const url = ctx.running.url;
    const admin = { authorization: `Bearer ${await staffToken('admin')}` };
    const answers: { what: string; status: number; res: Response }[] = [
      {
        what: 'normal answer',
        status: 200,
        res: await fetch(`${url}${service.normal}`, { headers: admin }),
      },
      { what: 'refused by the guard', status: 401, res: await fetch(`${url}${service.guarded}`) },
      { what: 'unknown path', status: 404, res: await fetch(`${url}/no/such/route`) },
    ];
    if (service.write) {
      const write = `${url}${service.write}`;
      answers.push(
        {
          what: 'wrong content type',
          status: 415,
          res: await fetch(write, {
            method: 'POST',
            headers: { ...admin, 'content-type': 'application/xml' },
            body: '<a/>',
          }),
        },
        {
          what: 'body over the limit',
          status: 413,
          res: await fetch(write, {
            method: 'POST',
            headers: { ...admin, 'content-type': 'application/json' },
            body: `{"a":"${'x'.repeat(1_100_000)}"}`,
          }),
        },
      );
    }
    for (const { what, status, res } of answers) {
      const body = await res.text();
      expect({ what, status: res.status }).toEqual({ what, status });
      expectSecurityHeaders(res, what);
      if (status >= 400) {
        expect({ what, type: res.headers.get('content-type') }).toEqual({
          what,
          type: expect.stringMatching(/^application\/problem\+json/),
        });
        expect(JSON.parse(body)).toMatchObject({
          status,
          type: expect.any(String),
          title: expect.any(String),
        });
      }
    }
  });
});
