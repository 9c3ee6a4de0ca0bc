import {
  auditRow,
  platformRows,
  runMatrix,
  staffToken,
  useTestAppWithPartners,
  waitFor,
} from '@sp/testing';
import type { ReportRun } from '@sp/types';
import { appModule, description } from '../src/app.module';
import { Gate, registerFixtureKinds } from './report-fixtures';

const { app, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['reports:read'], partnerB: ['reports:read'] },
});
const PARTNER_A = '0a000000-0000-4000-8000-00000000000a';

/**
 * A finished report run of staff's asking (or `token`'s), about partner A unless `fiscalYear`
 * is given.
 */
async function finishedRun(params: Record<string, unknown>, token?: string): Promise<string> {
  const kind = 'partnerId' in params ? 'partner-profile' : 'fiscal-year';
  const res = await fetch(`${app.running.url}/reports`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token ?? (await staffToken('staff'))}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ kind, format: 'csv', params }),
  });
  const { id } = (await res.json()) as ReportRun;
  await waitFor(async () => {
    const row = await app.database.db
      .selectFrom('reports.run')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.state === 'succeeded';
  }, `run ${id} to be built`);
  return id;
}

// The worker's audit log holds what admins change through the queue dashboard.
it('gives every caller exactly what it may, on every route', async () => {
  registerFixtureKinds(app.running.app, new Gate());
  const aboutA = await finishedRun({ partnerId: PARTNER_A });
  const partnerAsked = await finishedRun({ partnerId: PARTNER_A }, tokens().partnerA);
  const forStaff = await finishedRun({ fiscalYear: 2001 });
  const forAdmin = await finishedRun({ fiscalYear: 2002 });
  const { mismatches } = await runMatrix(app.running.app, app.running.url, tokens(), [
    ...platformRows,
    auditRow('job', 'notifications/1'),
    {
      route: 'GET /notifications/deliveries',
      request: () => ({ path: '/notifications/deliveries?status=failed' }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
    {
      // Partner B asking for A's profile: not found, as A's rows are everywhere.
      route: 'POST /reports',
      request: () => ({
        path: '/reports',
        body: { kind: 'partner-profile', format: 'csv', params: { partnerId: PARTNER_A } },
      }),
      expect: { anonymous: 401, viewer: 403, staff: 202, admin: 202, partnerA: 202, partnerB: 404 },
    },
    {
      route: 'GET /reports',
      request: () => ({ path: '/reports?kind=partner-profile' }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      // Staff's run about A holds staff-only data: not found for A either.
      route: 'GET /reports/:id',
      request: () => ({ path: `/reports/${aboutA}` }),
      expect: { anonymous: 401, partnerA: 404, partnerB: 404, others: 200 },
    },
    {
      route: 'GET /reports/:id/file',
      request: () => ({ path: `/reports/${aboutA}/file` }),
      expect: { anonymous: 401, partnerA: 404, partnerB: 404, others: 200 },
    },
    {
      // The run A asked for is A's (and staff's to read), not B's.
      route: 'GET /reports/:id',
      request: () => ({ path: `/reports/${partnerAsked}` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'GET /reports/:id/file',
      request: () => ({ path: `/reports/${partnerAsked}/file` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      // Each deleting caller its own run (a run deleted once is gone).
      route: 'DELETE /reports/:id',
      request: (caller) => ({
        path: `/reports/${caller === 'staff' ? forStaff : caller === 'admin' ? forAdmin : aboutA}`,
      }),
      expect: { anonymous: 401, staff: 204, admin: 204, others: 403 },
    },
  ]);
  expect(mismatches).toEqual([]);
});
