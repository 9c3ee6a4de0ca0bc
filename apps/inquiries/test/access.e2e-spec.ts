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
