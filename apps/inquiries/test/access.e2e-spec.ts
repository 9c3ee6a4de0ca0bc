import {
  auditRow,
  type Caller,
  factories,
  platformRows,
  runMatrix,
  useTestAppWithPartners,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

const { app, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['inquiries:write'], partnerB: ['inquiries:write'] },
});

it('gives every caller exactly what it may, on every route', async () => {
  const make = factories(app);
  const inquiry = await make.inquiryRow();
  // Writes that succeed once per row get a row per caller (a merged duplicate is closed).
  const perCaller = async <T>(build: () => Promise<T>) => {
    const rows = new Map<Caller, T>();
    for (const caller of ['staff', 'admin'] as const) rows.set(caller, await build());
    const fallback = await build();
    return (caller: Caller) => rows.get(caller) ?? fallback;
  };
  const duplicateOf = await perCaller(() => make.inquiryRow());
  const canned = await make.cannedResponse();
  const cannedToDelete = await perCaller(() => make.cannedResponse());
  const unknownToken = 'A'.repeat(43);

  const { mismatches } = await runMatrix(app.running.app, app.running.url, tokens(), [
    ...platformRows,
    auditRow('inquiry', 'INQ-2026-000001'),
    {
      // Admins replay registry events not applied yet (an admin write, audited).
      route: 'POST /registry-events/replay',
      request: () => ({ path: '/registry-events/replay' }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
    // The public form (i11-submit's routes; rows here so the matrix covers every route).
    {
      route: 'GET /inquiries/form',
      request: () => ({ path: '/inquiries/form' }),
      expect: { others: 200 },
    },
    {
      route: 'POST /inquiries',
      request: (caller) => ({
        path: '/inquiries',
        body: {
          name: 'Matrix Caller',
          email: `matrix-${caller}@example.org`,
          language: 'en',
          category: 'other',
          subject: 'Matrix',
          message: 'Hello',
        },
      }),
      expect: { others: 201 },
    },
    {
      route: 'GET /inquiries/status/:token',
      request: () => ({ path: `/inquiries/status/${unknownToken}` }),
      expect: { others: 404 },
    },
    {
      route: 'POST /inquiries/status/:token/messages',
      request: () => ({
        path: `/inquiries/status/${unknownToken}/messages`,
        body: { message: 'Any news?' },
      }),
      expect: { others: 404 },
    },
    {
      route: 'GET /inquiries/status/:token/attachments/:id',
      request: () => ({ path: `/inquiries/status/${unknownToken}/attachments/${inquiry.id}` }),
      expect: { others: 404 },
    },
    {
      route: 'GET /inquiries/inbound',
      request: () => ({ path: '/inquiries/inbound' }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /inquiries/inbound/:id',
      request: () => ({ path: `/inquiries/inbound/${inquiry.id}` }),
      expect: { anonymous: 401, viewer: 404, staff: 404, admin: 404, others: 403 },
    },
    {
      route: 'POST /inquiries/inbound/:id/assign',
      request: () => ({
        path: `/inquiries/inbound/${inquiry.id}/assign`,
        body: { inquiryId: inquiry.id },
        headers: { 'if-match': '*' },
      }),
      expect: { anonymous: 401, staff: 404, admin: 404, others: 403 },
    },
    // The desk: viewers read, staff write; partners and the public never reach it.
    {
      route: 'GET /inquiries',
      request: () => ({ path: '/inquiries' }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /inquiries/:id',
      request: () => ({ path: `/inquiries/${inquiry.id}` }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'PATCH /inquiries/:id',
      request: (caller) => ({ path: `/inquiries/${inquiry.id}`, body: { assignee: caller } }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /inquiries/:id/messages',
      request: () => ({
        path: `/inquiries/${inquiry.id}/messages`,
        body: { visibility: 'internal', body: 'Checked with the faculty.' },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'POST /inquiries/:id/merge',
      request: (caller) => ({
        path: `/inquiries/${duplicateOf(caller).id}/merge`,
        body: { into: inquiry.id },
        headers: { 'if-match': '*' },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /canned-responses',
      request: () => ({ path: '/canned-responses' }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /canned-responses/:id',
      request: () => ({ path: `/canned-responses/${canned.id}` }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /canned-responses',
      request: (caller) => ({
        path: '/canned-responses',
        body: { title: `Matrix ${caller}`, bodyEn: 'Hello', bodyJa: 'こんにちは' },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'PATCH /canned-responses/:id',
      request: () => ({ path: `/canned-responses/${canned.id}`, body: { bodyEn: 'Hello again' } }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'DELETE /canned-responses/:id',
      request: (caller) => ({
        path: `/canned-responses/${cannedToDelete(caller).id}`,
        headers: { 'if-match': '*' },
      }),
      expect: { anonymous: 401, staff: 204, admin: 204, others: 403 },
    },
  ]);
  expect(mismatches).toEqual([]);
});
