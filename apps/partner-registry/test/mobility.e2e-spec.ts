import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  registryClient,
  staffToken,
  type TestApiClient,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { todayInTokyo } from '@sp/platform';
import { fiscalYearOf } from '../src/mobility/fiscal-year';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let staff: RegistryClient;
let viewer: RegistryClient;
let partnerA: { id: string };
let partnerB: { id: string };
let clientA: TestApiClient;
let clientB: TestApiClient;

beforeAll(async () => {
  staff = registryClient(ctx, await staffToken('staff'));
  viewer = registryClient(ctx, await staffToken('viewer'));
  partnerA = await make.partner({ nameEn: 'ETH Zurich', country: 'CH' });
  partnerB = await make.partner({ nameEn: 'Peking University', country: 'CN' });
  clientA = await make.apiClient(partnerA.id, { scopes: ['registry:read', 'mobility:write'] });
  clientB = await make.apiClient(partnerB.id, { scopes: ['registry:read', 'mobility:write'] });
});

const events = async (id: string) =>
  (
    await ctx.database.db
      .selectFrom('registry.outbox')
      .select('name')
      .where(sql<boolean>`payload->>'id' = ${id}`)
      .orderBy(sql`(payload->>'version')::int`)
      .execute()
  ).map((r) => r.name);

const patch = (api: RegistryClient, id: string, body: unknown, ifMatch = '*') =>
  api.PATCH('/mobility/{id}', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });
const review = (action: 'approve' | 'return', id: string, body: unknown, ifMatch = '*') =>
  staff.POST(`/mobility/{id}/${action}` as '/mobility/{id}/approve', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });

describe('POST /mobility', () => {
  it('records staff counts approved, and names every bad field', async () => {
    const res = await staff.POST('/mobility', {
      body: {
        partnerId: partnerA.id,
        fiscalYear: 2024,
        direction: 'outbound',
        personType: 'undergraduate',
        programme: 'USTEP',
        count: 7,
      },
    });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({ reviewStatus: 'approved', reportedBy: 'staff', count: 7 });
    expect(res.response.headers.get('etag')).toBe('"1"');
    expect(await events(res.data!.id)).toEqual(['mobility.created']);

    const bad = await staff.POST('/mobility', {
      body: unchecked({
        partnerId: partnerA.id,
        fiscalYear: 1800,
        direction: 'sideways',
        personType: 'alumni',
        programme: '',
        count: 1.5,
      }),
    });
    expectProblem(bad, 400, 'validation-error', [
      'fiscalYear',
      'direction',
      'personType',
      'programme',
      'count',
    ]);
    const ahead = await staff.POST('/mobility', {
      body: {
        partnerId: partnerA.id,
        fiscalYear: 2199,
        direction: 'inbound',
        personType: 'graduate',
        programme: 'Far future',
        count: 1,
      },
    });
    expectProblem(ahead, 400, 'validation-error', ['fiscalYear']);
  });

  it('keeps one report per cell (409) and a real partner (400)', async () => {
    const cell = {
      partnerId: partnerA.id,
      fiscalYear: 2023,
      direction: 'inbound' as const,
      personType: 'researcher' as const,
      programme: 'Visiting researchers',
      count: 2,
    };
    expect((await staff.POST('/mobility', { body: cell })).response.status).toBe(201);
    expectProblem(await staff.POST('/mobility', { body: cell }), 409, 'conflict', [
      'fiscalYear',
      'direction',
      'personType',
      'programme',
    ]);
    // The same programme in another case is the same cell: "USTEP" then "Ustep" counted twice.
    expectProblem(
      await staff.POST('/mobility', { body: { ...cell, programme: 'VISITING Researchers' } }),
      409,
      'conflict',
      ['fiscalYear', 'direction', 'personType', 'programme'],
    );
    expectProblem(
      await staff.POST('/mobility', { body: { ...cell, partnerId: randomUUID() } }),
      400,
      'validation-error',
      ['partnerId'],
    );
  });
});

