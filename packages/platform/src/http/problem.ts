import { HttpException } from '@nestjs/common';
import { type Problem, type ProblemCode, problemType } from '@sp/types';
import { AppError, statusOf, titleOf } from '../app-error';

export type ProblemResponse = {
  status: number;
  body: Problem;
  unexpected: boolean;
  headers?: Record<string, string>;
};

type ErrorWithCodes = Error & { statusCode?: number; code?: string };

const byStatus: Record<number, ProblemCode> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'route-not-found',
  405: 'method-not-allowed',
  408: 'request-timeout',
  409: 'conflict',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  431: 'header-fields-too-large',
  503: 'service-unavailable',
};

/**
 * PostgreSQL errors that mean the input (not the server) is wrong. Repositories map the ones
 * they expect to domain errors; this is the safety net so bad input never reads as a 500.
 */
const pgInputErrors: Record<string, { code: ProblemCode; detail: string }> = {
  '23505': { code: 'conflict', detail: 'a record with the same unique value already exists' },
  '23503': {
    code: 'conflict',
    detail: 'the record refers to, or is referred to by, another record',
  },
  '23514': { code: 'validation-error', detail: 'a value breaks a rule of the data' },
  '22P02': { code: 'validation-error', detail: 'a value has the wrong form' },
  '22007': { code: 'validation-error', detail: 'a date or time has the wrong form' },
  '22008': { code: 'validation-error', detail: 'a date or time is out of range' },
  '22001': { code: 'validation-error', detail: 'a value is too long' },
  '22003': { code: 'validation-error', detail: 'a number is out of range' },
  // Validation refuses NUL in every text input (naming the field); these are the safety net.
  '22021': { code: 'validation-error', detail: 'a text holds a character that cannot be stored' },
  '22P05': { code: 'validation-error', detail: 'a text holds a character that cannot be stored' },
};

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '53300',
  '57P01',
  '57P03',
]);

/**
 * Postgres undid the transaction to end a conflict with a concurrent one (a deadlock, or a
 * serialization failure): nothing was written, and sending the request again will do. A 503
 * with Retry-After, not a 500: the request was fine, and so is the server.
 */
const retryableCodes = new Set(['40001', '40P01']);

/** The database (or another dependency) is down or refusing connections: a 503, not a 500. */
function isUnavailable(e: ErrorWithCodes | undefined): boolean {
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (unavailableCodes.has(e.code) || e.code.startsWith('08')))
    return true;
  // pg reports these with no code: a pool checkout timeout, a connection lost mid-query, a
  // statement on a connection already lost (a transaction's ROLLBACK after a failover), and
  // its client-side query timeout.
  if (
    e instanceof Error &&
    /timeout exceeded when trying to connect|Connection terminated|is not queryable|Query read timeout/.test(
      e.message,
    )
  )
    return true;
  // AggregateError from a connect to several addresses (e.g. localhost on IPv4 and IPv6).
  return (
    e instanceof AggregateError && e.errors.some((inner) => isUnavailable(inner as ErrorWithCodes))
  );
}

/** A problem body for `code`; `extra` adds the instance, request id, field errors. */
export function problemOf(
  code: ProblemCode,
  detail: string | undefined,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: problemType(code),
    title: titleOf[code],
    status: statusOf[code],
    detail,
    ...extra,
  };
}

/** Maps anything thrown while serving a request to an RFC 9457 problem. */
export function toProblem(error: unknown, instance: string, requestId?: string): ProblemResponse {
  const ids = { instance, requestId };
  if (error instanceof AppError) {
    return {
      status: statusOf[error.code],
      body: problemOf(error.code, error.message, { ...error.extra, ...ids, errors: error.errors }),
      unexpected: false,
      headers: error.headers,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = byStatus[status];
    if (code) return { status, body: problemOf(code, error.message, ids), unexpected: false };
    if (status < 500) {
      return {
        status,
        body: { type: 'about:blank', title: error.message, status, ...ids },
        unexpected: false,
      };
    }
  }
  const e = error as ErrorWithCodes;
  // Errors raised by Fastify itself (body parsing, content type, size): they carry a 4xx statusCode.
  if (
    e instanceof Error &&
    typeof e.statusCode === 'number' &&
    e.statusCode >= 400 &&
    e.statusCode < 500
  ) {
    const code = byStatus[e.statusCode] ?? 'bad-request';
    const detail =
      e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError
        ? `the body is not valid JSON: ${e.message}`
        : e.message;
    return { status: e.statusCode, body: problemOf(code, detail, ids), unexpected: false };
  }
  if (isUnavailable(e)) {
    return {
      status: 503,
      body: problemOf(
        'service-unavailable',
        'a service this request needs is unreachable; try again shortly',
        ids,
      ),
      unexpected: true,
    };
  }
  if (typeof e?.code === 'string' && retryableCodes.has(e.code)) {
    return {
      status: 503,
      body: problemOf(
        'service-unavailable',
        'the request met a concurrent change and was undone, writing nothing; send it again',
        ids,
      ),
      // Logged: a deadlock is a lock order to fix.
      unexpected: true,
      headers: { 'retry-after': '1' },
    };
  }
  const pg = typeof e?.code === 'string' ? pgInputErrors[e.code] : undefined;
  if (pg)
    return {
      status: statusOf[pg.code],
      body: problemOf(pg.code, pg.detail, ids),
      unexpected: false,
    };
  return {
    status: 500,
    body: problemOf(
      'internal-error',
      'an unexpected error occurred; quote the request id when reporting it',
      ids,
    ),
    unexpected: true,
  };
}
