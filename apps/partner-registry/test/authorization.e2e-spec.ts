import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import {
  auditRow,
  type Caller,
  callerTokens,
  factories,
  type MatrixRow,
  platformRows,
  registryClient,
  runMatrix,
  staffToken,
  type TestApiClient,
  useTestApp,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

/**
 * Every route of the registry × every kind of caller. Partner A and B are real API clients
 * with real tokens from POST /oauth/token.
 */
const ctx = useTestApp(appModule, description);
const make = factories(ctx);

type Partner = { id: string; nameEn: string };
const tokens: Partial<Record<Caller, string>> = {};
let admin: RegistryClient;
let partnerA: Partner;
let partnerB: Partner;
let clientA: TestApiClient;

beforeAll(async () => {
  tokens.admin = await staffToken('admin');
  admin = registryClient(ctx, tokens.admin);
  partnerA = await make.partner({ nameEn: 'Princeton University', country: 'US' });
  partnerB = await make.partner({ nameEn: 'University of Cambridge', country: 'GB' });
  // Partners hold every registry scope, so their writes are tried too (and kept to their own).
  const scopes = ['registry:read', 'activities:write', 'mobility:write', 'contacts:write'] as const;
  clientA = await make.apiClient(partnerA.id, {
    name: `${partnerA.nameEn} sync`,
    scopes: [...scopes],
  });
  const clientB = await make.apiClient(partnerB.id, {
    name: `${partnerB.nameEn} sync`,
    scopes: [...scopes],
  });
  Object.assign(
    tokens,
    await callerTokens({
      partnerA: await clientA.tokens.token(),
      partnerB: await clientB.tokens.token(),
    }),
  );
});

it('gives every caller exactly what it may, on every route', async () => {
  // Throwaway clients to rotate and revoke, one per caller that may.
  const spareClient = async () =>
    (await make.apiClient(partnerA.id, { name: `spare ${randomUUID()}` })).id;
  const spares: Partial<Record<Caller, string>> = { admin: await spareClient() };
  const sparesRevoke: Partial<Record<Caller, string>> = { admin: await spareClient() };
  const anyClient = await spareClient();
  // Agreements: one of partner A's to read and edit, and one to renew per caller that may.
  const agreement = await make.agreement(partnerA.id, { expiresOn: '2030-03-31' });
  const renewable: Partial<Record<Caller, string>> = {
    staff: (await make.agreement(partnerA.id, { expiresOn: '2030-03-31' })).id,
    admin: (await make.agreement(partnerA.id, { expiresOn: '2030-03-31' })).id,
  };

  // Activities and mobility reports of partner A in the review state each caller's try needs.
  const ifMatchAny = { 'if-match': '*' };
  const staffCallers: Caller[] = ['staff', 'admin'];
  const editors: Caller[] = ['staff', 'admin', 'partnerA'];
  const activityOfA = await make.activity(partnerA.id, { isPublic: true });
  // Partner A's edit of `activityOfA` takes it off the public page; this one stays there.
  const publishedOfA = await make.activity(partnerA.id, { isPublic: true });
  const draftOfA = async () =>
    (
      await clientA.registry.POST('/activities', {
        body: { type: 'other', titleEn: `Draft ${randomUUID()}` } as never,
      })
    ).data!.id;
  const submittedOfA = async () => {
    const id = await draftOfA();
    await clientA.registry.POST('/activities/{id}/submit', {
      params: { path: { id }, header: { 'If-Match': '*' } },
    });
    return id;
  };
  const perCaller = async (callers: Caller[], make1: () => Promise<string>) => {
    const ids: Partial<Record<Caller, string>> = {};
    for (const c of callers) ids[c] = await make1();
    return ids;
  };
  const drafts = await perCaller(editors, draftOfA);
  const toApprove = await perCaller(staffCallers, submittedOfA);
  const toReturn = await perCaller(staffCallers, submittedOfA);
  const anyDraft = await draftOfA();
  const mobilityOfA = await make.mobility(partnerA.id);
  const reportOfA = async () =>
    (
      await clientA.registry.POST('/mobility', {
        body: {
          fiscalYear: 2024,
          direction: 'inbound',
          personType: 'researcher',
          programme: `Matrix ${randomUUID()}`,
          count: 1,
        },
      })
    ).data!.id;
  const reportsToApprove = await perCaller(staffCallers, reportOfA);
  const reportsToReturn = await perCaller(staffCallers, reportOfA);
  const anyReport = await reportOfA();
  const fundingOfA = await make.funding(partnerA.id);
  const isPartner = (c: Caller) => c === 'partnerA' || c === 'partnerB';

  // People: a contact of partner A to read and edit, one to delete per caller that may, and a
  // faculty lead (staff only).
  const contactA = await make.contact(partnerA.id);
  const doomed: Partial<Record<Caller, string>> = {};
  for (const caller of ['staff', 'admin', 'partnerA'] as const)
    doomed[caller] = (await make.contact(partnerA.id)).id;
  const anyContact = (await make.contact(partnerA.id)).id;
  const lead = await make.facultyLead({ partnerIds: [partnerA.id] });
  const rows: MatrixRow[] = [
    ...platformRows,
    {
      route: 'GET /partners',
      request: () => ({ path: '/partners' }),
      expect: { anonymous: 401, others: 200 },
    },
    {
      route: 'GET /partners/:id',
      request: () => ({ path: `/partners/${partnerA.id}` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /partners',
      request: (caller) => ({
        path: '/partners',
        body: { nameEn: `Matrix University ${caller} ${randomUUID()}`, country: 'DE' },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'PATCH /partners/:id',
      request: (caller) => ({
        path: `/partners/${partnerA.id}`,
        body: { summaryEn: `edited by ${caller}` },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    auditRow('partner', partnerA.id),
    {
      route: 'GET /partners/:id/agreements',
      request: () => ({ path: `/partners/${partnerA.id}/agreements` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /partners/:id/agreements',
      request: (caller) => ({
        path: `/partners/${partnerA.id}/agreements`,
        body: { kind: 'research', title: `Matrix agreement ${caller} ${randomUUID()}` },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'GET /agreements',
      request: () => ({ path: '/agreements?status=active' }),
      expect: { anonymous: 401, others: 200 },
    },
    {
      route: 'GET /agreements/:id',
      request: () => ({ path: `/agreements/${agreement.id}` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'PATCH /agreements/:id',
      request: (caller) => ({
        path: `/agreements/${agreement.id}`,
        body: { note: `edited by ${caller}` },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /agreements/:id/renewals',
      request: (caller) => ({
        path: `/agreements/${renewable[caller] ?? agreement.id}/renewals`,
        headers: { 'if-match': '*' },
        body: { expiresOn: '2035-03-31' },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'POST /partners/:id/clients',
      request: () => ({
        path: `/partners/${partnerB.id}/clients`,
        body: { name: 'matrix', scopes: ['registry:read'] },
      }),
      expect: { anonymous: 401, admin: 201, others: 403 },
    },
    {
      route: 'GET /partners/:id/clients',
      request: () => ({ path: `/partners/${partnerA.id}/clients` }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
    {
      route: 'POST /clients/:clientId/rotate',
      request: (caller) => ({ path: `/clients/${spares[caller] ?? anyClient}/rotate` }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
    {
      route: 'POST /clients/:clientId/revoke',
      request: (caller) => ({ path: `/clients/${sparesRevoke[caller] ?? anyClient}/revoke` }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
    {
      route: 'GET /activities',
      request: () => ({ path: '/activities' }),
      expect: { anonymous: 401, others: 200 },
    },
    {
      route: 'GET /activities/:id',
      request: () => ({ path: `/activities/${activityOfA.id}` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /activities',
      request: (caller) => ({
        path: '/activities',
        body: {
          ...(isPartner(caller) ? {} : { partnerId: partnerA.id }),
          type: 'other',
          titleEn: `Matrix activity ${caller}`,
        },
      }),
      expect: { anonymous: 401, viewer: 403, others: 201 },
    },
    {
      route: 'PATCH /activities/:id',
      request: (caller) => ({
        path: `/activities/${activityOfA.id}`,
        body: { summaryEn: `edited by ${caller}` },
      }),
      expect: { anonymous: 401, viewer: 403, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /activities/:id/submit',
      request: (caller) => ({
        path: `/activities/${drafts[caller] ?? anyDraft}/submit`,
        headers: ifMatchAny,
      }),
      expect: { anonymous: 401, viewer: 403, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /activities/:id/approve',
      request: (caller) => ({
        path: `/activities/${toApprove[caller] ?? anyDraft}/approve`,
        headers: ifMatchAny,
        body: {},
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /activities/:id/return',
      request: (caller) => ({
        path: `/activities/${toReturn[caller] ?? anyDraft}/return`,
        headers: ifMatchAny,
        body: { comment: 'Please add the dates' },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    auditRow('activity', activityOfA.id),
    {
      route: 'GET /mobility',
      request: () => ({ path: '/mobility' }),
      expect: { anonymous: 401, others: 200 },
    },
    {
      route: 'GET /mobility/totals',
      request: () => ({ path: '/mobility/totals?fiscalYear=2024' }),
      expect: { anonymous: 401, others: 200 },
    },
    {
      route: 'GET /mobility/:id',
      request: () => ({ path: `/mobility/${mobilityOfA.id}` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /mobility',
      request: (caller) => ({
        path: '/mobility',
        body: {
          ...(isPartner(caller) ? {} : { partnerId: partnerA.id }),
          fiscalYear: 2024,
          direction: 'outbound',
          personType: 'graduate',
          programme: `Matrix ${caller} ${randomUUID()}`,
          count: 2,
        },
      }),
      expect: { anonymous: 401, viewer: 403, others: 201 },
    },
    {
      route: 'PATCH /mobility/:id',
      request: (caller) => ({
        path: `/mobility/${mobilityOfA.id}`,
        body: { note: `edited by ${caller}` },
      }),
      expect: { anonymous: 401, viewer: 403, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /mobility/:id/approve',
      request: (caller) => ({
        path: `/mobility/${reportsToApprove[caller] ?? anyReport}/approve`,
        headers: ifMatchAny,
        body: {},
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'POST /mobility/:id/return',
      request: (caller) => ({
        path: `/mobility/${reportsToReturn[caller] ?? anyReport}/return`,
        headers: ifMatchAny,
        body: { comment: 'Count enrolled students only' },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /funding',
      request: () => ({ path: '/funding' }),
      expect: { anonymous: 401, others: 200 },
    },
    {
      route: 'GET /funding/:id',
      request: () => ({ path: `/funding/${fundingOfA.id}` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /funding',
      request: (caller) => ({
        path: '/funding',
        body: {
          partnerId: partnerA.id,
          source: `Matrix funder ${caller}`,
          amount: '100.50',
          currency: 'EUR',
          fiscalYear: 2024,
        },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'PATCH /funding/:id',
      request: (caller) => ({
        path: `/funding/${fundingOfA.id}`,
        body: { note: `edited by ${caller}` },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /public/partners',
      request: () => ({ path: '/public/partners' }),
      expect: { others: 200 },
    },
    {
      route: 'GET /public/activities',
      request: () => ({ path: '/public/activities' }),
      expect: { others: 200 },
    },
    {
      route: 'GET /public/activities.atom',
      request: () => ({ path: '/public/activities.atom' }),
      expect: { others: 200 },
    },
    {
      route: 'GET /public/activities/:id',
      request: () => ({ path: `/public/activities/${publishedOfA.id}` }),
      expect: { others: 200 },
    },
    {
      route: 'POST /oauth/token',
      request: () => ({
        path: '/oauth/token',
        form: {
          grant_type: 'client_credentials',
          client_id: clientA.id,
          client_secret: clientA.secret,
        },
      }),
      expect: { others: 200 },
    },
    {
      route: 'GET /.well-known/jwks.json',
      request: () => ({ path: '/.well-known/jwks.json' }),
      expect: { others: 200 },
    },
    {
      route: 'GET /partners/:id/contacts',
      request: () => ({ path: `/partners/${partnerA.id}/contacts` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'POST /partners/:id/contacts',
      request: (caller) => ({
        path: `/partners/${partnerA.id}/contacts`,
        body: { nameEn: `Matrix Contact ${caller}`, email: `${caller}-${randomUUID()}@a.example` },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, partnerA: 201, partnerB: 404, others: 403 },
    },
    {
      route: 'GET /contacts/:id',
      request: () => ({ path: `/contacts/${contactA.id}` }),
      expect: { anonymous: 401, partnerB: 404, others: 200 },
    },
    {
      route: 'PATCH /contacts/:id',
      request: (caller) => ({ path: `/contacts/${contactA.id}`, body: { role: `by ${caller}` } }),
      expect: { anonymous: 401, staff: 200, admin: 200, partnerA: 200, partnerB: 404, others: 403 },
    },
    {
      route: 'DELETE /contacts/:id',
      request: (caller) => ({
        path: `/contacts/${doomed[caller] ?? anyContact}`,
        headers: { 'If-Match': '*' },
      }),
      expect: { anonymous: 401, staff: 204, admin: 204, partnerA: 204, partnerB: 404, others: 403 },
    },
    {
      route: 'GET /search',
      request: () => ({ path: '/search?q=university' }),
      expect: { others: 200 },
    },
    {
      route: 'GET /faculty-leads',
      request: () => ({ path: '/faculty-leads' }),
      expect: { anonymous: 401, partnerA: 403, partnerB: 403, others: 200 },
    },
    {
      route: 'POST /faculty-leads',
      request: (caller) => ({
        path: '/faculty-leads',
        body: {
          nameEn: `Matrix Lead ${caller}`,
          department: 'Faculty of Law',
          email: `${caller}-${randomUUID()}@utokyo.example`,
        },
      }),
      expect: { anonymous: 401, staff: 201, admin: 201, others: 403 },
    },
    {
      route: 'GET /faculty-leads/:id',
      request: () => ({ path: `/faculty-leads/${lead.id}` }),
      expect: { anonymous: 401, partnerA: 403, partnerB: 403, others: 200 },
    },
    {
      route: 'PATCH /faculty-leads/:id',
      request: (caller) => ({
        path: `/faculty-leads/${lead.id}`,
        body: { department: `Department of ${caller}` },
      }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /exports/partners.csv',
      request: () => ({ path: '/exports/partners.csv' }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /exports/activities.csv',
      request: () => ({ path: '/exports/activities.csv' }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /exports/mobility.csv',
      request: () => ({ path: '/exports/mobility.csv' }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      route: 'GET /exports/funding.csv',
      request: () => ({ path: '/exports/funding.csv' }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      // An empty file, checked only (a dry run): the report names the missing header.
      route: 'POST /imports/:kind',
      request: () => ({ path: '/imports/partners', headers: { 'content-type': 'text/csv' } }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
  ];

  const { mismatches, results } = await runMatrix(ctx.running.app, ctx.running.url, tokens, rows);
  expect(mismatches).toEqual([]);

  // Partner A never receives a byte of partner B's data, nor B of A's. (A refusal may echo
  // the id the caller itself sent, in `instance` or `detail`; nothing more.)
  const leaks = (status: number, body: string, other: Partner) =>
    body.includes(other.nameEn) || (status < 300 && body.includes(other.id));
  for (const [caller, other] of [
    ['partnerA', partnerB],
    ['partnerB', partnerA],
  ] as const) {
    // Public routes show every partner's public data to anyone; the rest must not leak.
    for (const r of results.filter(
      (x) => x.caller === caller && !x.route.startsWith('GET /public/'),
    )) {
      expect({
        route: r.route,
        leaks: leaks(r.status, r.body, other),
      }).toEqual({ route: r.route, leaks: false });
    }
  }
  const listA = JSON.parse(
    results.find((r) => r.caller === 'partnerA' && r.route === 'GET /partners')!.body,
  );
  expect(listA.items.map((p: Partner) => p.id)).toEqual([partnerA.id]);

  // Every write above left an audit row naming its actor.
  const audit = await admin.GET('/audit', {
    params: { query: { entity: 'partner', entityId: partnerA.id, limit: 200 } },
  });
  const entries = audit.data!.items;
  const edits = entries.filter((e) => e.action === 'update');
  expect(
    edits.map((e) => e.actor).sort((a, b) => String(a.id).localeCompare(String(b.id))),
  ).toEqual([
    { kind: 'staff', id: 'admin-tester' },
    { kind: 'staff', id: 'staff-tester' },
  ]);
  const byStaff = edits.find((e) => e.actor.id === 'staff-tester');
  expect(byStaff?.after).toMatchObject({ summaryEn: 'edited by staff' });
  expect(byStaff?.requestId).toEqual(expect.any(String));
  const created = await ctx.database.db
    .selectFrom('registry.auditLog')
    .select(['actorId', 'action'])
    .where('entity', '=', 'partner')
    .where('action', '=', 'create')
    // Not the two the setup made (as the admin tester, through the factories).
    .where('entityId', 'not in', [partnerA.id, partnerB.id])
    .execute();
  expect(created.map((r) => r.actorId).sort()).toEqual(['admin-tester', 'staff-tester']);
  const clientActions = await ctx.database.db
    .selectFrom('registry.auditLog')
    .select(['action', 'actorId'])
    .where('entity', '=', 'api-client')
    .execute();
  expect(new Set(clientActions.map((r) => r.action))).toEqual(
    new Set(['create', 'rotate-secret', 'revoke']),
  );
  expect(clientActions.every((r) => r.actorId === 'admin-tester')).toBe(true);
});
