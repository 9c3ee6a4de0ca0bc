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
  clientA = await make.apiClient(partnerA.id, { name: `${partnerA.nameEn} sync` });
  const clientB = await make.apiClient(partnerB.id, { name: `${partnerB.nameEn} sync` });
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
      route: 'GET /exports/partners.csv',
      request: () => ({ path: '/exports/partners.csv' }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
    },
    {
      // An empty file, checked only (a dry run): the report names the missing header.
      route: 'POST /imports/:kind',
      request: () => ({ path: '/imports/partners', headers: { 'content-type': 'text/csv' } }),
      expect: { anonymous: 401, staff: 200, admin: 200, others: 403 },
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
    for (const r of results.filter((x) => x.caller === caller)) {
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
