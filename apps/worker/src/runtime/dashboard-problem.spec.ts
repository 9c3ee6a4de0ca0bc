import { dashboardProblem } from './dashboard-problem';

describe('dashboardProblem', () => {
  const as = (status: number, body: unknown) =>
    dashboardProblem(status, JSON.stringify(body), '/queues/api/x', 'req-1');

  it('words bull-board’s error keys, keeping them for its UI', () => {
    expect(as(404, { error: { key: 'ERRORS.QUEUE_NOT_FOUND' } })).toEqual({
      status: 404,
      body: {
        type: '/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: 'queue not found',
        instance: '/queues/api/x',
        requestId: 'req-1',
        error: { key: 'ERRORS.QUEUE_NOT_FOUND' },
      },
    });
    expect(
      as(400, { error: { key: 'ERRORS.JOB_NOT_RETRIABLE', options: { state: 'active' } } }).body,
    ).toMatchObject({ type: '/problems/bad-request', detail: 'job not retriable (state: active)' });
    expect(
      as(400, { error: { key: 'ERRORS.INVALID_CONCURRENCY' }, code: 'INVALID_REQUEST' }).body,
    ).toMatchObject({ type: '/problems/validation-error', code: 'INVALID_REQUEST' });
  });

  it('says nothing of an exception in a 5xx', () => {
    const { status, body } = as(500, {
      error: { key: 'ERRORS.INTERNAL_SERVER_ERROR' },
      message: 'connect ECONNREFUSED 10.0.0.7:6379',
      details: 'Error: at secret/path.js:1',
    });
    expect(status).toBe(500);
    expect(body.type).toBe('/problems/internal-error');
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|secret/);
  });

  it('turns a body that is not JSON, or none, into a problem too', () => {
    expect(dashboardProblem(404, '', '/queues/nope', 'r').body.type).toBe(
      '/problems/route-not-found',
    );
    expect(dashboardProblem(413, '<html>too big</html>', '/queues/x', 'r').status).toBe(413);
  });

  it('keeps a problem as it is, adding where and which request', () => {
    const problem = {
      type: '/problems/bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'x',
    };
    expect(as(400, problem).body).toEqual({
      ...problem,
      instance: '/queues/api/x',
      requestId: 'req-1',
    });
  });
});
