import { toProblem } from './problem';

/** An error as pg raises it: a message and Postgres' SQLSTATE in `code`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('toProblem', () => {
  it('answers a deadlock or a serialization failure with 503 and Retry-After, not a 500', () => {
    for (const code of ['40P01', '40001']) {
      const problem = toProblem(pgError(code, 'deadlock detected'), '/x', 'req-1');
      expect(problem).toMatchObject({
        status: 503,
        headers: { 'retry-after': '1' },
        body: { type: '/problems/service-unavailable', status: 503, requestId: 'req-1' },
        unexpected: true,
      });
      expect(problem.body.detail).toMatch(/send it again/);
      expect(JSON.stringify(problem.body)).not.toMatch(/deadlock/);
    }
  });

  it('still answers an error it does not know with a 500 that names no internals', () => {
    const problem = toProblem(pgError('XX000', 'internal error in relation foo'), '/x');
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem.body)).not.toMatch(/relation foo/);
  });
});
