import {
  auditRow,
  type Caller,
  callers,
  factories,
  platformRows,
  runMatrix,
  useTestAppWithPartners,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

const { app, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['inquiries:write'], partnerB: ['registry:read'] },
});
const make = factories(app);

const submission = (caller: Caller) => ({
  name: `Caller ${caller}`,
  email: `${caller.toLowerCase()}@example.org`,
  language: 'en',
  category: 'other',
  subject: `Access check as ${caller}`,
  message: 'Who may send this?',
});

it('gives every caller exactly what it may, on every route', async () => {
  const { inquiry, statusToken } = await make.inquiry();
  // Filing a mail succeeds once: each caller gets a mail of its own.
  const inbound = Object.fromEntries(
    await Promise.all(callers.map(async (c) => [c, (await make.inboundMessage()).id] as const)),
  ) as Record<Caller, string>;
  const toDiscard = Object.fromEntries(
    await Promise.all(callers.map(async (c) => [c, (await make.inboundMessage()).id] as const)),
  ) as Record<Caller, string>;
  // The desk's rows: writes that succeed once per row get a row per caller (a merged
  // duplicate is closed; a deleted canned response is gone).
  const deskInquiry = await make.inquiryRow();
  const perCaller = async <T>(build: () => Promise<T>) => {
    const rows = new Map<Caller, T>();
    for (const caller of ['staff', 'admin'] as const) rows.set(caller, await build());
    const fallback = await build();
    return (caller: Caller) => rows.get(caller) ?? fallback;
  };
  const duplicateOf = await perCaller(() => make.inquiryRow({ email: deskInquiry.email }));
  const canned = await make.cannedResponse();
  const cannedToDelete = await perCaller(() => make.cannedResponse());
  const { mismatches } = await runMatrix(app.running.app, app.running.url, tokens(), [
    ...platformRows,
    auditRow('inquiry', inquiry.id),
    {
      // Admins replay registry events not applied yet (an admin write, audited).
      route: 'POST /registry-events/replay',
      request: () => ({ path: '/registry-events/replay' }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
    {
      route: 'GET /inquiries/form',
      request: () => ({ path: '/inquiries/form' }),
      expect: { others: 200 },
    },
    {
      // Anyone; a partner token only with inquiries:write (then linked to its partner).
      route: 'POST /inquiries',
      request: (caller) => ({ path: '/inquiries', body: submission(caller) }),
      expect: { partnerB: 403, others: 201 },
    },
    {
      route: 'GET /inquiries/status/:token',
      request: () => ({ path: `/inquiries/status/${statusToken}` }),
      expect: { others: 200 },
    },
    {
      route: 'POST /inquiries/status/:token/messages',
      request: (caller) => ({
        path: `/inquiries/status/${statusToken}/messages`,
        body: { message: `A follow-up (${caller})` },
      }),
      expect: { others: 201 },
    },
    {
      route: 'GET /inquiries/status/:token/attachments/:id',
      request: () => ({
        path: `/inquiries/status/${statusToken}/attachments/00000000-0000-4000-8000-000000000000`,
      }),
      expect: { others: 404 },
    },
    {
      route: 'GET /inquiries/inbound',
      request: () => ({ path: '/inquiries/inbound' }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /inquiries/inbound/:id',
      request: () => ({ path: `/inquiries/inbound/${inbound.anonymous}` }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /inquiries/inbound/:id/assign',
      request: (caller) => ({
        path: `/inquiries/inbound/${inbound[caller]}/assign`,
        body: { inquiryId: inquiry.id },
        headers: { 'if-match': '*' },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /inquiries/inbound/:id/discard',
      request: (caller) => ({
        path: `/inquiries/inbound/${toDiscard[caller]}/discard`,
        headers: { 'if-match': '*' },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    // The desk: viewers read, staff write; partners and the public never reach it.
    {
      route: 'GET /inquiries',
      request: () => ({ path: '/inquiries' }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /inquiries/:id',
      request: () => ({ path: `/inquiries/${deskInquiry.id}` }),
      expect: { anonymous: 401, viewer: 200, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'PATCH /inquiries/:id',
      request: (caller) => ({ path: `/inquiries/${deskInquiry.id}`, body: { assignee: caller } }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /inquiries/:id/messages',
      request: () => ({
        path: `/inquiries/${deskInquiry.id}/messages`,
        body: { visibility: 'internal', body: 'Checked with the faculty.' },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'POST /inquiries/:id/merge',
      request: (caller) => ({
        path: `/inquiries/${duplicateOf(caller).id}/merge`,
        body: { into: deskInquiry.id },
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

it("links a partner's submission to that partner", async () => {
  const res = await fetch(`${app.running.url}/inquiries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens().partnerA}` },
    body: JSON.stringify(submission('partnerA')),
  });
  expect(res.status).toBe(201);
  const { reference } = (await res.json()) as { reference: string };
  const row = await app.database.db
    .selectFrom('inquiries.inquiry')
    .select('partnerId')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  expect(row.partnerId).toBe('0a000000-0000-4000-8000-00000000000a');
});
