import fastifyHelmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

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
 * Security headers on every response, errors and unknown routes included, through
 * `@fastify/helmet` (helmet's defaults: nosniff, HSTS, no referrer, COOP/CORP same-origin …),
 * with frames denied and the CSP above. Registered before the app's routes and plugins so its
 * hooks run for all of them.
 */
export async function useSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyHelmet, {
    // Not merged with helmet's defaults, which allow any https: style and font source.
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives },
    frameguard: { action: 'deny' },
  });
}
