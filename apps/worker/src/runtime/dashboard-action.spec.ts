import { dashboardAction } from './dashboard-action';

describe('dashboardAction', () => {
  it('names job, scheduler, queue and all-queue writes by their route', () => {
    expect(
      dashboardAction('put', '/api/queues/:queueName/:jobId/retry', {
        queueName: 'notifications',
        jobId: '42',
      }),
    ).toEqual({
      entity: 'job',
      entityId: 'notifications/42',
      action: 'retry',
      queueName: 'notifications',
      jobId: '42',
    });
    expect(
      dashboardAction('patch', '/api/queues/:queueName/:jobId/update-data', {
        queueName: 'reports',
        jobId: 'a:b',
      }),
    ).toMatchObject({ entity: 'job', entityId: 'reports/a:b', action: 'update-data' });
    expect(
      dashboardAction('put', '/api/queues/:queueName/clean/:queueStatus', {
        queueName: 'notifications',
        queueStatus: 'failed',
      }),
    ).toEqual({
      entity: 'queue',
      entityId: 'notifications',
      action: 'clean:failed',
      queueName: 'notifications',
    });
    expect(
      dashboardAction('patch', '/api/queues/:queueName/job-schedulers/:schedulerId', {
        queueName: 'reports',
        schedulerId: 'reports.fiscal-year',
      }),
    ).toMatchObject({
      entity: 'job-scheduler',
      entityId: 'reports/reports.fiscal-year',
      action: 'update',
    });
    expect(
      dashboardAction('put', '/api/queues/:queueName/job-schedulers/:schedulerId/run', {
        queueName: 'reports',
        schedulerId: 'x',
      }),
    ).toMatchObject({ entity: 'job-scheduler', action: 'run' });
    expect(dashboardAction('put', '/api/queues/pause', {})).toEqual({
      entity: 'queue',
      entityId: '*',
      action: 'pause',
    });
    expect(dashboardAction('post', '/api/metrics/history/purge', {})).toEqual({
      entity: 'dashboard',
      entityId: '/api/metrics/history/purge',
      action: 'api-metrics-history-purge',
    });
  });
});
