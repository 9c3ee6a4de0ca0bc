import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requestContext } from '../auth/request-context';
import { hasSecretParam, SECRET_PARAM } from '../http/capability-routes';

/** Not logged: health probes and metric scrapes would drown everything else. */
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

const pathOf = (url: string): string => {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

/**
 * pino's `mixin`: every line logged while a request is being handled carries its id, whichever
 * logger writes it (a service's PinoLogger, a guard, the problem filter). Called only for a line
 * that is written, so a request that logs nothing pays nothing; pino merges the line's own
 * fields over it (and writes into the object, so each call makes a new one).
 */
export function requestIdMixin(): { requestId?: string } {
  const requestId = requestContext.requestId();
  return requestId === undefined ? {} : { requestId };
}

/**
 * The URL as sent, except on a route with a secret parameter: then the route's own path with
 * its other parameters filled in and the secret left as `:token` (built from the route, not by
 * finding the value in the URL, which a client may have percent-encoded), and the query.
 */
export function loggedUrl(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined || !hasSecretParam(route)) return request.url;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const path = route.replace(/:([A-Za-z0-9_]+)/g, (whole, name: string) => {
    const value = params[name];
    return whole === SECRET_PARAM
      ? whole
      : encodeURIComponent(typeof value === 'string' ? value : '');
  });
  const query = request.url.indexOf('?');
  return query === -1 ? path : path + request.url.slice(query);
}

const reqOf = (request: FastifyRequest) => ({
  id: request.id,
  method: request.method,
  url: loggedUrl(request),
});

/**
 * One line per request, written when its response has been sent: `request completed` (or
 * `request errored` for a 5xx), with the request's id, method and URL as sent (a capability
 * link's token left out, `loggedUrl`), the status and
 * the time taken; `request aborted` when the client hangs up first.
 *
 * Fastify hooks instead of pino-http's middleware, which made two child loggers per request
 * and serialised the request into one of them up front, whether or not a line would be written,
 * behind nestjs-pino's middleware run through middie (about 70 µs of a `GET /partners` at
 * `info`, CPU profile of `bench/http-read.mjs`). Here nothing is built unless the line is: lines
 * inside the request get its id from `requestIdMixin`. `logger` is the app's request logger
 * (`REQUEST_LOGGER`), whose writes may be batched (`logOutput`).
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  const logged = (request: FastifyRequest): boolean =>
    logger.isLevelEnabled('info') && !QUIET_PATHS.has(pathOf(request.url));
  fastify.addHook('onResponse', (request, reply, done) => {
    if (logged(request)) {
      logger.info(
        {
          requestId: request.id,
          req: reqOf(request),
          res: { statusCode: reply.statusCode },
          // Milliseconds, as the line has always carried them.
          responseTime: Math.round(reply.elapsedTime),
        },
        reply.statusCode >= 500 ? 'request errored' : 'request completed',
      );
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (logged(request)) {
      logger.info({ requestId: request.id, req: reqOf(request) }, 'request aborted');
    }
    done();
  });
}