describe('partners report, staff review, totals count the approved', () => {
  it('submits a partner report, returns it with a comment, counts it once approved', async () => {
    const created = await clientA.registry.POST('/mobility', {
      body: {
        fiscalYear: 2025,
        direction: 'inbound',
        personType: 'graduate',
        programme: 'Summer school',
        count: 4,
      } as never,
    });
    expect(created.response.status).toBe(201);
    const r = created.data!;
    expect(r).toMatchObject({
      partnerId: partnerA.id,
      reviewStatus: 'submitted',
      reportedBy: 'partner',
    });

    const totals = () =>
      viewer.GET('/mobility/totals', {
        params: { query: { fiscalYear: 2025, partnerId: [partnerA.id] as never } },
      });
    expect((await totals()).data).toMatchObject({
      fiscalYear: 2025,
      from: '2025-04-01',
      to: '2026-03-31',
      total: 0,
      partners: [{ partnerId: partnerA.id, total: 0, pending: 4 }],
    });

    expectProblem(await review('return', r.id, {}), 400, 'validation-error', ['comment']);
    const returned = await review(
      'return',
      r.id,
      { comment: 'Count only enrolled students' },
      `"${r.version}"`,
    );
    expect(returned.data).toMatchObject({
      reviewStatus: 'returned',
      reviewComment: 'Count only enrolled students',
    });
    expectProblem(await review('approve', r.id, {}), 409, 'invalid-status-transition');

    const read = await clientA.registry.GET('/mobility/{id}', { params: { path: { id: r.id } } });
    expect(read.data!.reviewComment).toBe('Count only enrolled students');
    const fixed = await patch(
      clientA.registry,
      r.id,
      { count: 3 },
      read.response.headers.get('etag')!,
    );
    expect(fixed.data).toMatchObject({ count: 3, reviewStatus: 'submitted' });
    const approved = await review('approve', r.id, {}, `"${fixed.data!.version}"`);
    expect(approved.data!.reviewStatus).toBe('approved');

    await make.mobility(partnerA.id, {
      fiscalYear: 2025,
      direction: 'outbound',
      personType: 'graduate',
      count: 5,
    });
    await make.mobility(partnerA.id, {
      fiscalYear: 2025,
      direction: 'outbound',
      personType: 'administrative-staff',
      count: 1,
    });
    await make.mobility(partnerA.id, {
      fiscalYear: 2024,
      direction: 'outbound',
      personType: 'graduate',
      count: 100,
    });
    const t = (await totals()).data!;
    expect(t).toMatchObject({ inbound: 3, outbound: 6, total: 9 });
    expect(t.partners[0]).toMatchObject({
      partnerNameEn: 'ETH Zurich',
      inbound: 3,
      outbound: 6,
      total: 9,
      pending: 0,
      byPersonType: {
        graduate: { inbound: 3, outbound: 5, total: 8 },
        'administrative-staff': { inbound: 0, outbound: 1, total: 1 },
        undergraduate: { inbound: 0, outbound: 0, total: 0 },
      },
    });
    expect(await events(r.id)).toEqual([
      'mobility.created',
      'mobility.returned',
      'mobility.updated',
      'mobility.approved',
    ]);
  });

  it('shows a partner only its own reports and totals (404 on another’s)', async () => {
    const ofA = await make.mobility(partnerA.id, { fiscalYear: 2022, count: 9 });
    const ofB = await make.mobility(partnerB.id, { fiscalYear: 2022, count: 11 });
    expectProblem(
      await clientB.registry.GET('/mobility/{id}', { params: { path: { id: ofA.id } } }),
      404,
      'not-found',
    );
    expectProblem(await patch(clientB.registry, ofA.id, { count: 0 }), 404, 'not-found');
    const list = await clientB.registry.GET('/mobility', {
      params: { query: { fiscalYear: 2022 } },
    });
    expect(list.data!.items.map((x) => x.id)).toEqual([ofB.id]);
    const totals = await clientB.registry.GET('/mobility/totals', {
      params: { query: { fiscalYear: 2022 } },
    });
    expect(totals.data!.partners.map((p) => p.partnerId)).toEqual([partnerB.id]);
    expect(totals.data!.total).toBe(11);
    const forOther = await clientB.registry.POST('/mobility', {
      body: {
        partnerId: partnerA.id,
        fiscalYear: 2022,
        direction: 'inbound',
        personType: 'graduate',
        programme: 'Not mine',
        count: 1,
      },
    });
    expectProblem(forOther, 400, 'validation-error', ['partnerId']);
    expectProblem(
      await clientA.registry.POST('/mobility/{id}/approve', {
        params: { path: { id: ofA.id }, header: { 'If-Match': '*' } },
        body: {},
      }),
      403,
      'forbidden',
    );
  });
});

describe('PATCH /mobility/:id and GET', () => {
  it('needs If-Match (428), refuses a stale one (412), 404 for an unknown one', async () => {
    const r = await make.mobility(partnerA.id, { fiscalYear: 2021 });
    const missing = await staff.PATCH('/mobility/{id}', {
      params: { path: { id: r.id } } as never,
      body: { count: 2 },
    });
    expectProblem(missing, 428, 'precondition-required');
    expect((await patch(staff, r.id, { count: 2 }, `"${r.version}"`)).response.status).toBe(200);
    expectProblem(
      await patch(staff, r.id, { count: 3 }, `"${r.version}"`),
      412,
      'precondition-failed',
    );
    expectProblem(await patch(staff, r.id, { count: -1 }), 400, 'validation-error', ['count']);
    expectProblem(await patch(staff, randomUUID(), { count: 1 }), 404, 'not-found');
    expectProblem(
      await viewer.GET('/mobility/{id}', { params: { path: { id: randomUUID() } } }),
      404,
      'not-found',
    );
    const row = await ctx.database.db
      .selectFrom('registry.mobilityRecord')
      .select(['count', 'version'])
      .where('id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ count: 2, version: '2' });
  });

  it('names bad list and totals queries', async () => {
    expectProblem(
      await viewer.GET('/mobility', {
        params: { query: unchecked({ fiscalYear: 'last', direction: 'up' }) },
      }),
      400,
      'validation-error',
      ['fiscalYear', 'direction'],
    );
    expectProblem(
      await viewer.GET('/mobility/totals', {
        params: { query: unchecked({ fiscalYear: '20x5' }) },
      }),
      400,
      'validation-error',
      ['fiscalYear'],
    );
  });
});

describe('GET /mobility/totals without a fiscal year', () => {
  it('answers for the fiscal year today (Tokyo) is in', async () => {
    const today = todayInTokyo();
    const res = await viewer.GET('/mobility/totals');
    expect(res.response.status).toBe(200);
    expect(res.data!.fiscalYear).toBe(fiscalYearOf(today));
    expect(res.data!.from <= today && today <= res.data!.to).toBe(true);
  });
});
