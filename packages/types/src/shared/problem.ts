import { z } from 'zod';

/** Stable problem codes; each becomes the `type` URI `/problems/<code>` (RFC 9457 §3.1.1). */
export const problemCodes = [
  'validation-error',
  'not-found',
  'route-not-found',
  'conflict',
  'precondition-failed',
  'precondition-required',
  'invalid-status-transition',
  'invalid-import',
  'payload-too-large',
  'unsupported-media-type',
  'request-timeout',
  'uri-too-long',
  'header-fields-too-large',
  'method-not-allowed',
  'bad-request',
  'unauthorized',
  'forbidden',
  'too-many-requests',
  'service-unavailable',
  'internal-error',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

export const problemType = (code: ProblemCode): string => `/problems/${code}`;

export const problemFieldErrorSchema = z.object({
  /** Where the bad value was: `body`, `query` or `params`. */
  in: z.enum(['body', 'query', 'params']),
  /** JSON-pointer-like dotted path inside that part, e.g. `country` or `members.0`. */
  field: z.string(),
  message: z.string(),
  code: z.string(),
});
export type ProblemFieldError = z.infer<typeof problemFieldErrorSchema>;

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(problemFieldErrorSchema).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
