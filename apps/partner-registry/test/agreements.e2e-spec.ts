import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { sql } from 'kysely';
import { TokyoClock } from '../src/common/tokyo.clock';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description, {
  env: { AGREEMENT_EXPIRING_WINDOW_DAYS: '60' } as Record<string, string>,
});
const make = factories(ctx);

let api: RegistryClient;
let viewer: RegistryClient;
beforeAll(async () => {
  api = registryClient(ctx, await staffToken('staff'));
  viewer = registryClient(ctx, await staffToken('viewer'));
  // The app stands on 2 December 2026 in Tokyo, whatever the date the tests run on.
  ctx.running.app.get(TokyoClock, { strict: false }).now = () =>
    new Date('2026-12-02T12:00:00+09:00');
});

const outboxOf = (id: string) =>
  ctx.database.db
    .selectFrom('registry.outbox')
    .select(['topic', 'name', 'payload'])
    .where(sql<string>`payload->>'id'`, '=', id)
    .orderBy('createdAt')
    .execute();
/** The names of an entity's outbox messages, in any order (one transaction's rows share a time). */
const namesOf = async (id: string) => (await outboxOf(id)).map((r) => r.name).sort();

const auditOf = (id: string) =>
  ctx.database.db
    .selectFrom('registry.auditLog')
    .select(['action', 'actorId'])
    .where('entity', '=', 'agreement')
    .where('entityId', '=', id)
    .orderBy('id')
    .execute();

const create = (partnerId: string, body: unknown) =>
  api.POST('/partners/{id}/agreements', {
    params: { path: { id: partnerId } },
    body: unchecked(body),
  });
const patch = (id: string, body: unknown, ifMatch = '*') =>
  api.PATCH('/agreements/{id}', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });
const renew = (id: string, body: unknown, ifMatch = '*') =>
  api.POST('/agreements/{id}/renewals', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });
