import { auditRow, platformRows, runMatrix, useTestAppWithPartners } from '@sp/testing';
import { appModule, description } from '../src/app.module';

const { app, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['inquiries:write'], partnerB: ['inquiries:write'] },
});

it('gives every caller exactly what it may, on every route', async () => {
  const { mismatches } = await runMatrix(app.running.app, app.running.url, tokens(), [
    ...platformRows,
    auditRow('inquiry', 'INQ-2026-000001'),
    {
      // Admins replay registry events not applied yet (an admin write, audited).
      route: 'POST /registry-events/replay',
      request: () => ({ path: '/registry-events/replay' }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
  ]);
  expect(mismatches).toEqual([]);
});
