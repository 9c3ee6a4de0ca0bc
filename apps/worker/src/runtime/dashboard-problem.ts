import { AppError, toProblem } from '@sp/platform';
import type { Problem, ProblemCode } from '@sp/types';

const codeByStatus: Record<number, ProblemCode> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  503: 'service-unavailable',
};

/** bull-board's error body: a translation key (with its options), maybe a message and a code. */
type BoardError = {
  error?: string | { key?: unknown; options?: unknown };
  message?: unknown;
  code?: unknown;
};

export type DashboardProblem = { status: number; body: Problem & Record<string, unknown> };

/**
 * Turns an error answer of bull-board (`{"error":{"key":"ERRORS.QUEUE_NOT_FOUND"}}`, a 400 of
 * its validation, or any other non-problem body) into the
 * RFC 9457 problem every other answer is, with a stable `type`. A 4xx says what was wrong in
 * `detail`; a 5xx says nothing of the exception. bull-board's `error` (and `code`) stay as
 * extension members: its UI reads them to word its error toasts.
 */
export function dashboardProblem(
  status: number,
  payload: string,
  instance: string,
  requestId: string,
): DashboardProblem {
  const parsed = parse(payload);
  // Already a problem (the error handler's): it only lacks where and which request.
  if (isProblem(parsed)) return { status: parsed.status, body: { ...parsed, instance, requestId } };
  const key = keyOf(parsed?.error);
  let code: ProblemCode;
  if (status >= 500) code = status === 503 ? 'service-unavailable' : 'internal-error';
  else if (status === 404 && !key) code = 'route-not-found';
  else if (status === 400 && (key?.startsWith('ERRORS.INVALID_') || parsed?.code)) {
    code = 'validation-error';
  } else code = codeByStatus[status] ?? 'bad-request';

  const error =
    code === 'internal-error'
      ? new Error('bull-board failed') // toProblem words it; the caller logs the body
      : new AppError(code, describe(key, parsed));
  const { status: problemStatus, body } = toProblem(error, instance, requestId);
  const extensions: Record<string, unknown> = {};
  if (parsed?.error !== undefined) extensions.error = parsed.error;
  if (typeof parsed?.code === 'string') extensions.code = parsed.code;
  return { status: problemStatus, body: { ...body, ...extensions } };
}

function parse(payload: string): BoardError | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function isProblem(value: unknown): value is Problem {
  if (!value || typeof value !== 'object') return false;
  const { type, title, status } = value as Partial<Problem>;
  return (
    typeof type === 'string' &&
    type.startsWith('/problems/') &&
    typeof title === 'string' &&
    typeof status === 'number'
  );
}

function keyOf(error: BoardError['error']): string | undefined {
  if (typeof error === 'string') return error;
  return typeof error?.key === 'string' ? error.key : undefined;
}

/** `ERRORS.JOB_NOT_RETRIABLE` with `{state: "active"}` → `job not retriable (state: active)`. */
function describe(key: string | undefined, parsed: BoardError | undefined): string {
  const words = key
    ? key
        .replace(/^ERRORS\./, '')
        .replaceAll('_', ' ')
        .toLowerCase()
    : 'the queue dashboard refused the request';
  const options =
    parsed?.error && typeof parsed.error === 'object' && parsed.error.options
      ? Object.entries(parsed.error.options as Record<string, unknown>)
          .map(([name, value]) => `${name}: ${String(value)}`)
          .join(', ')
      : '';
  const message = typeof parsed?.message === 'string' ? `: ${parsed.message}` : '';
  return `${words}${options ? ` (${options})` : ''}${message}`;
}