const count = async () =>
  Number(
    (
      await ctx.database.db
        .selectFrom('registry.agreement')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('POST /partners/:id/agreements', () => {
  it('records an agreement, announces it and audits it in the same transaction', async () => {
    const partner = await make.partner({ country: 'CH' });
    const res = await create(partner.id, {
      kind: 'student-exchange',
      title: 'Student exchange agreement',
      signatories: ['President of the University of Tokyo', 'Rector of ETH Zurich'],
      signedOn: '2016',
      startsOn: '2016-04-01',
      expiresOn: '2027-01-15',
      autoRenewal: true,
      documentUrl: 'https://docs.example.ac.jp/agreements/eth-exchange.pdf',
      note: 'Renewed every five years.',
    });
    expect(res.response.status).toBe(201);
    const a = res.data!;
    expect(a).toMatchObject({
      partnerId: partner.id,
      kind: 'student-exchange',
      signedOn: '2016',
      startsOn: '2016-04-01',
      expiresOn: '2027-01-15',
      autoRenewal: true,
      // 44 days left, within the 60-day window this app is configured with.
      status: 'expiring',
      renewals: [],
      version: 1,
    });
    expect(res.response.headers.get('location')).toBe(`/agreements/${a.id}`);
    expect(res.response.headers.get('etag')).toBe('"1"');
    expect(await outboxOf(a.id)).toEqual([
      expect.objectContaining({ topic: 'registry-records', name: 'agreement.created' }),
    ]);
    expect(await auditOf(a.id)).toEqual([{ action: 'create', actorId: 'staff-tester' }]);
  });

  it('keeps and shows a document address in Japanese, as the contract allows', async () => {
    // Fastify's serializer used to check a nullable field's value against its JSON schema with
    // Ajv, whose `uri` format refuses such an address: the agreement was saved, then every
    // answer that carried it (this one, the partner's page) was a 500.
    const partner = await make.partner();
    const documentUrl = 'https://docs.example.ac.jp/協定書/交流協定.pdf';
    const res = await create(partner.id, {
      kind: 'research',
      title: '学術交流協定',
      documentUrl,
    });
    expect(res.response.status).toBe(201);
    expect(res.data?.documentUrl).toBe(documentUrl);
    const page = await viewer.GET('/partners/{id}', { params: { path: { id: partner.id } } });
    expect(page.response.status).toBe(200);
    expect(page.data?.agreements.map((a) => a.documentUrl)).toEqual([documentUrl]);
  });

  it('names every bad field, writes nothing', async () => {
    const partner = await make.partner();
    const before = await count();
    const res = await create(partner.id, {
      kind: 'friendship',
      title: '',
      signedOn: '2016-13',
      documentUrl: 'ftp://example.org/x',
      expiresOn: '2019-02-30',
    });
    const problem = expectProblem(res, 400, 'validation-error');
    expect(problem.errors!.map((e) => e.field).sort()).toEqual(
      ['documentUrl', 'expiresOn', 'kind', 'signedOn', 'title'].sort(),
    );
    const term = await create(partner.id, {
      kind: 'other',
      title: 'Backwards',
      startsOn: '2020-01-01',
      expiresOn: '2019-12-31',
    });
    expect(expectProblem(term, 400, 'validation-error').errors?.[0]).toMatchObject({
      in: 'body',
      field: 'expiresOn',
    });
    const future = await create(partner.id, { kind: 'other', title: 'Future', signedOn: '2027' });
    expect(expectProblem(future, 400, 'validation-error').errors?.[0]?.field).toBe('signedOn');
    expect(await count()).toBe(before);
  });

  it('answers 404 for an unknown partner and 409 for a title the partner already has', async () => {
    expectProblem(await create(randomUUID(), { kind: 'other', title: 'x' }), 404, 'not-found');
    const partner = await make.partner();
    await make.agreement(partner.id, { title: 'Memorandum of understanding' });
    const taken = await create(partner.id, { kind: 'other', title: 'Memorandum of understanding' });
    expect(expectProblem(taken, 409, 'conflict').errors?.[0]?.field).toBe('title');
    // Whatever its case: one agreement, not two (two expiry reminders for one agreement).
    const before = await count();
    const recased = await create(partner.id, {
      kind: 'other',
      title: 'MEMORANDUM of Understanding',
    });
    expect(expectProblem(recased, 409, 'conflict').errors?.[0]?.field).toBe('title');
    expect(await count()).toBe(before);
  });
});

describe('GET /partners/:id/agreements', () => {
  it('lists them with their status today, filtered by status and kind', async () => {
    const partner = await make.partner();
    await make.agreement(partner.id, {
      title: 'Expired',
      kind: 'research',
      expiresOn: '2026-12-01',
    });
    await make.agreement(partner.id, {
      title: 'Expiring',
      kind: 'research',
      expiresOn: '2027-01-31',
    });
    await make.agreement(partner.id, {
      title: 'Active',
      kind: 'comprehensive',
      expiresOn: '2027-02-01',
    });
    await make.agreement(partner.id, { title: 'Open-ended', kind: 'comprehensive' });
    await make.agreement(partner.id, { title: 'Later', kind: 'other', startsOn: '2026-12-03' });
    const list = async (query: Record<string, string> = {}) => {
      const res = await viewer.GET('/partners/{id}/agreements', {
        params: { path: { id: partner.id }, query: unchecked(query) },
      });
      expect(res.response.status).toBe(200);
      return res.data!.items.map((a) => [a.title, a.status] as const);
    };
    expect(new Map(await list())).toEqual(
      new Map([
        ['Expired', 'expired'],
        ['Expiring', 'expiring'],
        ['Active', 'active'],
        ['Open-ended', 'active'],
        ['Later', 'not-started'],
      ]),
    );
    expect(await list({ status: 'expiring,expired' })).toEqual([
      ['Expired', 'expired'],
      ['Expiring', 'expiring'],
    ]);
    expect((await list({ kind: 'comprehensive' })).map(([t]) => t).sort()).toEqual([
      'Active',
      'Open-ended',
    ]);
    const bad = await viewer.GET('/partners/{id}/agreements', {
      params: { path: { id: partner.id }, query: unchecked({ status: 'lapsed' }) },
    });
    expect(expectProblem(bad, 400, 'validation-error').errors?.[0]).toMatchObject({
      in: 'query',
      field: 'status.0',
    });
  });

  it('answers 404 for an unknown partner', async () => {
    const res = await viewer.GET('/partners/{id}/agreements', {
      params: { path: { id: randomUUID() } },
    });
    expectProblem(res, 404, 'not-found');
  });

  it("shows a partner token its own agreements and not another partner's", async () => {
    const mine = await make.partner();
    const theirs = await make.partner();
    const a = await make.agreement(mine.id);
    const b = await make.agreement(theirs.id);
    const client = await make.apiClient(mine.id, { scopes: ['registry:read'] });
    const own = await client.registry.GET('/partners/{id}/agreements', {
      params: { path: { id: mine.id } },
    });
    expect(own.data!.items.map((x) => x.id)).toEqual([a.id]);
    expectProblem(
      await client.registry.GET('/partners/{id}/agreements', {
        params: { path: { id: theirs.id } },
      }),
      404,
      'not-found',
    );
    expectProblem(
      await client.registry.GET('/agreements/{id}', { params: { path: { id: b.id } } }),
      404,
      'not-found',
    );
    expect(
      (await client.registry.GET('/agreements/{id}', { params: { path: { id: a.id } } })).data?.id,
    ).toBe(a.id);
  });
});

describe('GET /agreements', () => {
  it('lists agreements across partners, soonest expiry first, filtered; a partner sees its own', async () => {
    const one = await make.partner();
    const two = await make.partner();
    const late = await make.agreement(one.id, { expiresOn: '2027-01-30' });
    const soon = await make.agreement(two.id, { expiresOn: '2026-12-20' });
    const open = await make.agreement(two.id, { kind: 'research' });
    const ids = async (client: RegistryClient, query: Record<string, string>) => {
      const res = await client.GET('/agreements', { params: { query: unchecked(query) } });
      expect(res.response.status).toBe(200);
      return res.data!.items.map((a) => a.id);
    };
    const mine = [late.id, soon.id, open.id];
    const only = (list: string[]) => list.filter((id) => mine.includes(id));
    expect(only(await ids(viewer, { status: 'expiring' }))).toEqual([soon.id, late.id]);
    expect(await ids(viewer, { partnerId: two.id })).toEqual([soon.id, open.id]);
    expect(await ids(viewer, { partnerId: `${one.id},${two.id}`, kind: 'research' })).toEqual([
      open.id,
    ]);
    const client = await make.apiClient(one.id, { scopes: ['registry:read'] });
    expect(await ids(client.registry, {})).toEqual([late.id]);
    expect(await ids(client.registry, { partnerId: two.id })).toEqual([]);
    const bad = await viewer.GET('/agreements', {
      params: { query: unchecked({ partnerId: 'nope' }) },
    });
    expect(expectProblem(bad, 400, 'validation-error').errors?.[0]).toMatchObject({
      in: 'query',
      field: 'partnerId.0',
    });
  });
});

describe('GET /agreements/:id', () => {
  it('gives the agreement with its ETag, 404 for an unknown id', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id, { expiresOn: '2030-03-31' });
    const res = await viewer.GET('/agreements/{id}', { params: { path: { id: a.id } } });
    expect(res.response.status).toBe(200);
    expect(res.response.headers.get('etag')).toBe(`"${a.version}"`);
    expect(res.data).toMatchObject({ id: a.id, status: 'active', expiresOn: '2030-03-31' });
    expectProblem(
      await viewer.GET('/agreements/{id}', { params: { path: { id: randomUUID() } } }),
      404,
      'not-found',
    );
  });
});

