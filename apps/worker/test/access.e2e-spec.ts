import { auditRow, platformRows, runMatrix, useTestAppWithPartners } from '@sp/testing';
import { appModule, description } from '../src/app.module';

const { app, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['reports:read'], partnerB: ['reports:read'] },
});

// The worker's audit log holds what admins change through the queue dashboard.
it('gives every caller exactly what it may, on every route', async () => {
  const { mismatches } = await runMatrix(app.running.app, app.running.url, tokens(), [
    ...platformRows,
    auditRow('job', 'notifications/1'),
    {
      route: 'GET /notifications/deliveries',
      request: () => ({ path: '/notifications/deliveries?status=failed' }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
  ]);
  expect(mismatches).toEqual([]);
});
