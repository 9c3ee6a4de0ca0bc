import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';

/**
 * The Content-Security-Policy of every response. The only pages we serve are Swagger UI
 * (`/docs`) and the worker's queue dashboard (`/queues`); both load their scripts, styles and
 * data from this origin alone. Styles may be inline (both UIs set `style` attributes and
 * Swagger UI inlines `<style>`), scripts may not. No third-party origin is allowed anywhere,
 * fonts included, and no page may be framed.
 */
export const cspDirectives: Record<string, string[]> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  // Swagger UI draws its icons from data: URIs.
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
};

/**
 * helmet's options: its defaults (nosniff, HSTS, no referrer, COOP/CORP same-origin …), with
 * frames denied and the CSP above.
 */
export const helmetOptions: Parameters<typeof helmet>[0] = {
  // Not merged with helmet's defaults, which allow every https: style and font source.
  contentSecurityPolicy: { useDefaults: false, directives: cspDirectives },
  frameguard: { action: 'deny' },
};

/**
 * The headers helmet sets on a response with `helmetOptions`, read once by running its
 * middleware against a response that only records them. Every value here is static (no
 * per-request nonce), so every response gets the same set.
 */
export function securityHeaders(): Record<string, string> {
  const setHeaders = helmet(helmetOptions);
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: number | string | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  let failure: unknown;
  setHeaders(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => (failure = error),
  );
  if (failure !== undefined) throw new Error('helmet refused its options', { cause: failure });
  if (headers.size === 0) throw new Error('helmet set no header');
  return Object.fromEntries(headers);
}

/**
 * Security headers on every response, errors and unknown routes included. Added before the app's
 * routes and plugins so the hook runs for all of them; a route may still set one of its own (a
 * stored document's stricter CSP), which replaces it.
 *
 * They go on Fastify's reply, as the route's own headers do, not on the raw response: with every
 * header in one object Node writes the head in one pass, where one raw `setHeader` sent it down
 * the path that merges the reply's headers in one by one. And helmet's middleware runs once, at
 * start-up (`securityHeaders`), rather than a chain of 13 functions per request. Together about
 * 5 µs of a `GET /partners` (the header work went from about 14 to 9 µs; `bench/http-read.mjs`,
 * CPU profiles). `@fastify/helmet`, used before, was dearer still: it built helmet's middleware
 * again on every request and added an async hook.
 */
export function useSecurityHeaders(app: NestFastifyApplication): void {
  const headers = securityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
}