describe('PATCH /agreements/:id', () => {
  it('corrects fields under If-Match, announces and audits the change', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id, { startsOn: '2020-04-01' });
    const res = await patch(
      a.id,
      { title: 'Corrected title', signedOn: '2020-03', expiresOn: '2025-03-31' },
      `"${a.version}"`,
    );
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({
      title: 'Corrected title',
      signedOn: '2020-03',
      status: 'expired',
      version: a.version + 1,
    });
    expect(res.response.headers.get('etag')).toBe(`"${a.version + 1}"`);
    expect(await namesOf(a.id)).toEqual(['agreement.created', 'agreement.updated']);
    expect((await auditOf(a.id)).map((r) => r.action)).toEqual(['create', 'update']);
  });

  it('refuses an expiry before the start as it would leave the row, and an empty patch', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id, { startsOn: '2020-04-01' });
    const bad = await patch(a.id, { expiresOn: '2020-03-31' });
    expect(expectProblem(bad, 400, 'validation-error').errors?.[0]).toMatchObject({
      in: 'body',
      field: 'expiresOn',
    });
    expectProblem(await patch(a.id, {}), 400, 'validation-error');
    expect(
      expectProblem(await patch(a.id, { kind: 'friendship' }), 400, 'validation-error').errors?.[0]
        ?.field,
    ).toBe('kind');
  });

  it('needs If-Match (428) and refuses a stale one (412), writing nothing', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id);
    const missing = await api.PATCH('/agreements/{id}', {
      params: { path: { id: a.id } } as never,
      body: { note: 'x' },
    });
    expectProblem(missing, 428, 'precondition-required');
    expect((await patch(a.id, { note: 'first' }, `"${a.version}"`)).response.status).toBe(200);
    const stale = await patch(a.id, { note: 'second' }, `"${a.version}"`);
    expectProblem(stale, 412, 'precondition-failed');
    const row = await viewer.GET('/agreements/{id}', { params: { path: { id: a.id } } });
    expect(row.data).toMatchObject({ note: 'first', version: a.version + 1 });
  });

  it('answers 404 for an unknown agreement', async () => {
    expectProblem(await patch(randomUUID(), { note: 'x' }), 404, 'not-found');
  });
});

