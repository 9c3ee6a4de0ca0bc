import { securityHeaders } from '@sp/platform';
import { rawBody, registryClient, staffToken, unchecked, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** The platform's security headers, seen through the registry service (every app shares them). */

const ctx = useTestApp(appModule, description);

/** The CSP's directives by name, e.g. `{ 'script-src': ["'self'"] }`. */
const directives = (csp: string | null): Record<string, string[]> =>
  Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values]),
  );

describe('security headers', () => {
  it('are on API answers, errors, unknown routes and the docs alike', async () => {
    const admin = registryClient(ctx, await staffToken('admin'));
    const responseOf = async (call: Promise<{ response: Response }>) => (await call).response;
    // Its body read, as the client's answers are: an unread body of some size keeps its socket
    // paused and open after the server has gone, for the rest of the Jest worker's files.
    const fetched = async (path: string) => {
      const res = await fetch(`${ctx.running.url}${path}`);
      await res.arrayBuffer();
      return res;
    };
    const answers = await Promise.all([
      responseOf(admin.GET('/partners')),
      responseOf(registryClient(ctx).GET('/partners')), // 401 from the guard
      fetched('/no-such-route'), // 404 from Fastify
      // 400 from the body parser
      responseOf(
        admin.POST('/partners', { body: unchecked('{"nameEn":'), bodySerializer: rawBody }),
      ),
      fetched('/docs'),
      fetched('/docs/swagger-ui-init.js'),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 400, 200, 200]);
    // Every one of helmet's headers, with its value, on every kind of answer.
    const all = securityHeaders();
    for (const res of answers) expect(Object.fromEntries(res.headers)).toMatchObject(all);
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      expect(csp['default-src']).toEqual(["'self'"]);
    }
  });

  it('let pages run only this origin’s scripts and load nothing from elsewhere, fonts included', async () => {
    const res = await fetch(`${ctx.running.url}/docs`);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp).toMatchObject({
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'object-src': ["'none'"],
      'font-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'connect-src': ["'self'"],
    });
    // No source outside this origin (an https: wildcard or a host) in any directive.
    const sources = Object.values(csp).flat();
    expect(sources.filter((s) => !/^'[\w-]+'$/.test(s) && s !== 'data:')).toEqual([]);
    // The docs page itself needs nothing else: every script it loads is ours.
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src=["']\.?\/?(docs\/)?[\w.-]+\.js["']/);
      expect(body!.trim()).toBe('');
    }
  });
});
