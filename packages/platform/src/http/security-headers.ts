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
 * Security headers on every response, errors and unknown routes included, by helmet (its
 * defaults: nosniff, HSTS, no referrer, COOP/CORP same-origin …), with frames denied and the CSP
 * above. Added before the app's routes and plugins so the hook runs for all of them.
 *
 * helmet's middleware is built once, here. `@fastify/helmet`, used before, builds it again on
 * every request (it calls `helmet(options)` in its hook, parsing and checking every option and
 * CSP directive each time) and adds a second, async hook per request for its reply decorators,
 * which we do not use: 25 µs of each `GET /partners` (1.5 % of its CPU, `http-read` profile).
 */
export function useSecurityHeaders(app: NestFastifyApplication): void {
  const setHeaders = helmet({
    // Not merged with helmet's defaults, which allow any https: style and font source.
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives },
    frameguard: { action: 'deny' },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) =>
      // helmet 8 throws rather than passing an error on; should one come, Fastify answers it.
      setHeaders(request.raw, reply.raw, (error?: unknown) =>
        done(
          error === undefined || error instanceof Error
            ? error
            : new Error('security headers failed', { cause: error }),
        ),
      ),
    );
}
