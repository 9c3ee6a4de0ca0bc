import { randomUUID } from 'node:crypto';
import {
  auditRow,
  type Caller,
  callerTokens,
  type MatrixRow,
  platformRows,
  runMatrix,
  staffToken,
  useTestApp,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

/**
 * Every route of the registry × every kind of caller. Partner A and B are real API clients
 * with real tokens from POST /oauth/token.
 */
const ctx = useTestApp(appModule, description, { seed: true });

type Partner = { id: string; nameEn: string };
const tokens: Partial<Record<Caller, string>> = {};
let partnerA: Partner;
let partnerB: Partner;
let clientA: { id: string; secret: string };

const post = async (path: string, body: unknown, token?: string) => {
  const res = await fetch(`${ctx.running.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

async function partnerClient(partner: Partner, admin: string) {
  const created = await post(
    `/partners/${partner.id}/clients`,
    { name: `${partner.nameEn} sync`, scopes: ['registry:read'] },
    admin,
  );
  expect(created.status).toBe(201);
  const token = await post('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: created.body.client.id,
    client_secret: created.body.clientSecret,
  });
  expect(token.status).toBe(200);
  return {
    id: created.body.client.id as string,
    secret: created.body.clientSecret as string,
    token: token.body.access_token as string,
  };
}

beforeAll(async () => {
  tokens.admin = await staffToken('admin');
  const list = await fetch(`${ctx.running.url}/partners?limit=200`, {
    headers: { authorization: `Bearer ${tokens.admin}` },
  });
  const partners = ((await list.json()) as { items: Partner[] }).items;
  partnerA = partners.find((p) => p.nameEn === 'Princeton University')!;
  partnerB = partners.find((p) => p.nameEn === 'University of Cambridge')!;
  const a = await partnerClient(partnerA, tokens.admin);
  clientA = a;
  const b = await partnerClient(partnerB, tokens.admin);
  Object.assign(tokens, await callerTokens({ partnerA: a.token, partnerB: b.token }));
});

it('gives every caller exactly what it may, on every route', async () => {
  // Throwaway clients to rotate and revoke, one per caller that may.
  const spareClient = async () =>
    (
      await post(
        `/partners/${partnerA.id}/clients`,
        { name: `spare ${randomUUID()}`, scopes: ['registry:read'] },
        tokens.admin,
      )
    ).body.client.id as string;
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
  const audit = await fetch(
    `${ctx.running.url}/audit?entity=partner&entityId=${partnerA.id}&limit=200`,
    {
      headers: { authorization: `Bearer ${tokens.admin}` },
    },
  );
  const entries = ((await audit.json()) as { items: any[] }).items;
  const edits = entries.filter((e) => e.action === 'update');
  expect(edits.map((e) => e.actor).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
    { kind: 'staff', id: 'admin-tester' },
    { kind: 'staff', id: 'staff-tester' },
  ]);
  const byStaff = edits.find((e) => e.actor.id === 'staff-tester');
  expect(byStaff.after.summaryEn).toBe('edited by staff');
  expect(byStaff.requestId).toEqual(expect.any(String));
  const created = await ctx.database.db
    .selectFrom('registry.auditLog')
    .select(['actorId', 'action'])
    .where('entity', '=', 'partner')
    .where('action', '=', 'create')
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