describe('POST /agreements/:id/renewals', () => {
  it('moves the expiry and keeps the renewal in the history', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id, { expiresOn: '2027-01-15' });
    expect(a.status).toBe('expiring');
    const res = await renew(
      a.id,
      { expiresOn: '2032-01-15', renewedOn: '2026-11', note: 'Five more years' },
      `"${a.version}"`,
    );
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({
      expiresOn: '2032-01-15',
      status: 'active',
      version: a.version + 1,
      renewals: [
        {
          renewedOn: '2026-11',
          previousExpiresOn: '2027-01-15',
          newExpiresOn: '2032-01-15',
          note: 'Five more years',
          recordedBy: 'staff-tester',
        },
      ],
    });
    const second = await renew(a.id, { expiresOn: null });
    expect(second.data!.renewals.map((r) => [r.previousExpiresOn, r.newExpiresOn])).toEqual([
      ['2027-01-15', '2032-01-15'],
      ['2032-01-15', null],
    ]);
    expect(second.data!.renewals[1]!.renewedOn).toBe('2026-12-02'); // today in Tokyo
    expect(await namesOf(a.id)).toEqual([
      'agreement.created',
      'agreement.renewed',
      'agreement.renewed',
    ]);
    expect((await auditOf(a.id)).map((r) => r.action)).toEqual(['create', 'renew', 'renew']);
  });

  it('lists renewals in the order they were recorded, whatever dates they were given', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id, { expiresOn: '2027-01-15' });
    await renew(a.id, { expiresOn: '2030-01-15', renewedOn: '2026-06-01' });
    // Known only to the year: stored as 2026-01-01, before the June one.
    const second = await renew(a.id, { expiresOn: '2035-01-15', renewedOn: '2026' });
    expect(second.response.status).toBe(201);
    const chain = (r: {
      renewedOn: string;
      previousExpiresOn: string | null;
      newExpiresOn: string | null;
    }) => [r.renewedOn, r.previousExpiresOn, r.newExpiresOn];
    expect(second.data!.renewals.map(chain)).toEqual([
      ['2026-06-01', '2027-01-15', '2030-01-15'],
      ['2026', '2030-01-15', '2035-01-15'],
    ]);
    const read = await viewer.GET('/agreements/{id}', { params: { path: { id: a.id } } });
    expect(read.data!.renewals.map(chain)).toEqual(second.data!.renewals.map(chain));
  });

  it('refuses an expiry not after the current one, a future date and a missing expiry', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id, { expiresOn: '2027-01-15' });
    for (const body of [{ expiresOn: '2027-01-15' }, { expiresOn: '2026-01-01' }])
      expect(
        expectProblem(await renew(a.id, body), 400, 'validation-error').errors?.[0]?.field,
      ).toBe('expiresOn');
    const future = await renew(a.id, { expiresOn: '2033-01-01', renewedOn: '2027' });
    expect(expectProblem(future, 400, 'validation-error').errors?.[0]?.field).toBe('renewedOn');
    expect(expectProblem(await renew(a.id, {}), 400, 'validation-error').errors?.[0]?.field).toBe(
      'expiresOn',
    );
    const after = await viewer.GET('/agreements/{id}', { params: { path: { id: a.id } } });
    expect(after.data).toMatchObject({ expiresOn: '2027-01-15', renewals: [] });
  });

  it('needs If-Match (428), refuses a stale one (412), 404 for an unknown agreement', async () => {
    const partner = await make.partner();
    const a = await make.agreement(partner.id, { expiresOn: '2027-01-15' });
    const missing = await api.POST('/agreements/{id}/renewals', {
      params: { path: { id: a.id } } as never,
      body: { expiresOn: '2030-01-01' },
    });
    expectProblem(missing, 428, 'precondition-required');
    expectProblem(
      await renew(a.id, { expiresOn: '2030-01-01' }, `"${a.version + 7}"`),
      412,
      'precondition-failed',
    );
    expectProblem(await renew(randomUUID(), { expiresOn: '2030-01-01' }), 404, 'not-found');
  });
});
