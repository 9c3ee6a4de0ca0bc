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

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let staff: RegistryClient;
let viewer: RegistryClient;
let partnerA: { id: string };
let partnerB: { id: string };
let readerA: TestApiClient;
let readerB: TestApiClient;

beforeAll(async () => {
  staff = registryClient(ctx, await staffToken('staff'));
  viewer = registryClient(ctx, await staffToken('viewer'));
  partnerA = await make.partner({ nameEn: 'Tsinghua University', country: 'CN' });
  partnerB = await make.partner({ nameEn: 'Princeton University', country: 'US' });
  readerA = await make.apiClient(partnerA.id, { scopes: ['registry:read', 'activities:write'] });
  readerB = await make.apiClient(partnerB.id, { scopes: ['registry:read'] });
});

const patch = (id: string, body: unknown, ifMatch = '*') =>
  staff.PATCH('/funding/{id}', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });

describe('POST /funding', () => {
  it('keeps amounts exact, in the currency’s minor units', async () => {
    const activity = await make.activity(partnerA.id);
    const res = await staff.POST('/funding', {
      body: {
        partnerId: partnerA.id,
        activityId: activity.id,
        source: 'JSPS',
        scheme: 'Core-to-Core Program',
        amount: '12345678901234567.5',
        currency: 'USD',
        fiscalYear: 2025,
        status: 'awarded',
      },
    });
    expect(res.response.status).toBe(201);
    // Past a double's 15–17 digits, nothing is rounded.
    expect(res.data).toMatchObject({
      amount: '12345678901234567.50',
      currency: 'USD',
      activityId: activity.id,
      partnerNameEn: 'Tsinghua University',
    });
    const row = await ctx.database.db
      .selectFrom('registry.funding')
      .select(sql<string>`amount::text`.as('amount'))
      .where('id', '=', res.data!.id)
      .executeTakeFirstOrThrow();
    expect(row.amount).toBe('12345678901234567.5000');
    const yen = await make.funding(partnerA.id, { amount: '30000000', currency: 'JPY' });
    expect(yen.amount).toBe('30000000');
    const dinar = await make.funding(partnerA.id, { amount: '1.5', currency: 'KWD' });
    expect(dinar.amount).toBe('1.500');
    const outbox = await ctx.database.db
      .selectFrom('registry.outbox')
      .select(['name', 'topic'])
      .where(sql<boolean>`payload->>'id' = ${res.data!.id}`)
      .execute();
    expect(outbox).toEqual([{ name: 'funding.created', topic: 'registry-records' }]);
  });

  it('names bad amounts, currencies and other fields, and writes nothing', async () => {
    const count = async () =>
      (
        await ctx.database.db
          .selectFrom('registry.funding')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    const base = { partnerId: partnerA.id, source: 'JSPS', fiscalYear: 2025 };
    expectProblem(
      await staff.POST('/funding', {
        body: unchecked({ ...base, amount: '0.5', currency: 'JPY' }),
      }),
      400,
      'validation-error',
      ['amount'],
    );
    expectProblem(
      await staff.POST('/funding', { body: unchecked({ ...base, amount: 1000, currency: 'ZZZ' }) }),
      400,
      'validation-error',
      ['amount', 'currency'],
    );
    expectProblem(
      await staff.POST('/funding', {
        body: unchecked({ ...base, amount: '1', currency: 'EUR', status: 'pending', source: '' }),
      }),
      400,
      'validation-error',
      ['status', 'source'],
    );
    expectProblem(
      await staff.POST('/funding', {
        body: { ...base, partnerId: randomUUID(), amount: '1', currency: 'EUR', status: 'applied' },
      }),
      400,
      'validation-error',
      ['partnerId'],
    );
    const foreign = await make.activity(partnerB.id);
    expectProblem(
      await staff.POST('/funding', {
        body: { ...base, activityId: foreign.id, amount: '1', currency: 'EUR', status: 'applied' },
      }),
      400,
      'validation-error',
      ['activityId'],
    );
    expectProblem(
      await staff.POST('/funding', {
        body: {
          ...base,
          activityId: randomUUID(),
          amount: '1',
          currency: 'EUR',
          status: 'applied',
        },
      }),
      400,
      'validation-error',
      ['activityId'],
    );
    expect(await count()).toEqual(before);
  });

  it('is staff only', async () => {
    const body = {
      partnerId: partnerA.id,
      source: 'x',
      amount: '1',
      currency: 'EUR',
      fiscalYear: 2025,
      status: 'applied' as const,
    };
    expectProblem(await viewer.POST('/funding', { body }), 403, 'forbidden');
    expectProblem(await readerA.registry.POST('/funding', { body }), 403, 'forbidden');
  });
});

describe('PATCH /funding/:id', () => {
  it('checks a new amount against the stored currency, and a new currency against the stored amount', async () => {
    const f = await make.funding(partnerA.id, { amount: '100.25', currency: 'EUR' });
    expectProblem(await patch(f.id, { currency: 'JPY' }), 400, 'validation-error', ['amount']);
    expectProblem(await patch(f.id, { amount: '1.234' }), 400, 'validation-error', ['amount']);
    const ok = await patch(f.id, { amount: '99.9', status: 'awarded' }, `"${f.version}"`);
    expect(ok.data).toMatchObject({ amount: '99.90', status: 'awarded', version: 2 });
    const yen = await patch(f.id, { amount: '15000', currency: 'JPY' });
    expect(yen.data).toMatchObject({ amount: '15000', currency: 'JPY' });
  });

  it('needs If-Match (428), refuses a stale one (412), 404 for an unknown one', async () => {
    const f = await make.funding(partnerA.id);
    const missing = await staff.PATCH('/funding/{id}', {
      params: { path: { id: f.id } } as never,
      body: { status: 'rejected' },
    });
    expectProblem(missing, 428, 'precondition-required');
    expect((await patch(f.id, { status: 'rejected' }, `"${f.version}"`)).response.status).toBe(200);
    expectProblem(
      await patch(f.id, { status: 'awarded' }, `"${f.version}"`),
      412,
      'precondition-failed',
    );
    expectProblem(await patch(randomUUID(), { status: 'awarded' }), 404, 'not-found');
    expectProblem(await patch(f.id, {}), 400, 'validation-error');
    const row = await ctx.database.db
      .selectFrom('registry.funding')
      .select(['status', 'version'])
      .where('id', '=', f.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'rejected', version: '2' });
  });
});

describe('GET /funding', () => {
  it('filters, and shows a partner only its own (404 on another’s)', async () => {
    const ofA = await make.funding(partnerA.id, { fiscalYear: 2019, status: 'awarded' });
    const ofB = await make.funding(partnerB.id, { fiscalYear: 2019 });
    const list = await viewer.GET('/funding', {
      params: { query: { fiscalYear: 2019, status: ['awarded'] as never } },
    });
    expect(list.data!.items.map((f) => f.id)).toEqual([ofA.id]);
    const mine = await readerB.registry.GET('/funding', {
      params: { query: { fiscalYear: 2019 } },
    });
    expect(mine.data!.items.map((f) => f.id)).toEqual([ofB.id]);
    expectProblem(
      await readerB.registry.GET('/funding/{id}', { params: { path: { id: ofA.id } } }),
      404,
      'not-found',
    );
    const one = await readerB.registry.GET('/funding/{id}', { params: { path: { id: ofB.id } } });
    expect(one.response.headers.get('etag')).toBe(`"${ofB.version}"`);
    expectProblem(
      await viewer.GET('/funding', { params: { query: unchecked({ status: 'maybe' }) } }),
      400,
      'validation-error',
      ['status.0'],
    );
  });
});
