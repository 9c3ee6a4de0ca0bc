import type { FastifyInstance, onSendHookHandler } from 'fastify';

/**
 * A route parameter that is a secret: a capability link's token (`/inquiries/status/:token`,
 * `/registrations/self/:token`) lets whoever reads it see and act on a thread or a
 * registration, so it never reaches a log line (`loggedUrl`) and its answers are never stored
 * by a cache (`noStoreOnCapabilityRoutes`).
 */
export const SECRET_PARAM = ':token';

/** Whether a route's path has the secret parameter as a segment of its own (not `:tokenId`). */
export const hasSecretParam = (route: string): boolean =>
  route.endsWith(SECRET_PARAM) || route.includes(`${SECRET_PARAM}/`);

/**
 * Answers of routes with a secret parameter get `Cache-Control: private, no-store` (unless the
 * route set its own): a shared or browser cache would otherwise keep a thread or a
 * registration under its secret URL. Added per route as routes are registered, so other
 * routes pay nothing.
 */
export function noStoreOnCapabilityRoutes(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (!hasSecretParam(route.url)) return;
    const noStore: onSendHookHandler = (_request, reply, payload, done) => {
      if (!reply.hasHeader('cache-control'))
        void reply.header('cache-control', 'private, no-store');
      done(null, payload);
    };
    const existing = route.onSend;
    route.onSend = existing === undefined ? [noStore] : [...[existing].flat(), noStore];
  });
}
