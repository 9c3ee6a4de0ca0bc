import { type Problem, type ProblemCode, problemType } from '@sp/types';

/** What the generated client answers (`{ response, error }`), or a response and its parsed body. */
export type ProblemResult = { response: Response; error?: unknown };

/**
 * Asserts an RFC 9457 problem answer: the status, `application/problem+json`, the stable
 * `type`, the request id of the `x-request-id` header, no stack trace, and, when `fields` is
 * given, exactly those fields in `errors` (in any order; `in:field`, e.g. `query:limit`, when
 * the entries name where, or `field` alone). Returns the problem for further assertions.
 */
export function expectProblem(
  result: ProblemResult,
  status: number,
  type: ProblemCode,
  fields?: string[],
): Problem {
  const { response, error } = result;
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(error).toMatchObject({ type: problemType(type), status });
  const problem = error as Problem;
  expect(problem.requestId).toBe(response.headers.get('x-request-id'));
  expect(JSON.stringify(problem)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
  if (fields) {
    const withPlace = fields.every((f) => f.includes(':'));
    const named = (problem.errors ?? []).map((e) => (withPlace ? `${e.in}:${e.field}` : e.field));
    expect(named.sort()).toEqual([...fields].sort());
  }
  return problem;
}
