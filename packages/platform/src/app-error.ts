import type { ProblemCode, ProblemFieldError } from '@sp/types';

/**
 * The one error type services throw. It has no HTTP in it (workers call services too); the
 * problem filter maps `code` to a status and a problem+json body.
 */
export class AppError extends Error {
  readonly errors?: ProblemFieldError[];
  /** Response headers the answer must carry (e.g. `WWW-Authenticate` on a 401). */
  readonly headers?: Record<string, string>;
  /** Extension members of the problem body (e.g. OAuth's `error`). */
  readonly extra?: Record<string, string>;

  constructor(
    readonly code: ProblemCode,
    message: string,
    options: {
      errors?: ProblemFieldError[];
      headers?: Record<string, string>;
      extra?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.errors = options.errors;
    this.headers = options.headers;
    this.extra = options.extra;
  }

  static notFound(entity: string, id: string): AppError {
    return new AppError('not-found', `${entity} ${id} does not exist`);
  }
}

export const statusOf: Record<ProblemCode, number> = {
  'validation-error': 400,
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'route-not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'precondition-failed': 412,
  'precondition-required': 428,
  'invalid-status-transition': 409,
  'invalid-import': 422,
  'request-timeout': 408,
  'payload-too-large': 413,
  'uri-too-long': 414,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
  'header-fields-too-large': 431,
  'internal-error': 500,
  'service-unavailable': 503,
};

export const titleOf: Record<ProblemCode, string> = {
  'validation-error': 'Your request is not valid',
  'bad-request': 'Bad request',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  'route-not-found': 'No such route',
  'method-not-allowed': 'Method not allowed',
  conflict: 'Conflict with the current state',
  'precondition-failed': 'Changed since you read it',
  'precondition-required': 'If-Match required',
  'invalid-status-transition': 'Status change not allowed',
  'invalid-import': 'The file has rows that are not valid',
  'request-timeout': 'The request took too long to arrive',
  'payload-too-large': 'Request body too large',
  'uri-too-long': 'URL too long',
  'unsupported-media-type': 'Unsupported media type',
  'too-many-requests': 'Too many requests',
  'header-fields-too-large': 'Request headers too large',
  'internal-error': 'Internal error',
  'service-unavailable': 'Service unavailable',
};
