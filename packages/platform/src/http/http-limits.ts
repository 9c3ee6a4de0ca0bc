import { randomUUID } from 'node:crypto';
import { type ServerOptions, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, type ProblemCode } from '@sp/types';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { statusOf } from '../app-error';
import type { BaseConfig } from '../config/config';
import { problemOf } from './problem';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * How long a client may take, and how long a connection may live: without these a client
 * that sends half a request holds its socket forever (Fastify's request and connection
 * timeouts are 0 by default). A request that overruns is answered 408 and closed.
 */
export function httpLimits(
  config: BaseConfig,
): Pick<
  FastifyServerOptions,
  'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout' | 'maxRequestsPerSocket'
> & { http: ServerOptions } {
  const shortest = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS);
  return {
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.HTTP_IDLE_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxRequestsPerSocket: config.HTTP_MAX_REQUESTS_PER_SOCKET,
    http: {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      // Node checks the two timeouts above only this often (30 s by default, which would
      // let a slow client outstay a 10 s timeout threefold).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(shortest / 4))),
    },
  };
}

/** The errors Node's HTTP parser raises before Fastify sees a request, as problems. */
function clientErrorCode(error: NodeJS.ErrnoException): ProblemCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request-timeout';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'header-fields-too-large';
  if (error.code === 'HPE_URI_OVERFLOW') return 'uri-too-long';
  return 'bad-request';
}

const clientErrorDetail: Partial<Record<ProblemCode, string>> = {
  'request-timeout': 'the request did not arrive in time; the connection is closed',
  'header-fields-too-large': 'the request headers are larger than this server accepts',
  'uri-too-long': 'the URL is longer than this server accepts',
  'bad-request': 'the request is not valid HTTP',
};

/**
 * Fastify's `clientErrorHandler`: answers what Node's parser rejects (a timeout, headers too
 * large, malformed HTTP) as problem+json on the raw socket, then closes it.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = clientErrorCode(error);
  const status = statusOf[code];
  // No request was parsed, so none has an id yet: this answer gets its own, like any other.
  const requestId = randomUUID();
  const body = JSON.stringify(problemOf(code, clientErrorDetail[code], { requestId }));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        'connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

const frameworkErrorCodes: Record<string, { code: ProblemCode; detail: string }> = {
  FST_ERR_BAD_URL: { code: 'bad-request', detail: 'the URL is not validly percent-encoded' },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'uri-too-long',
    detail: 'a path segment of the URL is longer than this server accepts',
  },
};

/**
 * Fastify's `frameworkErrors`: errors its router raises before any route (and before Nest)
 * runs. Answered as problems; the URL is not echoed (it may be megabytes, or hostile).
 */
export function frameworkErrors(
  error: Error & { code?: string; statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = error.code ? frameworkErrorCodes[error.code] : undefined;
  const code = known?.code ?? 'bad-request';
  const body = problemOf(code, known?.detail ?? 'the request cannot be routed', {
    requestId: request.id,
  });
  void reply
    .status(statusOf[code])
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header(REQUEST_ID_HEADER, request.id)
    .send(body);
}
